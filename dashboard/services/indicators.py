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
from dashboard.analytics.text import searchable
from dashboard.callback_inputs import as_number, as_texts
from dashboard.formatting import fr_date
from dashboard.reference import departments
from dashboard.services import DataService
from dashboard.services.base import CLOSED_SITE_COLUMNS
from dashboard.services.cache import BoundedCache, normalised_key
from dashboard.services.downloads import ExportFile

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
        if scope.level == "pays":  # France: only published figures, never the Lorraine projects summed as "France"
            return self._stored(code, scope, years)
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


# What the establishment-based series read of each site, active or closed (from the snapshot: no second load).
FLOW_COLUMNS = CLOSED_SITE_COLUMNS


def indicator_data(service: DataService) -> IndicatorData:
    """The current indicator data, rebuilt when the dataset or an indicator table changed."""
    return service.snapshot().cached("indicators", lambda: _load(service))


def _load(service: DataService) -> IndicatorData:
    engine, look = service.engine, service.lookups
    snap = service.snapshot()
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
        establishments=pd.concat([snap.establishments[list(FLOW_COLUMNS)],
                                  snap.closed_establishments.reindex(columns=list(FLOW_COLUMNS))], ignore_index=True),
        ti=ti,
        ti_communes={str(k): set(g["commune_code"]) for k, g in links.groupby("territory_code")},
        dataset_source=snap.dataset.source_name if snap.dataset else "",
        dataset_date=snap.dataset.source_date if snap.dataset else None,
        dataset_is_demo=snap.is_demo,
        names=names,
    )


# --- The Réindustrialisation page: query, KPI numbers, chart series, projects, export ----------------

FIRST_YEAR = 2012
KPI_CODES = ("emploi_industrie", "part_industrie", "sirene_etablissements", "sirene_solde", "projets_emplois",
             "france2030_laureats", "deeptech_creations")
SERIES_CHOICES = [("emploi_industrie", "Emploi salarié industriel"), ("part_industrie", "Part de l'industrie"),
                  ("sirene_etablissements", "Établissements actifs (Sirene)"),
                  ("etablissements_industrie", "Établissements employeurs (URSSAF)")]


@dataclass(frozen=True)
class IndicatorQuery:
    departements: tuple[str, ...] = ()
    epci: str | None = None
    zone: str | None = None
    ti: str | None = None
    filieres: tuple[str, ...] = ()
    start: int = FIRST_YEAR
    end: int = 2025
    index100: bool = False
    threshold: bool = False
    series: str = "emploi_industrie"


@dataclass(frozen=True)
class IndicatorPageView:
    """The page's controls restored from the URL, their options and the notices."""

    departements: list[str]
    epci: str | None
    zone: str | None
    ti: str | None
    filieres: list[str]
    period: tuple[int, int]
    year_bounds: tuple[int, int]
    index100: bool
    threshold: bool
    series_code: str
    notices: list[str]
    department_options: list[dict]
    epci_options: list[dict]
    zone_options: list[dict]
    ti_options: list[dict]
    filiere_options: list[dict]
    is_demo: bool
    tile_url: str = ""
    tile_attribution: str = ""


def query_values(query: dict, name: str) -> list[str]:
    """Every value of a URL parameter, comma-separated lists split."""
    return [v.strip() for raw in query.get(name, []) for v in str(raw).split(",") if v.strip()]


