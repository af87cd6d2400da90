"""Circles of excellence: the membership rules, seats (the last one cannot be taken twice), "who near me",
UIMM's follow-up, validation at the edge (nothing saved on bad input), and what each role sees."""

from __future__ import annotations

import datetime as dt
import threading

import pandas as pd
import pytest

from dashboard import repository
from dashboard.analytics import circles as rules
from dashboard.demo.circles import build_demo_circles
from dashboard.policy import ANONYMOUS, PUBLIC_CIRCLE_FIELDS, PUBLIC_SESSION_FIELDS, Forbidden, Role, Viewer
from dashboard.reference import load_reference
from dashboard.services import DataService
from dashboard.services import circle_actions as act
from dashboard.services import circles as svc
from dashboard.settings import load_settings
from layouts.circles import circle_page

STAFF = Viewer(Role.STAFF, None, "equipe@tests.example")


@pytest.fixture()
def private(new_database, demo_database, tmp_path) -> DataService:
    db = new_database(demo_database)
    return DataService(db.engine, load_settings({}, database_url=db.url, instance_dir=tmp_path, auto_demo=False),
                       version_check_seconds=0)


def _member(*sites: str, label: str = "adherent@tests.example") -> Viewer:
    return Viewer(Role.MEMBER, None, label, frozenset(sites))


def _outsider(service: DataService, circle_id: int, count: int = 1) -> list[str]:
    """Sites with no membership row in this circle."""
    taken = set(repository.circle_members_frame(service.engine, circle_id=circle_id)["siret"])
    keys = [k for k in service.snapshot().establishments["public_id"] if k not in taken]
    return keys[:count]


def _state(service: DataService) -> tuple:
    e = service.engine
    return (len(repository.circles_frame(e)), len(repository.circle_members_frame(e)),
            len(repository.circle_sessions_frame(e)), len(repository.circle_registrations_frame(e)),
            repository.audit_count(e))


def _session(service: DataService, **changes) -> dict:
    commune = str(service.lookups.communes["code"].iloc[0])
    return {"title": "Visite d'atelier", "starts_at": (svc.now(service) + dt.timedelta(days=10)).isoformat(),
            "commune": commune, "capacity": 2, **changes}


# --- Pure rules --------------------------------------------------------------------------------------------

def test_membership_moves_request_then_accept_or_decline_and_leave():
    rules.check_member_move(None, "requested")
    for current, new in [("requested", "accepted"), ("requested", "declined"), ("accepted", "left"),
                         ("declined", "requested"), ("left", "requested")]:
        rules.check_member_move(current, new)
    with pytest.raises(rules.CircleRuleError, match="déjà membre"):
        rules.check_member_move("accepted", "requested")
    with pytest.raises(rules.CircleRuleError, match="déjà en attente"):
        rules.check_member_move("requested", "requested")
    for current, new in [("declined", "accepted"), ("left", "accepted"), (None, "accepted")]:
        with pytest.raises(rules.CircleRuleError):
            rules.check_member_move(current, new)
    assert rules.seats_left(3, 3) == 0 and rules.seats_left(3, 5) == 0 and rules.seats_left(10, 4) == 6


def test_circles_near_measures_to_the_nearest_place_and_counts_the_own_territory_as_zero():
    circles = pd.DataFrame({"id": [1, 2, 3], "theme": ["lean", "lean", "energie"],
                            "territory_kind": ["department", "department", "lorraine"],
                            "territory_code": ["57", "88", ""]})
    places = pd.DataFrame({"circle_id": [1, 1, 2], "lat": [49.12, 48.0, 48.17], "lon": [6.18, 6.0, 6.45]})
    # From Nancy (54): circle 1 has a place in Metz (~48 km), circle 2 in Épinal (~61 km), circle 3 is Lorraine.
    found = rules.circles_near(circles, places, lat=48.69, lon=6.18, radius_km=70, department_code="54",
                               zone_code=None)
    assert found["id"].tolist() == [3, 1, 2]
    assert found["distance_km"].iloc[0] == 0 and found["on_territory"].tolist() == [True, False, False]
    assert 45 < found["distance_km"].iloc[1] < 50
    lean = rules.circles_near(circles, places, lat=48.69, lon=6.18, radius_km=50, department_code="54",
                              zone_code=None, theme="lean")
    assert lean["id"].tolist() == [1]


