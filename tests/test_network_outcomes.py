"""The network's outcomes (issue 16 §4, §5): pure functions on small frames, the staff service and its period,
the per-event path on a demo whose fair has been held, the export per role (formula-safe, French numbers), the
fiche's Réseau section for staff only, and the kiosk's open needs slide without a buyer's name."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
import re

import openpyxl
import pandas as pd
import pytest
from auth_support import ORIGIN, signed_in_client
from dash import no_update

from dashboard import ids, repository
from dashboard.analytics import network as rules
from dashboard.analytics import network_outcomes as oc
from dashboard.app import create_app
from dashboard.policy import Forbidden, Role, Viewer
from dashboard.services import DataService
from dashboard.services import network_outcomes as svc
from dashboard.settings import load_settings

STAFF = Viewer(Role.STAFF, None, "staff@tests")
MEMBER = Viewer(Role.MEMBER, None, "m@tests", frozenset({"DEMO-0000001"}))


# --- Pure functions ----------------------------------------------------------------------------------

def _meetings() -> pd.DataFrame:
    return pd.DataFrame({
        "id": [1, 2, 3, 4], "event_id": [7, 7, 7, 8],
        "starts_at": pd.to_datetime(["2026-03-17 09:00", "2026-03-17 10:00", "2026-03-17 11:00", "2025-03-18 09:00"]),
        "status": ["held", "held", "cancelled", "held"],
        "site_a": ["E1", "E2", "E3", "E1"], "site_b": ["V1", "V2", "V3", "V9"]})


def _intros() -> pd.DataFrame:
    return pd.DataFrame({
        "id": [10, 11, 12, 13, 14, 15],
        "origin": ["meeting", "partners", "need", "meeting", "need", "partners"],
        "meeting_id": [1, None, None, 3, None, None],
        # 11: same pair as meeting 2, asked the other way, after it; 12: same pair, before the meeting;
        # 13: from a cancelled meeting's id (still its origin); 14: unrelated; 15: the pair of the other event.
        "requester_siret": ["V1", "E2", "V2", "V3", "X", "V9"], "target_siret": ["E1", "V2", "E2", "E3", "Y", "E1"],
        "created_at": pd.to_datetime(["2026-03-20", "2026-04-01", "2026-03-01", "2026-03-19", "2026-03-21",
                                      "2025-04-01"])})


def test_follow_ups_are_from_the_events_meetings_or_the_same_two_sites_after_a_held_meeting():
    follows = oc.meeting_follow_ups(_meetings(), _intros())
    assert sorted(zip(follows["event_id"], follows["id"])) == [(7, 10), (7, 11), (7, 13), (8, 15)]
    # A pair meeting long after the window no longer counts.
    late = _intros().assign(created_at=pd.to_datetime(["2026-03-20", "2027-03-01", "2026-03-01", "2026-03-19",
                                                       "2026-03-21", "2025-04-01"]))
    assert 11 not in set(oc.meeting_follow_ups(_meetings(), late)["id"])
    assert oc.meeting_follow_ups(_meetings().iloc[0:0], _intros()).empty


def test_each_event_path_counts_meetings_held_follow_ups_and_deals():
    events = pd.DataFrame({"id": [7, 8], "name": ["Salon 2026", "Salon 2025"],
                           "starts_on": [dt.date(2026, 3, 17), dt.date(2025, 3, 18)]})
    follows = oc.meeting_follow_ups(_meetings(), _intros())
    paths = oc.event_paths(events, _meetings(), follows, deal_ids={11, 15, 14})
    assert paths == [
        {"event_id": 7, "name": "Salon 2026", "starts_on": dt.date(2026, 3, 17), "meetings": 2, "held": 2,
         "follow_ups": 3, "deals": 1},  # 14 is a deal but follows no meeting
        {"event_id": 8, "name": "Salon 2025", "starts_on": dt.date(2025, 3, 18), "meetings": 1, "held": 1,
         "follow_ups": 1, "deals": 1}]


def test_the_funnel_counts_every_step_reached_and_the_value_bands_of_deals():
    events = pd.DataFrame({"introduction_id": [1, 1, 1, 2, 2, 3, 3, 3, 3, 3],
                           "status": ["demandee", "acceptee", "sans_suite", "demandee", "acceptee",
                                      "demandee", "acceptee", "echanges", "devis", "commande"],
                           "at": pd.to_datetime(["2026-01-01"] * 10),
                           "value_band": [""] * 9 + ["10-50k"]})
    assert rules.funnel(events) == {"demandee": 3, "acceptee": 3, "echanges": 1, "devis": 1, "commande": 1,
                                    "sans_suite": 1}
    assert oc.value_band_counts(events) == [("moins de 10 k€", 0), ("10 à 50 k€", 1), ("50 à 200 k€", 0),
                                            ("plus de 200 k€", 0)]
    assert list(oc.deals(events)["introduction_id"]) == [3]


def test_share_within_50_km_and_the_period_filter():
    assert rules.share_within(pd.Series([12.0, 50.0, 50.1, 200.0])) == 0.5
    assert rules.share_within(pd.Series([], dtype=float)) is None
    now = dt.datetime(2026, 12, 2, 12)
    created = pd.Series(pd.to_datetime(["2026-11-30", "2026-08-01", "2026-05-01", "2025-01-01"]))
    assert oc.in_period(created, months=3, now=now).tolist() == [True, False, False, False]
    assert oc.in_period(created, months=6, now=now).tolist() == [True, True, False, False]
    assert oc.in_period(created, months=12, now=now).tolist() == [True, True, True, False]
    assert oc.in_period(created, months=0, now=now).all()


def test_groups_and_open_needs_by_capability():
    frame = pd.DataFrame({"id": [1, 2, 3], "zone_code": ["4410", "4410", None], "deal": [True, False, False]})
    assert oc.by_group(frame, "zone_code", {"4410": "Metz"}) == [
        {"code": "4410", "label": "Metz", "introductions": 2, "deals": 1},
        {"code": "", "label": "non renseigné", "introductions": 1, "deals": 0}]
    needs = pd.DataFrame({"capabilities": [["usinage"], ["usinage", "soudure"], ["soudure"], ["peinture"]],
                          "deadline": [dt.date(2027, 1, 9), dt.date(2026, 12, 20), dt.date(2027, 2, 1),
                                       dt.date(2026, 12, 10)]})
    rows = oc.open_needs_by_capability(needs, {"usinage": "Usinage", "soudure": "Soudure"})
    assert [(r["label"], r["needs"], r["deadline"]) for r in rows] == [
        ("Soudure", 2, dt.date(2026, 12, 20)), ("Usinage", 2, dt.date(2026, 12, 20)),
        ("peinture", 1, dt.date(2026, 12, 10))]


# --- The service on the demo -------------------------------------------------------------------------

@pytest.fixture()
def private(new_database, demo_database, tmp_path) -> DataService:
    db = new_database(demo_database)
    return DataService(db.engine, load_settings({}, database_url=db.url, instance_dir=tmp_path, auto_demo=False),
                       version_check_seconds=0)


def test_outcomes_are_for_staff_and_the_period_keeps_recent_introductions(private):
    for viewer in (MEMBER, Viewer()):
        with pytest.raises(Forbidden):
            svc.outcomes(private, viewer)
        with pytest.raises(Forbidden):
            svc.export_file(private, viewer)
    everything = svc.outcomes(private, STAFF)
    assert everything.total == len(repository.introductions_frame(private.engine)) > 0
    assert everything.deals == everything.funnel["commande"]
    assert sum(n for _, n in everything.value_bands) == everything.deals
    assert sum(r["introductions"] for r in everything.by_zone) == everything.total
    assert all(s["requester"] and s["target"] and s["days"] >= 21 for s in everything.stalled_list)
    # A year on, nothing was created in the last 3 months.
    later = svc.compute_outcomes(private, months=3, at=dt.datetime.now() + dt.timedelta(days=365))
    assert later.total == 0 and later.funnel["demandee"] == 0
    assert svc.compute_outcomes(private, months=12, at=dt.datetime.now()).total == everything.total


def test_a_future_fair_has_no_meeting_held_and_says_so(private):
    result = svc.outcomes(private, STAFF)
    fair = next(e for e in result.events if "Proxi indus" in e["name"])
    assert fair["is_future"] and fair["held"] == 0 and fair["follow_ups"] == 0 and fair["meetings"] > 0
    from layouts.network_outcomes import outcomes_results

    assert "Aucun rendez-vous tenu : l'événement a lieu le 17/03/2027" in str(outcomes_results(result))


def test_after_the_fair_the_demo_follows_held_meetings_up_to_deals(private):
    from dashboard.demo import network as demo_network

    engine = private.engine
    fair = repository.events_frame(engine).iloc[0]
    meetings = repository.event_meetings(engine, int(fair["id"]))
    repository.set_meeting_statuses(engine, int(fair["id"]), {int(i): "held" for i in meetings["id"][:300]})
    day = dt.date(2027, 5, 1)
    demo_network.load_demo(engine, today=day)
    intros = repository.introductions_frame(engine)
    follow = intros[intros["origin"] == "meeting"]
    assert 10 <= len(follow) <= demo_network.N_MEETING_FOLLOW_UPS
    held = meetings.set_index("id").loc[follow["meeting_id"].astype(int)]
    assert (pd.to_datetime(follow["created_at"]).to_numpy() > pd.to_datetime(held["starts_at"]).to_numpy()).all()
    assert (pd.to_datetime(follow["updated_at"]) <= pd.Timestamp(day)).all()
    result = svc.compute_outcomes(private, at=dt.datetime(2027, 5, 1))
    path = next(e for e in result.events if e["event_id"] == int(fair["id"]))
    assert path["held"] == 300 and path["follow_ups"] >= len(follow) and 0 <= path["deals"] <= path["follow_ups"]


# --- Export, page, fiche and kiosk through the app ----------------------------------------------------

@pytest.fixture()
def hostile_app(new_database, hostile_database, tmp_path):
    db = new_database(hostile_database)
    return create_app(load_settings({}, database_url=db.url, instance_dir=tmp_path / "instance", auto_demo=False),
                      db.engine)


def _cookie(client) -> str:
    cookie = client.get_cookie("tissu_session")
    return f"tissu_session={cookie.value}" if cookie else ""


def _as(app, role: str):
    """A request context signed in as `role` (callbacks read the viewer from it)."""
    return app.server.test_request_context(headers={"Cookie": _cookie(signed_in_client(app, role))})


def test_the_export_is_staff_only_formula_safe_and_french(hostile_app):
    from callbacks.network_outcomes import export

    service = hostile_app.server.extensions["tissu"]
    for role in ("anonymous", "member"):
        with _as(hostile_app, role):
            assert export(service, 0, "csv") is no_update
            assert export(service, 0, "xlsx") is no_update
    with _as(hostile_app, "staff"):
        payload = export(service, 12, "csv")
        workbook = export(service, 0, "xlsx")
    assert payload["filename"].startswith("tissu-reseau-resultats-12-mois-") and payload["filename"].endswith(".csv")
    text = base64.b64decode(payload["content"]).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:4] == ["Rubrique", "Libellé", "Valeur", "Commandes"]
    stalled = [r for r in rows if r[0] == "En attente"]
    assert stalled and all(" → " in r[1] for r in stalled)  # names, for staff
    assert not any(cell[:1] in "=+-@\t\r" and cell for row in rows[1:] for cell in row)  # formula-safe
    numbers = [r[2] for r in rows[1:] if r[2]]
    assert numbers and all(re.fullmatch(r"\d+(,\d+)?", n) for n in numbers)  # French decimals, no thousands dot
    total = next(r for r in rows if r[1] == "Mises en relation")
    assert int(total[2]) == svc.compute_outcomes(service, months=12).total
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(workbook["content"])))
    assert {"Résultats", "Entonnoir", "Départements", "Zones d'emploi", "Filières", "Événements",
            "Montants", "En attente"} <= set(book.sheetnames)


def _router(client, path: str, search: str = "") -> str:
    outputs = [{"id": i, "property": "children"} for i in (ids.PAGE, ids.DATASET_BADGE, ids.NAV, ids.ACCOUNT_AREA)]
    body = {"output": "..." + "...".join(f"{o['id']}.children" for o in outputs) + "..", "outputs": outputs,
            "inputs": [{"id": ids.URL, "property": "pathname", "value": path}],
            "state": [{"id": ids.URL, "property": "search", "value": search}],
            "changedPropIds": [f"{ids.URL}.pathname"]}
    body["output"] = body["output"][1:]  # the multi-output key Dash builds: "..a...b.."
    response = client.post("/_dash-update-component", json=body, headers=ORIGIN)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.dumps(response.get_json()["response"][ids.PAGE], ensure_ascii=False)


@pytest.mark.parametrize("role", ["anonymous", "member", "staff"])
def test_the_results_tab_and_the_fiche_section_are_for_staff_only(client_as, role):
    client = client_as(role)
    page = _router(client, "/reseau")
    fiche = _router(client, "/fiche", "?niveau=departement&code=57")
    staff = role == "staff"
    assert ("Résultats du réseau" in page) is staff
    assert (ids.NET_OUT_FUNNEL in page) is staff
    assert ("Réseau : mises en relation et commandes" in fiche) is staff
    assert "Fiche territoire" in fiche


def test_the_period_callback_answers_staff_and_nobody_else(hostile_app):
    from callbacks.network_outcomes import results

    service = hostile_app.server.extensions["tissu"]
    with _as(hostile_app, "member"):
        assert results(service, 3) is no_update
    with _as(hostile_app, "staff"):
        tree = str(results(service, 3))
    assert "3 derniers mois" in tree and "Entonnoir des mises en relation" in tree


def test_the_kiosk_slide_lists_open_needs_by_capability_without_a_buyer(private):
    from callbacks.event import kiosk_view

    needs = repository.needs_frame(private.engine)
    listed = needs[rules.listed_mask(needs["status"], needs["deadline"], today=dt.date.today())]
    sites = private.snapshot().establishments.set_index("public_id")["name"]
    buyers = {sites[b] for b in listed["buyer_siret"] if b in sites.index}
    assert buyers
    view = kiosk_view(private, {})
    slide = next(body for key, _, body in view.slides if key == "besoins")
    text = str(slide)
    assert not any(name in text for name in buyers)  # anonymised: capability, count, deadline only
    assert "fictifs" in text and "avant le " in text
    rows, is_demo = svc.kiosk_needs(private)
    assert is_demo and sum(r["needs"] for r in rows) >= len(listed)  # a need asking for two counts for both
    assert rows[0]["label"] in text
