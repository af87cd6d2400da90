"""Small shared building blocks: badges, KPI cards, legends, notices."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboard.formatting import fr_date
from dashboard.services.options import (
    capability_options,  # noqa: F401  (re-exported for the pages)
    with_search,
)

# Dash's dropdowns speak English ("No options found", "Select All"…): every dropdown of tissu is built here.
DROPDOWN_LABELS: dcc.Dropdown.Labels = {
    "select_all": "Tout sélectionner", "deselect_all": "Tout désélectionner",
    "selected_count": "{num_selected} sélectionné(s)", "search": "Rechercher", "clear_search": "Effacer la recherche",
    "clear_selection": "Effacer la sélection", "no_options_found": "Aucun résultat",
}


def aria(**attributes: str) -> dict[str, Any]:
    """`aria-*` props, e.g. `html.Nav(..., **aria(label="…"))` (Dash accepts them as keywords; typed Any: they
    are not in the components' signatures)."""
    return {f"aria-{name.replace('_', '-')}": value for name, value in attributes.items()}


def dropdown(**props: Any) -> dcc.Dropdown:
    """A `dcc.Dropdown` with French labels whose options all carry a `search` field (`with_search`): the browser
    filters them with what is typed as is, so 'epinal' must be in the option to find Épinal. Options sent later
    by a callback are built by services that do the same (`searchable`, `search_text`)."""
    if isinstance(props.get("options"), list):
        props["options"] = with_search(props["options"])
    return dcc.Dropdown(labels=DROPDOWN_LABELS, **props)


def demo_badge(is_demo: bool, label: str = "") -> html.Span:
    if is_demo:
        # Phones show the short label (assets/tissu.css): the header keeps one line for brand, badge and account.
        return html.Span([html.Span("Données de démonstration (fictives)", className="badge-long"),
                          html.Span("Démo (fictives)", className="badge-short")], className="badge badge-demo",
                         title="Établissements, noms et savoir-faire sont synthétiques. "
                               "La géographie et les nomenclatures sont réelles (IGN, INSEE).")
    return html.Span(label or "Données réelles", className="badge badge-real")


def source_badge(source: str, date) -> html.Span:
    return html.Span(f"Source : {source} · {fr_date(date)}", className="source-badge")


def kpi_card(label: str, value: str, *, note: str = "", title: str = "") -> html.Div:
    return html.Div([
        html.Div(value, className="kpi-value"),
        html.Div(label, className="kpi-label"),
        html.Div(note, className="kpi-note") if note else None,
    ], className="kpi", title=title)


def legend(items: list[tuple[str, str, str]], *, title: str) -> html.Div:
    """A legend of (colour, label, count text) rows."""
    return html.Div([
        html.Div(title, className="panel-title"),
        html.Ul([html.Li([html.Span(className="swatch", style={"background": color}),
                          html.Span(label, className="legend-label"),
                          html.Span(count, className="legend-count")]) for color, label, count in items],
                className="legend-list"),
    ], className="legend")


def empty_state(title: str, text: str) -> html.Div:
    return html.Div([html.Div(title, className="empty-title"), html.P(text)], className="empty-state")
