"""Réindustrialisation page and the printable territory scorecard (fiche territoire)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import dash_leaflet as dl
import pandas as pd
from dash import dcc, html
from dash.development.base_component import Component

from dashboard import ids, territory
from dashboard.analytics import indicators as ind
from dashboard.analytics.indicators import PROJECT_KIND_COLORS, PROJECT_KIND_LABELS, PROJECT_KINDS
from dashboard.figures import GRAPH_CONFIG
from dashboard.figures.indicators import (
    DEPARTMENT_COLORS,
    REGION_COLOR,
    deeptech_figure,
    dge_figure,
    fiche_figures,
    flows_figure,
    series_figure,
    sparkline,
)
from dashboard.formatting import fr_date, fr_number, fr_signed
from dashboard.scorecard import (
    STOCK_CODES,
    FicheData,
    ScorecardContent,
    format_change,
    format_value,
    panels,
    tone,
)
from dashboard.services.indicators import SERIES_CHOICES, IndicatorKpi, IndicatorPageView, IndicatorResults
from layouts.basemap import basemap, home_center, home_zoom, map_controls
from layouts.components import demo_badge, dropdown, legend

SCOPE_COLOR = "#AA4499"  # the EPCI, zone or Territoire d'industrie line, beside the departments

def _field(label: str, control) -> html.Div:
    return html.Div([html.Label(label, className="field-label"), control], className="field")


def _dropdown(id_, options, value, placeholder, *, multi=False) -> dcc.Dropdown:
    return dropdown(id=id_, options=options, value=value, multi=multi, placeholder=placeholder, searchable=True,
                    clearable=True, maxHeight=320, className="filter-dropdown")


def filters(view: IndicatorPageView) -> html.Div:
    low, high = view.year_bounds
    return html.Div([
        html.Div("Territoire", className="panel-title"),
        _field("Départements", _dropdown(ids.IND_DEPARTEMENT, view.department_options, view.departements,
                                         territory.active().departments_placeholder, multi=True)),
        _field("EPCI", _dropdown(ids.IND_EPCI, view.epci_options, view.epci, "Tous les EPCI")),
        _field("Zone d'emploi", _dropdown(ids.IND_ZONE, view.zone_options, view.zone, "Toutes les zones")),
        _field("Territoire d'industrie", _dropdown(ids.IND_TI, view.ti_options, view.ti,
                                                   "Importez la liste ANCT" if not view.ti_options else "Tous")),
        html.Div("Activité et période", className="panel-title"),
        _field("Filières (indicateurs Sirene et projets)",
               _dropdown(ids.IND_FILIERE, view.filiere_options, view.filieres, "Toutes les filières", multi=True)),
        _field("Période", dcc.RangeSlider(id=ids.IND_PERIOD, min=low, max=high, step=1, value=list(view.period),
                                          marks={y: str(y) for y in range(low, high + 1, 3)},
                                          tooltip={"placement": "bottom", "always_visible": False})),
        dcc.Checklist(id=ids.IND_THRESHOLD, value=["10"] if view.threshold else [], className="radio-inline",
                      options=[{"label": "Ouvertures/fermetures : sites de 10 salariés ou plus", "value": "10"}]),
        html.Details([
            html.Summary("Définitions"),
            html.P("Emploi : effectifs salariés privés URSSAF (sections B à E), fin de trimestre. Ouvertures : date "
                   "de création Sirene dans l'année ; fermetures : date de fermeture des établissements fermés. "
                   "L'option « 10 salariés ou plus » approche les seuils de Trendeo et des sites significatifs du "
                   "baromètre DGE. Flèche verte : évolution favorable."),
        ], className="method-note"),
    ], className="filters")


def kpi_card(*, code: str, label: str, value: str, period: str, changes: list[tuple[str, str, str]], spark,
             source: str, is_demo: bool) -> html.Div:
    """One KPI: value, 1- and 5-year changes with coloured arrows, a sparkline, source and date."""
    data_code: dict[str, Any] = {"data-code": code}  # a data-* attribute is not a Python keyword
    return html.Div([
        html.Div(label, className="ikpi-label"),
        html.Div([html.Span(value, className="ikpi-value"), html.Span(period, className="ikpi-period")]),
        html.Div([html.Span([html.Span(arrow, className="ikpi-arrow"), f" {text}"], className=f"ikpi-change {tone}")
                  for arrow, text, tone in changes], className="ikpi-changes"),
        dcc.Graph(figure=spark, config={"staticPlot": True, "displaylogo": False}, className="ikpi-spark"),
        html.Div([html.Span(source, className="ikpi-source"),
                  html.Span("fictives", className="ikpi-demo") if is_demo else None], className="ikpi-foot"),
    ], className="ikpi", **data_code)


def _graph(id_, height: int) -> dcc.Graph:
    return dcc.Graph(id=id_, config=GRAPH_CONFIG, style={"height": f"{height}px"}, className="ind-graph")


def indicators_page(view: IndicatorPageView) -> html.Div:
    side = html.Aside([
        html.H1("Réindustrialisation", className="page-title"),
        html.P("L'industrie revient-elle ici ? Quelques indicateurs, leur tendance, leur source et leur date, "
               "par département et par territoire.", className="page-lead"),
        demo_badge(view.is_demo, "Données réelles"),
        html.Div([html.Div(n, className="notice") for n in view.notices], id=ids.IND_NOTICES, className="notices"),
        filters(view),
    ], className="side-panel")
    project_legend = legend([(PROJECT_KIND_COLORS[k], PROJECT_KIND_LABELS[k], "") for k in PROJECT_KINDS],
                            title="Projets annoncés (taille : emplois)")
    map_ = dl.MapContainer(basemap(tile_url=view.tile_url, tile_attribution=view.tile_attribution) + [
        dl.LayerGroup(id=ids.IND_PROJECTS_LAYER)] + map_controls(), id=ids.IND_MAP, center=home_center(),
        zoom=home_zoom() - 0.5, zoomSnap=0.25, minZoom=6, maxZoom=14, attributionControl=False, className="map")
    main = html.Div([
        html.Div([
            html.Div(id=ids.IND_SCOPE, className="ind-scope"),
            html.Div([
                html.A("Fiche territoire", id=ids.IND_FICHE_LINK, href="/fiche", className="button"),
                html.Button("Exporter CSV", id=ids.IND_EXPORT_CSV, className="button button-light", n_clicks=0),
                html.Button("Exporter Excel", id=ids.IND_EXPORT_XLSX, className="button button-light", n_clicks=0),
            ], className="table-actions"),
        ], className="ind-head"),
        html.Div(id=ids.IND_KPIS, className="ikpi-strip"),
        html.Div([
            html.Section([
                html.Div([html.H2("Évolution par département", className="ind-h2"),
                          dropdown(id=ids.IND_SERIES_CODE, options=[{"label": lab, "value": v}
                                                                    for v, lab in SERIES_CHOICES],
                                   value=view.series_code, clearable=False, className="ind-series-choice"),
                          dcc.Checklist(id=ids.IND_INDEX100, value=["1"] if view.index100 else [],
                                        className="radio-inline",
                                        options=[{"label": "Indice 100 = première année", "value": "1"}])],
                         className="ind-card-head"),
                _graph(ids.IND_SERIES_GRAPH, 330),
            ], className="ind-card"),
            html.Section([html.H2("Ouvertures et fermetures d'établissements", className="ind-h2"),
                          _graph(ids.IND_FLOWS_GRAPH, 330)], className="ind-card"),
            html.Section([html.H2("Projets d'investissement annoncés", className="ind-h2"),
                          html.Div(id=ids.IND_PROJECTS_SUMMARY, className="ind-note"),
                          html.Div([html.Div(map_, className="ind-map"), project_legend], className="ind-map-wrap")],
                         className="ind-card"),
            html.Section([html.H2("Contexte national : start-up deeptech", className="ind-h2"),
                          html.Div("Créations de start-up deeptech en France, chiffres publiés (Bpifrance, « 5 ans "
                                   "du Plan Deeptech », 2024), face à l'objectif du Plan Deeptech : "
                                   f"{ind.DEEPTECH_TARGET} par an en {ind.DEEPTECH_TARGET_YEAR}.",
                                   className="ind-note"),
                          _graph(ids.IND_CONTEXT_GRAPH, 300)], className="ind-card"),
            html.Section([html.H2("Contexte national : solde industriel (DGE)", className="ind-h2"),
                          html.Div("Baromètre industriel de l'État (DGE) : ouvertures et extensions significatives "
                                   "moins fermetures et réductions significatives de sites industriels, France "
                                   "entière, chiffres publiés.", className="ind-note"),
                          _graph(ids.IND_DGE_GRAPH, 300)], className="ind-card"),
        ], className="ind-grid"),
    ], className="ind-main")
    return html.Div([side, main, dcc.Store(id=ids.IND_QUERY), dcc.Store(id=ids.IND_URL_SYNC),
                     dcc.Download(id=ids.IND_DOWNLOAD)], className="indicators")


@dataclass(frozen=True)
class FicheView:
    level: str
    code: str | None
    level_options: list[dict]
    territory_options: list[dict]
    notices: list[str]


def fiche_page(view: FicheView, body) -> html.Div:
    """The selector bar (hidden when printing) and the one-page scorecard."""
    pdf = f"/fiche.pdf?niveau={view.level}&code={view.code}" if view.code else None
    bar = html.Div([
        html.Div([html.Label("Niveau", className="field-label"),
                  dropdown(id=ids.FICHE_LEVEL, options=view.level_options, value=view.level, clearable=False,
                           className="filter-dropdown")], className="fiche-field"),
        html.Div([html.Label("Territoire", className="field-label"),
                  dropdown(id=ids.FICHE_TERRITORY, options=view.territory_options, value=view.code,
                           clearable=False, searchable=True, className="filter-dropdown")],
                 className="fiche-field fiche-field-wide"),
        html.A("Afficher", id=ids.FICHE_OPEN, href=f"/fiche?niveau={view.level}&code={view.code or ''}",
               className="button"),
        html.A("Télécharger en PDF", href=pdf, className="button button-accent", id="fiche-pdf") if pdf else None,
        html.A("Retour aux indicateurs", href="/reindustrialisation", className="link-button"),
    ], className="fiche-bar no-print")
    notices = html.Div([html.Div(n, className="notice") for n in view.notices], className="notices no-print")
    return html.Div([bar, notices, body], className="fiche-wrap")


def territory_panels(content: ScorecardContent) -> html.Div | None:
    """The territory's establishments and filières, supplier coverage and trades in tension (as the PDF)."""
    if content.profile is None:
        return None
    links = {"Établissements et filières": "/?" + content_filter(content),
             "Couverture": "/couverture", "Métiers": "/competences"}
    blocks = []
    for title, headline, rows in panels(content):
        link = next((href for key, href in links.items() if title.startswith(key)), None)
        blocks.append(html.Section([
            html.H3(title, className="fiche-h3"),
            html.P(headline, className="fiche-headline"),
            html.Table(html.Tbody([html.Tr([html.Td(label), html.Td(value, className="num")])
                                   for label, value in rows]), className="fiche-table") if rows else None,
            html.A("Voir le détail", href=link, className="fiche-more no-print") if link else None,
        ], className="fiche-panel"))
    areas = content.profile.skills_areas
    note = (f"Bassins BMO lus : {', '.join(areas)}. " if 0 < len(areas) <= 4 else
            f"{len(areas)} bassins BMO lus. " if areas else "") + content.profile.skills_note
    return html.Div([html.Div(blocks, className="fiche-panels"), html.P(note, className="fiche-note")])


