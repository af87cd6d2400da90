"""The Territoires d'industrie (ANCT) imported with `tissu import territoires-industrie`, as the filters read them.

Empty until the list is imported: the explorer then hides its filter and says how to get it, and the API refuses
`territoire_industrie=` values as unknown codes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard import repository
from dashboard.analytics.filters import Vocabulary, vocabulary_from
from dashboard.services.base import DataService

IMPORT_HINT = ("Liste ANCT non importée : « tissu import territoires-industrie FICHIER.csv » (data.gouv.fr, "
               "« Liste des Territoires d'industrie et des communes concernées »).")


@dataclass(frozen=True)
class IndustryTerritories:
    frame: pd.DataFrame  # code, name, communes (count of Lorraine communes)
    communes: dict[str, frozenset[str]]  # code -> its commune codes

    @property
    def imported(self) -> bool:
        return bool(len(self.frame))


def industry_territories(service: DataService) -> IndustryTerritories:
    """The imported Territoires d'industrie, once per snapshot (an import changes the indicator tables' version)."""
    return service.snapshot().cached("industry_territories", lambda: _load(service))


def _load(service: DataService) -> IndustryTerritories:
    links = repository.industry_territory_communes_frame(service.engine)
    return IndustryTerritories(
        frame=repository.industry_territories_frame(service.engine),
        communes={str(code): frozenset(group["commune_code"]) for code, group in links.groupby("territory_code")})


def filter_vocabulary(service: DataService) -> Vocabulary:
    """Every valid filter code: the reference tables' and the imported Territoires d'industrie."""
    return vocabulary_from(service.lookups, industry_territories(service).communes)
