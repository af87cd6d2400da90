"""What the skills page and API read: BMO needs, trades, areas, training and local employers, cached per snapshot.

Also the page's read model: its URL query, every table, the map's classes, the KPI numbers and the exports.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from urllib.parse import urlencode

import pandas as pd

from dashboard import repository
from dashboard.analytics import skills as sk
from dashboard.analytics.text import searchable
from dashboard.callback_inputs import as_text, as_texts
from dashboard.formatting import fr_date, fr_number, fr_percent, short_text
from dashboard.reference import departments
from dashboard.services import DataService
from dashboard.services.downloads import ExportFile
from dashboard.territory import active as active_territory
from dashboard.territory import departments_table


@dataclass(frozen=True)
class SkillsData:
    is_demo: bool
    trades: pd.DataFrame  # code, label, family_code, family_label, is_industrial
    areas: pd.DataFrame  # code, name, department_code
    needs: pd.DataFrame  # year, trade_code, area_code, projects, difficult, seasonal (NaN = secret)
    sites: pd.DataFrame  # id, name, kind, commune_code, lat, lon, area_code
    offers: pd.DataFrame  # site_id, trade_code, year, graduates, apprentices, area_code
    employers: pd.DataFrame  # trade_code, establishment_id, name, commune_name, lat, lon, area_code
    zone_of_area: dict[str, str]  # area -> zone d'emploi when the grids coincide (map geometry)
    area_of_commune: pd.Series
    source_name: str
    source_date: dt.date | None
    employers_source: str

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.needs["year"].unique())

    @property
    def has_cross_region(self) -> bool:
        return bool(self.areas["cross_region"].any()) if "cross_region" in self.areas else False

    @property
    def source_line(self) -> str:
        return f"Source : {self.source_name} · {fr_date(self.source_date)}" if self.source_date else \
            "Aucune donnée BMO chargée"


def skills_data(service: DataService) -> SkillsData:
    """The skills tables of the database (real BMO rows when imported, else the demo), cached per snapshot."""
    snap = service.snapshot()
    return snap.cached("skills", lambda: _load(service, snap))


def _load(service: DataService, snap) -> SkillsData:
    engine, look = service.engine, service.lookups
    demo = repository.skills_uses_demo(engine)
    trades = repository.trades_frame(engine, demo=demo)
    trades["is_industrial"] = trades["is_industrial"].astype(bool)
    areas = repository.bmo_areas_frame(engine, demo=demo)
    needs = repository.recruitment_needs_frame(engine, demo=demo)
    area_of_commune = sk.area_of_communes(look.communes, repository.bmo_area_communes_frame(engine), areas["code"])
    areas = sk.label_cross_region(areas, sk.cross_region_areas(area_of_commune, look.communes))
    sites = repository.training_sites_frame(engine, demo=False)
    offers = repository.training_offers_frame(engine, demo=False)
    if sites.empty:  # no real training imported: the demo's (labelled as such)
        sites = repository.training_sites_frame(engine, demo=True)
        offers = repository.training_offers_frame(engine, demo=True)
    sites["area_code"] = sites["commune_code"].map(area_of_commune)
    offers = offers.merge(sites[["id", "area_code"]], left_on="site_id", right_on="id", how="left").drop(columns="id")
    est = snap.establishments
    pairs = sk.trade_employers(est, snap.capability_links, trades, sk.load_trade_rules())
    employers = pairs.merge(est[["id", "name", "commune_code", "commune_name", "lat", "lon"]],
                            left_on="establishment_id", right_on="id").drop(columns="id")
    employers["area_code"] = employers["commune_code"].map(area_of_commune)
    first = needs.iloc[0] if len(needs) else None
    ds = snap.dataset
    return SkillsData(
        is_demo=demo, trades=trades, areas=areas, needs=needs[sk.NEED_COLUMNS], sites=sites, offers=offers,
        employers=employers, zone_of_area=sk.zone_of_areas(area_of_commune, look.communes),
        area_of_commune=area_of_commune,
        source_name=first["source_name"] if first is not None else "",
        source_date=max(needs["source_date"]) if first is not None else None,
        employers_source=f"{ds.source_name} · {fr_date(ds.source_date)}" if ds else "aucun établissement chargé",
    )


# --- The page's query ------------------------------------------------------------------------------

INDICATORS = [("difficulte", "Taux de difficulté"), ("projets", "Projets de recrutement")]

def department_name(code: str) -> str:
    """'Moselle' for '57' (any metropolitan department)."""
    return departments_table()[code].nom
AREAS_URL = "/geo/zones_emploi.pbf"  # geometry sent once; colours and tooltips come in the hideout
COMMUNES_URL = "/geo/communes.pbf"  # real BMO bassins are drawn as their communes (`tissu import bassins`)


@dataclass(frozen=True)
class SkillsQuery:
    departement: str | None = None
    territory: str | None = None
    family: str | None = None
    industrial_only: bool = True
    year: int | None = None
    indicator: str = "difficulte"
    trade: str | None = None


@dataclass(frozen=True)
class SkillsPageView:
    """What the page layout needs from the URL: the restored controls, their options and the notices."""

    notices: list[str]
    departement_options: list[dict]
    territory_options: list[dict]
    family_options: list[dict]
    year_options: list[dict]
    trade_options: list[dict]
    departement: str | None
    territory: str | None
    family: str | None
    industrial_only: bool
    year: int | None
    indicator: str
    trade: str | None
    is_demo: bool
    source_line: str
    has_cross_region: bool = False  # a bassin is transregional: the page says what that means
    tile_url: str = ""
    tile_attribution: str = ""


def _first(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name) or []
    value = str(values[0]).strip() if isinstance(values, list) and values and values[0] is not None else ""
    return value or None


def parse_skills_query(query: dict[str, list[str]], data: SkillsData) -> tuple[SkillsQuery, list[str]]:
    """The page state from URL parameters; unknown values are dropped with a notice (never an error)."""
    notices = []

    def pick(name: str, allowed, label: str):
        value = _first(query, name)
        if value is not None and value not in allowed:
            notices.append(f"{label} inconnu ignoré : « {value} ».")
            return None
        return value

    departement = pick("departement", set(departments()), "Département")
    territory = pick("territoire", set(data.areas["code"]), "Territoire")
    family = pick("famille", set(data.trades["family_code"]), "Famille de métiers")
    trade = pick("metier", set(data.trades["code"]), "Métier")
    industrial_text = _first(query, "industriel")
    if industrial_text not in (None, "oui", "non"):
        notices.append(f"Valeur « {industrial_text} » ignorée pour industriel (oui ou non).")
        industrial_text = None
    indicator = pick("indicateur", {v for v, _ in INDICATORS}, "Indicateur") or "difficulte"
    year, year_text = None, _first(query, "annee")
    if year_text is not None:
        if year_text.isdigit() and int(year_text) in data.years:
            year = int(year_text)
        else:
            notices.append(f"Année « {year_text} » indisponible : "
                           f"{data.years[-1] if data.years else 'aucune'} affichée.")
    if territory and departement:
        area_dep = data.areas.set_index("code").at[territory, "department_code"]
        if area_dep != departement:
            notices.append("Le territoire choisi n'est pas dans ce département : filtre territoire retiré.")
            territory = None
    parsed = SkillsQuery(departement=departement, territory=territory, family=family,
                         industrial_only=industrial_text != "non",
                         year=year or (data.years[-1] if data.years else None), indicator=indicator, trade=trade)
    if trade is None:
        parsed = replace(parsed, trade=default_trade(data, parsed))
    return parsed, notices


def skills_query_params(q: SkillsQuery) -> dict[str, str]:
    """The query as URL parameters (defaults left out)."""
    params = {"departement": q.departement, "territoire": q.territory, "famille": q.family,
              "industriel": None if q.industrial_only else "non", "annee": str(q.year) if q.year else None,
              "indicateur": None if q.indicator == "difficulte" else q.indicator, "metier": q.trade}
    return {k: v for k, v in params.items() if v}


def query_from_controls(service: DataService, departement, territory, family, industrial, year, indicator,
                        trade) -> SkillsQuery:
    """The query from the page's control values (empty values are no filter), checked as a URL's would be."""
    params = {"departement": departement, "territoire": territory, "famille": family,
              "industriel": "oui" if "oui" in as_texts(industrial) else "non", "annee": year,
              "indicateur": indicator, "metier": trade}
    texts = {k: as_text(v) for k, v in params.items()}
    return parse_skills_query({k: [v] for k, v in texts.items() if v}, skills_data(service))[0]


def _trades_in_scope(data: SkillsData, q: SkillsQuery) -> pd.DataFrame:
    trades = data.trades
    if q.family:
        trades = trades[trades["family_code"] == q.family]
    if q.industrial_only:
        trades = trades[trades["is_industrial"]]
    return trades


def default_trade(data: SkillsData, q: SkillsQuery) -> str | None:
    """The most critical trade of the current selection (first of the ranking)."""
    needs = sk.filter_needs(data.needs, data.trades, data.areas, departement=q.departement, territory=q.territory,
                            family=q.family, industrial_only=q.industrial_only, year=q.year)
    ranked = sk.critical_trades(needs, data.trades)
    return ranked["trade_code"].iloc[0] if len(ranked) else (data.trades["code"].iloc[0] if len(data.trades) else None)


def territory_options(data: SkillsData, departement: str | None) -> list[dict]:
    areas = data.areas if not departement else data.areas[data.areas["department_code"] == departement]
    return searchable([{"label": f"{n} ({d})", "value": c} for c, n, d in
                       areas.sort_values("name")[["code", "name", "department_code"]].itertuples(index=False)])


def trade_options(data: SkillsData, family: str | None, industrial_only: bool) -> list[dict]:
    trades = _trades_in_scope(data, SkillsQuery(family=family, industrial_only=industrial_only))
    return searchable([{"label": short_text(lab), "value": c} for c, lab in
                       trades.sort_values("label")[["code", "label"]].itertuples(index=False)])


def territory_choice(service: DataService, departement: str | None, territory: str | None) -> tuple[list[dict],
                                                                                                   str | None]:
    """The territories of a department, and the chosen one when it is still among them."""
    options = territory_options(skills_data(service), departement if departement in departments() else None)
    return options, territory if territory in {o["value"] for o in options} else None


def trade_choice(service: DataService, family: str | None, industrial_only: bool,
                 trade: str | None) -> tuple[list[dict], str | None]:
    """The trades in scope, and the chosen one when still in scope (else the first)."""
    options = trade_options(skills_data(service), family, industrial_only)
    values = [o["value"] for o in options]
    return options, trade if trade in values else (values[0] if values else None)


def page_view(service: DataService, query: dict[str, list[str]]) -> SkillsPageView:
    """The page's controls restored from the URL, with a notice for every value dropped."""
    data = skills_data(service)
    q, notices = parse_skills_query(query, data)
    return SkillsPageView(
        notices=notices,
        departement_options=[{"label": f"{department_name(d)} ({d})", "value": d} for d in departments()],
        territory_options=territory_options(data, q.departement),
        family_options=[{"label": f"{lab} ({c})", "value": c} for c, lab in
                        data.trades.drop_duplicates("family_code")[["family_code", "family_label"]]
                        .sort_values("family_code").itertuples(index=False)],
        year_options=[{"label": str(y), "value": y} for y in reversed(data.years)],
        trade_options=trade_options(data, q.family, q.industrial_only),
        departement=q.departement, territory=q.territory, family=q.family, industrial_only=q.industrial_only,
        year=q.year, indicator=q.indicator, trade=q.trade, is_demo=data.is_demo, source_line=data.source_line,
        has_cross_region=data.has_cross_region,
        tile_url=service.settings.tile_url, tile_attribution=service.settings.tile_attribution,
    )