def content_filter(content: ScorecardContent) -> str:
    """The explorer's URL parameters for the fiche's territory (region: none)."""
    parameter = {"departement": "departement", "epci": "epci", "zone_emploi": "zone_emploi"}.get(content.scope.level)
    return f"{parameter}={','.join(content.scope.codes)}" if parameter else ""


def fiche_sheet(content: ScorecardContent, figures: dict, *, edition: str) -> html.Article:
    """The printable sheet: header, key figures, the territory's panels, three charts, the map, the sources."""
    figures_row = html.Div([
        html.Div([html.Div(f.value, className="fiche-value"),
                  html.Div(f"{f.label}, {f.period}", className="fiche-label"),
                  html.Div(f"1 an : {f.change_1y}", className=f"fiche-change {f.tone_1y}"),
                  html.Div(f"5 ans : {f.change_5y}", className=f"fiche-change {f.tone_5y}")], className="fiche-kpi")
        for f in content.figures], className="fiche-kpis")
    static: dcc.Graph.Config = {"displaylogo": False, "staticPlot": True}
    charts = html.Div([
        html.Div([html.H3(title, className="fiche-h3"), dcc.Graph(figure=fig, config=static)], className="fiche-chart")
        for title, fig in figures["charts"]], className="fiche-charts")
    map_ = html.Div([html.H3("Carte du territoire et projets annoncés", className="fiche-h3"),
                     dcc.Graph(figure=figures["map"], config=static)], className="fiche-map")
    return html.Article([
        html.Header([
            html.Div([html.H1(f"Fiche territoire : {content.scope.label}", className="fiche-title"),
                      html.Div(f"{content.level_label} · Établissements, couverture, compétences · "
                               f"réindustrialisation {content.years.start}–{content.years.stop - 1} · "
                               f"édition du {edition}", className="fiche-sub")]),
            demo_badge(True) if content.is_demo else None,
        ], className="fiche-header"),
        territory_panels(content),
        html.H2("Réindustrialisation", className="fiche-h2"),
        figures_row,
        html.Div([charts, map_], className="fiche-body"),
        html.Div([html.H3("Sources", className="fiche-h3"),
                  html.Ul([html.Li(s) for s in content.sources], className="fiche-sources")], className="fiche-foot"),
    ], className="fiche-sheet", id="fiche-sheet")


