import datetime as dt

from dashboard.formatting import NBSP, fr_date, fr_number, fr_percent


def test_french_numbers():
    assert fr_number(12345.6, 1) == f"12{NBSP}345,6"
    assert fr_number(1234567) == f"1{NBSP}234{NBSP}567"
    assert fr_number(7) == "7"
    assert fr_number(None) == "–"
    assert fr_number(float("nan")) == "–"


def test_french_percent_and_dates():
    assert fr_percent(0.125) == f"12,5{NBSP}%"
    assert fr_date(dt.date(2026, 11, 26)) == "26/11/2026"
    assert fr_date(None) == "–"
