"""Compétences: BMO skill gaps by trade and territory, training supply and local employers."""

from __future__ import annotations

import math
import time
from typing import Any

import dash_leaflet as dl
from dash import dcc, html

from dashboard import ids, territory
from dashboard.analytics.skills import CROSS_REGION_NOTE, SECRET, TENSION_THRESHOLD
from dashboard.figures import GRAPH_CONFIG
from dashboard.figures.skills import (
    NO_VALUE_COLOR,
    PROJECT_COLORS,
    RATE_COLORS,
    empty_figure,
    heatmap_figure,
    trend_figure,
)
from dashboard.formatting import fr_number, fr_percent, fr_signed
from dashboard.services.skills import INDICATORS, NoSkillsData, SkillsMap, SkillsPageView, SkillsResults
from layouts.basemap import basemap, home_center, home_zoom, map_controls
from layouts.components import demo_badge, dropdown, kpi_card

RANKING_LIMIT = 12
DEFINITIONS = [
    ("Taux de difficulté", "projets jugés difficiles ÷ projets de recrutement, calculé seulement sur les cellules "
                           "dont les deux valeurs sont publiées (jamais de secret compté comme 0)."),
    ("Métier en tension", f"taux de difficulté supérieur à {fr_percent(TENSION_THRESHOLD, 0)} (niveau national "
                          "de l'enquête BMO 2023 : 61 %)."),
    ("Couverture par la formation", "diplômés de l'année dans les sites de formation du territoire ÷ projets "
                                    "de recrutement du métier (1 = autant de diplômés que de projets)."),
    ("Employeurs locaux", "établissements actifs dont le code NAF ou un savoir-faire relève du métier "
                          "(correspondance documentée dans data/taxonomy/trade_employers.csv)."),
    ("Bassin transrégional", CROSS_REGION_NOTE.split(" : ", 1)[1]),
    ("Secret statistique", "France Travail masque les petites cellules (« * ») : elles sont affichées "
                           "« secret statistique » et exclues des sommes."),
]


def _field(label: str, control, hint: str = "") -> html.Div:
    return html.Div([html.Label(label, className="field-label"), control,
                     html.Div(hint, className="field-hint") if hint else None], className="field")


def _dropdown(id_, options, value, placeholder, *, clearable=True) -> dcc.Dropdown:
    return dropdown(id=id_, options=options, value=value, multi=False, placeholder=placeholder, searchable=True,
                    clearable=clearable, maxHeight=320, className="filter-dropdown")


def filter_panel(view: SkillsPageView) -> html.Div:
    return html.Div([
        html.Div("Filtres", className="panel-title"),
        _field("Département", _dropdown(ids.SKILLS_DEPARTEMENT, view.departement_options, view.departement,
                                        territory.active().whole_label)),
        _field("Territoire (bassin d'emploi)", _dropdown(ids.SKILLS_TERRITORY, view.territory_options, view.territory,
                                                         "Tous les territoires"),
               "« Bassin transrégional » : pôle hors de Lorraine, chiffres surtout hors région (voir Définitions)."
               if view.has_cross_region else ""),
        _field("Famille de métiers", _dropdown(ids.SKILLS_FAMILY, view.family_options, view.family,
                                               "Toutes les familles")),
        dcc.Checklist(id=ids.SKILLS_INDUSTRIAL, value=["oui"] if view.industrial_only else [],
                      className="radio-inline", options=[{"label": "Métiers industriels seulement", "value": "oui"}]),
        _field("Année de l'enquête", _dropdown(ids.SKILLS_YEAR, view.year_options, view.year, "Année",
                                               clearable=False)),
        html.Div("Affichage", className="panel-title"),
        _field("Indicateur (carte et carte de chaleur)", dcc.RadioItems(
            id=ids.SKILLS_INDICATOR, value=view.indicator, className="radio-stack",
            options=[{"label": lab, "value": v} for v, lab in INDICATORS])),
        _field("Métier (évolution et carte)", _dropdown(ids.SKILLS_TRADE, view.trade_options, view.trade,
                                                        "Métier…", clearable=False)),
        html.Details([html.Summary("Définitions"),
                      html.Dl([item for term, text in DEFINITIONS for item in (html.Dt(term), html.Dd(text))])],
                     className="method-note", open=False),
    ], className="filters")


