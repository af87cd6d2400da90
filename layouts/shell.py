"""The navigation shell around every page."""

from __future__ import annotations

from dash import dcc, html

from dashboard import ids, territory
from layouts.components import aria

_LOGO = html.Span([html.Span(className=f"logo-thread logo-thread-{i}") for i in range(3)], className="logo-mark")


def shell(nav: list[tuple[str, str]]) -> html.Div:
    """The header (brand, navigation `(path, label)` entries, dataset badge) around the routed page."""
    return html.Div([
        dcc.Location(id=ids.URL, refresh="callback-nav"),
        # First tab stop of every page: keyboard and screen-reader users jump over the header and its nav.
        html.A("Aller au contenu", href=f"#{ids.PAGE}", className="skip-link"),
        html.Header([
            html.A([_LOGO, html.Span("tissu", className="brand-name"),
                    html.Span(territory.active().tagline, className="brand-tagline")],
                   href="/", className="brand"),
            html.Nav(nav_links("/", nav), id=ids.NAV, className="nav", **aria(label="Navigation principale")),
            html.Div(id=ids.DATASET_BADGE, className="header-badge"),
            html.Div(id=ids.ACCOUNT_AREA, className="account-area"),
        ], className="app-header"),
        html.Main(id=ids.PAGE, className="app-main", tabIndex="-1"),  # -1: the skip link can focus it
    ], className="app")


def nav_links(current: str, nav: list[tuple[str, str]]) -> list:
    return [html.A(label, href=path, className="nav-link" + (" active" if path == current else ""),
                   **(aria(current="page") if path == current else {}))
            for path, label in nav]


def not_found(pathname: str) -> html.Div:
    return html.Div([
        html.H1("Page introuvable"),
        html.P(f"L'adresse « {pathname} » ne correspond à aucune page de tissu."),
        html.A("Revenir à la carte", href="/", className="button"),
    ], className="page-message")