def parse_query(data: IndicatorData, service: DataService,
                query: dict[str, list[str]]) -> tuple[IndicatorQuery, list[str]]:
    """URL parameters -> a query; unknown values are dropped with a French notice."""
    look, notices = service.lookups, []
    last = data.last_year

    def known(name: str, allowed: set[str], label: str) -> list[str]:
        values = query_values(query, name)
        bad = [v for v in values if v not in allowed]
        if bad:
            notices.append(f"{label} inconnu(s) ignoré(s) : {', '.join(bad)}.")
        return [v for v in values if v in allowed]

    deps = known("departement", set(look.departments["code"]), "Département")
    epci = known("epci", set(look.epci["code"]), "EPCI")[:1]
    zone = known("zone_emploi", set(look.zones["code"]), "Zone d'emploi")[:1]
    ti = known("ti", set(data.ti["code"]), "Territoire d'industrie")[:1]
    fil = known("filiere", set(look.filieres["code"]), "Filière")
    start, end = FIRST_YEAR, last
    for name in ("debut", "fin"):
        for raw in query_values(query, name)[:1]:
            if raw.isdigit() and FIRST_YEAR <= int(raw) <= last:
                start, end = (int(raw), end) if name == "debut" else (start, int(raw))
            else:
                notices.append(f"Année « {raw} » ignorée ({name}) : entre {FIRST_YEAR} et {last}.")
    if start > end:
        notices.append("Période inversée : remise dans l'ordre.")
        start, end = end, start
    series = (query_values(query, "serie") or ["emploi_industrie"])[0]
    if series not in dict(SERIES_CHOICES):
        notices.append(f"Série « {series} » inconnue : emploi salarié industriel affiché.")
        series = "emploi_industrie"
    return IndicatorQuery(tuple(deps), epci[0] if epci else None, zone[0] if zone else None, ti[0] if ti else None,
                          tuple(fil), start, end, query_values(query, "base100")[:1] == ["1"],
                          query_values(query, "seuil")[:1] == ["10"], series), notices


def query_params(q: IndicatorQuery, *, last_year: int) -> dict[str, str]:
    """The query as URL parameters (defaults left out)."""
    params = {"departement": ",".join(q.departements), "epci": q.epci or "", "zone_emploi": q.zone or "",
              "ti": q.ti or "", "filiere": ",".join(q.filieres),
              "debut": str(q.start) if q.start != FIRST_YEAR else "", "fin": str(q.end) if q.end != last_year else "",
              "base100": "1" if q.index100 else "", "seuil": "10" if q.threshold else "",
              "serie": q.series if q.series != "emploi_industrie" else ""}
    return {k: v for k, v in params.items() if v}


def query_from_controls(service: DataService, departements, epci, zone, ti, filieres, period, index100, threshold,
                        series) -> IndicatorQuery:
    """The query from the page's control values, checked as the URL's parameters are (`parse_query`)."""
    years = [as_number(y) for y in period] if isinstance(period, list) else []
    start, end = (years[:2] if len(years) >= 2 and None not in years[:2] else [None, None])
    params = {"departement": as_texts(departements), "epci": as_texts(epci), "zone_emploi": as_texts(zone),
              "ti": as_texts(ti), "filiere": as_texts(filieres),
              "debut": [f"{start:.0f}"] if start is not None else [], "fin": [f"{end:.0f}"] if end is not None else [],
              "base100": ["1"] if "1" in as_texts(index100) else [],
              "seuil": ["10"] if "10" in as_texts(threshold) else [], "serie": as_texts(series)[:1]}
    return parse_query(indicator_data(service), service, params)[0]


def scope_of(data: IndicatorData, q: IndicatorQuery) -> Scope:
    """EPCI, then zone d'emploi, then Territoire d'industrie, then the departments chosen, else Lorraine."""
    if q.epci:
        return data.scope("epci", [q.epci])
    if q.zone:
        return data.scope("zone_emploi", [q.zone])
    if q.ti:
        return data.scope("territoire_industrie", [q.ti])
    if q.departements:
        return data.scope("departement", sorted(q.departements))
    return data.scope("region", ())


def page_view(service: DataService, query: dict[str, list[str]]) -> IndicatorPageView:
    data = indicator_data(service)
    q, notices = parse_query(data, service, query)
    look = service.lookups
    return IndicatorPageView(
        departements=list(q.departements), epci=q.epci, zone=q.zone, ti=q.ti, filieres=list(q.filieres),
        period=(q.start, q.end), year_bounds=(FIRST_YEAR, data.last_year), index100=q.index100,
        threshold=q.threshold, series_code=q.series, notices=notices,
        department_options=searchable([{"label": f"{n} ({c})", "value": c} for c, n in
                                       zip(look.departments["code"], look.departments["name"])]),
        epci_options=searchable([{"label": n, "value": c} for c, n in zip(look.epci["code"], look.epci["name"])]),
        zone_options=searchable([{"label": n, "value": c} for c, n in zip(look.zones["code"], look.zones["name"])]),
        ti_options=searchable([{"label": n, "value": c} for c, n in zip(data.ti["code"], data.ti["name"])]),
        filiere_options=searchable([{"label": lab, "value": c} for c, lab in
                                    zip(look.filieres["code"], look.filieres["label"])]),
        is_demo=data.dataset_is_demo or bool(data.values["is_demo"].any()),
        tile_url=service.settings.tile_url, tile_attribution=service.settings.tile_attribution,
    )


