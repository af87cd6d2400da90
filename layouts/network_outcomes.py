"""Réseau, Résultats (staff): the funnel, delays and distances, territories and filières, each fair's path
meetings → follow-ups → deals, order value bands and stalled introductions; the fiche's Réseau section; the
kiosk's slide of open needs by capability."""

from __future__ import annotations

from dash import dcc, html

from dashboard import ids
from dashboard.analytics.network import PROGRESSION, STATUS_LABELS
from dashboard.analytics.network_outcomes import PERIODS
from dashboard.figures import GRAPH_CONFIG
from dashboard.figures.network import event_path_figure, introduction_funnel
from dashboard.formatting import fr_date, fr_number, fr_percent
from dashboard.services.network_outcomes import STALLED_ROWS, Outcomes

KIOSK_NEED_ROWS = 8  # capabilities on the kiosk slide: readable at 5 m on a 1080p screen


def _graph(figure, *, graph_id: str | None = None, height: int = 300) -> dcc.Graph:
    style = {"height": f"{height}px"}
    if graph_id:
        return dcc.Graph(id=graph_id, figure=figure, config=GRAPH_CONFIG, style=style, className="net-out-graph")
    return dcc.Graph(figure=figure, config=GRAPH_CONFIG, style=style, className="net-out-graph")


def _facts(view: Outcomes) -> html.Div:
    share = view.deal_share_within_50km
    days = view.median_days_to_exchange
    items = [(fr_number(view.total), "mises en relation"), (fr_number(view.deals), "commandes"),
             (f"{fr_number(days, 1)} j" if days is not None else "–", "délai médian jusqu'aux premiers échanges"),
             (fr_percent(share, 0) if share is not None else "–", "des commandes à moins de 50 km"),
             (fr_number(view.stalled), "en attente depuis plus de 3 semaines")]
    return html.Div([html.Div([html.Div(value, className="net-out-value"), html.Div(label, className="net-out-label")],
                              className="net-out-fact") for value, label in items], className="net-out-facts")


def _table(title: str, rows: list[dict]) -> html.Div:
    return html.Div(html.Table([
        html.Thead(html.Tr([html.Th(title), html.Th("Mises en relation"), html.Th("Commandes")])),
        html.Tbody([html.Tr([html.Td(r["label"]), html.Td(fr_number(r["introductions"]), className="num"),
                             html.Td(fr_number(r["deals"]), className="num")]) for r in rows]
                   or [html.Tr(html.Td("Aucune mise en relation", colSpan=3))]),
    ], className="data-table net-out-table"), className="net-out-scroll")


def _event(path: dict, *, compact: bool = False) -> html.Section:
    title = f"{path['name']} · {fr_date(path['starts_on'])}"
    if not path["held"]:
        why = (f"l'événement a lieu le {fr_date(path['starts_on'])}" if path["is_future"]
               else "aucun rendez-vous n'a été marqué tenu")
        note = html.P(f"Aucun rendez-vous tenu : {why}. {fr_number(path['meetings'])} rendez-vous planifiés ; les "
                      "suites et les commandes apparaîtront ici après le salon.", className="form-hint")
        return html.Section([html.H4(title, className="net-out-h4"), note], className="net-out-event")
    rate = path["deals"] / path["held"]
    lead = (f"{fr_number(path['held'])} rendez-vous tenus → {fr_number(path['follow_ups'])} suites → "
            f"{fr_number(path['deals'])} commandes, soit {fr_percent(rate, 1)} des rendez-vous tenus.")
    return html.Section([html.H4(title, className="net-out-h4"), html.P(lead, className="net-card-facts"),
                         None if compact else _graph(event_path_figure(path), height=240)],
                        className="net-out-event")


def _events(view: Outcomes, *, compact: bool = False) -> html.Div:
    body: list = [_event(p, compact=compact) for p in view.events] or [
        html.P("Aucun événement sur la période.", className="form-hint")]
    return html.Div([html.H3("Des rendez-vous du salon aux commandes", className="net-out-h3"),
                     html.P("Suites : mises en relation nées d'un rendez-vous, ou entre les deux mêmes établissements "
                            "après le rendez-vous.", className="form-hint"), *body])


def _stalled(view: Outcomes) -> html.Div:
    rows = view.stalled_list[:STALLED_ROWS]
    more = len(view.stalled_list) - len(rows)
    return html.Div([
        html.H3("Mises en relation en attente depuis plus de 3 semaines", className="net-out-h3"),
        html.Div(html.Table([
            html.Thead(html.Tr([html.Th("Demandeur"), html.Th("Sollicité"), html.Th("Statut"),
                                html.Th("Sans changement depuis")])),
            html.Tbody([html.Tr([html.Td(s["requester"]), html.Td(s["target"]), html.Td(s["status"]),
                                 html.Td(f"{fr_date(s['since'])} ({fr_number(s['days'])} j)")])
                        for s in rows] or [html.Tr(html.Td("Aucune", colSpan=4))]),
        ], className="data-table net-out-table"), className="net-out-scroll"),
        html.P(f"… et {fr_number(more)} autres (dans l'export).", className="form-hint") if more > 0 else None,
    ])