def fiche_error(message: str) -> html.Div:
    """What the fiche says for a URL it cannot show (the HTTP answer is a 400 with the same text)."""
    return html.Div([html.H1("Fiche territoire introuvable", className="fiche-title"),
                     html.P(message, className="notice", role="alert"),
                     html.P("Choisissez un niveau et un territoire ci-dessus.")], className="fiche-sheet fiche-error")


def fiche(data: FicheData, *, extra: Component | None = None) -> html.Div:
    """The fiche page of a service's FicheData: selector bar and printable sheet (or what is wrong with the URL),
    then `extra` (the staff's Réseau section) below the sheet."""
    view = FicheView(level=data.level, code=data.code, level_options=data.level_options,
                     territory_options=data.territory_options, notices=[])
    if data.content is None or data.polygons is None:
        return fiche_page(view, fiche_error(data.error))
    sheet = fiche_sheet(data.content, fiche_figures(data.content, data.polygons), edition=fr_date(dt.date.today()))
    return fiche_page(view, html.Div([sheet, extra]) if extra is not None else sheet)


# --- Results: the outputs of the page's main callback ----------------------------------------------

def _card(k: IndicatorKpi) -> html.Div:
    changes = []
    for label, absolute, relative in (("1 an", k.kpi.change_1y, k.kpi.change_1y_pct),
                                      ("5 ans", k.kpi.change_5y, k.kpi.change_5y_pct)):
        arrow = "▲" if absolute and absolute > 0 else "▼" if absolute and absolute < 0 else "="
        change = format_change(absolute, relative, k.unit, with_relative=k.code in STOCK_CODES)
        changes.append((arrow, f"{label} : {change}", tone(absolute, k.higher_is_better)))
    return kpi_card(code=k.code, label=k.label, value=format_value(k.kpi.value, k.unit), period=k.kpi.period or "",
                    changes=changes, spark=sparkline(k.kpi.sparkline), source=k.source, is_demo=k.is_demo)


