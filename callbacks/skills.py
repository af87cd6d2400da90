"""Skills page adapters: URL query -> SkillsQuery -> indicators -> heatmap, ranking, trend, map and exports."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from urllib.parse import urlencode

import pandas as pd
from dash import ClientsideFunction, Input, Output, State, ctx, html

from dashboard import exports, ids
from dashboard.analytics import skills as sk
from dashboard.formatting import fr_number, fr_percent
from dashboard.reference import DEPARTMENTS
from dashboard.services import DataService
from dashboard.services.skills import SkillsData, skills_data
from layouts.components import kpi_card
from dashboard.figures.skills import (NO_VALUE_COLOR, PROJECT_COLORS, RATE_BREAKS, RATE_COLORS, SECRET, empty_figure,
                                      heatmap_figure, trend_figure)
from layouts.skills import INDICATORS, SkillsPageView, map_legend, ranking_table, skills_page

RANKING_LIMIT = 12
AREAS_URL = "/geo/zones_emploi.pbf"  # geometry sent once; colours and tooltips come in the hideout
COMMUNES_URL = "/geo/communes.pbf"  # real BMO bassins are drawn as their communes (`tissu import bassins`)


def _drawn_as_zones(data: SkillsData) -> bool:
    """True when every bassin coincides with a zone d'emploi (the demo): the zones layer can draw them."""
    return set(data.areas["code"]) <= set(data.zone_of_area) or data.area_of_commune.empty


def areas_url(data: SkillsData) -> str:
    """Zones d'emploi when the bassins coincide with them, else the communes of each bassin."""
    return AREAS_URL if _drawn_as_zones(data) else COMMUNES_URL
DEPARTMENT_NAMES = {"54": "Meurthe-et-Moselle", "55": "Meuse", "57": "Moselle", "88": "Vosges"}


@dataclass(frozen=True)
class SkillsQuery:
    departement: str | None = None
    territory: str | None = None
    family: str | None = None
    industrial_only: bool = True
    year: int | None = None
    indicator: str = "difficulte"
    trade: str | None = None


def _first(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name) or []
    value = values[0].strip() if values else ""
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

    departement = pick("departement", set(DEPARTMENTS), "Département")
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
                         industrial_only=industrial_text != "non", year=year or (data.years[-1] if data.years else None),
                         indicator=indicator, trade=trade)
    if trade is None:
        parsed = replace(parsed, trade=default_trade(data, parsed))
    return parsed, notices


def skills_query_params(q: SkillsQuery) -> dict[str, str]:
    params = {"departement": q.departement, "territoire": q.territory, "famille": q.family,
              "industriel": None if q.industrial_only else "non", "annee": str(q.year) if q.year else None,
              "indicateur": None if q.indicator == "difficulte" else q.indicator, "metier": q.trade}
    return {k: v for k, v in params.items() if v}


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


def skills_view(service: DataService, query: dict[str, list[str]]) -> SkillsPageView:
    data = skills_data(service)
    q, notices = parse_skills_query(query, data)
    return SkillsPageView(
        notices=notices,
        departement_options=[{"label": f"{DEPARTMENT_NAMES[d]} ({d})", "value": d} for d in DEPARTMENTS],
        territory_options=territory_options(data, q.departement),
        family_options=[{"label": f"{lab} ({c})", "value": c} for c, lab in
                        data.trades.drop_duplicates("family_code")[["family_code", "family_label"]]
                        .sort_values("family_code").itertuples(index=False)],
        year_options=[{"label": str(y), "value": y} for y in reversed(data.years)],
        trade_options=trade_options(data, q.family, q.industrial_only),
        departement=q.departement, territory=q.territory, family=q.family, industrial_only=q.industrial_only,
        year=q.year, indicator=q.indicator, trade=q.trade, is_demo=data.is_demo, source_line=data.source_line,
        tile_url=service.settings.tile_url, tile_attribution=service.settings.tile_attribution,
    )


