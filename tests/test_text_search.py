import pandas as pd

from dashboard.analytics.text import matches, normalize


def test_normalize_folds_accents_case_separators_and_saint():
    assert normalize("Saint-Dié-des-Vosges") == "saint die des vosges"
    assert normalize("St-Avold") == "saint avold"
    assert normalize("L'Hôpital") == "l hopital"
    assert normalize("Œuvre") == "oeuvre"


def test_matches_every_word_as_a_prefix_in_any_order():
    names = pd.Series(["Saint-Dié-des-Vosges", "Saint-Avold", "Dieue-sur-Meuse", "Épinal"])
    assert matches(names, "saint die").tolist() == [True, False, False, False]
    assert matches(names, "DIE").tolist() == [True, False, True, False]
    assert matches(names, "epin").tolist() == [False, False, False, True]
    assert matches(names, "  ").tolist() == [True] * 4
    assert matches(names, "vosges saint").tolist() == [True, False, False, False]


def test_text_rules_are_plain_data_the_browser_can_compile():
    # Sent as JSON to assets/tissu.js: strings and string maps only, no Python-only regex syntax.
    import json
    import re

    from dashboard.analytics.text import TEXT_RULES

    assert json.loads(json.dumps(TEXT_RULES)) == TEXT_RULES
    for pattern in (TEXT_RULES["separators"], TEXT_RULES["marks"]):
        re.compile(pattern)
        assert "(?" not in pattern and "\\s" not in pattern  # \s differs between Python and JavaScript
    assert normalize("Ste\u00a0Marie\u2009aux-Mines") == "sainte marie aux mines"
