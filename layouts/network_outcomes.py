"""Réseau, Résultats (staff): the funnel, delays and distances, territories and filières."""

from __future__ import annotations

from dash import html

from dashboard.analytics.network import STATUS_LABELS, STATUSES
from dashboard.formatting import fr_number, fr_percent
from dashboard.services.network_outcomes import Outcomes


def outcomes_panel(view: Outcomes) -> html.Div:
    """Staff: the funnel, delays and distances, and introductions by the buyer's department and filière."""
    steps = [(STATUS_LABELS[s], view.funnel[s]) for s in STATUSES]
    share = view.deal_share_within_50km
    return html.Div([
        html.H2("Résultats du réseau", className="section-title"),
        html.P(f"{fr_number(view.total)} mises en relation · délai médian jusqu'aux premiers échanges : "
               + (f"{fr_number(view.median_days_to_exchange, 1)} jours" if view.median_days_to_exchange is not None
                  else "–") + " · commandes à moins de 50 km : " + (fr_percent(share) if share is not None else "–")
               + f" · en attente depuis plus de 3 semaines : {fr_number(view.stalled)}", className="net-card-facts"),
        html.Table([html.Thead(html.Tr([html.Th("Étape"), html.Th("Mises en relation l'ayant atteinte")])),
                    html.Tbody([html.Tr([html.Td(label), html.Td(fr_number(n))]) for label, n in steps])],
                   className="data-table"),
        html.Div([_table("Département de l'acheteur", "department_code", view.by_department),
                  _table("Filière de l'acheteur", "filiere", view.by_filiere)], className="net-columns"),
    ])


def _table(title: str, key: str, rows: list[dict]) -> html.Table:
    return html.Table([html.Thead(html.Tr([html.Th(title), html.Th("Mises en relation"), html.Th("Commandes")])),
                       html.Tbody([html.Tr([html.Td(r[key]), html.Td(fr_number(r["introductions"])),
                                            html.Td(fr_number(r["deals"]))]) for r in rows])], className="data-table")