def _export_buttons(csv_id: str, xlsx_id: str) -> html.Div:
    return html.Div([html.Button("CSV", id=csv_id, className="button button-light button-small", n_clicks=0),
                     html.Button("Excel", id=xlsx_id, className="button button-light button-small", n_clicks=0)],
                    className="table-actions")


def _card(title, body, *, exports: tuple[str, str], source_id: str | None = None, extra_class: str = "",
          title_id: str | None = None) -> html.Section:
    # No id at all rather than id=None: Dash would serialise an explicit None.
    title_props: dict[str, Any] = {"id": title_id} if title_id else {}
    source_props: dict[str, Any] = {"id": source_id} if source_id else {}
    return html.Section([
        html.Div([html.H2(title, className="skills-card-title", **title_props),
                  _export_buttons(*exports)], className="skills-card-head"),
        body,
        html.Div(className="source-badge skills-source", **source_props),
    ], className="skills-card " + extra_class)


def skills_page(view: SkillsPageView) -> html.Div:
    map_ = dl.MapContainer(
        basemap(tile_url=view.tile_url, tile_attribution=view.tile_attribution, choropleth=dl.GeoJSON(
            # The url arrives with the first hideout (callbacks/skills.py): a polygon loaded before its
            # colours would keep the initial style.
            id=ids.SKILLS_AREAS_LAYER, url=None, format="geobuf",
            style={"variable": "tissu.skills.areaStyle"}, onEachFeature={"variable": "tissu.skills.areaTooltip"},
            hideout={"colors": {}, "tips": {}}))
        + [dl.GeoJSON(id=ids.SKILLS_EMPLOYERS_LAYER, data=None,
                      pointToLayer={"variable": "tissu.skills.employerToLayer"}),
           dl.GeoJSON(id=ids.SKILLS_SITES_LAYER, data=None, pointToLayer={"variable": "tissu.skills.siteToLayer"})]
        + map_controls(),
        id=ids.SKILLS_MAP, center=home_center(), zoom=home_zoom() - 1.25, zoomSnap=0.25, zoomDelta=0.5,
        minZoom=6, maxZoom=14, attributionControl=False, preferCanvas=True, className="map")
    side = html.Aside([
        html.H1("Compétences", className="page-title"),
        html.P("Quels métiers de l'industrie manquent de bras, où, et la formation locale suit-elle ? "
               "D'après l'enquête Besoins en main-d'œuvre (BMO) de France Travail.", className="page-lead"),
        demo_badge(view.is_demo) if view.is_demo else None,
        html.Div([html.Div(n, className="notice") for n in view.notices], id=ids.SKILLS_NOTICES, className="notices"),
        filter_panel(view),
    ], className="side-panel")
    graph = lambda id_, height: dcc.Graph(id=id_, config=GRAPH_CONFIG, style={"height": height},  # noqa: E731
                                          figure=empty_figure(""))
    main = html.Div([
        html.Div(id=ids.SKILLS_KPIS, className="kpi-strip skills-kpis"),
        html.Div([
            _card("Difficultés de recrutement par métier et territoire",
                  html.Div(graph(ids.SKILLS_HEATMAP, "100%"), className="skills-heatmap-box"),
                  exports=(ids.SKILLS_EXPORT_HEATMAP_CSV, ids.SKILLS_EXPORT_HEATMAP_XLSX),
                  source_id="skills-heatmap-source", extra_class="skills-heat-card"),
            _card("Carte", html.Div([html.Div(map_, className="skills-map"),
                                     html.Div(id=ids.SKILLS_MAP_LEGEND, className="map-overlay skills-legend")],
                                    className="skills-map-box"),
                  exports=(ids.SKILLS_EXPORT_MAP_CSV, ids.SKILLS_EXPORT_MAP_XLSX), source_id="skills-map-source",
                  title_id=ids.SKILLS_MAP_TITLE, extra_class="skills-map-card"),
            _card("Métiers les plus critiques", html.Div(id=ids.SKILLS_RANKING, className="skills-table-box"),
                  exports=(ids.SKILLS_EXPORT_RANKING_CSV, ids.SKILLS_EXPORT_RANKING_XLSX),
                  source_id="skills-ranking-source"),
            _card("Évolution du métier", graph(ids.SKILLS_TREND, "320px"),
                  exports=(ids.SKILLS_EXPORT_TREND_CSV, ids.SKILLS_EXPORT_TREND_XLSX), source_id="skills-trend-source"),
        ], className="skills-grid"),
    ], className="skills-main")
    return html.Div([side, main, dcc.Store(id=ids.SKILLS_QUERY), dcc.Store(id=ids.SKILLS_URL_SYNC),
                     dcc.Download(id=ids.SKILLS_DOWNLOAD)], className="skills")


