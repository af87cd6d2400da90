"""Imported text reaches Plotly escaped: its HTML subset (<b>, <a href>, <br>) is shown as typed, not obeyed."""

import json

import pandas as pd

from dashboard.figures import plotly_text
from dashboard.figures.coverage import coverage_matrix_figure, coverage_ranking_figure
from dashboard.figures.indicators import series_figure
from dashboard.figures.skills import heatmap_figure, trend_figure

HOSTILE = '<a href="javascript:alert(1)">Clic</a> & <b>gras</b>'
ESCAPED = '&lt;a href="javascript:alert(1)"&gt;Clic&lt;/a&gt; &amp; &lt;b&gt;gras&lt;/b&gt;'


def _text_of(fig) -> str:
    # plotly.io encodes numpy arrays (and writes < as \u003c): decode, then look at the text itself.
    return json.dumps(json.loads(fig.to_json())["data"], ensure_ascii=False)


def test_plotly_text_escapes_markup_and_keeps_plain_text():
    assert plotly_text(HOSTILE) == ESCAPED
    assert plotly_text("Chaudronniers, tôliers") == "Chaudronniers, tôliers"


def test_every_figure_with_data_labels_escapes_them():
    summary = pd.DataFrame({"capability_code": ["x"], "capability_label": [HOSTILE], "rate": [0.5],
                            "single_source_share": [0.1], "suppliers": [3]})
    matrix = pd.DataFrame({"x": [0.5]}, index=pd.Index(["f"], name="filiere_code"))
    cells = pd.DataFrame({"trade_code": ["T"], "trade_label": [HOSTILE], "area_code": ["A"], "area_name": [HOSTILE],
                          "difficulty_rate": [0.5], "projects": [10], "secret_cells": [0]})
    series = pd.DataFrame({"year": [2024, 2025], "projects": [10, 12], "difficulty_rate": [0.4, 0.5]})
    values = pd.DataFrame({"period_start": ["2024-01-01", "2025-01-01"], "value": [1.0, 2.0]})
    figures = [
        coverage_ranking_figure(summary, selected=None, radius_km=50),
        coverage_matrix_figure(matrix, filiere_labels={"f": HOSTILE}, capability_labels={"x": HOSTILE},
                               radius_km=50),
        heatmap_figure(cells, indicator="difficulte"),
        trend_figure(series, title_scope=HOSTILE),
        series_figure([(HOSTILE, "#123456", values)], unit="", index100=False),
    ]
    for fig in figures:
        text = _text_of(fig)
        assert "<b>gras" not in text and "<a href" not in text, type(fig)
        assert "&lt;b&gt;" in text or "&lt;a href" in text
