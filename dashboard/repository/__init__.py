"""The only place that builds SQL: functions take an engine and return plain values or DataFrames.

One module per topic; every public function is re-exported here, so callers write `repository.fn(engine, ...)`.
"""

from dashboard.repository.datasets import (  # noqa: F401
    DatasetEnrichments,
    DatasetInfo,
    MemberUpdate,
    activate_dataset,
    active_dataset,
    apply_member_updates,
    dataset_enrichments,
    dataset_named,
    dataset_version,
    establishment_capabilities,
    establishment_certifications,
    establishment_counts,
    establishment_keys,
    establishments_frame,
    list_datasets,
    replace_dataset,
    set_metallurgy_agreements,
)
from dashboard.repository.event import (  # noqa: F401
    establishments_for_event,
    event_capabilities,
    event_certifications,
    event_meeting_counts,
    event_meetings,
    event_participants,
    event_requests,
    events_frame,
    replace_event,
    set_meeting_status,
    set_meeting_statuses,
    write_meetings,
)
from dashboard.repository.indicators import (  # noqa: F401
    establishment_flows,
    has_demo_indicators,
    indicator_catalog_frame,
    indicator_tables_version,
    indicator_values_frame,
    industry_territories_frame,
    industry_territory_communes_frame,
    investment_projects_frame,
    replace_industry_territories,
    write_indicator_data,
)
from dashboard.repository.reference import (  # noqa: F401
    capabilities_frame,
    certifications_frame,
    communes_frame,
    departments_frame,
    epci_frame,
    filieres_frame,
    naf_frame,
    reference_is_loaded,
    size_bands_frame,
    sync_reference,
    zones_frame,
)
from dashboard.repository.skills import (  # noqa: F401
    bmo_area_communes_frame,
    bmo_areas_frame,
    recruitment_needs_frame,
    recruitment_tensions,
    replace_bmo_area_communes,
    replace_bmo_years,
    replace_demo_skills,
    replace_training,
    skills_uses_demo,
    skills_version,
    trade_codes,
    trades_frame,
    training_offers_frame,
    training_sites_frame,
)
from dashboard.repository.versions import topic_versions  # noqa: F401