def ranking_table(rows: list[dict]) -> html.Table | html.Div:
    if not rows:
        return html.Div("Aucun métier pour ces filtres.", className="muted")
    head = html.Thead(html.Tr([html.Th(h) for h in ("", "Métier", "Projets", "Difficiles", "Diplômés",
                                                    "Couverture", "Employeurs")]))
    body = []
    for r in rows:
        rate = r["difficulty_rate"]
        secret_rate = rate is None or (isinstance(rate, float) and math.isnan(rate))
        body.append(html.Tr([
            html.Td(str(r["rank"]), className="num"),
            html.Td([html.Span(r["label"]), html.Span(" en tension", className="chip chip-small chip-tension")
                     if r["tension"] else None]),
            html.Td(SECRET if r["projects"] != r["projects"] else fr_number(r["projects"]), className="num"),
            html.Td(SECRET if secret_rate else fr_percent(rate, 0), className="num rate"
                    + (" rate-high" if not secret_rate and rate > TENSION_THRESHOLD else "")),
            html.Td(fr_number(r["graduates"]) if r["graduates"] == r["graduates"] else "–", className="num"),
            html.Td(fr_percent(r["coverage"], 0) if r["coverage"] == r["coverage"] else "–", className="num"),
            html.Td(fr_number(r["employers"]), className="num"),
        ], **{"data-trade": r["trade_code"]}))
    return html.Table([head, html.Tbody(body)], className="skills-table")


def map_legend(title: str, classes: list[tuple[str, str]]) -> list:
    return [html.Div(title, className="panel-title"),
            *[html.Div([html.Span(className="choro-swatch", style={"background": c}), label], className="choro-row")
              for c, label in classes],
            html.Div([html.Span(className="skills-dot skills-dot-site"), "centre de formation"], className="choro-row"),
            html.Div([html.Span(className="skills-dot skills-dot-employer"), "employeur local du métier"],
                     className="choro-row")]


# --- Results: the outputs of the page's main callback ----------------------------------------------

def _nan(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def area_tooltip(trade_label: str, row: dict) -> str:
    """"Soudeurs, Forbach : 14 employeurs, 1 centre de formation, 72 % difficiles"."""
    sites = row["training_sites"]
    rate = row.get("difficulty_rate")
    projects = row.get("projects")
    difficulty = SECRET if _nan(rate) else f"{fr_percent(rate, 0)} difficiles"
    project_text = f"{SECRET} (projets)" if _nan(projects) else f"{fr_number(projects)} projets"
    employers = row["employers"]
    return (f"{trade_label}, {row['name']} : {fr_number(employers)} employeur{'s' if employers > 1 else ''}"
            f", {sites} centre{'s' if sites > 1 else ''} de formation, {difficulty} · {project_text}")


def _class_color(index: int | None, indicator: str) -> str:
    palette = RATE_COLORS if indicator == "difficulte" else PROJECT_COLORS
    return NO_VALUE_COLOR if index is None else palette[min(index, len(palette) - 1)]


def _points(rows: list[dict], tooltip) -> dict:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
         "properties": tooltip(r)} for r in rows]}


