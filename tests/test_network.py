"""The network: the introduction state machine, expiry, matching through the partners engine, visibility by role,
validation at the edge (nothing saved on bad input) and contacts that never leak before mutual acceptance."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from dashboard import repository
from dashboard.analytics import network as rules
from dashboard.analytics.filters import vocabulary_from
from dashboard.analytics.partner_query import parse_partner_query
from dashboard.policy import ANONYMOUS, PUBLIC_NEED_FIELDS, Forbidden, Role, Viewer
from dashboard.services import DataService
from dashboard.services import network as nw
from dashboard.services.partners import search_partners
from dashboard.settings import load_settings

TODAY = dt.date.today()
BUYER_SITE = "DEMO-0000001"  # the tests' member account speaks for it (auth_support)


@pytest.fixture()
def private(new_database, demo_database, tmp_path) -> DataService:
    db = new_database(demo_database)
    return DataService(db.engine, load_settings({}, database_url=db.url, instance_dir=tmp_path, auto_demo=False),
                       version_check_seconds=0)


def _buyer() -> Viewer:
    return Viewer(Role.MEMBER, None, "acheteur@tests.example", frozenset({BUYER_SITE}))


def _capability(service: DataService) -> str:
    """A capability with suppliers near the buyer's site."""
    caps = service.snapshot().capability_links
    return str(caps["capability_code"].value_counts().index[0])


def _need(service: DataService, **changes) -> dict:
    return {"site": BUYER_SITE, "title": "Usinage de carters (test)", "capabilities": [_capability(service)],
            "radius_km": 80, "deadline": (TODAY + dt.timedelta(days=20)).isoformat(), "visibility": "public",
            **changes}


def _counts(service: DataService) -> tuple[int, int, int]:
    e = service.engine
    return len(repository.needs_frame(e)), len(repository.offers_frame(e)), repository.audit_count(e)


# --- The state machine -----------------------------------------------------------------------------------

def test_introductions_move_one_step_forward_or_end_sans_suite_with_a_reason():
    path = ["demandee", "acceptee", "echanges", "devis", "commande"]
    for current, new in zip(path, path[1:]):
        rules.check_transition(current, new)
    for status in path[:-1]:
        rules.check_transition(status, "sans_suite", reason="prix")
    with pytest.raises(rules.TransitionError, match="pourquoi"):
        rules.check_transition("devis", "sans_suite")
    for current, new in [("demandee", "echanges"), ("acceptee", "devis"), ("demandee", "commande")]:
        with pytest.raises(rules.TransitionError, match="Impossible"):  # no skipping
            rules.check_transition(current, new)
    for current, new in [("echanges", "acceptee"), ("devis", "demandee")]:
        with pytest.raises(rules.TransitionError, match="Impossible"):  # no going back
            rules.check_transition(current, new)
    for final in ("commande", "sans_suite"):
        assert rules.next_statuses(final) == ()
        with pytest.raises(rules.TransitionError, match="close"):
            rules.check_transition(final, "demandee")
    rules.check_transition("devis", "commande", value_band="10-50k")
    with pytest.raises(rules.TransitionError):
        rules.check_transition("acceptee", "echanges", value_band="10-50k")


def test_a_need_or_offer_past_its_date_or_closed_is_never_listed():
    frame = pd.DataFrame({"status": ["open", "open", "closed", "open"],
                          "until": [TODAY, TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=5),
                                    TODAY + dt.timedelta(days=5)]})
    assert rules.listed_mask(frame["status"], frame["until"], today=TODAY).tolist() == [True, False, False, True]