def territory_options(data: SkillsData, departement: str | None) -> list[dict]:
    areas = data.areas if not departement else data.areas[data.areas["department_code"] == departement]
    return [{"label": f"{n} ({d})", "value": c} for c, n, d in
            areas.sort_values("name")[["code", "name", "department_code"]].itertuples(index=False)]


def trade_options(data: SkillsData, family: str | None, industrial_only: bool) -> list[dict]:
    trades = _trades_in_scope(data, SkillsQuery(family=family, industrial_only=industrial_only))
    return [{"label": lab, "value": c} for c, lab in trades.sort_values("label")[["code", "label"]]
            .itertuples(index=False)]


def render(service: DataService, query: dict[str, list[str]]):
    return skills_page(skills_view(service, query))


def query_from_controls(departement, territory, family, industrial, year, indicator, trade) -> SkillsQuery:
    return SkillsQuery(departement=departement or None, territory=territory or None, family=family or None,
                       industrial_only="oui" in (industrial or []), year=int(year) if year else None,
                       indicator=indicator or "difficulte", trade=trade or None)


# --- Results ---------------------------------------------------------------------------------------

def _scope_label(data: SkillsData, q: SkillsQuery) -> str:
    if q.territory:
        return data.areas.set_index("code").at[q.territory, "name"]
    if q.departement:
        return DEPARTMENT_NAMES[q.departement]
    return "Lorraine"


