"""Every Plotly figure builder of tissu (DataFrames in, go.Figure out) and the one graph configuration.

Figures are pure and offline-safe (no map styles fetched, no online toolbar action); numbers use French
separators (`12 345,6`). One module per topic: coverage, indicators, skills.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from dashboard.figures.locale_fr import PLOTLY_LOCALE_FR

if TYPE_CHECKING:  # the TypedDict of dcc.Graph(config=...); importing dash at run time is not needed
    from dash import dcc

FONT: dict[str, Any] = dict(family="Segoe UI, Liberation Sans, Helvetica Neue, Arial, sans-serif", size=12,
                            color="#1d2733")
# The one dcc.Graph config of every page: the French locale carried with it (plotly.js has English only and
# its locale scripts live on a CDN), no Plotly logo, no selection tools, and no "Share chart" / Chart Studio
# button: both upload to plotly's cloud, which is neither wanted nor reachable on a fair's offline network.
GRAPH_CONFIG: dcc.Graph.Config = {
    "displaylogo": False, "locale": "fr", "locales": {"fr": PLOTLY_LOCALE_FR},
    "showSendToCloud": False, "showEditInChartStudio": False, "showLink": False,
    "toImageButtonOptions": {"format": "png", "scale": 2, "filename": "tissu"},
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "sendChartToCloud", "editInChartStudio"],
}


def plotly_text(value: object) -> str:
    """Data text (an imported name or label) for a figure: Plotly renders a subset of HTML in labels, hover text
    and legends (`<b>`, `<a href>`, `<br>`), so markup in data would be obeyed; its entities are decoded, so the
    escaped text shows exactly as typed."""
    return html.escape(str(value), quote=False)


def base_layout(**overrides: Any) -> dict[str, Any]:
    """The layout every figure starts from (French separators, white background, the house font)."""
    base: dict[str, Any] = dict(separators=", ", font=FONT, paper_bgcolor="#ffffff", plot_bgcolor="#ffffff",
                                margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return {**base, **overrides}
