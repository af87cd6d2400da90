"""Small shared building blocks: badges, KPI cards, legends, notices."""

from __future__ import annotations

from dash import html

from dashboard.formatting import fr_date


def demo_badge(is_demo: bool, label: str = "") -> html.Span:
    if is_demo:
        return html.Span("Données de démonstration (fictives)", className="badge badge-demo",
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


def capability_options(capabilities, counts: dict[str, int] | None = None) -> list[dict]:
    """Dropdown options grouped by family: a disabled heading per family, then its capabilities.

    `capabilities` has code, label, family_code, family_label (taxonomy order); `counts` adds
    "(12)" after each label when given.
    """
    from dashboard.formatting import fr_number

    options = []
    for family, group in capabilities.groupby("family_code", sort=False):
        family_label = group["family_label"].iloc[0]
        options.append({"label": family_label.upper(), "value": f"famille:{family}", "disabled": True,
                        "search": family_label})
        for r in group.to_dict("records"):
            label = r["label"] if counts is None else f"{r['label']} ({fr_number(counts.get(r['code'], 0))})"
            options.append({"label": label, "value": r["code"], "search": f"{r['label']} {family_label}"})
    return options