def _nan(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def tables(data: SkillsData, q: SkillsQuery) -> dict[str, pd.DataFrame]:
    """Every table of the page for the query (what the figures show and the exports write)."""
    selection = sk.filter_needs(data.needs, data.trades, data.areas, departement=q.departement, family=q.family,
                                industrial_only=q.industrial_only, year=q.year)
    heat = sk.heatmap_table(selection, data.trades, data.areas)
    scope = selection if not q.territory else selection[selection["area_code"] == q.territory]
    offers = data.offers[data.offers["year"] == q.year]
    if q.territory:
        offers = offers[offers["area_code"] == q.territory]
    elif q.departement:
        offers = offers[offers["area_code"].isin(data.areas.loc[data.areas["department_code"] == q.departement,
                                                                "code"])]
    employers = data.employers
    if q.territory:
        employers = employers[employers["area_code"] == q.territory]
    elif q.departement:
        employers = employers[employers["area_code"].isin(
            data.areas.loc[data.areas["department_code"] == q.departement, "code"])]
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


def _color(value, indicator: str, breaks: list[float]) -> str:
    if _nan(value):
        return NO_VALUE_COLOR
    palette = RATE_COLORS if indicator == "difficulte" else PROJECT_COLORS
    for i, b in enumerate(breaks):
        if value < b:
            return palette[i]
    return palette[min(len(breaks), len(palette) - 1)]


def _project_breaks(values: pd.Series) -> list[float]:
    known = values.dropna()
    if known.empty:
        return []
    qs = sorted({float(known.quantile(p)) for p in (0.2, 0.4, 0.6, 0.8)})
    return [b for b in qs if b > 0]


def area_tooltip(trade_label: str, row: dict) -> str:
    """"Soudeurs, Forbach : 14 employeurs, 1 centre de formation, 72 % difficiles"."""
    sites = row["training_sites"]
    rate = row.get("difficulty_rate")
    projects = row.get("projects")
    difficulty = SECRET if _nan(rate) else f"{fr_percent(rate, 0)} difficiles"
    project_text = f"{SECRET} (projets)" if _nan(projects) else f"{fr_number(projects)} projets"
    return (f"{trade_label}, {row['name']} : {fr_number(row['employers'])} employeur{'s' if row['employers'] > 1 else ''}"
            f", {sites} centre{'s' if sites > 1 else ''} de formation, {difficulty} · {project_text}")


def map_layers(data: SkillsData, q: SkillsQuery, table: pd.DataFrame) -> tuple[dict, dict, dict, list, str]:
    """Hideout of the territories layer, training sites and employers (GeoJSON), legend and map title."""
    label = data.trades.set_index("code")["label"].get(q.trade, "")
    breaks = [b * 1 for b in RATE_BREAKS] if q.indicator == "difficulte" else _project_breaks(table["projects"])
    colors, tips = {}, {}
    # Bassins that coincide with zones d'emploi (the demo) colour the zones; others colour their communes.
    by_zones = _drawn_as_zones(data)
    communes_of = {} if by_zones else data.area_of_commune.groupby(data.area_of_commune).groups
    for row in table.to_dict("records"):
        zone = data.zone_of_area.get(row["code"])
        features = ([zone] if zone is not None else []) if by_zones else list(communes_of.get(row["code"], []))
        value = row["difficulty_rate"] if q.indicator == "difficulte" else row["projects"]
        for feature in features:
            colors[feature] = _color(value, q.indicator, breaks)
            tips[feature] = area_tooltip(label, row)
    hideout = {"colors": colors, "tips": tips, "v": time.time()}  # v: the browser keeps the newest
    in_scope = set(table["code"])
    sites = data.sites[data.sites["area_code"].isin(in_scope)]
    taught = data.offers[(data.offers["trade_code"] == q.trade) & (data.offers["year"] == q.year)]
    grads = taught.groupby("site_id")["graduates"].sum(min_count=1)
    site_features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                      "properties": {"teaches": bool(r["id"] in grads.index),
                                     "tooltip": f"{r['name']} ({r['kind'] or 'formation'})"
                                     + (f" · {fr_number(grads[r['id']])} diplômés en {q.year} ({label})"
                                        if r["id"] in grads.index else "")}}
                     for r in sites.to_dict("records")]
    employers = data.employers[(data.employers["trade_code"] == q.trade) & data.employers["area_code"].isin(in_scope)]
    employer_features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                          "properties": {"tooltip": f"{r['name']} · {r['commune_name']}"}}
                         for r in employers.to_dict("records")]
    if q.indicator == "difficulte":
        edges = [0.0, *RATE_BREAKS]
        classes = [(RATE_COLORS[i], f"{'moins de ' if i == 0 else ''}{fr_percent(edges[i + 1], 0)}"
                    if i == 0 else f"{fr_percent(edges[i], 0)} à {fr_percent(edges[i + 1], 0)}")
                   for i in range(len(RATE_BREAKS))] + [(RATE_COLORS[-1], f"{fr_percent(RATE_BREAKS[-1], 0)} et plus")]
        legend_title = "% de projets difficiles"
    else:
        edges = [0.0, *breaks]
        classes = [(PROJECT_COLORS[i], f"{fr_number(edges[i])} à {fr_number(edges[i + 1])}") for i in range(len(breaks))]
        classes.append((PROJECT_COLORS[min(len(breaks), len(PROJECT_COLORS) - 1)],
                        f"{fr_number(breaks[-1]) if breaks else 0} et plus"))
        legend_title = "Projets de recrutement"
    classes.append((NO_VALUE_COLOR, "secret stat. ou aucun projet"))
    title = f"Carte : {label}, {q.year}"
    if not colors and len(data.areas) and not data.zone_of_area:
        title += " (contours des bassins BMO indisponibles : importez la correspondance communes → bassins : tissu import bassins)"
    return (hideout, {"type": "FeatureCollection", "features": site_features},
            {"type": "FeatureCollection", "features": employer_features}, map_legend(legend_title, classes), title)


