"""Réseau: posted needs and the suppliers they match, offers, my opportunities, introductions followed to the deal."""

from __future__ import annotations

import datetime as dt

import dash_leaflet as dl
from dash import dcc, html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.analytics.network import REASONS, VALUE_BANDS
from dashboard.formatting import fr_date, fr_number
from dashboard.services.network import IntroductionView, NetworkPage
from dashboard.services.network_input import RADIUS_RANGE_KM, VISIBILITIES
from dashboard.services.partners import PartnerSearch
from layouts.basemap import basemap, home_center, home_zoom, map_controls
from layouts.components import dropdown
from layouts.network_map import posts_layer
from layouts.network_needs import need_card, needs_list  # noqa: F401  (re-exported: the callbacks' names)
from layouts.network_offers import need_offers_block, offer_form, offers_list
from layouts.network_outcomes import outcomes_panel

ACTION_LABELS = {"acceptee": "Accepter", "echanges": "Échanges engagés", "devis": "Devis envoyé",
                 "commande": "Commande passée", "sans_suite": "Sans suite"}
DONE_LABELS = {"acceptee": "acceptée : les coordonnées sont visibles des deux côtés", "echanges": "échanges engagés",
               "devis": "devis envoyé", "commande": "commande passée", "sans_suite": "close, sans suite"}


def _field(label: str, control, hint: str | None = None) -> html.Label:
    return html.Label([html.Span(label, className="form-label"), control,
                       html.Span(hint, className="form-hint") if hint else None], className="form-field")


def message(text: str | None, *, ok: bool) -> html.P | None:
    if not text:
        return None
    return html.P(text, className="notice" + ("" if ok else " notice-error"), role="status" if ok else "alert")


def _deadline(day) -> str:
    return f"jusqu'au {fr_date(day)}" if day else ""


def need_form(view: NetworkPage) -> html.Details:
    low, high = RADIUS_RANGE_KM
    default_deadline = (view.today + dt.timedelta(days=30)).isoformat()
    site_hint = None if view.site_options else "Équipe UIMM : identifiant (SIRET) de l'adhérent pour qui publier."
    site = (dropdown(id=ids.NET_NEED_SITE, options=view.site_options, clearable=False,
                     value=view.site_options[0]["value"] if view.site_options else None,
                     placeholder="Votre établissement") if view.site_options
            else dcc.Input(id=ids.NET_NEED_SITE, type="text", maxLength=20, className="form-input"))
    return html.Details([
        html.Summary("Publier un besoin", className="net-form-summary"),
        html.Div([
            _field("Établissement acheteur", site, site_hint),
            _field("Titre", dcc.Input(id=ids.NET_NEED_TITLE, type="text", maxLength=200, className="form-input",
                                      placeholder="Usinage de carters aluminium")),
            _field("Savoir-faire recherchés", dropdown(id=ids.NET_NEED_CAPABILITIES, options=view.capability_options,
                                                       multi=True, placeholder="Fraisage 5 axes, soudure TIG…")),
            _field("Certifications exigées", dropdown(id=ids.NET_NEED_CERT_REQUIRED,
                                                      options=view.certification_options, multi=True)),
            _field("Certifications souhaitées", dropdown(id=ids.NET_NEED_CERT_WISHED,
                                                         options=view.certification_options, multi=True)),
            _field("Quantité ou volume", dcc.Input(id=ids.NET_NEED_QUANTITY, type="text", maxLength=200,
                                                   className="form-input", placeholder="2 000 pièces par an")),
            _field("Rayon (km)", dcc.Input(id=ids.NET_NEED_RADIUS, type="number", min=low, max=high, value=50,
                                           className="form-input")),
            _field("Date limite", dcc.DatePickerSingle(
                id=ids.NET_NEED_DEADLINE, date=default_deadline, display_format="DD/MM/YYYY", first_day_of_week=1,
                min_date_allowed=view.today.isoformat(), placeholder="jj/mm/aaaa", className="net-date")),
            _field("Visibilité", dcc.RadioItems(id=ids.NET_NEED_VISIBILITY, value="members", className="radio-stack",
                                                options=[{"label": lab, "value": v}
                                                         for v, lab in VISIBILITIES.items()])),
            _field("Description", dcc.Textarea(id=ids.NET_NEED_DESCRIPTION, maxLength=2000,
                                               className="form-input net-textarea")),
            html.Button("Publier le besoin", id=ids.NET_NEED_SUBMIT, n_clicks=0, className="button"),
        ], className="form net-form"),
    ], className="net-form-box", open=False)