# --- Results: tables, map classes, KPI numbers ------------------------------------------------------

def drawn_as_zones(data: SkillsData) -> bool:
    """True when every bassin coincides with a zone d'emploi (the demo): the zones layer can draw them."""
    return set(data.areas["code"]) <= set(data.zone_of_area) or data.area_of_commune.empty


def areas_url(data: SkillsData) -> str:
    """Zones d'emploi when the bassins coincide with them, else the communes of each bassin."""
    return AREAS_URL if drawn_as_zones(data) else COMMUNES_URL


def _scope_label(data: SkillsData, q: SkillsQuery) -> str:
    if q.territory:
        return str(data.areas.set_index("code").at[q.territory, "name"])
    if q.departement:
        return department_name(q.departement)
    return active_territory().label


def _nan(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _in_scope(frame: pd.DataFrame, data: SkillsData, q: SkillsQuery) -> pd.DataFrame:
    """Rows (with an area_code) of the chosen territory, else of the chosen department, else all."""
    if q.territory:
        return frame[frame["area_code"] == q.territory]
    if q.departement:
        return frame[frame["area_code"].isin(data.areas.loc[data.areas["department_code"] == q.departement, "code"])]
    return frame


def tables(data: SkillsData, q: SkillsQuery) -> dict[str, pd.DataFrame]:
    """Every table of the page for the query (what the figures show and the exports write)."""
    selection = sk.filter_needs(data.needs, data.trades, data.areas, departement=q.departement, family=q.family,
                                industrial_only=q.industrial_only, year=q.year)
    heat = sk.heatmap_table(selection, data.trades, data.areas)
    scope = selection if not q.territory else selection[selection["area_code"] == q.territory]
    offers = _in_scope(data.offers[data.offers["year"] == q.year], data, q)
    employers = _in_scope(data.employers, data, q)
    ranking = sk.critical_trades(scope, data.trades, graduates=offers,
                                 employers=employers.groupby("trade_code").size())
    all_years = sk.filter_needs(data.needs, data.trades, data.areas, departement=q.departement, territory=q.territory,
                                trade=q.trade)
    trend = sk.trend_table(all_years)
    lorraine = sk.trend_table(sk.filter_needs(data.needs, data.trades, data.areas, trade=q.trade))
    areas_for_trade = sk.summarize_needs(
        sk.filter_needs(data.needs, data.trades, data.areas, departement=q.departement, year=q.year, trade=q.trade),
        by=["area_code"])
    return {"selection": selection, "heatmap": heat, "ranking": ranking, "trend": trend, "lorraine": lorraine,
            "map": _map_table(data, q, areas_for_trade)}


def _map_table(data: SkillsData, q: SkillsQuery, summary: pd.DataFrame) -> pd.DataFrame:
    areas = data.areas if not q.departement else data.areas[data.areas["department_code"] == q.departement]
    out = areas[["code", "name", "department_code"]].merge(summary, left_on="code", right_on="area_code", how="left")
    emp = data.employers[data.employers["trade_code"] == q.trade].groupby("area_code").size()
    sites = data.offers[(data.offers["trade_code"] == q.trade) & (data.offers["year"] == q.year)]
    out["employers"] = out["code"].map(emp).fillna(0).astype(int)
    out["training_sites"] = out["code"].map(sites.groupby("area_code")["site_id"].nunique()).fillna(0).astype(int)
    out["graduates"] = out["code"].map(sites.groupby("area_code")["graduates"].sum(min_count=1))
    return out.drop(columns=["area_code"])


def project_breaks(values: pd.Series) -> list[float]:
    """Quintile edges of the known project counts (positive, distinct): the classes of the projects map."""
    known = values.dropna()
    if known.empty:
        return []
    qs = sorted({float(known.quantile(p)) for p in (0.2, 0.4, 0.6, 0.8)})
    return [b for b in qs if b > 0]


def value_class(value, breaks: list[float]) -> int | None:
    """Index of the class of `value` (0 below the first edge, len(breaks) above the last); None when unknown."""
    if _nan(value):
        return None
    return next((i for i, b in enumerate(breaks) if value < b), len(breaks))


def class_labels(indicator: str, breaks: list[float]) -> list[str]:
    """One French label per class of value_class (len(breaks) + 1)."""
    if indicator == "difficulte":
        edges = [0.0, *breaks]
        return ([f"moins de {fr_percent(edges[1], 0)}"]
                + [f"{fr_percent(edges[i], 0)} à {fr_percent(edges[i + 1], 0)}" for i in range(1, len(breaks))]
                + [f"{fr_percent(breaks[-1], 0)} et plus"])
    edges = [0.0, *breaks]
    return ([f"{fr_number(edges[i])} à {fr_number(edges[i + 1])}" for i in range(len(breaks))]
            + [f"{fr_number(breaks[-1]) if breaks else 0} et plus"])


@dataclass(frozen=True)
class SkillsMap:
    """The map of one trade: a class per drawn feature (zone or commune), the points, the legend."""

    url: str  # geometry layer (zones d'emploi or communes)
    area_class: dict[str, int | None]  # feature code -> value_class index (None: secret or no project)
    area_row: dict[str, dict]  # feature code -> its bassin's row of tables()["map"]
    class_labels: list[str]
    legend_title: str
    sites: list[dict]  # lon, lat, name, kind, teaches, graduates (of the trade, that year)
    employers: list[dict]  # lon, lat, name, commune_name
    geometry_missing: bool  # real bassins without their commune mapping: nothing can be coloured


def skills_map(data: SkillsData, q: SkillsQuery, table: pd.DataFrame) -> SkillsMap:
    """Classes of the territories layer, training sites and employers of the trade, legend labels."""
    breaks = list(sk.RATE_BREAKS) if q.indicator == "difficulte" else project_breaks(table["projects"])
    classes, rows = {}, {}
    # Bassins that coincide with zones d'emploi (the demo) colour the zones; others colour their communes.
    by_zones = drawn_as_zones(data)
    communes_of = {} if by_zones else data.area_of_commune.groupby(data.area_of_commune).groups
    for row in table.to_dict("records"):
        zone = data.zone_of_area.get(row["code"])
        features = ([zone] if zone is not None else []) if by_zones else list(communes_of.get(row["code"], []))
        value = row["difficulty_rate"] if q.indicator == "difficulte" else row["projects"]
        for feature in features:
            classes[feature] = value_class(value, breaks)
            rows[feature] = row
    in_scope = set(table["code"])
    taught = data.offers[(data.offers["trade_code"] == q.trade) & (data.offers["year"] == q.year)]
    grads = taught.groupby("site_id")["graduates"].sum(min_count=1)
    sites = [{"lon": r["lon"], "lat": r["lat"], "name": r["name"], "kind": r["kind"],
              "teaches": bool(r["id"] in grads.index), "graduates": grads.get(r["id"])}
             for r in data.sites[data.sites["area_code"].isin(in_scope)].to_dict("records")]
    employers = data.employers[(data.employers["trade_code"] == q.trade) & data.employers["area_code"].isin(in_scope)]
    return SkillsMap(
        url=areas_url(data), area_class=classes, area_row=rows, class_labels=class_labels(q.indicator, breaks),
        legend_title="% de projets difficiles" if q.indicator == "difficulte" else "Projets de recrutement",
        sites=sites, employers=employers[["lon", "lat", "name", "commune_name"]].to_dict("records"),
        geometry_missing=not classes and bool(len(data.areas)) and not data.zone_of_area)


@dataclass(frozen=True)
class SkillsKpis:
    projects: float | None  # recruitment projects of the scope (None: no row)
    difficulty_rate: float | None  # share in [0, 1]
    tension: int  # trades above the threshold
    trades: int  # trades ranked
    coverage: float  # graduates ÷ projects (NaN when nothing ranked)


def kpis(data: SkillsData, q: SkillsQuery, t: dict[str, pd.DataFrame]) -> SkillsKpis:
    scope = t["selection"] if not q.territory else t["selection"][t["selection"]["area_code"] == q.territory]
    total = sk.summarize_needs(scope.assign(_all=1), by=["_all"])
    row = total.iloc[0] if len(total) else None
    ranking = t["ranking"]
    return SkillsKpis(
        projects=row["projects"] if row is not None else None,
        difficulty_rate=row["difficulty_rate"] if row is not None else None,
        tension=int(ranking["tension"].sum()) if len(ranking) else 0, trades=len(ranking),
        coverage=sk.training_coverage(ranking["graduates"], ranking["projects"]) if len(ranking) else float("nan"))


@dataclass(frozen=True)
class SkillsResults:
    """Everything the page shows for one query (the callbacks hand it to layouts.skills)."""

    query: SkillsQuery  # the query as answered (year and trade defaulted)
    tables: dict[str, pd.DataFrame]
    kpis: SkillsKpis
    map: SkillsMap
    trade_label: str
    scope_label: str
    change: dict  # sk.trend_change of the trade's trend
    source_line: str
    is_demo: bool
    employers_source: str
    sites_source: str | None  # the training sites' source name, None when there is none
    params: dict[str, str]  # URL parameters of the query


@dataclass(frozen=True)
class NoSkillsData:
    source_line: str


def skills_results(service: DataService, q: SkillsQuery) -> SkillsResults | NoSkillsData:
    """Every table, number and map class of the page for a query; NoSkillsData before any BMO import."""
    data = skills_data(service)
    if not data.years:
        return NoSkillsData(data.source_line)
    if q.year not in data.years:
        q = replace(q, year=data.years[-1])
    if q.trade not in set(data.trades["code"]):
        q = replace(q, trade=default_trade(data, q))
    t = tables(data, q)
    return SkillsResults(
        query=q, tables=t, kpis=kpis(data, q, t), map=skills_map(data, q, t["map"]),
        trade_label=data.trades.set_index("code")["label"].get(q.trade, ""), scope_label=_scope_label(data, q),
        change=sk.trend_change(t["trend"]), source_line=data.source_line, is_demo=data.is_demo,
        employers_source=data.employers_source,
        sites_source=data.sites["source_name"].iloc[0] if len(data.sites) else None, params=skills_query_params(q))


# --- Exports ---------------------------------------------------------------------------------------

def _value(v, *, percent: bool = False):
    if _nan(v):
        return sk.SECRET
    return round(100 * v, 1) if percent else int(v)


def export_frame(data: SkillsData, q: SkillsQuery, table: str) -> tuple[pd.DataFrame, str]:
    """One table of the page as a French-labelled frame (secret cells spelled out) and its sheet name."""
    t = tables(data, q)
    if table == "heatmap":
        h = t["heatmap"]
        return pd.DataFrame({
            "Année": q.year, "Code métier": h["trade_code"], "Métier": h["trade_label"],
            "Code territoire": h["area_code"], "Territoire": h["area_name"],
            "Projets": [_value(v) for v in h["projects"]],
            "Taux de difficulté (%)": [_value(v, percent=True) for v in h["difficulty_rate"]],
            "En tension": ["oui" if x else "non" for x in h["tension"]],
            "Cellules en secret statistique": h["secret_cells"].astype(int)}), "Métiers x territoires"
    if table == "ranking":
        r = t["ranking"]
        return pd.DataFrame({
            "Rang": r["rank"], "Code métier": r["trade_code"], "Métier": r["label"],
            "Projets": [_value(v) for v in r["projects"]],
            "Taux de difficulté (%)": [_value(v, percent=True) for v in r["difficulty_rate"]],
            "En tension": ["oui" if x else "non" for x in r["tension"]],
            "Diplômés": [None if _nan(v) else int(v) for v in r["graduates"]],
            "Couverture par la formation (%)": [None if _nan(v) else round(100 * v, 1) for v in r["coverage"]],
            "Employeurs locaux": r["employers"]}), "Métiers critiques"
    if table == "trend":
        tr = t["trend"]
        return pd.DataFrame({"Année": tr["year"].astype(int), "Code métier": q.trade,
                             "Projets": [_value(v) for v in tr["projects"]],
                             "Taux de difficulté (%)": [_value(v, percent=True) for v in tr["difficulty_rate"]]}), \
            "Évolution"
    m = t["map"]
    return pd.DataFrame({
        "Code territoire": m["code"], "Territoire": m["name"], "Département": m["department_code"],
        "Code métier": q.trade, "Année": q.year, "Projets": [_value(v) for v in m["projects"]],
        "Taux de difficulté (%)": [_value(v, percent=True) for v in m["difficulty_rate"]],
        "Employeurs locaux": m["employers"], "Centres de formation": m["training_sites"],
        "Diplômés": [None if _nan(v) else int(v) for v in m["graduates"]]}), "Carte"


def export_file(service: DataService, params: dict | None, table: str) -> ExportFile:
    """One table of the page for the query in `params` (the page's URL parameters), with a Source sheet."""
    data = skills_data(service)
    q, _ = parse_skills_query({k: [v] for k, v in (params if isinstance(params, dict) else {}).items()}, data)
    frame, sheet = export_frame(data, q, table)
    stamp = pd.Timestamp.now().strftime("%Y%m%d")
    source = data.source_line + (" (données fictives)" if data.is_demo else "")
    info = pd.DataFrame({"Informations": [source, "Lien : /competences?" + urlencode(skills_query_params(q)),
                                          f"Tension : taux de difficulté > {fr_percent(sk.TENSION_THRESHOLD, 0)}",
                                          f"« {sk.SECRET} » : valeur masquée par France Travail, "
                                          "jamais comptée comme 0"]
                                         + ([sk.CROSS_REGION_NOTE] if data.has_cross_region else [])})
    return ExportFile(frame, f"tissu-competences-{table}-{q.year}-{stamp}", sheet=sheet, extra_sheets={"Source": info})