def kpis(data: SkillsData, q: SkillsQuery, t: dict[str, pd.DataFrame]) -> list:
    scope = t["selection"] if not q.territory else t["selection"][t["selection"]["area_code"] == q.territory]
    total = sk.summarize_needs(scope.assign(_all=1), by=["_all"])
    row = total.iloc[0] if len(total) else None
    ranking = t["ranking"]
    tension = int(ranking["tension"].sum()) if len(ranking) else 0
    coverage = sk.training_coverage(ranking["graduates"], ranking["projects"]) if len(ranking) else float("nan")
    scope_label = _scope_label(data, q)
    return [
        kpi_card("projets de recrutement", fr_number(row["projects"]) if row is not None else "–",
                 note=f"{scope_label}, {q.year}"),
        kpi_card("jugés difficiles", fr_percent(row["difficulty_rate"], 1) if row is not None else "–",
                 note="hors secret statistique"),
        kpi_card("métiers en tension", fr_number(tension), note=f"sur {fr_number(len(ranking))} · seuil "
                                                                f"{fr_percent(sk.TENSION_THRESHOLD, 0)}"),
        kpi_card("couverture par la formation", fr_percent(coverage, 0), note="diplômés ÷ projets"),
    ]


def skills_results(service: DataService, q: SkillsQuery):
    """Every output of the page for a query (see register)."""
    data = skills_data(service)
    if not data.years:
        message = html.Div("Aucune donnée BMO : lancez `tissu demo` ou `tissu import bmo FICHIER`.", className="notice")
        empty = empty_figure("Aucune donnée")
        return [message], empty, html.Div(), empty, {"colors": {}, "tips": {}}, None, None, None, [], "Carte", {}, \
            *([data.source_line] * 4)
    if q.year not in data.years:
        q = replace(q, year=data.years[-1])
    if q.trade not in set(data.trades["code"]):
        q = replace(q, trade=default_trade(data, q))
    t = tables(data, q)
    heat = heatmap_figure(t["heatmap"], indicator=q.indicator)
    ranking = ranking_table(t["ranking"].head(RANKING_LIMIT).to_dict("records"))
    label = data.trades.set_index("code")["label"].get(q.trade, "")
    scope = _scope_label(data, q)
    trend = trend_figure(t["trend"], title_scope=scope, lorraine=t["lorraine"] if scope != "Lorraine" else None)
    change = sk.trend_change(t["trend"])
    hideout, sites, employers, legend, title = map_layers(data, q, t["map"])
    source = data.source_line + (" · données fictives" if data.is_demo else "")
    trend_source = f"{label}, {scope} : " + (
        f"{'+' if change['projects_change'] >= 0 else ''}{fr_percent(change['projects_change'], 0)} de projets et "
        f"{'+' if change['rate_change_points'] >= 0 else ''}{fr_number(change['rate_change_points'], 1)} points de "
        f"difficulté entre {change['first_year']} et {change['last_year']} · " if change["first_year"] else "") + source
    map_source = f"{source} · Employeurs : {data.employers_source} · Centres de formation : " \
                 f"{data.sites['source_name'].iloc[0] if len(data.sites) else 'aucun'}"
    ranking_source = f"{scope}, {q.year} · {source} · Formation et employeurs : voir la carte"
    return (kpis(data, q, t), heat, ranking, trend, hideout, areas_url(data), sites, employers, legend, title,
            skills_query_params(q), source, ranking_source, map_source, trend_source)


# --- Exports ---------------------------------------------------------------------------------------

def _value(v, *, percent: bool = False):
    if _nan(v):
        return SECRET
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


def export_table(service: DataService, params: dict | None, table: str, kind: str) -> dict:
    data = skills_data(service)
    q, _ = parse_skills_query({k: [v] for k, v in (params or {}).items()}, data)
    frame, sheet = export_frame(data, q, table)
    stamp = pd.Timestamp.now().strftime("%Y%m%d")
    name = f"tissu-competences-{table}-{q.year}-{stamp}"
    source = data.source_line + (" (données fictives)" if data.is_demo else "")
    info = pd.DataFrame({"Informations": [source, "Lien : /competences?" + urlencode(skills_query_params(q)),
                                          f"Tension : taux de difficulté > {fr_percent(sk.TENSION_THRESHOLD, 0)}",
                                          f"« {SECRET} » : valeur masquée par France Travail, jamais comptée comme 0"]})
    return exports.download(frame, name, kind, sheet=sheet, extra_sheets={"Source": info})


