"""Reindustrialisation indicators as pure functions, with hand-computed expectations."""

import datetime as dt

import pandas as pd
import pytest

from dashboard.analytics import indicators as ind


def _estabs():
    d = dt.date
    return pd.DataFrame({
        "created_on": [d(2019, 5, 1), d(2020, 1, 1), d(2020, 6, 1), d(2021, 3, 1), d(2015, 1, 1)],
        "state": ["A", "F", "A", "F", "F"],
        "closed_on": [None, d(2021, 2, 1), None, d(2021, 9, 1), d(2020, 12, 31)],
        "headcount_estimate": [3, 50, 12, 8, 10],
    })


def test_openings_closures_and_net_balance():
    out = ind.openings_closures(_estabs(), years=range(2019, 2022))
    assert out.to_dict("list") == {"year": [2019, 2020, 2021], "openings": [1, 2, 1], "closures": [0, 1, 2],
                                   "net": [1, 1, -1]}


def test_ten_employee_variant_keeps_only_big_sites():
    out = ind.openings_closures(_estabs(), years=range(2019, 2022), min_headcount=10)
    # openings: 2020 (50 and 12 employees); closures: 2020 (10), 2021 (50); the 3- and 8-employee sites are out
    assert out["openings"].tolist() == [0, 2, 0]
    assert out["closures"].tolist() == [0, 1, 1]
    assert out["net"].tolist() == [0, 1, -1]


def test_net_balance_dge_definition():
    assert ind.net_balance(114, 119, 152, 58) == 89  # DGE 2024: openings + extensions − closures − reductions


def test_active_counts_at_year_end():
    out = ind.active_counts(_estabs(), years=range(2019, 2022))
    # 2019: the 2015 and 2019 sites; 2020: + two 2020 sites − the one closed on 31/12/2020; 2021: both 2021 closures
    assert out["active"].tolist() == [2, 3, 2]


def _quarterly(values, start="2019-Q1"):
    year, q = int(start[:4]), int(start[-1])
    rows = []
    for v in values:
        p = f"{year}-Q{q}"
        rows.append({"period": p, "period_start": pd.Timestamp(ind.period_start(p)), "value": v})
        q += 1
        if q == 5:
            year, q = year + 1, 1
    return pd.DataFrame(rows)


def test_year_on_year_change_compares_the_same_quarter():
    s = _quarterly([100, 101, 102, 103, 110, 111, 112, 98])  # 2019-Q1 … 2020-Q4
    absolute, relative = ind.change(s, years_back=1)
    assert absolute == -5 and relative == pytest.approx(-5 / 103)
    assert ind.change(s, years_back=5) == (None, None)


def test_kpi_and_rolling_sum():
    annual = pd.DataFrame({"period": [str(y) for y in range(2015, 2022)],
                           "period_start": pd.to_datetime([f"{y}-01-01" for y in range(2015, 2022)]),
                           "value": [1.0, 2, 3, 4, 5, 6, 7]})
    k = ind.kpi(annual)
    assert (k.value, k.period, k.change_1y, k.change_5y) == (7.0, "2021", 1.0, 5.0)
    rolled = ind.rolling_sum(annual, window=5)
    assert rolled["period"].tolist() == ["2015–2019", "2016–2020", "2017–2021"]
    assert rolled["value"].tolist() == [15.0, 20.0, 25.0]


def test_index_100_per_territory():
    s = pd.concat([_quarterly([200, 210, 190]).assign(territory_code="57"),
                   _quarterly([None, 50, 55]).assign(territory_code="55")])
    out = ind.index_100(s)
    assert out[out.territory_code == "57"]["index"].round(6).tolist() == [100.0, 105.0, 95.0]
    assert out[out.territory_code == "55"]["index"].dropna().round(6).tolist() == [100.0, 110.0]


def test_sum_series_is_missing_when_a_part_is_secret():
    a, b = _quarterly([1, 2]), _quarterly([10, None])
    assert ind.sum_series([a, b])["value"].tolist()[0] == 11
    assert pd.isna(ind.sum_series([a, b])["value"].tolist()[1])


@pytest.mark.parametrize("period, start", [("2024", dt.date(2024, 1, 1)), ("2024-Q3", dt.date(2024, 7, 1)),
                                           ("2024-07", dt.date(2024, 7, 1))])
def test_period_start(period, start):
    assert ind.period_start(period) == start


@pytest.mark.parametrize("bad", ["24", "2024-Q5", "2024-13", "x"])
def test_period_start_rejects(bad):
    with pytest.raises(ValueError):
        ind.period_start(bad)


def test_demo_series_match_the_published_falls():
    from dashboard.demo.indicators import generate_series

    rows = pd.DataFrame(generate_series(None, seed=1))
    emp = rows[(rows.indicator_code == "emploi_industrie") & (rows.level == "departement")].set_index(
        ["territory_code", "period"])["value"]
    assert emp["57", "2022-Q4"] - emp["57", "2012-Q4"] == -8161
    assert emp["88", "2022-Q4"] - emp["88", "2012-Q4"] == -4126
    dge = rows[rows.indicator_code == "dge_solde_national"].set_index("period")["value"]
    assert dge.to_dict() == {"2022": 176.0, "2023": 201.0, "2024": 89.0}
    assert not rows[rows.indicator_code == "dge_solde_national"]["is_demo"].any()
    assert rows[rows.indicator_code == "emploi_industrie"]["is_demo"].all()