def test_expired_demo_needs_are_stored_but_not_listed(private):
    stored = repository.needs_frame(private.engine)
    expired = stored[(pd.to_datetime(stored["deadline"]).dt.date < TODAY)]
    assert len(expired) > 0  # the demo has some, so the check below is not empty
    listed = {n["id"] for n in nw.listed_needs(private, _buyer())}
    assert listed and not listed & set(expired["id"])
    assert nw.summary(private, ANONYMOUS)["open_needs"] == len(listed)
    later = TODAY + dt.timedelta(days=400)  # every demo need has expired by then: nothing listed, no scheduler
    assert nw.listed_needs(private, _buyer(), on=later) == []


# --- Matching is the partners engine ---------------------------------------------------------------------

def test_need_matching_equals_the_partners_engine_for_the_same_query(private):
    need_id = nw.create_need(private, _buyer(), _need(private, certifications_wished=[]))
    item = nw.need(private, need_id, _buyer())
    matched = nw.need_matches(private, item, _buyer(), limit=None)
    params = {"site": [BUYER_SITE], "capability": item["capabilities"], "capability_mode": ["any"],
              "radius_km": ["80"]}
    query, notices = parse_partner_query(params, vocabulary_from(private.lookups), strict=True)
    engine = search_partners(private, query, viewer=_buyer(), limit=None)
    assert not notices and len(matched.records) > 0
    columns = ["id", "score", "distance_km", "why"]
    assert matched.records[columns].to_dict("records") == engine.records[columns].to_dict("records")


def test_a_matched_supplier_sees_the_need_in_its_opportunities(private):
    need_id = nw.create_need(private, _buyer(), _need(private, visibility="members"))
    item = nw.need(private, need_id, _buyer())
    supplier_site = nw.need_matches(private, item, _buyer()).records["id"].iloc[0]
    supplier = Viewer(Role.MEMBER, None, "fournisseur@tests.example", frozenset({supplier_site}))
    assert need_id in {o["id"] for o in nw.opportunities(private, supplier)}
    assert need_id not in {o["id"] for o in nw.opportunities(private, _buyer())}  # not one's own need
    nw.update_need(private, _buyer(), need_id, {"status": "closed"})
    assert need_id not in {o["id"] for o in nw.opportunities(private, supplier)}


# --- Visibility by role (a table) ------------------------------------------------------------------------

VISIBILITY = [
    # role, sees members-only needs, sees buyer names, sees offers, sees every introduction
    (ANONYMOUS, False, False, False, False),
    (Viewer(Role.MEMBER, None, "m", frozenset({"DEMO-9999999"})), True, True, True, False),
    (Viewer(Role.STAFF, None, "s"), True, True, True, True),
    (Viewer(Role.ADMIN, None, "a"), True, True, True, True),
]


@pytest.mark.parametrize(("viewer", "members_needs", "names", "offers", "all_intros"), VISIBILITY,
                         ids=["anonymous", "member", "staff", "admin"])
def test_what_each_role_sees_of_the_network(private, viewer, members_needs, names, offers, all_intros):
    needs = nw.listed_needs(private, viewer)
    assert needs
    assert any(n.get("visibility") == "members" for n in needs) is members_needs
    assert all("buyer_name" in n and "title" in n for n in needs) is names
    if not names:  # the public: capability, territory, deadline; never who
        assert set().union(*(n.keys() for n in needs)) <= set(PUBLIC_NEED_FIELDS)
        text = json.dumps(needs, default=str)
        sites = repository.needs_frame(private.engine)["buyer_siret"]
        assert not any(site in text for site in sites)
    assert bool(nw.listed_offers(private, viewer)) is offers
    total = len(repository.introductions_frame(private.engine))
    assert (len(nw.introductions(private, viewer)) == total) is all_intros
    assert set(nw.summary(private, viewer)["introductions"]) == set(rules.STATUSES)  # counts for all


# --- Writes: policy and validation at the edge ---------------------------------------------------------

