"""Network figures: the funnel of introductions by status, and a fair's path meetings → follow-ups → deals."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard.figures import base_layout, plotly_text
from dashboard.formatting import fr_number, fr_percent

FUNNEL_COLORS = ("#1f6f8b", "#2f86a6", "#4a9fbf", "#6fb6d0", "#d9731c")


def funnel_figure(steps: list[tuple[str, int]], *, height: int = 300) -> go.Figure:
    """A funnel of counts (label, number) in order, each step with its count and its share of the first."""
    labels = [plotly_text(label) for label, _ in steps]
    values = [int(n) for _, n in steps]
    colors = [FUNNEL_COLORS[min(i, len(FUNNEL_COLORS) - 1)] for i in range(len(steps))]
    colors[-1:] = [FUNNEL_COLORS[-1]] if steps else []
    first = values[0] if values else 0
    # French numbers and percentages (`1 541 · 62 %`), written here: plotly's d3 formats put no space before %.
    texts = [fr_number(v) + (f" · {fr_percent(v / first, 0)}" if first and i else "") for i, v in enumerate(values)]
    fig = go.Figure(go.Funnel(
        y=labels, x=values, marker={"color": colors}, connector={"line": {"color": "#c9d3dd", "width": 1}},
        text=texts, textinfo="text", textposition="auto", insidetextanchor="middle",
        hovertemplate="%{y} : %{text}<extra></extra>", insidetextfont={"size": 13, "color": "#ffffff"},
        outsidetextfont={"size": 13, "color": "#1d2733"}))
    fig.update_yaxes(tickfont={"size": 13})
    fig.update_layout(**base_layout(height=height, margin={"l": 10, "r": 10, "t": 10, "b": 10}, showlegend=False))
    return fig


def introduction_funnel(funnel: dict[str, int], labels: dict[str, str], order: tuple[str, ...]) -> go.Figure:
    """Introductions that reached each step of the timeline (demandée → … → commande)."""
    return funnel_figure([(labels[s], funnel.get(s, 0)) for s in order])


def event_path_figure(path: dict, *, height: int = 260) -> go.Figure:
    """One event: meetings planned → held → follow-ups (introductions) → deals."""
    return funnel_figure([("Rendez-vous planifiés", path["meetings"]), ("Rendez-vous tenus", path["held"]),
                          ("Suites (mises en relation)", path["follow_ups"]), ("Commandes", path["deals"])],
                         height=height)
