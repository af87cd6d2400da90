"""Skills figures: trade × territory heatmap and a trade's trend (DataFrames in, go.Figure out)."""

from __future__ import annotations

import math

import plotly.graph_objects as go

from dashboard.analytics.skills import SECRET, TENSION_THRESHOLD
from dashboard.figures import base_layout, plotly_text
from dashboard.formatting import fr_number, fr_percent

# One colour per class of analytics.skills.RATE_BREAKS (and one above); projects use quantile classes.
RATE_COLORS = ["#fff5eb", "#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603"]
PROJECT_COLORS = ["#eef4f9", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]
NO_VALUE_COLOR = "#d5d9df"


def empty_figure(message: str) -> go.Figure:
    fig = go.Figure(layout=base_layout(xaxis={"visible": False}, yaxis={"visible": False}))
    if message:
        fig.add_annotation(text=message, showarrow=False, font={"size": 14, "color": "#5a6778"})
    return fig


def _short(label: str, width: int = 40) -> str:
    """An imported label cut to `width` characters, then escaped for Plotly (cut first: no entity split)."""
    return plotly_text(label if len(label) <= width else label[: width - 1].rstrip() + "…")


def heatmap_figure(cells, *, indicator: str) -> go.Figure:
    """Trade × territory heatmap; rows and columns in the order of `cells` (worst gaps first), secret cells grey."""
    if cells.empty:
        return empty_figure("Aucune donnée pour ces filtres")
    trades = list(dict.fromkeys(cells["trade_code"]))
    areas = list(dict.fromkeys(cells["area_code"]))
    trade_label = dict(zip(cells["trade_code"], cells["trade_label"]))
    # Imported names can be kilobytes long: Plotly lays out every tick label, so cut them (hover: longer).
    area_name = {code: _short(name) for code, name in zip(cells["area_code"], cells["area_name"])}
    lookup = {(r["trade_code"], r["area_code"]): r for r in cells.to_dict("records")}
    z, text = [], []
    for t in trades:
        zr: list[float | None] = []
        tr: list[str] = []
        for a in areas:
            r = lookup.get((t, a))
            if r is None:
                zr.append(None)
                tr.append("pas de projet publié")
                continue
            rate, projects = r["difficulty_rate"], r["projects"]
            value = rate * 100 if indicator == "difficulte" else projects
            zr.append(None if value is None or (isinstance(value, float) and math.isnan(value)) else value)
            tr.append(_cell_text(projects, rate, r["secret_cells"]))
        z.append(zr)
        text.append(tr)
    secret_z = [[1 if v is None else None for v in row] for row in z]
    is_rate = indicator == "difficulte"
    known = sorted(v for row in z for v in row if v is not None)
    # Projects: cap the colour scale at the 95th percentile so that one big cell does not wash out the rest.
    project_max = known[int(0.95 * (len(known) - 1))] if known else None
    fig = go.Figure([
        go.Heatmap(z=secret_z, x=[area_name[a] for a in areas], y=[_short(trade_label[t]) for t in trades],
                   colorscale=[[0, NO_VALUE_COLOR], [1, NO_VALUE_COLOR]], showscale=False, hoverinfo="skip",
                   xgap=1, ygap=1),
        go.Heatmap(z=z, x=[area_name[a] for a in areas], y=[_short(trade_label[t]) for t in trades], text=text,
                   customdata=[[_short(trade_label[t], 120)] * len(areas) for t in trades],
                   hovertemplate="<b>%{customdata}</b><br>%{x}<br>%{text}<extra></extra>",
                   colorscale=[[i / (len(RATE_COLORS) - 1), c] for i, c in enumerate(RATE_COLORS)] if is_rate
                   else [[i / (len(PROJECT_COLORS) - 1), c] for i, c in enumerate(PROJECT_COLORS)],
                   zmin=20 if is_rate else 0, zmax=90 if is_rate else project_max, xgap=1, ygap=1,
                   colorbar={"title": {"text": "% difficiles" if is_rate else "projets", "side": "right"},
                             "thickness": 12, "len": 0.8, "ticksuffix": " %" if is_rate else ""}),
    ])
    fig.update_layout(**base_layout(height=max(260, 26 * len(trades) + 120)))
    fig.update_xaxes(side="top", tickangle=-35, automargin=True)
    fig.update_yaxes(autorange="reversed", automargin=True)
    return fig


def _cell_text(projects, rate, secret_cells) -> str:
    if projects is None or (isinstance(projects, float) and math.isnan(projects)):
        return SECRET
    parts = [f"{fr_number(projects)} projets"]
    parts.append(f"{fr_percent(rate, 0)} difficiles" if rate == rate and rate is not None else f"difficiles : {SECRET}")
    if secret_cells:
        parts.append(f"{int(secret_cells)} cellule(s) en {SECRET}")
    return " · ".join(parts)


def trend_figure(series, *, title_scope: str, lorraine=None) -> go.Figure:
    """Projects (bars, right axis) and difficulty rate (line, %) per year."""
    if series.empty:
        return empty_figure("Aucune donnée pour ce métier")
    years = series["year"].astype(int).tolist()
    scope = plotly_text(title_scope)
    fig = go.Figure([
        go.Bar(x=years, y=series["projects"], name=f"Projets ({scope})", marker_color="#c6dbef", yaxis="y2",
               hovertemplate="%{x} : %{y:,.0f} projets<extra></extra>"),
        go.Scatter(x=years, y=series["difficulty_rate"] * 100, name=f"% difficiles ({scope})",
                   mode="lines+markers", line={"color": "#e6550d", "width": 3},
                   hovertemplate="%{x} : %{y:.0f} % difficiles<extra></extra>"),
    ])
    if lorraine is not None and len(lorraine):
        fig.add_trace(go.Scatter(x=lorraine["year"].astype(int).tolist(), y=lorraine["difficulty_rate"] * 100,
                                 name="% difficiles (Lorraine)", mode="lines", line={"color": "#5a6778", "dash": "dot"},
                                 hovertemplate="%{x} : %{y:.0f} % (Lorraine)<extra></extra>"))
    fig.add_hline(y=TENSION_THRESHOLD * 100, line={"color": "#a63603", "width": 1, "dash": "dash"},
                  annotation_text="seuil de tension", annotation_position="top left")
    fig.update_layout(**base_layout(
        margin={"l": 10, "r": 10, "t": 10, "b": 10}, legend={"orientation": "h", "y": -0.15},
        yaxis={"title": "% difficiles", "range": [0, 100], "ticksuffix": " %", "automargin": True},
        yaxis2={"title": "projets", "overlaying": "y", "side": "right", "showgrid": False, "rangemode": "tozero",
                "tickformat": ",.0f",
                "automargin": True},
        xaxis={"dtick": 1}, bargap=0.35))
    return fig