def _bands(view: Outcomes) -> html.Div:
    return html.Div(html.Table([
        html.Thead(html.Tr([html.Th("Montant de la commande"), html.Th("Commandes")])),
        html.Tbody([html.Tr([html.Td(label), html.Td(fr_number(n), className="num")])
                    for label, n in view.value_bands]),
    ], className="data-table net-out-table"), className="net-out-scroll")


def outcomes_results(view: Outcomes) -> html.Div:
    """Everything below the period filter (what the period callback replaces)."""
    scope = PERIODS.get(view.months, PERIODS[0]).lower() + (" · données de démonstration (fictives)"
                                                             if view.is_demo else "")
    return html.Div([
        html.P(f"Mises en relation créées : {scope}.", className="form-hint"),
        _facts(view),
        html.Div([
            html.Div([html.H3("Entonnoir des mises en relation", className="net-out-h3"),
                      _graph(introduction_funnel(view.funnel, STATUS_LABELS, PROGRESSION), graph_id=ids.NET_OUT_FUNNEL),
                      html.P(f"Sans suite : {fr_number(view.funnel.get('sans_suite', 0))}.", className="form-hint")],
                     className="net-column"),
            html.Div(_events(view), className="net-column"),
        ], className="net-columns"),
        html.Div([_table("Département (sollicité)", view.by_department), _table("Zone d'emploi", view.by_zone),
                  _table("Filière", view.by_filiere), _bands(view)], className="net-out-tables"),
        _stalled(view),
    ])


def outcomes_panel(view: Outcomes) -> html.Div:
    """Staff: the period filter, the exports, then the results."""
    return html.Div([
        html.H2("Résultats du réseau", className="section-title"),
        html.Div([
            html.Label([html.Span("Période", className="form-label"),
                        dcc.RadioItems(id=ids.NET_OUT_PERIOD, value=view.months, className="radio-inline",
                                       options=[{"label": label, "value": months}
                                                for months, label in PERIODS.items()])],
                       className="form-field"),
            html.Div([html.Button("Exporter en CSV", id=ids.NET_OUT_EXPORT_CSV, className="button button-light"),
                      html.Button("Exporter en Excel", id=ids.NET_OUT_EXPORT_XLSX, className="button button-light"),
                      dcc.Download(id=ids.NET_OUT_DOWNLOAD)], className="table-actions"),
        ], className="net-out-bar"),
        dcc.Loading(html.Div(outcomes_results(view), id=ids.NET_OUT_RESULTS), type="dot"),
    ], className="net-out")


def fiche_network_section(view: Outcomes, territory: str) -> html.Section:
    """The fiche's Réseau section (staff only: the caller asks the policy): introductions one side of which is
    in the territory, their funnel, and the fairs' path to deals."""
    return html.Section([
        html.H2("Réseau : mises en relation et commandes", className="fiche-h2"),
        html.P(f"Mises en relation dont l'un des établissements est dans le territoire ({territory}), depuis le "
               "début. Réservé à l'équipe UIMM." + (" Données de démonstration (fictives)." if view.is_demo else ""),
               className="form-hint"),
        _facts(view),
        html.Div([
            html.Div([html.H3("Entonnoir", className="fiche-h3"),
                      _graph(introduction_funnel(view.funnel, STATUS_LABELS, PROGRESSION), height=260)],
                     className="net-column"),
            html.Div([_table("Filière", view.by_filiere[:6]), _events(view, compact=True)], className="net-column"),
        ], className="net-columns"),
    ], className="fiche-network no-print", id="fiche-network")


def open_needs_slide(rows: list[dict], *, is_demo: bool) -> html.Div | None:
    """Kiosk: open needs by capability (capability, count, nearest deadline), never a buyer; None for none."""
    if not rows:
        return None
    shown = rows[:KIOSK_NEED_ROWS]
    top = max(r["needs"] for r in shown)
    lead = (f"{fr_number(len(rows))} savoir-faire recherchés : besoins ouverts et leur échéance la plus proche"
            + (" · besoins de démonstration (fictifs)" if is_demo else ""))
    return html.Div([
        html.P(lead, className="kiosk-lead"),
        html.Div([html.Div([
            html.Span(r["label"], className="kb-label"),
            html.Span(html.Span(style={"width": f"{100 * r['needs'] / top:.1f}%"}, className="kb-fill"),
                      className="kb-track"),
            html.Span(fr_number(r["needs"]), className="kb-value"),
            html.Span(f"avant le {fr_date(r['deadline'])}", className="kb-deadline"),
        ], className="kb-row kb-row-need") for r in shown], className="kiosk-bars"),
        html.P("Vous savez faire ? Rendez-vous sur la page Réseau de tissu.", className="kiosk-sub"),
    ])
