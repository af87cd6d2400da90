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


def test_short_text_cuts_long_names_for_dropdown_options():
    from dashboard.formatting import OPTION_TEXT_MAX, short_text

    assert short_text("Forge de l'Est") == "Forge de l'Est"
    long = short_text("x" * 10_240)
    assert len(long) == OPTION_TEXT_MAX and long.endswith("…")
    assert short_text("abc def ghi", 8) == "abc def…"
