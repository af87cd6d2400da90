"""The one way services select establishments by the explorer's criteria: `filter_mask` on the snapshot, with the
snapshot's links and the imported Territoires d'industrie, and its code columns factorized once per data version."""

from __future__ import annotations

import numpy as np

from dashboard.analytics.filters import CodedColumn, Criteria, coded_columns, filter_mask
from dashboard.services.base import DataService, Snapshot
from dashboard.services.industry_territories import industry_territories


def filter_codes(snap: Snapshot) -> dict[str, CodedColumn]:
    """The snapshot's filtered code columns as integer codes, once per data version."""
    return snap.cached("filter_codes", lambda: coded_columns(snap.establishments))


def matching_mask(service: DataService, snap: Snapshot, criteria: Criteria) -> np.ndarray:
    """Boolean mask over `snap.establishments` of those matching `criteria`."""
    return filter_mask(snap.establishments, criteria, capability_links=snap.capability_links,
                       certification_links=snap.certification_links,
                       territory_communes=industry_territories(service).communes, coded=filter_codes(snap))