def _line_color(key: str) -> str:
    return REGION_COLOR if key == "region" else SCOPE_COLOR if key == "scope" else DEPARTMENT_COLORS.get(key, "#777")


def evolution_figure(r: IndicatorResults):
    lines = [(label, _line_color(key), frame) for label, key, frame in r.lines]
    figure = series_figure(lines, unit=r.unit, index100=r.query.index100)
    if not r.query.index100 and r.unit != "%":
        for trace in figure.data:
            if trace.name == "Lorraine":
                trace.visible = "legendonly"  # four times the departments: shown on demand (legend) or in index
    return figure


def project_markers(projects: pd.DataFrame) -> list:
    markers = []
    for r in projects.sort_values("jobs", ascending=False, na_position="last").to_dict("records"):
        jobs = r["jobs"] if r["jobs"] is not None and not pd.isna(r["jobs"]) else 0
        amount = r["amount_eur"]
        detail = [html.Strong(r["name"]), html.Br(),
                  f"{ind.PROJECT_KIND_LABELS.get(r['kind'], r['kind'])} · {r['commune_name']} · "
                  f"{fr_date(pd.Timestamp(r['announced_on']).date())}", html.Br(),
                  f"{fr_number(jobs)} emplois" + (f" · {fr_number(amount / 1e6, 1)} M€" if amount and not
                                                   pd.isna(amount) else "")]
        if r["programme"] in ("france2030", "deeptech"):
            detail += [html.Br(), "France 2030" if r["programme"] == "france2030" else "Start-up deeptech"]
        markers.append(dl.CircleMarker(center=[r["lat"], r["lon"]], radius=5 + min(float(jobs), 400) ** 0.5 * 0.9,
                                       color="#ffffff", weight=1.5, fillOpacity=0.85,
                                       fillColor=ind.PROJECT_KIND_COLORS.get(r["kind"], "#555"),
                                       children=dl.Tooltip(detail)))
    return markers


