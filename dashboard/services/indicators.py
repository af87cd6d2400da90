"""What the Réindustrialisation page, the scorecard and the API read: series per territory, with sources.

Stored series come from `indicator_values` (imports and demo); the Sirene-based and project-based series
are computed from the active dataset's establishments (closed ones included) and from the investment
projects, for any territory and filière. Cached per (dataset version, indicator tables version).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from dashboard import repository
from dashboard.analytics import indicators as ind
from dashboard.services import DataService
from dashboard.services.cache import BoundedCache, normalised_key

LORRAINE = "Lorraine"


@dataclass(frozen=True)
class Scope:
    """A territory (or several departments summed) whose series are shown."""

    level: str
    codes: tuple[str, ...]
    label: str

    @property
    def key(self) -> str:
        return f"{self.level}:{'+'.join(self.codes)}"


@dataclass(frozen=True)
class Series:
    code: str
    scope: Scope
    frame: pd.DataFrame  # period, period_start, value
    source: str
    source_date: dt.date | None
    is_demo: bool


@dataclass
class IndicatorData:
    catalog: pd.DataFrame
    values: pd.DataFrame
    projects: pd.DataFrame
    establishments: pd.DataFrame  # closed included
    ti: pd.DataFrame  # code, name, communes
    ti_communes: dict[str, set[str]]
    dataset_source: str
    dataset_date: dt.date | None
    dataset_is_demo: bool
    names: dict[tuple[str, str], str]
    _series_cache: BoundedCache = field(default_factory=lambda: BoundedCache(256), repr=False)

    @property
    def last_year(self) -> int:
        """The last complete year of the dataset (its source date's year when it is 31 December)."""
        date = self.dataset_date or dt.date.today()
        return date.year if (date.month, date.day) == (12, 31) else date.year - 1

    def label(self, code: str) -> str:
        row = self.catalog_row(code)
        return row["label"] if row else code

    def catalog_row(self, code: str) -> dict | None:
        hit = self.catalog[self.catalog["code"] == code]
        return hit.iloc[0].to_dict() if len(hit) else None

    def territory_name(self, level: str, code: str) -> str:
        return self.names.get((level, code), code)

    def scope(self, level: str, codes) -> Scope:
        codes = tuple(codes) if not isinstance(codes, str) else (codes,)
        if level == "region":
            return Scope("region", (ind.REGION_CODE,), LORRAINE)
        label = " + ".join(self.territory_name(level, c) for c in codes)
        return Scope(level, codes, label)

    def series(self, code: str, scope: Scope, *, filieres: tuple[str, ...] = (), years: range | None = None,
               min_headcount: bool = False) -> Series:
        """The series `code` for a scope (filières apply to Sirene- and project-based series only)."""
        key = (code, scope.key, filieres, years.start if years else None, years.stop if years else None, min_headcount)
        return self._series_cache.get_or_build(normalised_key(*key), lambda: self._series(
            code, scope, filieres=filieres, years=years, min_headcount=min_headcount))

    def _series(self, code, scope, *, filieres, years, min_headcount) -> Series:
        years = years or range(2012, self.last_year + 1)
        if code in ind.ESTABLISHMENT_CODES:
            frame = self.establishments
            mask = _mask(frame, scope, self.ti_communes)
            if filieres:
                mask &= frame["filiere_code"].isin(filieres)
            if code == "sirene_solde" and min_headcount:
                code = "sirene_solde_10"
            data = ind.establishment_series(frame[mask], code, years=years)
            return Series(code, scope, data, self.dataset_source, self.dataset_date, self.dataset_is_demo)
        if code in ind.PROJECT_CODES:
            frame = self.projects
            mask = _mask(frame, scope, self.ti_communes)
            if filieres:
                mask &= frame["filiere_code"].isin(filieres)
            data = ind.project_series(frame[mask], code, years=years)
            picked = frame[mask]
            source = "; ".join(sorted(set(picked["source_name"]))) or ind.CATALOG_BY_CODE[code]["source"]
            date = picked["source_date"].max() if len(picked) else None
            return Series(code, scope, data, source, date, bool(picked["is_demo"].any()) if len(picked) else False)
        return self._stored(code, scope, years)

    def _stored(self, code: str, scope: Scope, years: range) -> Series:
        values = self.values[(self.values["indicator_code"] == code) & (self.values["level"] == scope.level)]
        parts = [values[values["territory_code"] == c] for c in scope.codes]
        if scope.level == "region" and not len(parts[0]):  # not imported at region level: sum the departments
            dep = self.values[(self.values["indicator_code"] == code) & (self.values["level"] == "departement")]
            parts = [dep[dep["territory_code"] == c] for c in sorted(set(dep["territory_code"]))]
        parts = [p for p in parts if len(p)]
        used = pd.concat(parts) if parts else self.values.iloc[0:0]
        if len(parts) == 1:
            data = parts[0][["period", "period_start", "value"]].reset_index(drop=True)
        elif ind.CATALOG_BY_CODE.get(code, {}).get("unit") == "%":
            data = pd.DataFrame(columns=["period", "period_start", "value"])  # shares cannot be summed
        else:
            data = ind.sum_series([p[["period", "period_start", "value"]] for p in parts])
        data = data.assign(period_start=pd.to_datetime(data["period_start"]))
        data = data[data["period_start"].dt.year.between(years.start, years.stop - 1)].reset_index(drop=True)
        source = "; ".join(sorted(set(used["source_name"]))) or ind.CATALOG_BY_CODE.get(code, {}).get("source", "")
        if len(used):
            return Series(code, scope, data, source, used["source_date"].max(), bool(used["is_demo"].any()))
        return Series(code, scope, data, source, None, False)


def _mask(frame: pd.DataFrame, scope: Scope, ti_communes) -> pd.Series:
    mask = pd.Series(False, index=frame.index)
    for code in scope.codes:
        mask |= ind.in_territory(frame, scope.level, code, ti_communes=ti_communes)
    return mask




def indicator_data(service: DataService) -> IndicatorData:
    """The current indicator data, rebuilt when the dataset or an indicator table changed."""
    return service.snapshot().cached("indicators", lambda: _load(service))


def _load(service: DataService) -> IndicatorData:
    engine, look = service.engine, service.lookups
    snap = service.snapshot()
    dataset_id = snap.dataset.id if snap.dataset else -1
    stored = repository.indicator_catalog_frame(engine)
    builtin = pd.DataFrame(ind.CATALOG)
    catalog = pd.concat([builtin[~builtin["code"].isin(stored["code"])], stored], ignore_index=True)
    order = {c: i for i, c in enumerate(builtin["code"])}
    catalog = catalog.sort_values("code", key=lambda s: s.map(order).fillna(len(order))).reset_index(drop=True)
    ti = repository.industry_territories_frame(engine)
    links = repository.industry_territory_communes_frame(engine)
    names = {("region", ind.REGION_CODE): LORRAINE, ("pays", ind.NATION_CODE): "France"}
    names |= {("departement", c): n for c, n in zip(look.departments["code"], look.departments["name"])}
    names |= {("epci", c): n for c, n in zip(look.epci["code"], look.epci["name"])}
    names |= {("zone_emploi", c): n for c, n in zip(look.zones["code"], look.zones["name"])}
    names |= {("commune", c): n for c, n in zip(look.communes["code"], look.communes["name"])}
    names |= {("territoire_industrie", c): n for c, n in zip(ti["code"], ti["name"])}
    return IndicatorData(
        catalog=catalog,
        values=repository.indicator_values_frame(engine),
        projects=repository.investment_projects_frame(engine),
        establishments=repository.establishments_frame(engine, dataset_id, include_closed=True),
        ti=ti,
        ti_communes={str(k): set(g["commune_code"]) for k, g in links.groupby("territory_code")},
        dataset_source=snap.dataset.source_name if snap.dataset else "",
        dataset_date=snap.dataset.source_date if snap.dataset else None,
        dataset_is_demo=snap.is_demo,
        names=names,
    )