def test_unmet_interest_counts_requests_from_sites_with_no_circle_of_the_theme_nearby():
    circles = pd.DataFrame({"id": [1], "theme": ["cybersecurite"], "territory_kind": ["department"],
                            "territory_code": ["57"]})
    places = pd.DataFrame({"circle_id": [1], "lat": [49.12], "lon": [6.18]})  # Metz
    requests = pd.DataFrame({"theme": ["cybersecurite"] * 3, "siret": ["a", "b", "c"],
                             "lat": [48.17, 48.18, 49.10], "lon": [6.45, 6.40, 6.20],  # Épinal ×2, near Metz
                             "department_code": ["88", "88", "54"], "zone_code": [None, None, None]})
    unmet = rules.unmet_interest(requests, circles, places)
    assert unmet.to_dict("records") == [{"theme": "cybersecurite", "department_code": "88", "requests": 2,
                                         "sites": 2}]


def test_sessions_held_are_counted_per_quarter():
    starts = pd.Series(pd.to_datetime(["2026-01-05", "2026-03-30", "2026-04-01", "2026-12-20"]))
    table = rules.sessions_per_quarter(starts, now=dt.datetime(2026, 12, 1))
    assert table.to_dict("records") == [{"quarter": "2026 T1", "sessions": 2}, {"quarter": "2026 T2", "sessions": 1}]
    assert rules.quarter_label(dt.datetime(2026, 10, 1)) == "2026 T4"


def test_the_demo_has_six_to_nine_fictitious_circles_across_the_four_departments(service):
    snap = service.snapshot()
    ref = load_reference()
    rows = build_demo_circles(snap.establishments, ref.circle_themes, service.lookups.communes, seed=7,
                              today=dt.date(2026, 12, 2))
    assert 6 <= len(rows["circles"]) <= 9
    assert {c["territory_code"] for c in rows["circles"] if c["territory_kind"] == "department"} == {
        "54", "55", "57", "88"}
    assert all("(fictif)" in c["name"] and c["is_demo"] for c in rows["circles"])
    now = dt.datetime(2026, 12, 2, 8)
    starts = [s["starts_at"] for s in rows["sessions"]]
    assert any(s < now for s in starts) and any(s > now for s in starts)
    assert any(s["registered"] == s["capacity"] and s["starts_at"] > now for s in rows["sessions"])  # one full
    assert len({(m["circle"], m["siret"]) for m in rows["members"]}) == len(rows["members"])  # one row per site
    again = build_demo_circles(snap.establishments, ref.circle_themes, service.lookups.communes, seed=7,
                               today=dt.date(2026, 12, 2))
    assert again == rows  # same seed, same rows


# --- What each role sees ------------------------------------------------------------------------------

def test_the_public_sees_names_themes_dates_and_counts_but_never_who(service):
    public = svc.list_circles(service, ANONYMOUS)
    assert public and all(set(c) <= set(PUBLIC_CIRCLE_FIELDS) for c in public)
    assert all(set(s) <= set(PUBLIC_SESSION_FIELDS) for c in public for s in c["sessions"])
    member = svc.list_circles(service, _member("DEMO-0000001"))
    assert all("members" in c and "facilitator" in c for c in member)
    names = {m["name"] for c in member for m in c["members"]} | {r["name"] for c in member for s in c["sessions"]
                                                                for r in s["registrants"]}
    assert names and not any(name in repr(public) for name in names)
    assert [c["members_count"] for c in member] == [c["members_count"] for c in public]
    points = svc.map_points(service, ANONYMOUS)
    assert points["sites"] == [] and points["communes"]  # counts by commune
    assert svc.map_points(service, _member("x"))["sites"]
    with pytest.raises(Forbidden):
        svc.stats(service, _member("DEMO-0000001"))


