"""Coverage figures: capabilities ranked by coverage, and the filière × capability matrix."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import FONT, plotly_text


def _layout(fig: go.Figure, *, height: int, title: str = "") -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=10, r=16, t=40 if title else 12, b=10), font=FONT,
                      separators=", ", paper_bgcolor="white", plot_bgcolor="white",
                      title=dict(text=title, x=0, font=dict(size=14)) if title else None)
    return fig


RANKING_RIGHT_MARGIN = 34  # px: half of the "100 %" tick label, which sits on the axis end


def coverage_ranking_figure(summary: pd.DataFrame, *, selected: str | None, radius_km: float) -> go.Figure:
    """Capabilities by coverage rate (weakest first) with the single-source share beside (both in %)."""
    data = summary.sort_values(["rate", "capability_label"], ascending=[True, True])
    labels = [plotly_text(label) for label in data["capability_label"]]
    colors = ["#d9731c" if code == selected else "#2f6f9f" for code in data["capability_code"]]
    fig = go.Figure([
        go.Bar(y=labels, x=100 * data["rate"], orientation="h", name="Couverture", marker_color=colors,
               customdata=data[["capability_code", "suppliers"]].to_numpy(),
               hovertemplate="%{y}<br>couverture %{x:.1f} %<br>%{customdata[1]} fournisseurs<extra></extra>"),
        go.Scatter(y=labels, x=100 * data["single_source_share"], mode="markers", name="Source unique",
                   marker=dict(symbol="diamond", size=9, color="#b3261e"),
                   hovertemplate="%{y}<br>source unique %{x:.1f} %<extra></extra>"),
    ])
    # Rates run 0-100 % whatever the data. The "100 %" label overhangs the axis end: plotly hides a label past the
    # figure's edge, so the right margin leaves it room (and ticks stay automatic: fewer on a phone, unrotated).
    fig.update_xaxes(range=[0, 100], ticksuffix="\u00a0%", gridcolor="#e6eaef", side="top",
                     ticklabeloverflow="allow")
    fig.update_yaxes(autorange="reversed", tickfont=dict(size=11))
    fig.update_layout(legend=dict(orientation="h", y=-0.02, x=0, yanchor="top"), bargap=0.25,
                      clickmode="event")
    fig = _layout(fig, height=max(360, 22 * len(labels) + 80),
                  title=f"Couverture à {radius_km:g} km, du plus faible au plus fort")
    fig.update_layout(margin_r=RANKING_RIGHT_MARGIN)
    return fig


def coverage_matrix_figure(matrix: pd.DataFrame, *, filiere_labels: dict[str, str],
                           capability_labels: dict[str, str], radius_km: float) -> go.Figure:
    """Heatmap filière × capability of coverage rates (%), empty rows dropped."""
    data = matrix.dropna(how="all")
    fig = go.Figure(go.Heatmap(
        z=100 * data.to_numpy(float), x=[plotly_text(capability_labels.get(c, c)) for c in data.columns],
        y=[plotly_text(filiere_labels.get(f, f)) for f in data.index], zmin=0, zmax=100,
        colorscale=[[0, "#b3261e"], [0.5, "#f6d8a8"], [1, "#2f6f9f"]],
        colorbar=dict(title="%", ticksuffix=" %", len=0.8),
        hovertemplate="%{y}<br>%{x}<br>couverture %{z:.0f} %<extra></extra>"))
    fig.update_xaxes(tickangle=-50, tickfont=dict(size=10))
    fig.update_yaxes(tickfont=dict(size=11), autorange="reversed")
    return _layout(fig, height=520, title=f"Où l'approvisionnement local manque, par filière ({radius_km:g} km)")