BAD_NEEDS = [
    ({"deadline": (TODAY - dt.timedelta(days=1)).isoformat()}, "deadline", "passée"),
    ({"radius_km": 0}, "radius_km", "Rayon"),
    ({"radius_km": 1000}, "radius_km", "Rayon"),
    ({"capabilities": []}, "capabilities", "au moins un savoir-faire"),
    ({"description": "x" * 1_000_000}, "description", "2\u00a0000 caractères au plus"),
    ({"title": ""}, "title", "obligatoire"),
    ({"visibility": "tous"}, "visibility", "Visibilité"),
    ({"capabilities": ["inconnu"]}, "capabilities", "inconnu"),
    ({"site": "DEMO-XXXX"}, "site", "inconnu"),
    ({"surprise": 1}, "surprise", "Champ inconnu"),
]


@pytest.mark.parametrize(("change", "field", "words"), BAD_NEEDS, ids=[b[1] + "-" + b[2][:8] for b in BAD_NEEDS])
def test_bad_input_gets_a_french_error_and_saves_nothing(private, change, field, words):
    before = _counts(private)
    with pytest.raises(nw.NetworkInputError) as caught:
        nw.create_need(private, _buyer(), _need(private, **change))
    assert caught.value.field == field and words in caught.value.message
    assert _counts(private) == before


def test_a_need_on_someone_elses_site_is_refused_and_staff_may_post_on_a_members_behalf(private):
    before = _counts(private)
    with pytest.raises(Forbidden, match="votre compte"):
        nw.create_need(private, _buyer(), _need(private, site="DEMO-0000005"))
    with pytest.raises(Forbidden):
        nw.create_need(private, ANONYMOUS, _need(private))
    assert _counts(private) == before
    staff = Viewer(Role.STAFF, None, "equipe@tests.example")
    need_id = nw.create_need(private, staff, _need(private, site="DEMO-0000005"))
    entry = repository.audit_entries(private.engine, limit=1).iloc[0]
    assert entry["action"] == "need.create" and entry["target"] == f"need:{need_id}"
    assert entry["actor"] == "equipe@tests.example"
    with pytest.raises(nw.NetworkNotFound):  # the buyer's member cannot edit another establishment's need
        nw.update_need(private, _buyer(), need_id, {"status": "closed"})


def test_offers_are_validated_and_matched_against_needs(private):
    need_id = nw.create_need(private, _buyer(), _need(private))
    item = nw.need(private, need_id, _buyer())
    supplier_site = nw.need_matches(private, item, _buyer()).records["id"].iloc[0]
    supplier = Viewer(Role.MEMBER, None, "fournisseur@tests.example", frozenset({supplier_site}))
    until = (TODAY + dt.timedelta(days=30)).isoformat()
    with pytest.raises(nw.NetworkInputError, match="un savoir-faire"):
        nw.create_offer(private, supplier, {"site": supplier_site, "kind": "capacity", "title": "Capacité",
                                            "available_until": until})
    offer_id = nw.create_offer(private, supplier, {
        "site": supplier_site, "kind": "capacity", "title": "Capacité (test)", "capability": item["capabilities"][0],
        "quantity": "16 h par semaine", "available_until": until})
    assert offer_id in set(nw.offers_for_need(private, item, _buyer())["id"])
    assert need_id in {n["id"] for n in nw.needs_for_offer(private, nw.offer(private, offer_id, supplier), supplier)}
    nw.update_offer(private, supplier, offer_id, {"status": "closed"})
    assert offer_id not in {o["id"] for o in nw.listed_offers(private, supplier)}


# --- Introductions and contacts --------------------------------------------------------------------------

def _emails(views: list) -> str:
    return json.dumps([v.contacts for v in views], default=str)


