"""Plotly figures of the Réindustrialisation page and the scorecard: offline (no map styles), French separators."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.analytics import indicators as ind
from dashboard.figures import FONT, plotly_text
from dashboard.formatting import fr_number, fr_signed

DEPARTMENT_COLORS = {"54": "#2f6f9f", "55": "#8c510a", "57": "#d9731c", "88": "#1b7f3b"}
REGION_COLOR = "#1f3a5f"
OPENING, CLOSURE, NET = "#1b7f3b", "#c0392b", "#1f3a5f"


def _layout(fig: go.Figure, *, title: str = "", height: int = 300, unit: str = "") -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 14}} if title else None,
        separators=", ", height=height, margin={"l": 50, "r": 12, "t": 36 if title else 10, "b": 30},
        paper_bgcolor="#ffffff", plot_bgcolor="#ffffff", font=FONT,
        legend={"orientation": "h", "y": -0.15, "x": 0}, hovermode="x unified",
    )
    fig.update_yaxes(gridcolor="#e6e9ee", zerolinecolor="#b8c0cc", tickformat=",.0f" if unit != "%" else ",.1f",
                     title={"text": unit} if unit else None)
    fig.update_xaxes(showgrid=False, tickangle=0, nticks=8)
    return fig


def sparkline(values: list[float], *, color: str = REGION_COLOR) -> go.Figure:
    fig = go.Figure(go.Scatter(y=values, mode="lines", line={"color": color, "width": 2}, hoverinfo="skip"))
    fig.update_layout(height=36, margin={"l": 0, "r": 0, "t": 2, "b": 2}, paper_bgcolor="rgba(0,0,0,0)",
                      plot_bgcolor="rgba(0,0,0,0)", showlegend=False, separators=", ")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def series_figure(lines: list[tuple[str, str, pd.DataFrame]], *, unit: str, index100: bool,
                  title: str = "", height: int = 320) -> go.Figure:
    """One line per (name, colour, series frame); with `index100`, values ÷ first value × 100."""
    fig = go.Figure()
    for name, color, frame in lines:
        data = frame.dropna(subset=["value"])
        if data.empty:
            continue
        y = ind.index_100(data, by=None)["index"] if index100 else data["value"]
        fig.add_trace(go.Scatter(x=pd.to_datetime(data["period_start"]), y=y, name=plotly_text(name), mode="lines",
                                 line={"color": color, "width": 3 if color == REGION_COLOR else 2},
                                 hovertemplate="%{y:,.1f}" if index100 or unit == "%" else "%{y:,.0f}"))
    if index100:
        fig.add_hline(y=100, line={"color": "#8a96a6", "dash": "dot", "width": 1})
    return _layout(fig, title=title, height=height, unit="indice 100 = première année" if index100 else unit)


def flows_figure(openings: pd.DataFrame, closures: pd.DataFrame, net: pd.DataFrame, *, title: str = "",
                 height: int = 320) -> go.Figure:
    """Openings and closures per year (bars) with the net balance (line)."""
    years = openings["period"]
    fig = go.Figure([
        go.Bar(x=years, y=openings["value"], name="Ouvertures", marker_color=OPENING),
        go.Bar(x=years, y=closures["value"], name="Fermetures", marker_color=CLOSURE),
        go.Scatter(x=net["period"], y=net["value"], name="Solde", mode="lines+markers",
                   line={"color": NET, "width": 2}),
    ])
    fig.update_layout(barmode="group")
    return _layout(fig, title=title, height=height, unit="établissements")


def projects_figure(projects: pd.DataFrame, *, years: range, title: str = "", height: int = 300) -> go.Figure:
    """Announced projects per year, stacked by kind."""
    data = projects.assign(year=pd.to_datetime(projects["announced_on"]).dt.year)
    fig = go.Figure()
    for kind in ind.PROJECT_KINDS:
        counts = data[data["kind"] == kind]["year"].value_counts()
        fig.add_trace(go.Bar(x=[str(y) for y in years], y=[int(counts.get(y, 0)) for y in years],
                             name=ind.PROJECT_KIND_LABELS[kind], marker_color=ind.PROJECT_KIND_COLORS[kind]))
    fig.update_layout(barmode="stack")
    fig = _layout(fig, title=title, height=height, unit="projets")
    per_year = data["year"].value_counts()
    fig.update_yaxes(dtick=1 if (per_year.max() if len(per_year) else 0) <= 6 else None,  # counts: whole ticks
                     rangemode="tozero")
    return fig


def deeptech_figure(deeptech: pd.DataFrame, *, target_year: int = ind.DEEPTECH_TARGET_YEAR,
                    height: int = 300) -> go.Figure:
    """Deeptech start-ups created per year in France (published figures, start-ups) against the Plan Deeptech
    target, on an axis of its own so that 168 and 340 read next to 500."""
    data = deeptech.dropna(subset=["value"])
    years = [int(str(p)[:4]) for p in data["period"]]
    fig = go.Figure(go.Scatter(x=years, y=data["value"], name="Start-up deeptech créées (France, chiffres publiés)",
                               mode="lines+markers+text", text=[fr_number(v) for v in data["value"]],
                               textposition="top center", line={"color": "#2f6f9f", "width": 2},
                               marker={"size": 9}, hovertemplate="%{x} : %{y:,.0f} start-up<extra></extra>"))
    fig.add_trace(go.Scatter(x=[target_year], y=[ind.DEEPTECH_TARGET], mode="markers+text", name="Objectif national",
                             text=[f"objectif {target_year} : {ind.DEEPTECH_TARGET}/an"], textposition="bottom left",
                             marker={"size": 11, "symbol": "star", "color": "#d9731c"},
                             hovertemplate="Objectif %{x} : %{y} start-up par an<extra></extra>"))
    fig.add_hline(y=ind.DEEPTECH_TARGET, line={"color": "#d9731c", "dash": "dash", "width": 1.5})
    first = min(years, default=2018)
    fig = _layout(fig, height=height, unit="start-up créées par an")
    fig.update_xaxes(range=[first - 1, target_year + 1], dtick=2, tickformat="d")
    fig.update_yaxes(range=[0, ind.DEEPTECH_TARGET * 1.2], rangemode="tozero")
    return fig


def dge_figure(dge: pd.DataFrame, *, height: int = 300) -> go.Figure:
    """The DGE barometer's national net balance (openings + significant extensions − closures − significant
    reductions of industrial sites, France), one bar per year."""
    data = dge.dropna(subset=["value"])
    fig = go.Figure(go.Bar(x=[str(p)[:4] for p in data["period"]], y=data["value"], name="Solde industriel (France)",
                           marker_color=[NET if v >= 0 else CLOSURE for v in data["value"]],
                           text=[fr_signed(v) for v in data["value"]],
                           textposition="outside", hovertemplate="%{x} : %{y:+,.0f} sites<extra></extra>"))
    fig.update_xaxes(type="category")
    fig = _layout(fig, height=height, unit="sites (solde)")
    high = max([float(v) for v in data["value"]] + [1.0])
    fig.update_yaxes(range=[min([0.0] + [float(v) * 1.2 for v in data["value"]]), high * 1.25])
    fig.update_layout(showlegend=False)
    return fig


def territory_map_figure(polygons, highlight: set[str], projects: pd.DataFrame, *, height: int = 330) -> go.Figure:
    """The communes of the territory (filled) among their neighbours, and its projects (size by jobs)."""
    fig = go.Figure()
    inside = polygons[polygons.index.isin(highlight)]
    minx, miny, maxx, maxy = (inside if len(inside) else polygons).total_bounds
    pad = max(maxx - minx, maxy - miny) * 0.06
    box = polygons.cx[minx - pad:maxx + pad, miny - pad:maxy + pad]
    for selected, fill, line in ((False, "#eef1f5", "#c9d1db"), (True, "#cfe0f1", "#7d9cbd")):
        part = box[box.index.isin(highlight) == selected]
        xs, ys = [], []
        for geom in part.geometry.simplify(0.002):
            for poly in getattr(geom, "geoms", [geom]):
                x, y = poly.exterior.xy
                xs += list(x) + [None]
                ys += list(y) + [None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", fill="toself", fillcolor=fill,
                                 line={"color": line, "width": 0.5}, hoverinfo="skip", showlegend=False))
    for kind in ind.PROJECT_KINDS:
        part = projects[projects["kind"] == kind]
        if part.empty:
            continue
        jobs = pd.to_numeric(part["jobs"], errors="coerce").fillna(10)
        fig.add_trace(go.Scatter(x=part["lon"], y=part["lat"], mode="markers", name=ind.PROJECT_KIND_LABELS[kind],
                                 marker={"size": 6 + jobs.clip(0, 400) ** 0.5 * 1.2,
                                         "color": ind.PROJECT_KIND_COLORS[kind], "line": {"color": "#fff", "width": 1}},
                                 text=[plotly_text(n) for n in part["name"]], hovertemplate="%{text}<extra></extra>"))
    fig.update_xaxes(visible=False, range=[minx - pad, maxx + pad])
    fig.update_yaxes(visible=False, range=[miny - pad, maxy + pad], scaleanchor="x", scaleratio=1.5)
    fig.update_layout(height=height, margin={"l": 0, "r": 0, "t": 0, "b": 0}, paper_bgcolor="#ffffff",
                      plot_bgcolor="#ffffff", separators=", ", legend={"orientation": "h", "y": 0, "x": 0})
    return fig


def fiche_figures(content, polygons) -> dict:
    """The fiche's three charts (title, figure) and its map, from a scorecard's content and commune polygons."""
    lines = [(content.scope.label, "#1f3a5f", content.employment.assign(value=content.employment.get("index"))),
             ("Lorraine", "#d9731c", content.employment_region.assign(value=content.employment_region.get("index")))]
    f = content.flows
    return {"charts": [
        ("Emploi salarié industriel (indice 100)", series_figure(lines, unit="indice 100", index100=False, height=250)),
        ("Ouvertures et fermetures (Sirene)", flows_figure(f["openings"], f["closures"], f["net"], height=250)),
        ("Projets annoncés par an", projects_figure(content.projects, years=content.years, height=250)),
    ], "map": territory_map_figure(polygons, content.communes, content.projects, height=520)}
