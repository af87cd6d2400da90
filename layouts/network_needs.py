"""Réseau, Besoins: a need's card (highlighted when selected; "Modifier" and "Clore" for its owner and staff, as
the service's `mine` says) and the pre-filled form that changes one."""

from __future__ import annotations

import datetime as dt

from dash import dcc, html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.formatting import fr_date
from dashboard.services.network_input import RADIUS_RANGE_KM, VISIBILITIES
from layouts.components import dropdown


def _deadline(day) -> str:
    return f"jusqu'au {fr_date(day)}" if day else ""


def _owner_buttons(item: dict) -> list[Component]:
    """Only on the viewer's own needs (`mine`: the policy's answer, given by the service); the service checks
    again on save or close."""
    if not item.get("mine"):
        return []
    return [html.Button("Modifier", id={"type": ids.NET_NEED_EDIT, "need": item["id"]}, n_clicks=0,
                        className="button button-light button-small"),
            dcc.ConfirmDialogProvider(
                html.Button("Clore", n_clicks=0, className="button button-light button-small net-need-close"),
                id={"type": ids.NET_NEED_CLOSE, "need": item["id"]},
                message=f"Clore le besoin « {item.get('title', '')} » ? Il ne sera plus proposé aux fournisseurs.")]


def need_card(item: dict, *, can_match: bool, selected: int | None = None) -> html.Li:
    labels = item.get("capability_labels", [])
    title = item.get("title") or " · ".join(labels)
    facts = [item.get("buyer_name") or None, item.get("territory"), _deadline(item.get("deadline")),
             item.get("quantity") or None]
    chosen = selected is not None and item.get("id") == selected
    buttons = [html.Button("Fournisseurs proches", id={"type": ids.NET_NEED_MATCH, "need": item["id"]}, n_clicks=0,
                           className="button button-light button-small")] if can_match else []
    return html.Li([
        html.Div(title, className="net-card-title"),
        html.Div(" · ".join(labels), className="net-card-tags") if item.get("title") and not all(
            lab in item["title"] for lab in labels) else None,
        html.Div(" · ".join(f for f in facts if f), className="net-card-facts"),
        html.Div([*buttons, *_owner_buttons(item)], className="net-actions") if buttons or item.get("mine") else None,
    ], className="net-card" + (" net-card-selected" if chosen else ""), id=f"net-need-{item['id']}",
        **({"aria-current": "true"} if chosen else {}))  # type: ignore[arg-type]  # Dash's aria-* wildcard


def needs_list(items: list[dict], *, can_match: bool, selected: int | None = None) -> Component:
    if not items:
        return html.P("Aucun besoin ouvert pour l'instant.", className="form-hint")
    return html.Ol([need_card(i, can_match=can_match, selected=selected) for i in items], className="net-list")


def _field(label: str, control, hint: str | None = None) -> html.Label:
    return html.Label([html.Span(label, className="form-label"), control,
                       html.Span(hint, className="form-hint") if hint else None], className="form-field")


def need_editor(item: dict, *, capability_options: list[dict], certification_options: list[dict],
                today: dt.date) -> html.Div:
    """The form of one need, pre-filled; its site never changes (a new need is posted for another site)."""
    low, high = RADIUS_RANGE_KM
    deadline = item.get("deadline")
    return html.Div([
        html.H2(f"Modifier le besoin n° {item['id']}", className="section-title"),
        html.P(f"Pour {item.get('buyer_name') or item.get('buyer_id', '')} (le site ne change pas).",
               className="form-hint"),
        _field("Titre", dcc.Input(id=ids.NET_NEED_EDIT_TITLE, type="text", maxLength=200, className="form-input",
                                  value=item.get("title", ""))),
        _field("Savoir-faire recherchés", dropdown(id=ids.NET_NEED_EDIT_CAPABILITIES, options=capability_options,
                                                   multi=True, value=list(item.get("capabilities", [])))),
        _field("Certifications exigées", dropdown(id=ids.NET_NEED_EDIT_CERT_REQUIRED, options=certification_options,
                                                  multi=True, value=list(item.get("certifications_required", [])))),
        _field("Certifications souhaitées", dropdown(id=ids.NET_NEED_EDIT_CERT_WISHED, options=certification_options,
                                                     multi=True, value=list(item.get("certifications_wished", [])))),
        _field("Quantité ou volume", dcc.Input(id=ids.NET_NEED_EDIT_QUANTITY, type="text", maxLength=200,
                                               className="form-input", value=item.get("quantity", ""))),
        _field("Rayon (km)", dcc.Input(id=ids.NET_NEED_EDIT_RADIUS, type="number", min=low, max=high,
                                       value=item.get("radius_km"), className="form-input")),
        _field("Date limite", dcc.DatePickerSingle(
            id=ids.NET_NEED_EDIT_DEADLINE, date=deadline.isoformat() if isinstance(deadline, dt.date) else deadline,
            display_format="DD/MM/YYYY", first_day_of_week=1, min_date_allowed=today.isoformat(),
            placeholder="jj/mm/aaaa", className="net-date")),
        _field("Visibilité", dcc.RadioItems(id=ids.NET_NEED_EDIT_VISIBILITY, value=item.get("visibility", "members"),
                                            className="radio-stack",
                                            options=[{"label": lab, "value": v} for v, lab in VISIBILITIES.items()])),
        _field("Description", dcc.Textarea(id=ids.NET_NEED_EDIT_DESCRIPTION, maxLength=2000,
                                           className="form-input net-textarea", value=item.get("description", ""))),
        html.Div([html.Button("Enregistrer les modifications", id={"type": ids.NET_NEED_SAVE, "need": item["id"]},
                              n_clicks=0, className="button"),
                  html.Button("Annuler", id=ids.NET_NEED_EDIT_CANCEL, n_clicks=0, className="button button-light")],
                 className="net-actions"),
    ], className="form net-form net-editor", role="dialog")
