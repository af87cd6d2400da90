"""Réseau, the Offres tab: the offer form (spare capacity or a by-product), the offers with the needs they serve,
a member's own offers changed or closed in place, and the ask for an introduction to another's offer."""

from __future__ import annotations

import datetime as dt

from dash import dcc, html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.formatting import fr_date, fr_number
from dashboard.services.network_input import OFFER_KINDS
from layouts.components import dropdown

OFFER_KIND_SHORT = {"capacity": "Capacité", "byproduct": "Coproduit"}


def _field(label: str, control, hint: str | None = None) -> html.Label:
    return html.Label([html.Span(label, className="form-label"), control,
                       html.Span(hint, className="form-hint") if hint else None], className="form-field")


def _date(id_, day: str | None, today: dt.date) -> dcc.DatePickerSingle:
    return dcc.DatePickerSingle(id=id_, date=day, display_format="DD/MM/YYYY", first_day_of_week=1,
                                min_date_allowed=today.isoformat(), placeholder="jj/mm/aaaa", className="net-date")


def offer_form(*, site_options: list[dict], capability_options: list[dict], today: dt.date) -> html.Details:
    """Post an offer: for one of the member's sites (staff: any member's SIRET, on their behalf)."""
    site = (dropdown(id=ids.NET_OFFER_SITE, options=site_options, clearable=False, value=site_options[0]["value"],
                     placeholder="Votre établissement") if site_options
            else dcc.Input(id=ids.NET_OFFER_SITE, type="text", maxLength=20, className="form-input"))
    return html.Details([
        html.Summary("Publier une offre", className="net-form-summary"),
        html.Div([
            _field("Type d'offre", dcc.RadioItems(
                id=ids.NET_OFFER_KIND, value="capacity", className="radio-stack",
                options=[{"label": lab, "value": k} for k, lab in OFFER_KINDS.items()])),
            _field("Établissement", site,
                   None if site_options else "Équipe UIMM : identifiant (SIRET) de l'adhérent pour qui publier."),
            _field("Titre", dcc.Input(id=ids.NET_OFFER_TITLE, type="text", maxLength=200, className="form-input",
                                      placeholder="Centre d'usinage 5 axes disponible")),
            _field("Savoir-faire disponible", dropdown(id=ids.NET_OFFER_CAPABILITY, options=capability_options,
                                                       placeholder="Fraisage 5 axes…"), "Pour une capacité."),
            _field("Matière", dcc.Input(id=ids.NET_OFFER_MATERIAL, type="text", maxLength=200, className="form-input",
                                        placeholder="Chutes d'inox 304L"), "Pour un coproduit ou des chutes."),
            _field("Quantité ou volume", dcc.Input(
                id=ids.NET_OFFER_QUANTITY, type="text", maxLength=200, className="form-input",
                placeholder="35 h par semaine, 3 t par mois"), "Heures par semaine ou volume, en toutes lettres."),
            _field("Disponible à partir du", _date(ids.NET_OFFER_FROM, today.isoformat(), today)),
            _field("Disponible jusqu'au", _date(ids.NET_OFFER_UNTIL, (today + dt.timedelta(days=60)).isoformat(),
                                                today)),
            _field("Description", dcc.Textarea(id=ids.NET_OFFER_DESCRIPTION, maxLength=2000,
                                               className="form-input net-textarea")),
            html.Button("Publier l'offre", id=ids.NET_OFFER_SUBMIT, n_clicks=0, className="button"),
        ], className="form net-form"),
    ], className="net-form-box", open=False)


def _span(o: dict) -> str:
    start, end = o.get("available_from"), o.get("available_until")
    return f"du {fr_date(start)} au {fr_date(end)}" if start else f"jusqu'au {fr_date(end)}"


