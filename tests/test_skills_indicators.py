"""Skills indicators as pure functions, with hand-computed expectations; and the demo's calibration."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dashboard.analytics import skills as sk

NAN = float("nan")
TRADES = pd.DataFrame({"code": ["S", "R", "V"], "label": ["Soudeurs", "Régleurs", "Vendeurs"],
                       "family_code": ["I", "I", "V"], "family_label": ["Ouvriers", "Ouvriers", "Vente"],
                       "is_industrial": [True, True, False]})
AREAS = pd.DataFrame({"code": ["A1", "A2"], "name": ["Forbach", "Metz"], "department_code": ["57", "57"]})
NEEDS = pd.DataFrame({
    "year": [2025] * 5 + [2024, 2024],
    "trade_code": ["S", "S", "R", "R", "V", "S", "S"],
    "area_code": ["A1", "A2", "A1", "A2", "A1", "A1", "A2"],
    "projects": [20, 80, NAN, 10, 100, 50, 50],
    "difficult": [15, 40, NAN, NAN, 30, 20, 20],
    "seasonal": [NAN, 2, NAN, 0, 10, 0, 0],
})


def test_difficulty_rate_uses_non_secret_pairs_only():
    # pairs (20, 15) and (80, 40): 55 / 100; (10, secret) and (secret, secret) are left out, not counted as 0
    assert sk.difficulty_rate([20, 80, NAN, 10], [15, 40, NAN, NAN]) == pytest.approx(0.55)
    assert math.isnan(sk.difficulty_rate([NAN], [NAN]))
    assert math.isnan(sk.difficulty_rate([0], [0]))


def test_tension_threshold_is_strict():
    assert sk.TENSION_THRESHOLD == 0.60
    assert not sk.is_tension(0.60) and sk.is_tension(0.6001) and not sk.is_tension(NAN) and not sk.is_tension(None)


def test_training_coverage():
    assert sk.training_coverage([30], [50]) == pytest.approx(0.6)
    assert sk.training_coverage([NAN], [50]) == 0.0
    assert math.isnan(sk.training_coverage([10], [0])) and math.isnan(sk.training_coverage([10], [NAN]))


def test_summarize_needs_counts_secret_cells():
    out = sk.summarize_needs(NEEDS[NEEDS["year"] == 2025], by=["trade_code"]).set_index("trade_code")
    assert out.at["S", "projects"] == 100 and out.at["S", "difficulty_rate"] == pytest.approx(0.55)
    assert out.at["R", "projects"] == 10 and out.at["R", "secret_cells"] == 1
    assert math.isnan(out.at["R", "difficulty_rate"]) and not out.at["R", "tension"]
    assert out.at["V", "difficulty_rate"] == pytest.approx(0.30)


def test_filter_needs():
    out = sk.filter_needs(NEEDS, TRADES, AREAS, industrial_only=True, year=2025, territory="A1")
    assert sorted(out["trade_code"]) == ["R", "S"]
    assert sk.filter_needs(NEEDS, TRADES, AREAS, departement="54").empty


def test_heatmap_orders_worst_gaps_first():
    cells = sk.heatmap_table(NEEDS[NEEDS["year"] == 2025], TRADES, AREAS)
    # trades: S 55 %, V 30 %, R unknown (last); within S: Forbach 75 % before Metz 50 %
    assert list(dict.fromkeys(cells["trade_code"])) == ["S", "V", "R"]
    s = cells[cells["trade_code"] == "S"]
    # columns: territories by their overall rate (Metz 40/80 = 50 % before Forbach 45/120 = 37,5 %)
    assert s["area_name"].tolist() == ["Metz", "Forbach"]


def test_critical_trades_with_training_and_employers():
    graduates = pd.DataFrame({"trade_code": ["S", "S", "V"], "graduates": [30.0, 30.0, 5.0]})
    ranked = sk.critical_trades(NEEDS[NEEDS["year"] == 2025], TRADES, graduates=graduates,
                                employers=pd.Series({"S": 14}))
    assert ranked["trade_code"].tolist() == ["S", "V", "R"]
    s = ranked.iloc[0]
    assert (s["rank"], s["graduates"], s["coverage"], s["employers"]) == (1, 60, pytest.approx(0.6), 14)
    assert ranked.iloc[1]["coverage"] == pytest.approx(0.05)
    assert math.isnan(ranked.iloc[2]["coverage"])  # no graduates known for R: unknown, not 0 %


def test_trend_change():
    series = sk.trend_table(NEEDS[NEEDS["trade_code"] == "S"])
    assert series["year"].tolist() == [2024, 2025]
    change = sk.trend_change(series)
    # 2024: 100 projects, 40 % ; 2025: 100 projects, 55 %
    assert change["projects_change"] == pytest.approx(0.0) and change["rate_change_points"] == pytest.approx(15.0)
    assert sk.trend_change(series.head(1))["first_year"] is None


def test_trade_employers_by_naf_or_capability():
    est = pd.DataFrame({"id": [1, 2, 3], "naf_code": ["25.11Z", "10.71C", "28.41Z"]})
    links = pd.DataFrame({"establishment_id": [3], "capability_code": ["soudure_tig"]})
    rules = sk.load_trade_rules()
    pairs = sk.trade_employers(est, links, TRADES, rules)
    assert pairs[pairs["trade_code"] == "S"]["establishment_id"].tolist() == [1, 3]  # NAF 25.11 and TIG welding
    assert "V" not in set(pairs["trade_code"])  # no documented mapping: no employers


def test_communes_to_areas_and_zones():
    communes = pd.DataFrame({"code": ["57227", "57463", "57001"], "zone_code": ["4408", "4410", "4410"]})
    demo = sk.area_of_communes(communes, pd.DataFrame(columns=["commune_code", "area_code"]),
                               ["DEMO-4408", "DEMO-4410"])
    assert demo.to_dict() == {"57001": "DEMO-4410", "57227": "DEMO-4408", "57463": "DEMO-4410"}
    assert sk.zone_of_areas(demo, communes) == {"DEMO-4408": "4408", "DEMO-4410": "4410"}
    real = sk.area_of_communes(communes, pd.DataFrame({"commune_code": ["57227", "57463", "57001"],
                                                       "area_code": ["B1", "B1", "B1"]}), ["B1"])
    assert set(real) == {"B1"} and sk.zone_of_areas(real, communes) == {}  # B1 spans two zones: no polygon


def test_demo_calibration(engine):
    from dashboard import repository
    from dashboard.demo import skills as demo_skills

    data = demo_skills.generate_skills(repository.communes_frame(engine), seed=3)
    needs = data["needs"].merge(data["areas"], left_on="area_code", right_on="code")
    needs[["projects", "difficult"]] = needs[["projects", "difficult"]].astype("float64")
    moselle = sk.summarize_needs(needs[(needs["year"] == 2025) & (needs["department_code"] == "57")],
                                 by=["department_code"]).iloc[0]
    assert moselle["projects"] == 25_631 and moselle["difficulty_rate"] == pytest.approx(0.573, abs=0.0005)
    assert data["trades"]["code"].str.startswith("DEMO-").all() and data["areas"]["code"].str.startswith("DEMO-").all()
    assert needs["projects"].isna().any()  # some secret cells, stored as NULL
    welders = needs[(needs["trade_code"] == "DEMO-I01")].groupby("year")["projects"].sum()
    grads = data["offers"][data["offers"]["trade_code"] == "DEMO-I01"].groupby("year")["graduates"].sum()
    assert np.allclose((grads / welders).astype(float), 0.6, atol=0.06)
