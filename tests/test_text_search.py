import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

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


def _ranked(names, query, weights=None):
    from dashboard.analytics.text import rank

    names = pd.Series(names)
    return [names[i] for i in rank(names, query, None if weights is None else pd.Series(weights))]


def test_rank_puts_the_exact_name_first_then_larger_places_and_never_infix_matches():
    names = ["Jametz", "Aumetz", "Montigny-lès-Metz", "Metzervisse", "Metz", "Ars-sur-Moselle"]
    population = [300, 1_000, 21_000, 1_600, 117_000, 4_600]
    assert _ranked(names, "Metz", population) == ["Metz", "Montigny-lès-Metz", "Metzervisse"]
    assert _ranked(names, "metz", population[::-1])[0] == "Metz"  # exact beats a larger prefix match


def test_rank_folds_accents_hyphens_and_saint():
    names = ["Saint-Dié-des-Vosges", "Saint-Avold", "Dieuze", "Sainte-Marie-aux-Mines", "Dié"]
    weights = [19_000, 15_000, 2_800, 5_000, 10]
    for query in ("saint die", "st-dié", "ST DIE", "Saint-Dié"):
        assert _ranked(names, query, weights)[0] == "Saint-Dié-des-Vosges", query
    assert _ranked(names, "ste marie", weights) == ["Sainte-Marie-aux-Mines"]
    assert _ranked(names, "die", weights) == ["Dié", "Saint-Dié-des-Vosges", "Dieuze"]  # exact, then by size
    assert _ranked(names, "   ", weights) == []


def test_rank_breaks_ties_alphabetically_on_the_normalised_name_and_matches_context():
    from dashboard.analytics.text import rank

    assert _ranked(["Épinal Forge", "Alpha Forge", "Forge Zeta"], "forge") == ["Alpha Forge", "Épinal Forge",
                                                                             "Forge Zeta"]
    names, communes = pd.Series(["Acme", "Acme", "Beta"]), pd.Series(["Nancy", "Toul", "Nancy"])
    assert list(rank(names, "acme nancy", context=communes)) == [0]
    assert list(rank(names, "nancy", context=communes)) == [0, 2]  # context alone never counts as exact


@settings(deadline=None, max_examples=80)  # pandas per example: slow on a shared machine, not a bug
@given(st.lists(st.text(alphabet="aàbéè -'stSTE", max_size=12), max_size=12),
       st.text(alphabet="aàbéè -'st", max_size=6),
       st.lists(st.integers(0, 10**6), min_size=12, max_size=12))
def test_rank_properties(names, query, weights):
    from dashboard.analytics.text import rank

    series, w = pd.Series(names, dtype=object), pd.Series(weights[:len(names)])
    order = list(rank(series, query, w))
    assert sorted(order) == sorted(series.index[matches(series, query)]) if normalize(query) else order == []
    tiers = [0 if normalize(series[i]) == normalize(query) else 1 for i in order]
    assert tiers == sorted(tiers)
    for a, b in zip(order, order[1:]):  # within a tier, never a smaller place before a larger one
        if tiers[order.index(a)] == tiers[order.index(b)]:
            assert w[a] >= w[b]
    assert list(rank(series, query.upper(), w)) == order  # case never changes the answer


def test_search_text_lets_the_browser_filter_find_plain_spellings():
    from dashboard.analytics.text import search_text

    text = search_text("Épinal", "88160")
    assert "epinal" in text and "Épinal" in text and "88160" in text


def test_searchable_options_find_plain_spellings_with_the_browsers_own_filter():
    from dashboard.analytics.text import searchable

    options = searchable([{"label": "Saint-Dié-des-Vosges (88)", "value": "88413"},
                          {"label": "Nancy", "value": "54395", "search": "Nancy 54395"}])
    # Dash's dropdown keeps an option when every typed word is inside one of its whitespace-separated words.
    words = options[0]["search"].split()
    assert all(any(typed in w for w in words) for typed in ("saint", "die", "vosges"))
    assert "54395" in options[1]["search"] and options[1]["value"] == "54395"


def test_every_spelling_typed_finds_the_option_with_the_browsers_own_filter():
    """Dash lower-cases what is typed and keeps an option when each typed word is inside a word of its label or
    `search`: accents, case, hyphens and 'St' must all be spelt out there."""
    from dashboard.analytics.text import search_text, with_search

    def found(label: str, typed: str) -> bool:
        words = f"{label} {search_text(label)}".lower().split()
        return all(any(t in w for w in words) for t in typed.lower().split())

    for typed in ("épinal", "Epinal", "epinal", "ÉPINAL", "Épi"):
        assert found("Épinal", typed), typed
    for typed in ("saint-die", "saint-dié", "st die", "St-Dié", "saint die des vosges"):
        assert found("Saint-Dié-des-Vosges", typed), typed
    assert not found("Épinal", "metz")
    options = with_search([{"label": "Lunéville", "value": "54329"}, {"label": "x", "value": "1", "search": "kept"},
                           {"label": 2025, "value": 2025}])
    assert "luneville" in options[0]["search"] and options[1]["search"] == "kept" and options[2]["search"] == "2025"


def test_every_dropdown_of_every_page_carries_a_search_field(service):
    """What layouts.components.dropdown guarantees, checked on the pages as rendered."""
    from dash import dcc

    from callbacks.routing import page_components

    dropdowns = [c for c in page_components(service) if isinstance(c, dcc.Dropdown) and c.options]
    assert len(dropdowns) > 10
    for dropdown in dropdowns:
        assert all(isinstance(o, dict) and o.get("search") for o in dropdown.options), dropdown.id