def matches_panel(item: dict, search: PartnerSearch, *, mine: list[str], offers: list[dict] | None = None) -> Component:
    """A need's suppliers, ranked by the partners engine with its "pourquoi"; the buyer may ask to meet them."""
    rows = search.records.to_dict("records")
    if not rows:
        return html.Div([html.P("Aucun fournisseur dans ce rayon : élargissez-le ou retirez une certification.",
                                className="form-hint"), need_offers_block(offers or [])])
    return html.Div([
        html.H2(f"Fournisseurs pour « {item.get('title', '')} »", className="section-title"),
        html.Ol([html.Li([
            html.Div([html.Span(r["name"], className="net-card-title"),
                      html.Span(f" – {r['commune_name']} · {fr_number(r['distance_km'], 1)} km · score "
                                f"{fr_number(r['score'])}")]),
            html.Div("Pourquoi : " + " · ".join(r["why"]), className="net-card-facts"),
            html.Button("Demander une mise en relation", n_clicks=0, className="button button-light button-small",
                        id={"type": ids.NET_ASK, "origin": "need", "ref": item["id"], "from": item["buyer_id"],
                            "to": r["id"]})
            if item["buyer_id"] in mine else None,
        ], className="net-card") for r in rows], className="net-list"),
        need_offers_block(offers or []),
    ])


def opportunities_list(items: list[dict], *, signed_in: bool) -> Component:
    if not signed_in:
        return html.P("Connectez-vous avec un compte adhérent : les besoins que vos savoir-faire peuvent servir "
                      "apparaîtront ici.", className="form-hint")
    if not items:
        return html.P("Aucun besoin ouvert ne correspond pour l'instant aux savoir-faire de vos établissements.",
                      className="form-hint")
    return html.Ol([html.Li([
        html.Div(i["title"], className="net-card-title"),
        html.Div(" · ".join(i["capability_labels"]), className="net-card-tags"),
        html.Div(" · ".join(f for f in (i["buyer_name"], i["territory"], _deadline(i["deadline"])) if f),
                 className="net-card-facts"),
        html.Button("Demander une mise en relation", n_clicks=0, className="button button-small",
                    id={"type": ids.NET_ASK, "origin": "need", "ref": i["id"], "from": i["for_site"],
                        "to": i["buyer_id"]}),
    ], className="net-card") for i in items], className="net-list")


def _contacts(view: IntroductionView) -> Component:
    if view.contacts is None:
        return html.P("Coordonnées visibles dès que les deux parties ont accepté.", className="form-hint")
    return html.Div([html.Div([
        html.Div(side["name"], className="net-card-title"), html.Div(side["address"]),
        html.Ul([html.Li(f"{p['name']} – {p['email']}") for p in side["people"]]) if side["people"]
        else html.Div("Aucun compte adhérent lié : contactez l'équipe UIMM.", className="form-hint"),
    ], className="net-contact") for side in view.contacts], className="net-contacts")


def _action_label(view: IntroductionView, status: str) -> str:
    if status == "sans_suite" and view.status == "demandee":
        return "Retirer la demande" if view.viewer_side == "requester" else "Décliner"
    return ACTION_LABELS[status]


def intro_card(view: IntroductionView) -> html.Li:
    """One introduction: who and about what, its dated timeline, the contacts once both accepted, and the next
    allowed steps only (with the reason for sans suite and the order value band for commande)."""
    actions = [html.Button(_action_label(view, s), id={"type": ids.NET_INTRO_MOVE, "intro": view.id, "status": s},
                           n_clicks=0, className="button button-small" + (" button-light" if s == "sans_suite" else ""))
               for s in view.allowed]
    ends = "sans_suite" in view.allowed and not (view.status == "demandee" and view.viewer_side == "requester")
    reason = dropdown(id={"type": ids.NET_INTRO_REASON, "intro": view.id}, clearable=True,
                      placeholder="Raison (si sans suite)",
                      options=[{"label": lab, "value": c} for c, lab in REASONS.items()],
                      className="net-reason") if ends else None
    band = dropdown(id={"type": ids.NET_INTRO_BAND, "intro": view.id}, clearable=True,
                    placeholder="Montant de la commande (facultatif)",
                    options=[{"label": lab, "value": c} for c, lab in VALUE_BANDS.items()],
                    className="net-reason") if "commande" in view.allowed else None
    about = " : ".join(t for t in (view.origin_label, view.about) if t)
    return html.Li([
        html.Div([html.Span(f"{view.requester_name} → {view.target_name}", className="net-card-title"),
                  html.Span(view.status_label, className=f"badge net-status net-status-{view.status}")]),
        html.Div(f"Origine : {about}", className="net-card-facts"),
        html.Div(f"Montant de la commande : {VALUE_BANDS[view.value_band]}", className="net-card-facts")
        if view.value_band in VALUE_BANDS else None,
        html.Ol([html.Li([html.Span(fr_date(step["at"]), className="net-step-date"), " ",
                          html.Span(" · ".join(x for x in (step["status_label"], step["reason_label"],
                                                           step["value_band_label"]) if x), className="net-step")],
                         className=f"net-step-{step['status']}") for step in view.timeline],
                className="net-timeline"),
        _contacts(view),
        html.Div([reason, band, *actions], className="net-actions") if actions else None,
    ], className="net-card", id=f"net-intro-{view.id}")


