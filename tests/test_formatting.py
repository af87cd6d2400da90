import datetime as dt

from dashboard.formatting import MINUS, NBSP, fr_date, fr_number, fr_percent, fr_signed


def test_french_numbers():
    assert fr_number(12345.6, 1) == f"12{NBSP}345,6"
    assert fr_number(1234567) == f"1{NBSP}234{NBSP}567"
    assert fr_number(7) == "7"
    assert fr_number(None) == "–"
    assert fr_number(float("nan")) == "–"


def test_negative_numbers_carry_the_minus_sign():
    # One convention on screen: U+2212, as plotly's axes write it (the fiche mixed `-3` and `−929`).
    assert MINUS == "\u2212"
    assert fr_number(-3) == "\u22123"
    assert fr_number(-929.4) == "\u2212929"
    assert fr_number(-12345.6, 1) == f"\u221212{NBSP}345,6"
    assert fr_number(-0.04, 1) == "0,0" and fr_number(-0.4) == "0"  # rounded to zero: no sign
    assert fr_percent(-0.125) == f"\u221212,5{NBSP}%"
    assert "-" not in fr_number(-1e9)


def test_signed_changes():
    assert fr_signed(162) == "+162"
    assert fr_signed(-267) == "\u2212267"
    assert fr_signed(0) == "0" and fr_signed(0.01, 1) == "0,0"
    assert fr_signed(2.55, 1) == "+2,5" or fr_signed(2.55, 1) == "+2,6"
    assert fr_signed(None) == "–"


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
