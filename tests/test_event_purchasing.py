"""The purchasing model (data/taxonomy/purchases.csv), its helpers and its table in docs/event.md."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard.analytics.purchasing import capabilities_bought, draw_needs, purchases_markdown
from dashboard.reference import load_reference

DOCS = Path(__file__).resolve().parent.parent / "docs" / "event.md"


@pytest.fixture(scope="module")
def ref():
    return load_reference()


def test_purchases_file_uses_known_codes_positive_weights_and_covers_every_filiere(ref) -> None:
    purchases = ref.purchases
    assert list(purchases.columns) == ["buyer_filiere", "capability_code", "weight", "rationale"]
    assert set(purchases["buyer_filiere"]) == set(ref.filieres["code"])
    assert set(purchases["capability_code"]) <= set(ref.capabilities["code"])
    assert (purchases["weight"] > 0).all()
    assert not purchases.duplicated(["buyer_filiere", "capability_code"]).any()
    assert (purchases["rationale"].str.len() > 10).all()
    assert purchases.groupby("buyer_filiere").size().min() >= 5


def test_purchases_are_plausible_for_agro_and_auto(ref) -> None:
    agro = capabilities_bought(ref.purchases, "agro")
    auto = capabilities_bought(ref.purchases, "auto")
    assert agro.index[0] == "maintenance_industrielle"
    assert {"soudure_tig", "chaudronnerie", "injection_plastique"} <= set(agro.index)
    assert "fonderie_alu" not in agro.index
    assert {"emboutissage", "tournage", "injection_plastique", "traitement_surface"} <= set(auto.index)


def test_capabilities_bought_is_sorted_and_empty_for_unknown(ref) -> None:
    meca = capabilities_bought(ref.purchases, "meca")
    assert meca.is_monotonic_decreasing and (meca > 0).all()
    assert capabilities_bought(ref.purchases, "nope").empty
    assert capabilities_bought(ref.purchases, None).empty


def test_draw_needs_weighted_without_replacement_within_offered() -> None:
    purchases = pd.DataFrame({"buyer_filiere": ["a", "a", "a", "b"], "capability_code": ["x", "y", "z", "x"],
                              "weight": [8.0, 1.0, 1.0, 1.0], "rationale": ["r"] * 4})
    rng = np.random.default_rng(0)
    draws = [draw_needs(rng, purchases, "a", 2, offered={"x", "y", "w"}) for _ in range(400)]
    assert all(len(d) == 2 and set(d) == {"x", "y"} for d in draws)  # z is offered by nobody
    first = pd.Series([d[0] for d in draws]).value_counts(normalize=True)
    assert first["x"] > 0.8  # weight 8 against 1
    assert draw_needs(rng, purchases, "a", 3, offered={"x", "y"}, exclude={"x"}) == ["y"]
    assert draw_needs(rng, purchases, "b", 2, offered={"y"}) == []
    assert draw_needs(rng, purchases, None, 2, offered={"x"}) == []
    assert draw_needs(rng, purchases, "a", 0, offered={"x"}) == []


def test_draw_needs_is_seeded(ref) -> None:
    offered = set(ref.capabilities["code"])
    first = draw_needs(np.random.default_rng(5), ref.purchases, "auto", 3, offered=offered)
    assert first == draw_needs(np.random.default_rng(5), ref.purchases, "auto", 3, offered=offered)


def test_docs_table_is_the_purchases_file(ref) -> None:
    text = DOCS.read_text(encoding="utf-8")
    documented = text.split("<!-- purchases:start -->\n", 1)[1].split("\n<!-- purchases:end -->", 1)[0]
    labels = dict(zip(ref.capabilities["code"], ref.capabilities["label"]))
    assert documented == purchases_markdown(ref.purchases, labels)