EXPORTS = {ids.SKILLS_EXPORT_HEATMAP_CSV: ("heatmap", "csv"), ids.SKILLS_EXPORT_HEATMAP_XLSX: ("heatmap", "xlsx"),
           ids.SKILLS_EXPORT_RANKING_CSV: ("ranking", "csv"), ids.SKILLS_EXPORT_RANKING_XLSX: ("ranking", "xlsx"),
           ids.SKILLS_EXPORT_TREND_CSV: ("trend", "csv"), ids.SKILLS_EXPORT_TREND_XLSX: ("trend", "xlsx"),
           ids.SKILLS_EXPORT_MAP_CSV: ("map", "csv"), ids.SKILLS_EXPORT_MAP_XLSX: ("map", "xlsx")}
CONTROLS = [ids.SKILLS_DEPARTEMENT, ids.SKILLS_TERRITORY, ids.SKILLS_FAMILY, ids.SKILLS_INDUSTRIAL, ids.SKILLS_YEAR,
            ids.SKILLS_INDICATOR, ids.SKILLS_TRADE]


def on_departement(service: DataService, departement, territory):
    data = skills_data(service)
    options = territory_options(data, departement)
    keep = territory if territory in {o["value"] for o in options} else None
    return options, keep


def on_trade_scope(service: DataService, family, industrial, trade):
    data = skills_data(service)
    options = trade_options(data, family, "oui" in (industrial or []))
    values = [o["value"] for o in options]
    return options, trade if trade in values else (values[0] if values else None)


def register(app, service: DataService) -> None:
    app.callback(
        Output(ids.SKILLS_TERRITORY, "options"), Output(ids.SKILLS_TERRITORY, "value"),
        Input(ids.SKILLS_DEPARTEMENT, "value"), State(ids.SKILLS_TERRITORY, "value"), prevent_initial_call=True,
    )(lambda departement, territory: on_departement(service, departement, territory))
    app.callback(
        Output(ids.SKILLS_TRADE, "options"), Output(ids.SKILLS_TRADE, "value"),
        Input(ids.SKILLS_FAMILY, "value"), Input(ids.SKILLS_INDUSTRIAL, "value"), State(ids.SKILLS_TRADE, "value"),
        prevent_initial_call=True,
    )(lambda family, industrial, trade: on_trade_scope(service, family, industrial, trade))
    app.callback(
        Output(ids.SKILLS_KPIS, "children"), Output(ids.SKILLS_HEATMAP, "figure"),
        Output(ids.SKILLS_RANKING, "children"), Output(ids.SKILLS_TREND, "figure"),
        Output(ids.SKILLS_AREAS_LAYER, "hideout"), Output(ids.SKILLS_AREAS_LAYER, "url"),
        Output(ids.SKILLS_SITES_LAYER, "data"),
        Output(ids.SKILLS_EMPLOYERS_LAYER, "data"), Output(ids.SKILLS_MAP_LEGEND, "children"),
        Output(ids.SKILLS_MAP_TITLE, "children"), Output(ids.SKILLS_QUERY, "data"),
        Output("skills-heatmap-source", "children"), Output("skills-ranking-source", "children"),
        Output("skills-map-source", "children"), Output("skills-trend-source", "children"),
        *[Input(i, "value") for i in CONTROLS],
    )(lambda *values: skills_results(service, query_from_controls(*values)))
    app.clientside_callback(  # the partner page's function writes any params dict into the address bar
        ClientsideFunction(namespace="tissu", function_name="syncQueryUrl"),
        Output(ids.SKILLS_URL_SYNC, "data"), Input(ids.SKILLS_QUERY, "data"),
    )
    app.callback(
        Output(ids.SKILLS_DOWNLOAD, "data"), *[Input(i, "n_clicks") for i in EXPORTS], State(ids.SKILLS_QUERY, "data"),
        prevent_initial_call=True,
    )(lambda *args: export_table(service, args[-1], *EXPORTS[ctx.triggered_id]))