def test_the_follow_up_for_uimm(service):
    view = svc.stats(service, STAFF)
    assert view.circles >= 6 and view.members > 0 and 0 < view.member_share < 1
    assert len(view.unmet) and (view.unmet["requests"] > 0).all()  # far-away requests of the demo
    assert view.per_quarter["sessions"].sum() > 0
    file = svc.stats_export(service, STAFF)
    assert list(file.frame.columns) == ["Département", "Thème", "Établissements membres", "Cercles"]
    assert set(file.extra_sheets) == {"Intérêt sans cercle proche", "Séances par trimestre"}


def test_who_near_me_validates_its_origin_theme_and_radius(service):
    origin = svc.near_origin(service, commune="54395")
    found = svc.circles_near(service, ANONYMOUS, origin, theme=None, radius_km=60)
    assert found and found == sorted(found, key=lambda c: c["distance_km"])
    assert all(c["distance_km"] <= 60 for c in found)
    for kwargs, field in [({"commune": "99999"}, "commune"), ({"site_key": "NOPE"}, "site")]:
        with pytest.raises(act.CircleInputError) as err:
            svc.near_origin(service, **kwargs)
        assert err.value.field == field
    with pytest.raises(act.CircleInputError, match="Thème inconnu"):
        svc.circles_near(service, ANONYMOUS, origin, theme="magie", radius_km=50)
    with pytest.raises(act.CircleInputError, match="Rayon"):
        svc.circles_near(service, ANONYMOUS, origin, theme=None, radius_km=900)


# --- Writes --------------------------------------------------------------------------------------------------

def test_join_accept_register_unregister_leave(private):
    circle_id = 1
    site = _outsider(private, circle_id)[0]
    member = _member(site)
    act.request_join(private, member, circle_id, site, message="Bonjour")
    with pytest.raises(act.CircleRuleError, match="déjà en attente"):
        act.request_join(private, member, circle_id, site)  # joining twice
    with pytest.raises(Forbidden):
        act.decide_join(private, member, circle_id, site, "accepted")  # not the facilitator
    session_id = act.create_session(private, STAFF, circle_id, _session(private, capacity=1))
    with pytest.raises(act.CircleRuleError, match="membres du cercle"):
        act.register(private, member, session_id, site)  # not yet a member
    row = repository.circle_by_id(private.engine, circle_id)
    facilitator = _member(row["facilitator_siret"], label="animateur@tests.example")
    act.decide_join(private, facilitator, circle_id, site, "accepted")
    with pytest.raises(act.CircleRuleError, match="déjà traitée"):
        act.decide_join(private, STAFF, circle_id, site, "declined")
    act.register(private, member, session_id, site)
    with pytest.raises(act.CircleRuleError, match="Complet"):
        act.register(private, facilitator, session_id, row["facilitator_siret"])
    page = svc.circle_page(private, member, circle_id)
    shown = next(s for s in page.circle["sessions"] if s["id"] == session_id)
    assert shown["full"] and page.registered == {session_id: [site]}
    act.unregister(private, member, session_id, site)
    assert repository.circle_session_by_id(private.engine, session_id)["registered"] == 0
    act.register(private, member, session_id, site)
    act.leave_circle(private, member, circle_id, site)  # frees the seat to come
    assert repository.circle_session_by_id(private.engine, session_id)["registered"] == 0
    logged = repository.audit_entries(private.engine, action="circle.")["action"].tolist()
    assert {"circle.join_request", "circle.join_accepted", "circle.leave"} <= set(logged)
    sessions_log = repository.audit_entries(private.engine, action="circle_session.")["action"].tolist()
    assert sessions_log.count("circle_session.register") == 2 and "circle_session.unregister" in sessions_log