def _own_controls(o: dict, today: dt.date) -> html.Details:
    """Change the quantity or the end of availability of one's own offer, or close it."""
    until = o["available_until"]
    return html.Details([
        html.Summary("Modifier ou clore", className="link-button"),
        html.Div([
            _field("Quantité ou volume", dcc.Input(id={"type": ids.NET_OFFER_EDIT_QUANTITY, "offer": o["id"]},
                                                   type="text", maxLength=200, value=o.get("quantity") or "",
                                                   className="form-input")),
            _field("Disponible jusqu'au", _date({"type": ids.NET_OFFER_EDIT_UNTIL, "offer": o["id"]},
                                                until.isoformat() if isinstance(until, dt.date) else until, today)),
            html.Div([
                html.Button("Enregistrer", id={"type": ids.NET_OFFER_SAVE, "offer": o["id"]}, n_clicks=0,
                            className="button button-small"),
                html.Button("Clore l'offre", id={"type": ids.NET_OFFER_CLOSE, "offer": o["id"]}, n_clicks=0,
                            className="button button-small button-light"),
            ], className="net-actions"),
        ], className="form net-form"),
    ], className="net-own")


def offer_card(o: dict, *, ask_from: str | None, today: dt.date) -> html.Li:
    what = o.get("capability_label") or o.get("material") or ""
    facts = [o.get("owner_name"), o.get("territory"), what, o.get("quantity"), _span(o)]
    ask = ask_from and not o.get("mine")
    return html.Li([
        html.Div([html.Span(o["title"], className="net-card-title"),
                  html.Span(OFFER_KIND_SHORT.get(o["kind"], o["kind"]),
                            className=f"badge net-kind net-kind-{o['kind']}")]),
        html.Div(" · ".join(f for f in facts if f), className="net-card-facts"),
        html.Div([
            html.Button("Besoins servis", id={"type": ids.NET_OFFER_MATCH, "offer": o["id"]}, n_clicks=0,
                        className="button button-light button-small") if o["kind"] == "capacity" else None,
            html.Button("Demander une mise en relation", n_clicks=0, className="button button-small",
                        id={"type": ids.NET_ASK, "origin": "offer", "ref": o["id"], "from": ask_from,
                            "to": o["owner_id"]}) if ask else None,
        ], className="net-actions"),
        _own_controls(o, today) if o.get("mine") else None,
    ], className="net-card", id=f"net-offer-{o['id']}")


def offers_list(items: list[dict], *, signed_in: bool, count: int, ask_from: str | None,
                today: dt.date) -> Component:
    if not signed_in:
        return html.P(f"{fr_number(count)} offres ouvertes (capacités et coproduits). Connectez-vous avec un compte "
                      "adhérent pour les voir.", className="form-hint")
    if not items:
        return html.P("Aucune offre ouverte pour l'instant.", className="form-hint")
    return html.Ol([offer_card(o, ask_from=ask_from, today=today) for o in items], className="net-list")


def offer_needs_panel(offer: dict, needs: list[dict]) -> Component:
    """The open needs a capacity offer serves: they ask for its capability and their radius reaches it."""
    if not needs:
        return html.P(f"Aucun besoin ouvert ne demande « {offer.get('capability_label') or offer['title']} » dans un "
                      "rayon qui atteint cette offre.", className="form-hint")
    return html.Div([
        html.H2(f"Besoins servis par « {offer['title']} »", className="section-title"),
        html.Ol([html.Li([
            html.Div(n.get("title") or " · ".join(n.get("capability_labels", [])), className="net-card-title"),
            html.Div(" · ".join(f for f in (n.get("buyer_name"), n.get("territory"),
                                            f"{fr_number(n['distance_km'], 1)} km",
                                            f"jusqu'au {fr_date(n['deadline'])}") if f), className="net-card-facts"),
        ], className="net-card") for n in needs], className="net-list"),
    ])


def need_offers_block(offers: list[dict]) -> Component | None:
    """Under a selected need: the capacity offers within its radius (nearest first)."""
    if not offers:
        return None
    return html.Div([
        html.H3("Capacités disponibles dans le rayon", className="section-title"),
        html.Ol([html.Li([
            html.Div(o["title"], className="net-card-title"),
            html.Div(" · ".join(f for f in (o.get("owner_name"), o.get("capability_label"), o.get("quantity"),
                                            f"{fr_number(o['distance_km'], 1)} km", _span(o)) if f),
                     className="net-card-facts"),
        ], className="net-card") for o in offers], className="net-list"),
    ], className="net-need-offers")
