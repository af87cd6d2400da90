"""The page's own JavaScript filter selects exactly the establishments Python's `filter_mask` selects.

One page session: the explorer is loaded once, then `tissu.matching` is called on the page's column store
for each hypothesis-drawn criteria, and the sets of establishment ids are compared (not only counts).
"""

from __future__ import annotations

import unicodedata

import pytest
from auth_support import sign_in_page
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.analytics.filters import PARAMETERS, SIZE_ORDER, Criteria, filter_mask
from dashboard.analytics.text import normalize

pytestmark = pytest.mark.browser

_SETTINGS = dict(derandomize=True, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _load_stores(page, live_server) -> dict:
    """Open the explorer, keep its point and lookup stores (from the Dash layout) in window.__parity and
    return what aligns them with Python: names, latitudes and the commune names."""
    page.goto(live_server + "/", wait_until="networkidle")
    page.wait_for_selector(".marker-cluster", timeout=30000)
    page.evaluate("""() => {
        const data = (id) => window.dash_component_api.getLayout(id).props.data;
        window.__parity = {store: data('explorer-point-store'), lookups: data('explorer-lookup-store')};
    }""")
    return page.evaluate("() => ({n: window.__parity.store.n, lat: window.__parity.store.lat, "
                         "names: window.__parity.lookups.communes.names})")


def _js_criteria(criteria: Criteria) -> dict:
    """The query-parameter dict the page's filter reads (as built by applyFilters in assets/tissu.js)."""
    out = {}
    for parameter, name in PARAMETERS.items():
        value = getattr(criteria, name)
        if isinstance(value, tuple):
            out[parameter] = list(value)
        elif isinstance(value, bool):
            out[parameter] = "oui" if value else "non"
        else:
            out[parameter] = value or ""
    return out


def _strip_accents(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


@st.composite
def _query(draw, names: list[str]) -> str:
    """Text a user might type for a name or a commune: a prefix of one or two of its words, with
    accents dropped or kept, any case, hyphens or spaces, 'St'/'Ste' for 'Saint'/'Sainte' or the reverse."""
    words = [w for w in draw(st.sampled_from(names)).replace("-", " ").split() if w]
    start = draw(st.integers(0, max(0, len(words) - 1)))
    picked = words[start:start + draw(st.integers(1, 2))]
    last = picked[-1]
    picked[-1] = last[:draw(st.integers(min(2, len(last)), len(last)))]
    text = draw(st.sampled_from([" ", "-", " - ", "'"])).join(picked)
    swap = draw(st.sampled_from(["", "saint>st", "sainte>ste", "st>saint", "saint>st."]))
    if swap:
        old, new = swap.split(">")
        text = " ".join(new if w.lower() == old else w for w in text.split(" "))
    if draw(st.booleans()):
        text = _strip_accents(text)
    return draw(st.sampled_from([str.lower, str.upper, str.title, str]))(text)


def _criteria_strategy(snap, communes: list[str]):
    frame = snap.establishments
    present = lambda column: sorted(frame[column].dropna().unique().tolist())  # noqa: E731
    caps = sorted(snap.capability_links["capability_code"].unique())
    certs = sorted(snap.certification_links["certification_code"].unique())
    divisions = sorted({c[:2] for c in present("naf_code")})
    names = frame["name"].tolist() + communes
    saints = [n for n in names if "saint" in n.lower()] or names

    def codes(values, most=3):
        return st.lists(st.sampled_from(values), min_size=1, max_size=most, unique=True).map(tuple)

    fields = {
        "departements": codes(present("department_code"), 2), "epci": codes(present("epci_code")),
        "zones": codes(present("zone_code")), "filieres": codes(present("filiere_code"), 2),
        "divisions": codes(divisions), "naf": codes(present("naf_code")),
        "size_min": st.sampled_from(SIZE_ORDER[2:]), "capabilities": codes(caps),
        "certifications": codes(certs, 2), "member": st.booleans(),
        "q": st.one_of(_query(names), _query(saints)),
    }

    @st.composite
    def criteria(draw) -> Criteria:
        # One to three constraints at a time, so that most draws still select establishments.
        active = draw(st.lists(st.sampled_from(sorted(fields)), min_size=1, max_size=3, unique=True))
        values = {name: draw(fields[name]) for name in active}
        if "capabilities" in values:
            values["capability_mode"] = draw(st.sampled_from(["all", "any"]))
        return Criteria(**values)

    return criteria()


def test_js_filter_selects_the_same_establishments_as_filter_mask(page, live_server, service):
    snap = service.snapshot()
    frame = snap.establishments
    sign_in_page(page, live_server, "member")  # a member's store carries the member flags the criteria use
    browser = _load_stores(page, live_server)
    # The page's store is built from the same dataset in the same order: index i is row i of the frame.
    assert browser["n"] == frame["name"].tolist()
    assert browser["lat"] == pytest.approx(frame["lat"].round(5).tolist())
    ids = frame["public_id"].to_numpy()
    outcomes = []

    @settings(max_examples=60, **_SETTINGS)
    @given(criteria=_criteria_strategy(snap, browser["names"]))
    def check(criteria: Criteria) -> None:
        mask = filter_mask(frame, criteria, capability_links=snap.capability_links,
                           certification_links=snap.certification_links)
        selected = page.evaluate("(c) => window.tissu.matching(window.__parity.store, window.__parity.lookups, c)",
                                 _js_criteria(criteria))
        assert set(ids[selected]) == set(ids[mask]), criteria
        outcomes.append(int(mask.sum()))

    check()
    assert len(outcomes) >= 60
    assert sum(1 for n in outcomes if 0 < n < len(frame)) >= 30  # most draws select some, not all
    assert page.errors == []


_TEXT = st.text(st.sampled_from("aàâäeéèêëiîïoôöuùûüyÿcçœæAÀÉÈÎÔÙÇŒÆSsTt -'’.,;/()\t\u00a0\u202fǅﬁ²"), max_size=24)


def test_js_normalize_agrees_with_python_on_any_text(page, live_server):
    _load_stores(page, live_server)
    checked = []

    @settings(max_examples=200, **_SETTINGS)
    @given(text=st.one_of(_TEXT, st.text(max_size=16)))
    def check(text: str) -> None:
        js = page.evaluate("(t) => window.tissu.normalize(t, window.__parity.lookups.text)", text)
        assert js == normalize(text), repr(text)
        checked.append(text)

    check()
    assert len(checked) >= 100