def intro_list(items: list[IntroductionView], *, signed_in: bool) -> Component:
    if not signed_in:
        return html.P("Connectez-vous pour demander et suivre vos mises en relation.", className="form-hint")
    if not items:
        return html.P("Aucune mise en relation pour l'instant.", className="form-hint")
    return html.Ol([intro_card(v) for v in items], className="net-list")


def _summary_line(s: dict) -> str:
    done = s["introductions"]
    return (f"{fr_number(s['open_needs'])} besoins ouverts · {fr_number(s['open_offers'])} offres · "
            f"{fr_number(sum(done.values()))} mises en relation, dont {fr_number(done['commande'])} commandes")


def _legend(signed_in: bool) -> html.Div:
    keys = [("need", "Besoin" if signed_in else "Besoins publics (par commune)")]
    keys += [("offer", "Offre")] if signed_in else []
    keys += [("buyer", "Besoin choisi"), ("supplier", "Fournisseur d'un besoin choisi")]
    return html.Div([html.Span([html.Span(className=f"net-dot net-dot-{k}"), label], className="net-legend-item")
                     for k, label in keys], className="net-legend")


def _tab(children, label: str, value: str) -> dcc.Tab:
    return dcc.Tab(children, label=label, value=value, className="view-tab", selected_className="view-tab--selected")


def offers_tab(view: NetworkPage) -> html.Div:
    ask_from = view.site_options[0]["value"] if view.site_options else None
    return html.Div([
        offer_form(site_options=view.site_options, capability_options=view.capability_options, today=view.today)
        if view.can_post else None,
        html.Div(id=ids.NET_OFFER_MESSAGE),
        html.Div([html.Div(offers_list(view.offers, signed_in=view.signed_in, count=view.summary["open_offers"],
                                       ask_from=ask_from, today=view.today), id=ids.NET_OFFERS_LIST,
                           className="net-column"),
                  html.Div(html.P("« Besoins servis » sur une capacité : les besoins ouverts qui la demandent et dont "
                                  "le rayon l'atteint.", className="form-hint") if view.signed_in else None,
                           id=ids.NET_OFFER_NEEDS, className="net-column")], className="net-columns"),
    ])


def network_page(view: NetworkPage) -> Component:
    layers = basemap(tile_url=view.tile_url, tile_attribution=view.tile_attribution) + [
        posts_layer(view.needs, view.offers), dl.LayerGroup(id=ids.NET_MAP_LAYER)] + map_controls()
    map_ = dl.MapContainer(layers, id=ids.NET_MAP, center=home_center(), zoom=home_zoom(), zoomSnap=0.25,
                           minZoom=6, maxZoom=17, attributionControl=False, className="map net-map")
    needs_tab = html.Div([
        need_form(view) if view.can_post else html.P("Connectez-vous avec un compte adhérent pour publier un besoin "
                                                     "et voir le nom des acheteurs.", className="form-hint"),
        html.Div(id=ids.NET_NEED_MESSAGE),
        html.Div(id=ids.NET_NEED_EDITOR),
        html.Div([html.Div(needs_list(view.needs, can_match=view.signed_in), id=ids.NET_NEEDS_LIST,
                           className="net-column"),
                  html.Div([html.Div(map_, className="net-map-box"), _legend(view.signed_in),
                            html.Div(id=ids.NET_MATCHES)],
                           className="net-column")], className="net-columns"),
    ])
    return html.Div([
        html.H1("Le réseau", className="page-title"),
        html.P("Les acheteurs publient leurs besoins, les fournisseurs proches s'allument ; capacités disponibles et "
               "coproduits ; mises en relation suivies jusqu'à la commande.", className="page-lead"),
        html.P(_summary_line(view.summary) + (" (démonstration, fictif)" if view.is_demo else ""),
               className="source-badge"),
        html.Div(id=ids.NET_ASK_MESSAGE),
        dcc.Tabs(id=ids.NET_TABS, value="besoins", className="view-tabs", mobile_breakpoint=0, children=[
            _tab(needs_tab, "Besoins", "besoins"),
            _tab(offers_tab(view), "Offres", "offres"),
            _tab(html.Div(opportunities_list(view.opportunities, signed_in=view.signed_in),
                          id=ids.NET_OPPORTUNITIES), "Mes opportunités", "opportunites"),
            _tab([html.Div(id=ids.NET_INTRO_MESSAGE),
                  html.Div(intro_list(view.introductions, signed_in=view.signed_in), id=ids.NET_INTRO_LIST)],
                 "Mises en relation", "relations"),
            *([_tab(outcomes_panel(view.outcomes), "Résultats", "resultats")] if view.outcomes else []),
        ]),
    ], className="page-message net-page")