def projects_summary(r: IndicatorResults) -> str:
    """The projects line, each figure with its period: the page's period, then the KPI card's 5 years beside it."""
    q = r.query
    text = (f"{q.start}–{q.end} : {fr_number(len(r.projects))} projet(s) · solde des emplois annoncés "
            f"{fr_signed(r.net_jobs)} · montant annoncé {fr_number(r.amount_eur / 1e6, 0)} M€")
    period, value = r.recent_net_jobs
    if period and value is not None and period != f"{q.start}–{q.end}":
        text += f" · sur {period} (carte « Emplois annoncés ») : {fr_signed(value)} emplois"
    return text


def results_outputs(r: IndicatorResults) -> tuple:
    """Scope line, KPI cards, the four figures, project markers and summary, fiche link, URL parameters
    (the order of callbacks.indicators' outputs)."""
    q, f = r.query, r.flows
    summary = projects_summary(r)
    filiere = f" · filières : {len(q.filieres)}" if q.filieres else ""
    scope_line = [html.Strong(r.scope.label),
                  f" · {ind.LEVEL_LABELS.get(r.scope.level, '')} · {q.start}–{q.end}{filiere}"]
    return (scope_line, [_card(k) for k in r.kpis], evolution_figure(r), flows_figure(f["o"], f["c"], f["n"]),
            deeptech_figure(r.deeptech), dge_figure(r.dge), project_markers(r.projects), summary, r.fiche_href,
            r.params)