def test_the_last_seat_cannot_be_taken_twice(private):
    session_id = act.create_session(private, STAFF, 1, _session(private, capacity=3))
    sites = _outsider(private, 1, 12)
    audit = repository.AuditRecord(None, "tests", "circle_session.register", "")
    results: list[str] = []
    barrier = threading.Barrier(len(sites))

    def take(key: str) -> None:
        barrier.wait()
        for attempt in range(20):  # SQLite answers "database is locked" to a writer that waited too long
            try:
                results.append(repository.take_seat(private.engine, session_id, key, user_id=None, audit=audit))
                return
            except Exception as error:  # noqa: BLE001 (only the lock is retried; anything else fails below)
                if "locked" not in str(error) or attempt == 19:
                    results.append(f"error: {error}")
                    return

    threads = [threading.Thread(target=take, args=(k,)) for k in sites]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["full"] * (len(sites) - 3) + ["ok"] * 3
    row = repository.circle_session_by_id(private.engine, session_id)
    registrations = repository.circle_registrations_frame(private.engine, circle_id=1)
    assert row["registered"] == 3 == int((registrations["session_id"] == session_id).sum())
    assert repository.take_seat(private.engine, session_id, sites[0], user_id=None, audit=audit) == "full"


def test_registering_twice_is_refused_and_keeps_the_count(private):
    session_id = act.create_session(private, STAFF, 1, _session(private, capacity=5))
    audit = repository.AuditRecord(None, "tests", "circle_session.register", "")
    assert repository.take_seat(private.engine, session_id, "DEMO-0000002", user_id=None, audit=audit) == "ok"
    assert repository.take_seat(private.engine, session_id, "DEMO-0000002", user_id=None, audit=audit) == "twice"
    assert repository.circle_session_by_id(private.engine, session_id)["registered"] == 1


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"starts_at": "2020-01-01T09:00"}, "starts_at", "dans le passé"),
    ({"starts_at": "demain"}, "starts_at", "invalides"),
    ({"capacity": 0}, "capacity", "Capacité"),
    ({"capacity": -4}, "capacity", "Capacité"),
    ({"capacity": 10_000}, "capacity", "Capacité"),
    ({"title": "x" * 201}, "title", "200 caractères au plus"),
    ({"title": " "}, "title", "obligatoire"),
    ({"commune": "00000"}, "commune", "Commune inconnue"),
    ({"lat": 12.0, "lon": 6.0}, "lat", "Lorraine"),
    ({"colour": "red"}, "colour", "Champ inconnu"),
])
def test_bad_sessions_save_nothing(private, changes, field, words):
    before = _state(private)
    with pytest.raises(act.CircleInputError) as err:
        act.create_session(private, STAFF, 1, _session(private, **changes))
    assert err.value.field == field and words in err.value.message
    assert _state(private) == before


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"theme": "magie"}, "theme", "Thème inconnu"),
    ({"territory_kind": "department", "territory_code": "75"}, "territory_code", "Territoire inconnu"),
    ({"territory_kind": "canton"}, "territory_kind", "Territoire"),
    ({"name": "n" * 500}, "name", "200 caractères au plus"),
    ({"description": "d" * 2001}, "description", "2\u00a0000 caractères au plus"),
    ({"facilitator_site": "NOPE"}, "facilitator_site", "inconnu"),
    ({"facilitator_site": ""}, "facilitator_site", "animateur"),
])
def test_bad_circles_save_nothing(private, changes, field, words):
    raw = {"name": "Cercle test", "theme": "lean", "territory_kind": "department", "territory_code": "57",
           "facilitator_site": "DEMO-0000001", **changes}
    before = _state(private)
    with pytest.raises(act.CircleInputError) as err:
        act.create_circle(private, STAFF, raw)
    assert err.value.field == field and words in err.value.message
    assert _state(private) == before