def map_layers(m: SkillsMap, *, indicator: str, trade_label: str, year: int | None) -> tuple[dict, dict, dict, list]:
    """Hideout of the territories layer, training sites and employers (GeoJSON), legend."""
    hideout = {"colors": {f: _class_color(c, indicator) for f, c in m.area_class.items()},
               "tips": {f: area_tooltip(trade_label, row) for f, row in m.area_row.items()},
               "v": time.time()}  # v: the browser keeps the newest
    sites = _points(m.sites, lambda r: {
        "teaches": r["teaches"],
        "tooltip": f"{r['name']} ({r['kind'] or 'formation'})"
        + (f" · {fr_number(r['graduates'])} diplômés en {year} ({trade_label})" if r["teaches"] else "")})
    employers = _points(m.employers, lambda r: {"tooltip": f"{r['name']} · {r['commune_name']}"})
    classes = [(_class_color(i, indicator), label) for i, label in enumerate(m.class_labels)]
    classes.append((NO_VALUE_COLOR, "secret stat. ou aucun projet"))
    return hideout, sites, employers, map_legend(m.legend_title, classes)


def kpi_cards(r: SkillsResults) -> list:
    k, q = r.kpis, r.query
    return [
        kpi_card("projets de recrutement", fr_number(k.projects) if k.projects is not None else "–",
                 note=f"{r.scope_label}, {q.year}"),
        kpi_card("jugés difficiles", fr_percent(k.difficulty_rate, 1) if k.difficulty_rate is not None else "–",
                 note="hors secret statistique"),
        kpi_card("métiers en tension", fr_number(k.tension), note=f"sur {fr_number(k.trades)} · seuil "
                                                                  f"{fr_percent(TENSION_THRESHOLD, 0)}"),
        kpi_card("couverture par la formation", fr_percent(k.coverage, 0), note="diplômés ÷ projets"),
    ]


def _sources(r: SkillsResults) -> tuple[str, str, str, str]:
    """Source lines of the heatmap, the ranking, the map and the trend."""
    source = r.source_line + (" · données fictives" if r.is_demo else "")
    c = r.change
    trend = f"{r.trade_label}, {r.scope_label} : " + (
        f"{'+' if c['projects_change'] >= 0 else ''}{fr_percent(c['projects_change'], 0)} de projets et "
        f"{fr_signed(c['rate_change_points'], 1)} points de "
        f"difficulté entre {c['first_year']} et {c['last_year']} · " if c["first_year"] else "") + source
    map_ = f"{source} · Employeurs : {r.employers_source} · Centres de formation : {r.sites_source or 'aucun'}"
    ranking = f"{r.scope_label}, {r.query.year} · {source} · Formation et employeurs : voir la carte"
    return source, ranking, map_, trend


def results_outputs(r: SkillsResults | NoSkillsData) -> tuple:
    """KPIs, heatmap, ranking, trend, areas hideout and url, sites, employers, legend, map title, URL parameters,
    then the heatmap, ranking, map and trend source lines (the order of callbacks.skills' outputs)."""
    if isinstance(r, NoSkillsData):
        message = html.Div("Aucune donnée BMO : lancez `tissu demo` ou `tissu import bmo FICHIER`.", className="notice")
        empty = empty_figure("Aucune donnée")
        return [message], empty, html.Div(), empty, {"colors": {}, "tips": {}}, None, None, None, [], "Carte", {}, \
            *([r.source_line] * 4)
    q, t = r.query, r.tables
    trend = trend_figure(t["trend"], title_scope=r.scope_label,
                         lorraine=t["lorraine"] if r.scope_label != "Lorraine" else None)
    hideout, sites, employers, legend = map_layers(r.map, indicator=q.indicator, trade_label=r.trade_label,
                                                   year=q.year)
    title = f"Carte : {r.trade_label}, {q.year}"
    if r.map.geometry_missing:
        title += (" (contours des bassins BMO indisponibles : importez la correspondance communes → bassins : "
                  "tissu import bassins)")
    return (kpi_cards(r), heatmap_figure(t["heatmap"], indicator=q.indicator),
            ranking_table(t["ranking"].head(RANKING_LIMIT).to_dict("records")), trend, hideout, r.map.url, sites,
            employers, legend, title, r.params, *_sources(r))