@dataclass(frozen=True)
class IndicatorKpi:
    """One KPI card: the series' headline numbers, what they mean, where they come from."""

    code: str
    label: str
    unit: str
    higher_is_better: bool | None
    kpi: ind.Kpi
    source: str  # "name · date", or "Aucune donnée"
    is_demo: bool


def kpis(data: IndicatorData, q: IndicatorQuery) -> list[IndicatorKpi]:
    """The KPI_CODES of the query's scope: last value, 1- and 5-year changes (projects as 5-year sums)."""
    scope, years = scope_of(data, q), range(FIRST_YEAR, q.end + 1)
    out = []
    for code in KPI_CODES:
        series = data.series(code, scope, filieres=q.filieres, years=years, min_headcount=q.threshold)
        row = data.catalog_row(series.code) or data.catalog_row(code) or {}
        frame = series.frame[series.frame["period_start"].dt.year >= q.start] if len(series.frame) else series.frame
        if code in ind.PROJECT_CODES:
            frame = ind.rolling_sum(series.frame)
        label = row.get("label", code) + (" (cumul 5 ans)" if code in ind.PROJECT_CODES else "")
        source = f"{series.source} · {fr_date(series.source_date)}" if series.source else "Aucune donnée"
        out.append(IndicatorKpi(code, label, row.get("unit", ""), row.get("higher_is_better"), ind.kpi(frame), source,
                                series.is_demo))
    return out


def series_lines(data: IndicatorData, q: IndicatorQuery) -> list[tuple[str, str, pd.DataFrame]]:
    """(label, key, frame) lines of the evolution chart: the chosen (or all) departments (key: their code), the
    scope below them (key "scope"), Lorraine (key "region")."""
    years = range(q.start, q.end + 1)
    lines = [(data.territory_name("departement", d), d,
              data.series(q.series, data.scope("departement", [d]), filieres=q.filieres, years=years).frame)
             for d in q.departements or departments()]
    scope = scope_of(data, q)
    if scope.level not in ("departement", "region"):
        lines.append((scope.label, "scope", data.series(q.series, scope, filieres=q.filieres, years=years).frame))
    lines.append(("Lorraine", "region", data.series(q.series, data.scope("region", ()), filieres=q.filieres,
                                                     years=years).frame))
    return lines


def _flows(data: IndicatorData, q: IndicatorQuery, scope: Scope) -> dict[str, pd.DataFrame]:
    """Openings (o), closures (c) and net (n) per year; of sites of 10 or more employees with the threshold."""
    years = range(q.start, q.end + 1)
    if not q.threshold:
        return {key: data.series(code, scope, filieres=q.filieres, years=years).frame
                for key, code in (("o", "sirene_ouvertures"), ("c", "sirene_fermetures"), ("n", "sirene_solde"))}
    frame = data.establishments
    sub = frame[_mask(frame, scope, data.ti_communes)]
    if q.filieres:
        sub = sub[sub["filiere_code"].isin(q.filieres)]
    oc = ind.openings_closures(sub, years=years, min_headcount=ind.SIZE_THRESHOLD)
    return {"o": ind.annual_series(oc, "openings"), "c": ind.annual_series(oc, "closures"),
            "n": ind.annual_series(oc, "net")}


def projects_in(data: IndicatorData, q: IndicatorQuery) -> pd.DataFrame:
    """Investment projects of the query's scope, filières and period."""
    frame = data.projects
    frame = frame[_mask(frame, scope_of(data, q), data.ti_communes)]
    if q.filieres:
        frame = frame[frame["filiere_code"].isin(q.filieres)]
    years = pd.to_datetime(frame["announced_on"]).dt.year
    return frame[years.between(q.start, q.end)]


def fiche_href(scope: Scope) -> str:
    """The fiche territoire of a scope (several departments: the first one)."""
    if scope.level == "region" or len(scope.codes) != 1:
        return "/fiche?niveau=region&code=41" if scope.level == "region" else \
            f"/fiche?niveau=departement&code={scope.codes[0]}"
    return f"/fiche?niveau={scope.level}&code={scope.codes[0]}"


