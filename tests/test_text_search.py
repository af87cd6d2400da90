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