def test_contacts_are_revealed_only_after_both_sides_accepted(private):
    from dashboard import accounts

    admin = Viewer(Role.ADMIN, None, "cli:tests")
    need_id = nw.create_need(private, _buyer(), _need(private))
    supplier_site = nw.need_matches(private, nw.need(private, need_id, _buyer()), _buyer()).records["id"].iloc[0]
    accounts.create_account(private.engine, admin, email="acheteur@tests.example", display_name="Acheteur",
                            role="member", sirets=(BUYER_SITE,))
    accounts.create_account(private.engine, admin, email="vendeur@tests.example", display_name="Vendeur",
                            role="member", sirets=(supplier_site,))
    supplier = Viewer(Role.MEMBER, None, "vendeur@tests.example", frozenset({supplier_site}))
    intro = nw.request_introduction(private, supplier, requester=supplier_site, target=BUYER_SITE, origin="need",
                                    need_id=need_id)
    for viewer in (supplier, _buyer(), Viewer(Role.STAFF, None, "s")):
        views = [v for v in nw.introductions(private, viewer) if v.id == intro]
        assert views and views[0].contacts is None and "@tests.example" not in _emails(views)
    with pytest.raises(Forbidden, match="sollicité"):  # the requester cannot accept their own request
        nw.move_introduction(private, supplier, intro, "acceptee")
    with pytest.raises(rules.TransitionError):
        nw.move_introduction(private, _buyer(), intro, "devis")
    nw.move_introduction(private, _buyer(), intro, "acceptee")
    for viewer in (supplier, _buyer()):
        view = next(v for v in nw.introductions(private, viewer) if v.id == intro)
        assert "acheteur@tests.example" in _emails([view]) and "vendeur@tests.example" in _emails([view])
        assert [s["status"] for s in view.timeline] == ["demandee", "acceptee"]
    outsider = Viewer(Role.MEMBER, None, "x", frozenset({"DEMO-0000009"}))
    assert intro not in {v.id for v in nw.introductions(private, outsider)}
    with pytest.raises(nw.NetworkNotFound):
        nw.move_introduction(private, outsider, intro, "echanges")
    nw.move_introduction(private, supplier, intro, "echanges")
    nw.move_introduction(private, _buyer(), intro, "sans_suite", reason="prix")
    actions = repository.audit_entries(private.engine, action="introduction.", limit=10)["action"].tolist()
    assert actions == ["introduction.status"] * 3 + ["introduction.request"]


def test_outcomes_count_the_funnel_delays_and_distances_for_staff_only(private):
    with pytest.raises(Forbidden):
        nw.outcomes(private, _buyer())
    result = nw.outcomes(private, Viewer(Role.STAFF, None, "s"))
    intros = repository.introductions_frame(private.engine)
    assert result.total == len(intros) > 0
    assert result.funnel["demandee"] == len(intros)  # every introduction starts as a request
    reached = [result.funnel[s] for s in rules.PROGRESSION]
    assert reached == sorted(reached, reverse=True)  # nobody skips a step: each step counts fewer
    assert sum(r["introductions"] for r in result.by_department) == len(intros)
    assert result.median_days_to_exchange is None or result.median_days_to_exchange >= 0
    events = pd.DataFrame({"introduction_id": [1, 1, 2, 2], "status": ["demandee", "echanges", "demandee", "echanges"],
                           "at": pd.to_datetime(["2026-01-01", "2026-01-03", "2026-01-01", "2026-01-05"])})
    assert rules.median_days_to_exchange(events) == 3.0
    assert rules.share_within(pd.Series([10.0, 49.9, 80.0, None])) == pytest.approx(2 / 3)


# --- Reads cached per version of the network tables ----------------------------------------------------------

def _worker(db, tmp_path, name: str) -> DataService:
    """A second process's service on the same database: its own engine, the default (2 s) version check."""
    from dashboard.database import make_engine

    return DataService(make_engine(db.url), load_settings({}, database_url=db.url, instance_dir=tmp_path / name,
                                                          auto_demo=False))


