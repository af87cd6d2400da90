"""Réindustrialisation page and fiche territoire adapters.

URL/controls -> query -> series -> cards, figures, exports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import dash_leaflet as dl
import pandas as pd
from dash import ClientsideFunction, Input, Output, State, ctx, html
from flask import Response, request

from dashboard import exports, ids
from dashboard.analytics import indicators as ind
from dashboard.figures.indicators import (
    DEPARTMENT_COLORS,
    REGION_COLOR,
    context_figure,
    flows_figure,
    projects_figure,
    series_figure,
    sparkline,
    territory_map_figure,
)
from dashboard.formatting import fr_date, fr_number
from dashboard.scorecard import (
    FICHE_LEVELS,
    STOCK_CODES,
    build_content,
    format_change,
    format_value,
    scorecard_pdf,
    tone,
)
from dashboard.services import DataService
from dashboard.services.indicators import IndicatorData, Scope, indicator_data
from layouts.indicators import SERIES_CHOICES, FicheView, IndicatorPageView, fiche_page, fiche_sheet, indicators_page

FIRST_YEAR = 2012
KPI_CODES = ("emploi_industrie", "part_industrie", "sirene_etablissements", "sirene_solde", "projets_emplois",
             "france2030_laureats", "deeptech_creations")
_ARROWS = {"good": "▲", "bad": "▼", "neutral": "■"}


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


def _values(query: dict, name: str) -> list[str]:
    return [v.strip() for raw in query.get(name, []) for v in str(raw).split(",") if v.strip()]


def parse_query(data: IndicatorData, service: DataService,
                query: dict[str, list[str]]) -> tuple[IndicatorQuery, list[str]]:
    """URL parameters -> a query; unknown values are dropped with a French notice."""
    look, notices = service.lookups, []
    last = data.last_year

    def known(name: str, allowed: set[str], label: str) -> list[str]:
        values = _values(query, name)
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
        for raw in _values(query, name)[:1]:
            if raw.isdigit() and FIRST_YEAR <= int(raw) <= last:
                start, end = (int(raw), end) if name == "debut" else (start, int(raw))
            else:
                notices.append(f"Année « {raw} » ignorée ({name}) : entre {FIRST_YEAR} et {last}.")
    if start > end:
        notices.append("Période inversée : remise dans l'ordre.")
        start, end = end, start
    series = (_values(query, "serie") or ["emploi_industrie"])[0]
    if series not in dict(SERIES_CHOICES):
        notices.append(f"Série « {series} » inconnue : emploi salarié industriel affiché.")
        series = "emploi_industrie"
    return IndicatorQuery(tuple(deps), epci[0] if epci else None, zone[0] if zone else None, ti[0] if ti else None,
                          tuple(fil), start, end, _values(query, "base100")[:1] == ["1"],
                          _values(query, "seuil")[:1] == ["10"], series), notices


def query_params(q: IndicatorQuery, *, last_year: int) -> dict[str, str]:
    """The query as URL parameters (defaults left out)."""
    params = {"departement": ",".join(q.departements), "epci": q.epci or "", "zone_emploi": q.zone or "",
              "ti": q.ti or "", "filiere": ",".join(q.filieres),
              "debut": str(q.start) if q.start != FIRST_YEAR else "", "fin": str(q.end) if q.end != last_year else "",
              "base100": "1" if q.index100 else "", "seuil": "10" if q.threshold else "",
              "serie": q.series if q.series != "emploi_industrie" else ""}
    return {k: v for k, v in params.items() if v}


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
        department_options=[{"label": f"{n} ({c})", "value": c} for c, n in zip(look.departments["code"],
                                                                                look.departments["name"])],
        epci_options=[{"label": n, "value": c} for c, n in zip(look.epci["code"], look.epci["name"])],
        zone_options=[{"label": n, "value": c} for c, n in zip(look.zones["code"], look.zones["name"])],
        ti_options=[{"label": n, "value": c} for c, n in zip(data.ti["code"], data.ti["name"])],
        filiere_options=[{"label": lab, "value": c} for c, lab in zip(look.filieres["code"], look.filieres["label"])],
        is_demo=data.dataset_is_demo or bool(data.values["is_demo"].any()),
        tile_url=service.settings.tile_url, tile_attribution=service.settings.tile_attribution,
    )


def render(service: DataService, query: dict[str, list[str]]):
    return indicators_page(page_view(service, query))


def query_from_controls(departements, epci, zone, ti, filieres, period, index100, threshold, series) -> IndicatorQuery:
    start, end = (period or [FIRST_YEAR, 2025])[:2]
    return IndicatorQuery(tuple(departements or ()), epci or None, zone or None, ti or None, tuple(filieres or ()),
                          int(start), int(end), "1" in (index100 or []), "10" in (threshold or []),
                          series or "emploi_industrie")


def kpi_cards(data: IndicatorData, q: IndicatorQuery) -> list:
    from layouts.indicators import kpi_card

    scope, years = scope_of(data, q), range(FIRST_YEAR, q.end + 1)
    cards = []
    for code in KPI_CODES:
        series = data.series(code, scope, filieres=q.filieres, years=years, min_headcount=q.threshold)
        row = data.catalog_row(series.code) or data.catalog_row(code) or {}
        unit, better = row.get("unit", ""), row.get("higher_is_better")
        frame = series.frame[series.frame["period_start"].dt.year >= q.start] if len(series.frame) else series.frame
        if code in ind.PROJECT_CODES:
            frame = ind.rolling_sum(series.frame)
        k = ind.kpi(frame)
        changes = []
        for label, absolute, relative in (("1 an", k.change_1y, k.change_1y_pct), ("5 ans", k.change_5y,
                                                                                   k.change_5y_pct)):
            t = tone(absolute, better)
            arrow = "▲" if absolute and absolute > 0 else "▼" if absolute and absolute < 0 else "="
            change = format_change(absolute, relative, unit, with_relative=code in STOCK_CODES)
            changes.append((arrow, f"{label} : {change}", t))
        label = row.get("label", code) + (" (cumul 5 ans)" if code in ind.PROJECT_CODES else "")
        if code == "deeptech_creations":
            label += f" · objectif national {ind.DEEPTECH_TARGET}/an"
        source = f"{series.source} · {fr_date(series.source_date)}" if series.source else "Aucune donnée"
        cards.append(kpi_card(code=code, label=label, value=format_value(k.value, unit), period=k.period or "",
                              changes=changes, spark=sparkline(k.sparkline), source=source, is_demo=series.is_demo))
    return cards


def series_lines(data: IndicatorData, q: IndicatorQuery) -> list[tuple[str, str, pd.DataFrame]]:
    """Lines of the evolution chart: the chosen (or all) departments, the scope below them, Lorraine."""
    years = range(q.start, q.end + 1)
    deps = q.departements or ("54", "55", "57", "88")
    lines = [(data.territory_name("departement", d), DEPARTMENT_COLORS.get(d, "#777"),
              data.series(q.series, data.scope("departement", [d]), filieres=q.filieres, years=years).frame)
             for d in deps]
    scope = scope_of(data, q)
    if scope.level not in ("departement", "region"):
        lines.append((scope.label, "#AA4499", data.series(q.series, scope, filieres=q.filieres, years=years).frame))
    lines.append(("Lorraine", REGION_COLOR, data.series(q.series, data.scope("region", ()), filieres=q.filieres,
                                                        years=years).frame))
    return lines


def page_outputs(service: DataService, q: IndicatorQuery):
    """Scope line, KPI cards, the three figures, project markers and summary, fiche link, URL parameters."""
    data = indicator_data(service)
    scope, years = scope_of(data, q), range(q.start, q.end + 1)
    unit = (data.catalog_row(q.series) or {}).get("unit", "")
    evolution = series_figure(series_lines(data, q), unit=unit, index100=q.index100)
    if not q.index100 and unit != "%":
        for trace in evolution.data:
            if trace.name == "Lorraine":
                trace.visible = "legendonly"  # four times the departments: shown on demand (legend) or in index
    flows = {key: data.series(code, scope, filieres=q.filieres, years=years, min_headcount=q.threshold).frame
             for key, code in (("o", "sirene_ouvertures"), ("c", "sirene_fermetures"), ("n", "sirene_solde"))}
    if q.threshold:  # openings/closures of sites of 10 or more employees
        frame = data.establishments
        from dashboard.services.indicators import _mask

        sub = frame[_mask(frame, scope, data.ti_communes)]
        if q.filieres:
            sub = sub[sub["filiere_code"].isin(q.filieres)]
        oc = ind.openings_closures(sub, years=years, min_headcount=ind.SIZE_THRESHOLD)
        flows = {"o": ind.annual_series(oc, "openings"), "c": ind.annual_series(oc, "closures"),
                 "n": ind.annual_series(oc, "net")}
    flow_fig = flows_figure(flows["o"], flows["c"], flows["n"])
    projects = _projects(data, q)
    nation = Scope("pays", (ind.NATION_CODE,), "France")
    context = context_figure(data.series("deeptech_creations", nation, years=range(2012, data.last_year + 1)).frame,
                             data.series("dge_solde_national", nation, years=range(2012, data.last_year + 1)).frame)
    jobs = pd.to_numeric(projects["jobs"], errors="coerce").fillna(0)
    sign = projects["kind"].map({"opening": 1, "extension": 1, "closure": -1, "reduction": -1}).fillna(0)
    summary = (f"{fr_number(len(projects))} projet(s) de {q.start} à {q.end} · solde des emplois annoncés "
               f"{'+' if (sign * jobs).sum() > 0 else ''}{fr_number((sign * jobs).sum())} · montant annoncé "
               f"{fr_number(pd.to_numeric(projects['amount_eur'], errors='coerce').sum() / 1e6, 0)} M€")
    fiche = _fiche_href(scope)
    period = f"{q.start}–{q.end}"
    filiere = f" · filières : {len(q.filieres)}" if q.filieres else ""
    scope_line = [html.Strong(scope.label), f" · {ind.LEVEL_LABELS.get(scope.level, '')} · {period}{filiere}"]
    return (scope_line, kpi_cards(data, q), evolution, flow_fig, context, _markers(projects), summary, fiche,
            query_params(q, last_year=data.last_year))


def _fiche_href(scope: Scope) -> str:
    if scope.level == "region" or len(scope.codes) != 1:
        return "/fiche?niveau=region&code=41" if scope.level == "region" else \
            f"/fiche?niveau=departement&code={scope.codes[0]}"
    return f"/fiche?niveau={scope.level}&code={scope.codes[0]}"


def _projects(data: IndicatorData, q: IndicatorQuery) -> pd.DataFrame:
    from dashboard.services.indicators import _mask

    frame = data.projects
    frame = frame[_mask(frame, scope_of(data, q), data.ti_communes)]
    if q.filieres:
        frame = frame[frame["filiere_code"].isin(q.filieres)]
    years = pd.to_datetime(frame["announced_on"]).dt.year
    return frame[years.between(q.start, q.end)]


def _markers(projects: pd.DataFrame) -> list:
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


def export_indicators(service: DataService, params: dict | None, kind: str) -> dict:
    """Every series shown (KPIs and charts) for the current filters, as CSV or XLSX (dashboard.exports)."""
    data = indicator_data(service)
    q, _ = parse_query(data, service, {k: [v] for k, v in (params or {}).items()})
    rows = []
    years = range(q.start, q.end + 1)
    departements = q.departements or ("54", "55", "57", "88")
    scopes = [scope_of(data, q)] + [data.scope("departement", [d]) for d in departements]
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
    frame = pd.DataFrame(rows)
    stamp = pd.Timestamp.now().strftime("%Y%m%d")
    return exports.download(frame, f"tissu-reindustrialisation-{stamp}", kind, sheet="Indicateurs",
                            extra_sheets={"Définitions": pd.DataFrame(data.catalog)})


# --- Fiche territoire ------------------------------------------------------------------------------

def territory_options(data: IndicatorData, service: DataService, level: str) -> list[dict]:
    look = service.lookups
    if level == "region":
        return [{"label": "Lorraine", "value": ind.REGION_CODE}]
    table = {"departement": look.departments.rename(columns={"name": "label"}),
             "epci": look.epci.rename(columns={"name": "label"}),
             "zone_emploi": look.zones.rename(columns={"name": "label"}),
             "territoire_industrie": data.ti.rename(columns={"name": "label"})}.get(level)
    if table is None:
        return []
    return [{"label": lab, "value": c} for c, lab in zip(table["code"], table["label"])]


def fiche_levels(data: IndicatorData) -> list[dict]:
    return [{"label": lab, "value": v} for v, lab in FICHE_LEVELS.items()
            if v != "territoire_industrie" or len(data.ti)]


def fiche_scope(data: IndicatorData, service: DataService, query: dict) -> tuple[str, str, list[str]]:
    """(level, code, notices) from `?niveau=&code=`; bad values fall back to Lorraine with a notice."""
    level = (_values(query, "niveau") or ["departement"])[0]
    codes = _values(query, "code")
    code: str | None = codes[0] if codes else None
    notices = []
    if level not in FICHE_LEVELS:
        notices.append(f"Niveau « {level} » inconnu : Lorraine affichée.")
        return "region", ind.REGION_CODE, notices
    allowed = {o["value"] for o in territory_options(data, service, level)}
    if code is None:
        code = "57" if level == "departement" else next(iter(sorted(allowed)), None)
    if code is None or code not in allowed:
        notices.append(f"Territoire « {code} » inconnu pour ce niveau : Lorraine affichée.")
        return "region", ind.REGION_CODE, notices
    return level, code, notices


def fiche_figures(content) -> dict:
    from dashboard.reference import load_polygons

    lines = [(content.scope.label, "#1f3a5f", content.employment.assign(value=content.employment.get("index"))),
             ("Lorraine", "#d9731c", content.employment_region.assign(value=content.employment_region.get("index")))]
    f = content.flows
    return {"charts": [
        ("Emploi salarié industriel (indice 100)", series_figure(lines, unit="indice 100", index100=False, height=250)),
        ("Ouvertures et fermetures (Sirene)", flows_figure(f["openings"], f["closures"], f["net"], height=250)),
        ("Projets annoncés par an", projects_figure(content.projects, years=content.years, height=250)),
    ], "map": territory_map_figure(load_polygons("communes"), content.communes, content.projects, height=520)}


def render_fiche(service: DataService, query: dict[str, list[str]]):
    data = indicator_data(service)
    level, code, notices = fiche_scope(data, service, query)
    content = build_content(data, data.scope(level, [code]), service.lookups.communes)
    view = FicheView(level=level, code=code, level_options=fiche_levels(data),
                     territory_options=territory_options(data, service, level), notices=notices)
    return fiche_page(view, fiche_sheet(content, fiche_figures(content), edition=fr_date(dt.date.today())))


def fiche_pdf_response(service: DataService, args) -> Response:
    from dashboard.reference import load_polygons

    data = indicator_data(service)
    level, code, notices = fiche_scope(data, service, {k: args.getlist(k) for k in args})
    if notices:
        return Response(" ".join(notices), status=400, mimetype="text/plain")
    content = build_content(data, data.scope(level, [code]), service.lookups.communes)
    pdf = scorecard_pdf(content, load_polygons("communes"))
    name = f"fiche-territoire-{level}-{code}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'})


def fiche_selector(service: DataService, level: str, code: str | None):
    """Territory options for a level, the selected territory, and the link to open it."""
    data = indicator_data(service)
    options = territory_options(data, service, level or "departement")
    values = [o["value"] for o in options]
    trig = ctx.triggered_id if ctx else None
    if code not in values or trig == ids.FICHE_LEVEL:
        code = values[0] if values else None
    return options, code, f"/fiche?niveau={level}&code={code or ''}"


INPUTS = [ids.IND_DEPARTEMENT, ids.IND_EPCI, ids.IND_ZONE, ids.IND_TI, ids.IND_FILIERE, ids.IND_PERIOD,
          ids.IND_INDEX100, ids.IND_THRESHOLD, ids.IND_SERIES_CODE]


def register(app, service: DataService) -> None:
    app.callback(
        Output(ids.IND_SCOPE, "children"), Output(ids.IND_KPIS, "children"), Output(ids.IND_SERIES_GRAPH, "figure"),
        Output(ids.IND_FLOWS_GRAPH, "figure"), Output(ids.IND_CONTEXT_GRAPH, "figure"),
        Output(ids.IND_PROJECTS_LAYER, "children"), Output(ids.IND_PROJECTS_SUMMARY, "children"),
        Output(ids.IND_FICHE_LINK, "href"), Output(ids.IND_QUERY, "data"),
        *[Input(i, "value") for i in INPUTS],
    )(lambda *values: page_outputs(service, query_from_controls(*values)))
    app.clientside_callback(
        ClientsideFunction(namespace="tissu", function_name="syncQueryUrl"),
        Output(ids.IND_URL_SYNC, "data"), Input(ids.IND_QUERY, "data"),
    )
    app.callback(
        Output(ids.IND_DOWNLOAD, "data"),
        Input(ids.IND_EXPORT_CSV, "n_clicks"), Input(ids.IND_EXPORT_XLSX, "n_clicks"), State(ids.IND_QUERY, "data"),
        prevent_initial_call=True,
    )(lambda _c, _x, params: export_indicators(service, params,
                                               "csv" if ctx.triggered_id == ids.IND_EXPORT_CSV else "xlsx"))
    app.callback(
        Output(ids.FICHE_TERRITORY, "options"), Output(ids.FICHE_TERRITORY, "value"), Output(ids.FICHE_OPEN, "href"),
        Input(ids.FICHE_LEVEL, "value"), Input(ids.FICHE_TERRITORY, "value"), prevent_initial_call=True,
    )(lambda level, code: fiche_selector(service, level, code))
    app.server.add_url_rule("/fiche.pdf", "fiche_pdf", lambda: fiche_pdf_response(service, request.args))