def test_only_staff_create_circles_and_only_runners_plan_sessions(private):
    raw = {"name": "Cercle test", "theme": "lean", "territory_kind": "zone",
           "territory_code": str(private.lookups.zones["code"].iloc[0]), "facilitator_site": "DEMO-0000001"}
    before = _state(private)
    for viewer in (ANONYMOUS, _member("DEMO-0000001")):
        with pytest.raises(Forbidden):
            act.create_circle(private, viewer, raw)
        with pytest.raises(Forbidden):
            act.create_session(private, viewer if viewer is ANONYMOUS else _member("DEMO-0000009"), 2,
                               _session(private))
    assert _state(private) == before
    new_id = act.create_circle(private, STAFF, raw)
    facilitator = _member("DEMO-0000001")
    session_id = act.create_session(private, facilitator, new_id, _session(private))  # the facilitator plans
    act.update_session(private, facilitator, session_id, {"status": "cancelled"})
    with pytest.raises(act.CircleRuleError, match="annulée"):
        act.register(private, facilitator, session_id, "DEMO-0000001")
    with pytest.raises(Forbidden):
        act.update_circle(private, facilitator, new_id, {"status": "closed"})  # editing a circle: staff
    act.update_circle(private, STAFF, new_id, {"status": "closed"})
    assert all(c["id"] != new_id for c in svc.list_circles(private, ANONYMOUS))
    with pytest.raises(svc.CircleNotFound):
        svc.circle(private, new_id, ANONYMOUS)
    with pytest.raises(act.CircleRuleError, match="clos"):
        act.request_join(private, _member("DEMO-0000002"), new_id, "DEMO-0000002")


def test_a_member_acts_only_for_their_own_sites(private):
    site = _outsider(private, 1, 2)
    before = _state(private)
    with pytest.raises(Forbidden, match="votre compte"):
        act.request_join(private, _member(site[0]), 1, site[1])
    with pytest.raises(Forbidden, match="Connectez-vous"):
        act.request_join(private, ANONYMOUS, 1, site[0])
    with pytest.raises(act.CircleInputError, match="message|Message"):
        act.request_join(private, _member(site[0]), 1, site[0], message="m" * 501)
    assert _state(private) == before


def test_a_circle_page_lists_its_published_practice_sheets_without_contacts(service):
    sheets = repository.practices_frame(service.engine)
    published = sheets[sheets["status"] == "published"]
    circle_id = int(published["circle_id"].value_counts().index[0])
    page = svc.circle_page(service, ANONYMOUS, circle_id)
    expected = set(published.loc[published["circle_id"] == circle_id, "id"])
    assert {p["id"] for p in page.practices} == expected and expected
    assert all("contact" not in p and p["status"] == "published" for p in page.practices)
    links = [c.href for c in _walk(circle_page(page)) if getattr(c, "href", "").startswith("/cercles/pratiques?fiche=")]
    assert len(links) == min(len(expected), 8)


def _walk(node):
    yield node
    children = getattr(node, "children", None)
    for child in children if isinstance(children, list) else [children] if children is not None else []:
        if hasattr(child, "to_plotly_json"):
            yield from _walk(child)


def test_a_circle_page_map_fits_its_territory():
    """A department's circle opens its map on that department; a Lorraine-wide circle keeps the regional view."""
    import pandas as pd

    from dashboard.services.circles import territory_box

    class _Look:
        communes = pd.DataFrame({"code": ["57463", "57672", "54395"], "lat": [49.12, 49.36, 48.69],
                                 "lon": [6.18, 6.17, 6.18], "department_code": ["57", "57", "54"],
                                 "zone_code": ["4410", "4410", "4408"]})

    class _Service:
        lookups = _Look()

    (south, west), (north, east) = territory_box(_Service(), "department", "57")  # type: ignore[arg-type]
    assert south < 49.12 < 49.36 < north and west < 6.17 < 6.18 < east
    assert north - south < 0.4  # the two Moselle communes and a margin, not Meurthe-et-Moselle's Nancy
    assert territory_box(_Service(), "lorraine", "") is None  # type: ignore[arg-type]