@dataclass(frozen=True)
class IndicatorResults:
    """Everything the page shows for one query (the callbacks hand it to layouts.indicators)."""

    query: IndicatorQuery
    scope: Scope
    kpis: list[IndicatorKpi]
    lines: list[tuple[str, str, pd.DataFrame]]  # series_lines
    unit: str  # of the evolution chart's series
    flows: dict[str, pd.DataFrame]  # o, c, n
    deeptech: pd.DataFrame  # national context series
    dge: pd.DataFrame
    projects: pd.DataFrame
    net_jobs: float  # announced jobs of investment projects (the projets_emplois definition) over the query's period
    recent_net_jobs: tuple[str, float | None]  # (period, value) of the KPI card: the last 5 years' sum
    amount_eur: float  # announced amounts (unknown ones left out)
    fiche_href: str
    params: dict[str, str]


PROJECT_SIGN = {"opening": 1, "extension": 1, "closure": -1, "reduction": -1}


def page_results(service: DataService, q: IndicatorQuery) -> IndicatorResults:
    """KPI numbers, chart series, flows, national context and projects of a query."""
    data = indicator_data(service)
    scope = scope_of(data, q)
    projects = projects_in(data, q)
    nation = Scope("pays", (ind.NATION_CODE,), "France")
    national_years = range(FIRST_YEAR, data.last_year + 1)
    cards = kpis(data, q)
    card = next(k for k in cards if k.code == "projets_emplois")
    # The same definition as the card (investment projects, not France 2030 or deeptech), over the page's period.
    jobs = data.series("projets_emplois", scope, filieres=q.filieres, years=range(q.start, q.end + 1)).frame
    return IndicatorResults(
        query=q, scope=scope, kpis=cards, lines=series_lines(data, q),
        unit=(data.catalog_row(q.series) or {}).get("unit", ""), flows=_flows(data, q, scope),
        deeptech=data.series("deeptech_creations", nation, years=national_years).frame,
        dge=data.series("dge_solde_national", nation, years=national_years).frame,
        projects=projects, net_jobs=float(jobs["value"].sum()),
        recent_net_jobs=(card.kpi.period or "", card.kpi.value),
        amount_eur=float(pd.to_numeric(projects["amount_eur"], errors="coerce").sum()),
        fiche_href=fiche_href(scope), params=query_params(q, last_year=data.last_year))


def export_file(service: DataService, params: dict | None) -> ExportFile:
    """Every series shown (KPIs and charts) for the filters in `params`, one row per period, with definitions."""
    data = indicator_data(service)
    q, _ = parse_query(data, service, {k: [v] for k, v in (params or {}).items()})
    rows = []
    years = range(q.start, q.end + 1)
    scopes = [scope_of(data, q)] + [data.scope("departement", [d]) for d in q.departements or departments()]
    scopes.append(data.scope("region", ()))
    seen = set()
    codes = list(dict.fromkeys(list(KPI_CODES) + [q.series, "sirene_ouvertures", "sirene_fermetures",
                                                  "sirene_solde_10", "emploi_prive", "etablissements_industrie"]))
    for scope in scopes:
        if scope.key in seen:
            continue
        seen.add(scope.key)
        for code in codes:
            s = data.series(code, scope, filieres=q.filieres, years=years)
            row = data.catalog_row(code) or {}
            for r in s.frame.dropna(subset=["value"]).to_dict("records"):
                rows.append({"Indicateur": row.get("label", code), "Code": code,
                             "Niveau": ind.LEVEL_LABELS.get(scope.level, scope.level), "Territoire": scope.label,
                             "Codes territoire": " + ".join(scope.codes), "Période": r["period"], "Valeur": r["value"],
                             "Unité": row.get("unit", ""), "Source": s.source,
                             "Date de la source": s.source_date, "Fictif": bool(s.is_demo)})
    stamp = pd.Timestamp.now().strftime("%Y%m%d")
    return ExportFile(pd.DataFrame(rows), f"tissu-reindustrialisation-{stamp}", sheet="Indicateurs",
                      extra_sheets={"Définitions": pd.DataFrame(data.catalog)})