def test_a_write_through_one_worker_is_seen_by_the_next_read_of_another(new_database, demo_database, tmp_path):
    db = new_database(demo_database)
    writer, reader = _worker(db, tmp_path, "a"), _worker(db, tmp_path, "b")
    before = {n["id"] for n in nw.listed_needs(reader, _buyer())}  # warms the reader's caches
    need_id = nw.create_need(writer, _buyer(), _need(writer))
    assert need_id not in before and need_id in {n["id"] for n in nw.listed_needs(reader, _buyer())}
    nw.update_need(writer, _buyer(), need_id, {"title": "Carters usinés (modifié)"})
    assert {n["id"]: n["title"] for n in nw.listed_needs(reader, _buyer())}[need_id] == "Carters usinés (modifié)"
    item = nw.need(reader, need_id, _buyer())
    supplier_site = nw.need_matches(reader, item, _buyer()).records["id"].iloc[0]
    supplier = Viewer(Role.MEMBER, None, "fournisseur@tests.example", frozenset({supplier_site}))
    nw.offers_for_need(reader, item, _buyer())  # warms the reader's offers
    offer_id = nw.create_offer(writer, supplier, {
        "site": supplier_site, "kind": "capacity", "title": "Capacité (test)", "capability": item["capabilities"][0],
        "available_until": (TODAY + dt.timedelta(days=30)).isoformat()})
    assert offer_id in set(nw.offers_for_need(reader, item, _buyer())["id"])
    nw.update_offer(writer, supplier, offer_id, {"status": "closed"})
    nw.update_need(writer, _buyer(), need_id, {"status": "closed"})
    assert need_id not in {n["id"] for n in nw.listed_needs(reader, _buyer())}
    assert offer_id not in {o["id"] for o in nw.listed_offers(reader, supplier)}
    assert nw.my_needs(reader, _buyer())[0]["status"] == "closed"  # newest first: the one just closed
    for service in (writer, reader):
        service.engine.dispose()


def test_listed_needs_and_offers_are_read_once_per_version(private, monkeypatch):
    reads = {"needs": 0, "offers": 0}
    for table in reads:
        original = getattr(repository, f"{table}_frame")

        def counted(*args, _table=table, _original=original, **kwargs):
            reads[_table] += 1
            return _original(*args, **kwargs)
        monkeypatch.setattr(repository, f"{table}_frame", counted)
    first = nw.listed_needs(private, _buyer())
    assert nw.listed_needs(private, _buyer()) == first and nw.listed_offers(private, _buyer())
    nw.summary(private, ANONYMOUS)
    assert reads == {"needs": 1, "offers": 1}
    nw.create_need(private, _buyer(), _need(private))
    assert len(nw.listed_needs(private, _buyer())) == len(first) + 1
    assert reads == {"needs": 2, "offers": 2}


def test_vectorised_matching_equals_a_plain_pandas_filter(private):
    member = _buyer()
    offers = pd.DataFrame(nw.listed_offers(private, member))
    needs = pd.DataFrame(nw.listed_needs(private, member))
    checked = 0
    for item in nw.listed_needs(private, member)[:15]:
        expected = rules.offers_near_need(offers.dropna(subset=["lat"]), lat=item["lat"], lon=item["lon"],
                                          capabilities=item["capabilities"], radius_km=item["radius_km"])
        got = nw.offers_for_need(private, item, member)
        assert got.get("id", pd.Series(dtype=int)).tolist() == expected["id"].tolist()
        checked += len(expected)
    for item in [o for o in nw.listed_offers(private, member) if o["kind"] == "capacity"][:15]:
        expected = rules.needs_near_offer(needs.dropna(subset=["lat"]), lat=item["lat"], lon=item["lon"],
                                          capability=item["capability"])
        got = nw.needs_for_offer(private, item, member)
        assert [n["id"] for n in got] == expected["id"].tolist()
        assert [round(n["distance_km"], 9) for n in got] == [round(d, 9) for d in expected["distance_km"]]
        checked += len(expected)
    assert checked > 0  # some pairs matched, so the comparison is not between empty lists
