"""Event: the demo event, importer, scheduling service, API (incl. 400/404), page callbacks as functions, CLI."""

from __future__ import annotations

import datetime as dt

import pytest

from callbacks import event as page
from dashboard import ids, repository
from dashboard.analytics.scheduling import validate_schedule
from dashboard.importers import FileFormatError
from dashboard.importers.event import EventOptions, import_event, write_event_template
from dashboard.services import event as ev
from dashboard.services.event import slide_seconds


@pytest.fixture()
def scratch_engine(new_database, demo_database):
    """A private copy of the demo template (tests that write)."""
    return new_database(demo_database).engine


# --- Demo event -----------------------------------------------------------------------------------

def test_the_demo_event_is_loaded_scheduled_and_feasible(engine):
    event = ev.current_event(engine)
    assert event is not None and event.is_demo
    people = repository.event_participants(engine, event.id)
    roles = people["role"].value_counts()
    assert 0 < roles["exposant"] <= 200 and 0 < roles["visiteur"] <= 2000
    assert people["establishment_id"].notna().all()
    meetings = repository.event_meetings(engine, event.id)
    assert len(meetings) > 1000
    assert set(meetings["status"]) <= {"scheduled", "held", "cancelled"}
    held = meetings[meetings["status"] == "held"]
    assert all(event.grid.ends_at(int(s)) <= dt.datetime.now() for s in held["slot"])  # held = over, by the clock
    assert validate_schedule(meetings, people, event.grid) == []
    assert meetings["why"].str.contains(" km|même commune").all()
    # Every feasible request is placed (maxima never below requests in the demo).
    _, candidates = ev.event_candidates(engine, event.id)
    requested = candidates[candidates["origin"].isin(["mutual", "request"])]
    masks = {int(p): event.grid.mask(a) for p, a in zip(people["id"], people["availability"])}
    feasible = {(e, v) for e, v in zip(requested["exhibitor_id"], requested["visitor_id"]) if masks[e] & masks[v]}
    placed = set(zip(meetings["exhibitor_id"], meetings["visitor_id"]))
    assert len(feasible & placed) / len(feasible) >= 0.98


def test_rescheduling_after_cancellations_keeps_every_meeting_that_stays(scratch_engine):
    event = ev.current_event(scratch_engine)
    before = repository.event_meetings(scratch_engine, event.id)
    active = before[before["status"] == "scheduled"]
    victims = active["id"].head(30).tolist()
    for meeting_id in victims:
        ev.set_status(scratch_engine, event, meeting_id, "cancelled")
    summary = ev.schedule_event(scratch_engine, event, keep_scheduled=True)
    after = repository.event_meetings(scratch_engine, event.id)
    stay = before[~before["id"].isin(victims)].set_index("id")[["exhibitor_id", "visitor_id", "slot", "status"]]
    assert after.set_index("id").loc[stay.index, ["exhibitor_id", "visitor_id", "slot", "status"]].equals(stay)
    cancelled = after[after["id"].isin(victims)]
    assert (cancelled["status"] == "cancelled").all()
    new = after[~after["id"].isin(before["id"])]
    assert len(new) == summary.placed
    cancelled_pairs = set(zip(cancelled["exhibitor_id"], cancelled["visitor_id"]))
    assert not cancelled_pairs & set(zip(new["exhibitor_id"], new["visitor_id"]))
    people = repository.event_participants(scratch_engine, event.id)
    assert validate_schedule(after, people, event.grid) == []
    with pytest.raises(ev.EventError):
        ev.set_status(scratch_engine, event, 10**9, "held")


def test_rescheduling_fills_the_freed_exhibitor_slot_when_a_candidate_is_free_then(scratch_engine):
    import datetime as dt

    event = ev.current_event(scratch_engine)
    people = repository.event_participants(scratch_engine, event.id)
    _, candidates = ev.event_candidates(scratch_engine, event.id)
    before = repository.event_meetings(scratch_engine, event.id)
    live = before[before["status"] != "cancelled"]
    room = people.set_index("id")["max_meetings"] - live["visitor_id"].value_counts().reindex(people["id"]).fillna(0)
    masks = {int(p): event.grid.mask(a) for p, a in zip(people["id"], people["availability"])}
    busy = set(zip(live["visitor_id"], live["slot"]))
    pairs = set(zip(before["exhibitor_id"], before["visitor_id"]))
    holes = set(before.loc[before["status"] == "cancelled", "exhibitor_id"])

    def takers(e: int, slot: int) -> list[int]:
        """Candidate visitors of exhibitor e with room, available and free at `slot`, never paired with e."""
        mine = candidates[candidates["exhibitor_id"] == e]
        return [int(v) for v in mine["visitor_id"] if (e, v) not in pairs and room[v] > 0 and (v, slot) not in busy
                and masks[int(v)] >> slot & 1]

    def first_choice_elsewhere(e: int, slot: int) -> bool:
        """e is full and its best placeable candidate is busy at `slot`: placed first-come, it would go elsewhere."""
        mine = candidates[candidates["exhibitor_id"] == e].assign(tier=lambda f: f["origin"].map(
            {"mutual": 0, "request": 1, "recommendation": 2})).sort_values(["tier", "score"], ascending=[True, False])
        open_ = [int(v) for v in mine["visitor_id"] if (e, v) not in pairs and room[v] > 0]
        full = (live["exhibitor_id"] == e).sum() == people.set_index("id").loc[e, "max_meetings"]
        return bool(full and open_ and open_[0] not in takers(e, slot))

    victim = next(r for r in live[live["status"] == "scheduled"].itertuples()
                  if r.exhibitor_id not in holes and r.slot > 6 and len(takers(r.exhibitor_id, r.slot)) >= 2
                  and first_choice_elsewhere(r.exhibitor_id, r.slot))
    ev.set_status(scratch_engine, event, int(victim.id), "cancelled")
    ev.schedule_event(scratch_engine, event, keep_scheduled=True, now=dt.datetime.combine(event.starts_on, dt.time(7)))
    after = repository.event_meetings(scratch_engine, event.id)
    new = after[~after["id"].isin(before["id"])]
    filler = new[(new["exhibitor_id"] == victim.exhibitor_id) & (new["slot"] == victim.slot)]
    assert len(filler) == 1 and int(filler["visitor_id"].iloc[0]) in takers(victim.exhibitor_id, victim.slot)
    assert validate_schedule(after, people, event.grid) == []
    # During the fair, slots that have begun take no new meeting.
    during = dt.datetime.combine(event.starts_on, dt.time(11, 5))
    ev.set_status(scratch_engine, event, int(filler["id"].iloc[0]), "cancelled")
    ev.schedule_event(scratch_engine, event, keep_scheduled=True, now=during)
    latest = repository.event_meetings(scratch_engine, event.id)
    fresh = latest[~latest["id"].isin(after["id"])]
    assert (fresh["slot"] >= event.grid.first_open_slot(during)).all()


def test_a_meeting_is_marked_held_only_once_its_slot_has_ended(scratch_engine):
    import datetime as dt

    event = ev.current_event(scratch_engine)
    meeting = repository.event_meetings(scratch_engine, event.id).query("status == 'scheduled'").iloc[0]
    starts, ends = event.grid.starts_at(int(meeting["slot"])), event.grid.ends_at(int(meeting["slot"]))
    for now in (starts - dt.timedelta(days=30), starts, ends - dt.timedelta(minutes=1)):
        with pytest.raises(ev.EventError, match="ne peut pas être marqué tenu avant sa fin") as refused:
            ev.set_status(scratch_engine, event, int(meeting["id"]), "held", now=now)
        assert f"{starts:%d/%m/%Y}" in str(refused.value) and f"{ends:%H:%M}" in str(refused.value)
    statuses = repository.event_meetings(scratch_engine, event.id).set_index("id")["status"]
    assert statuses[int(meeting["id"])] == "scheduled"
    ev.set_status(scratch_engine, event, int(meeting["id"]), "cancelled", now=starts - dt.timedelta(days=30))
    ev.set_status(scratch_engine, event, int(meeting["id"]), "held", now=ends)
    statuses = repository.event_meetings(scratch_engine, event.id).set_index("id")["status"]
    assert statuses[int(meeting["id"])] == "held"
    # The default clock is the real one: the demo fair (March 2027) is ahead of it.
    if dt.datetime.now() < starts:
        with pytest.raises(ev.EventError, match="tenu"):
            ev.set_status(scratch_engine, event, int(meeting["id"]), "held")


def test_demo_statuses_agree_with_the_event_dates(scratch_engine):
    import datetime as dt

    from dashboard.demo.event import load_demo

    event = ev.current_event(scratch_engine)
    before = dt.datetime.combine(event.starts_on, dt.time(8)) - dt.timedelta(days=90)
    load_demo(scratch_engine, now=before)
    event = ev.current_event(scratch_engine)
    counts = repository.event_meeting_counts(scratch_engine, event.id)
    assert counts.get("held", 0) == 0 and counts.get("cancelled", 0) > 0  # ahead of the fair: none held
    during = dt.datetime.combine(event.starts_on, dt.time(10))  # one hour into day 1
    load_demo(scratch_engine, now=during)
    event = ev.current_event(scratch_engine)
    meetings = repository.event_meetings(scratch_engine, event.id)
    held = meetings[meetings["status"] == "held"]
    assert len(held) > 0
    ends = [event.grid.starts_at(s) + dt.timedelta(minutes=event.grid.slot_minutes) for s in held["slot"]]
    assert max(ends) <= during  # held only for slots already over


# --- Importer -------------------------------------------------------------------------------------

GOOD = """Réf;Rôle;Nom;SIRET;Commune;Stand;Propose;Cherche;Disponibilités;Max rendez-vous;Souhaite rencontrer
E1;exposant;Traitements de Metz;;57463;A01;traitement_thermique;;;10;V1
E2;exposant;Usinage Lorrain;;Nancy;A02;Tournage; Fraisage 3 axes;;;;
V1;visiteur;Mécanique du Toulois;;54528;;;traitement_thermique;J1AM;3;E1
V2;visiteur;Forges de Vosges;;88160;;;tournage;J2PM;2;E2;
"""
BAD_ROWS = """V3;visiteur;Sans commune;;Nullepart;;;tournage;;;
V4;artiste;Mauvais rôle;;57463;;;;;;
E3;exposant;Sans stand;;57463;;tournage;;;;
V5;visiteur;Mauvais savoir-faire;;57463;;;soudure sous-marine;;;
V6;visiteur;Mauvaise dispo;;57463;;;tournage;J9AM;;
V1;visiteur;Doublon;;57463;;;tournage;;;
V7;visiteur;Demande perdue;;57463;;;tournage;;;E99
"""


def write(tmp_path, text: str, name: str = "participants.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_event_loads_participants_and_is_idempotent(scratch_engine, tmp_path):
    path = write(tmp_path, GOOD)
    options = EventOptions(name="Salon test")
    outcome = import_event(scratch_engine, path, options, report_dir=tmp_path)
    assert outcome.exit_code == 0 and outcome.report.counts["participants"] == 4
    event = ev.current_event(scratch_engine)
    assert event.name == "Salon test" and not event.is_demo
    people = repository.event_participants(scratch_engine, event.id)
    assert dict(zip(people["name"], people["commune_name"]))["Usinage Lorrain"] == "Nancy"
    caps = repository.event_capabilities(scratch_engine, event.id)
    assert len(caps) == 5
    assert len(repository.event_requests(scratch_engine, event.id)) == 3
    summary = ev.schedule_event(scratch_engine, event)
    assert summary.placed == 2 and summary.placed_requested == 2
    import_event(scratch_engine, path, options)  # again: same state, meetings dropped until rescheduled
    event2 = ev.current_event(scratch_engine)
    assert len(repository.event_participants(scratch_engine, event2.id)) == 4
    assert len(repository.event_meetings(scratch_engine, event2.id)) == 0
    assert (repository.events_frame(scratch_engine)["name"] == "Salon test").sum() == 1


def test_participant_ids_come_from_the_database_and_keep_their_links(scratch_engine, tmp_path):
    from sqlalchemy import insert

    from dashboard import models as m

    import_event(scratch_engine, write(tmp_path, GOOD), EventOptions(name="Salon test"))
    event = ev.current_event(scratch_engine)
    people = repository.event_participants(scratch_engine, event.id).set_index("id")
    requests = repository.event_requests(scratch_engine, event.id)
    assert set(requests["requester_id"]) | set(requests["target_id"]) <= set(people.index)
    caps = repository.event_capabilities(scratch_engine, event.id)
    assert set(caps["participant_id"]) <= set(people.index)
    # A row inserted afterwards gets a fresh id: PostgreSQL's sequence was not left behind.
    with scratch_engine.begin() as conn:
        new_id = conn.execute(insert(m.Participant).values(
            event_id=event.id, role="visiteur", name="Arrivé plus tard", availability="",
            max_meetings=8)).inserted_primary_key[0]
    assert new_id not in people.index


def test_text_longer_than_its_column_is_cut_alike_on_every_backend(scratch_engine, tmp_path):
    # PostgreSQL refuses a VARCHAR(20) overflow where SQLite stores it: the repository cuts free text first.
    path = write(tmp_path, GOOD.replace(";A01;", ";Hall B, allée 3, stand 42;"))
    assert import_event(scratch_engine, path, EventOptions(name="Salon test")).exit_code == 0
    people = repository.event_participants(scratch_engine, ev.current_event(scratch_engine).id)
    assert dict(zip(people["name"], people["stand"]))["Traitements de Metz"] == "Hall B, allée 3, sta"


def test_import_event_rejects_rows_with_their_line_and_reason(scratch_engine, tmp_path):
    outcome = import_event(scratch_engine, write(tmp_path, GOOD + BAD_ROWS), EventOptions(name="Salon test"),
                           report_dir=tmp_path)
    assert outcome.exit_code == 1
    reasons = {(i.line, i.reason) for i in outcome.report.rejected}
    assert {(6, "unknown_commune"), (7, "bad_role"), (8, "missing_stand"), (9, "unknown_capability"),
            (10, "bad_availability"), (11, "duplicate_ref")} <= reasons
    assert (12, "unknown_request_target") in {(i.line, i.reason) for i in outcome.report.adjusted}
    assert outcome.report_file is not None and outcome.report_file.exists()
    assert outcome.report.counts["participants"] == 5  # 4 good rows + V7


def test_import_event_refuses_a_wrong_file_before_touching_the_database(scratch_engine, tmp_path):
    before = repository.events_frame(scratch_engine)
    with pytest.raises(FileFormatError, match="missing column"):
        import_event(scratch_engine, write(tmp_path, "SIRET;Raison sociale\n1;x\n"))
    with pytest.raises(FileFormatError, match="not found"):
        import_event(scratch_engine, tmp_path / "absent.csv")
    assert repository.events_frame(scratch_engine).equals(before)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_the_template_imports_as_is(scratch_engine, tmp_path, suffix):
    path = write_event_template(tmp_path / f"modele{suffix}")
    outcome = import_event(scratch_engine, path, EventOptions(name="Modèle"))
    assert outcome.exit_code == 0 and outcome.report.counts["participants"] == 2


# --- API ------------------------------------------------------------------------------------------

def test_api_meetings_lists_and_filters(client):
    body = client.get("/api/v1/event/meetings?limit=5").get_json()
    assert body["event"]["is_demo"] is True and "fictif" in body["event"]["notice"]
    assert body["total"] > 1000 and len(body["items"]) == 5
    item = body["items"][0]
    assert {"exhibitor_name", "visitor_name", "stand", "why", "score", "starts_at", "status"} <= set(item)
    # The demo fair is in the future: nothing held yet, a few cancellations on its first morning.
    assert client.get("/api/v1/event/meetings?status=held&limit=1").get_json()["total"] == 0
    cancelled = client.get("/api/v1/event/meetings?status=cancelled&day=1&limit=10000").get_json()
    assert cancelled["total"] > 0
    assert all(i["status"] == "cancelled" and i["day"] == "J1" for i in cancelled["items"])
    mine = client.get(f"/api/v1/event/meetings?participant={item['visitor_id']}").get_json()
    assert all(item["visitor_id"] in (i["visitor_id"], i["exhibitor_id"]) for i in mine["items"])


@pytest.mark.parametrize("query, parameter", [
    ("status=perdu", "status"), ("origin=x", "origin"), ("day=9", "day"), ("limit=0", "limit"),
    ("participant=abc", "participant"), ("couleur=bleu", "couleur"),
])
def test_api_meetings_400s_name_the_parameter(client, query, parameter):
    response = client.get(f"/api/v1/event/meetings?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == parameter


def test_api_agenda_and_its_errors(client, engine):
    event = ev.current_event(engine)
    people = repository.event_participants(engine, event.id)
    exhibitor = int(people[people["role"] == "exposant"]["id"].iloc[0])
    body = client.get(f"/api/v1/event/participants/{exhibitor}/agenda").get_json()
    assert body["participant"]["role"] == "exposant" and body["participant"]["stand"]
    assert body["items"] and all(i["stand"] == body["participant"]["stand"] for i in body["items"])
    assert [i["slot"] for i in body["items"]] == sorted(i["slot"] for i in body["items"])
    missing = client.get("/api/v1/event/participants/999999999/agenda")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "unknown_participant"
    bad = client.get("/api/v1/event/participants/abc/agenda")
    assert bad.status_code == 400 and bad.get_json()["error"]["parameter"] == "participant_id"
    assert client.get(f"/api/v1/event/participants/{exhibitor}/agenda?x=1").status_code == 400


def test_api_meetings_csv_for_the_event_platform(client_as):
    refused = client_as("member").get("/api/v1/event/meetings.csv")  # who meets whom: staff only
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    response = client_as("staff").get("/api/v1/event/meetings.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.data.decode("utf-8-sig")
    header = text.splitlines()[0].split(";")
    assert header[:4] == ["rdv_id", "date", "heure", "stand"] and "pourquoi" in header
    rows = [line.split(";") for line in text.splitlines()[1:]]
    origins = {r[header.index("origine")] for r in rows}
    statuses = {r[header.index("statut")] for r in rows}
    # Coded values are written as the French words the pages show, never as codes.
    assert origins and origins <= {"demande mutuelle", "demande", "recommandation"}, origins
    assert statuses and statuses <= {"planifié", "tenu", "annulé"}, statuses


# --- Pages (callbacks as functions) -----------------------------------------------------------------

def _ids(tree) -> set[str]:
    found = set()

    def walk(node):
        if isinstance(node, (list, tuple)):
            for child in node:
                walk(child)
            return
        if node is None or isinstance(node, (str, int, float)):
            return
        if getattr(node, "id", None):
            found.add(node.id)
        walk(getattr(node, "children", None))
    walk(tree)
    return found


def _text(tree) -> str:
    parts = []

    def walk(node):
        if isinstance(node, (list, tuple)):
            for child in node:
                walk(child)
        elif isinstance(node, (str, int, float)):
            parts.append(str(node))
        elif node is not None:
            walk(getattr(node, "children", None))
    walk(tree)
    return " ".join(parts)


def test_event_page_shows_the_wall_and_the_participant_picker(service):
    tree = page.render(service, {})
    assert {ids.EVENT_WALL, ids.EVENT_PARTICIPANT, ids.EVENT_WALL_TICK, ids.EVENT_RESCHEDULE} <= _ids(tree)
    text = _text(tree)
    assert "objectif 3\u00a0000" in text and "Par département du visiteur" in text
    link = page.agenda_link(42)
    assert link.href == "/evenement/agenda?participant=42"
    assert page.agenda_link(None) is None


def test_agenda_page_lists_a_participants_meetings(service, engine):
    event = ev.current_event(engine)
    meetings = repository.event_meetings(engine, event.id)
    visitor = int(meetings["visitor_id"].iloc[0])
    tree = page.render_agenda(service, {"participant": [str(visitor)]})
    text = _text(tree)
    mine = meetings[(meetings["visitor_id"] == visitor) & (meetings["status"] != "cancelled")]
    assert ids.EVENT_AGENDA in _ids(tree)
    assert f"{len(mine)} rendez-vous" in text and ("Jour 1" in text or "Jour 2" in text)
    assert "Stand " in text and "km" in text
    exhibitor = int(meetings["exhibitor_id"].iloc[0])
    view = page.agenda_view(service, event, exhibitor)
    assert view.qr_data_uri.startswith("data:image/svg+xml") and "?etab=" in view.card_url
    assert "Choisissez" in _text(page.render_agenda(service, {}))
    assert "inconnu" in _text(page.render_agenda(service, {"participant": ["999999999"]}))


def test_agenda_header_does_not_count_cancelled_meetings():
    from layouts.event import AgendaView, agenda_page

    def row(n: int, status: str) -> dict:
        return {"id": n, "time": f"09:{20 * n:02d}", "with_name": f"Société {n}", "with_commune": "Metz",
                "stand": "A01", "why": "cherche : tournage", "score": 50.0, "origin": "request", "status": status,
                "status_label": {"scheduled": "planifié", "held": "tenu", "cancelled": "annulé"}[status]}

    def header(statuses: list[str]) -> str:
        view = AgendaView(event_name="Salon", venue="Metz", is_demo=False,
                          person={"name": "Visiteur", "role": "visiteur", "commune_name": "Metz"},
                          days=[("Jour 1", [row(n, s) for n, s in enumerate(statuses)])], qr_data_uri=None,
                          card_url=None)
        tree = agenda_page(view)
        return _text(next(n for n in _nodes(tree) if getattr(n, "className", "") == "ag-meta"))

    assert "2 rendez-vous" in header(["scheduled", "cancelled", "held"])
    assert "1 annulé" in header(["scheduled", "cancelled", "held"])
    assert "0 rendez-vous" in header(["cancelled", "cancelled"]) and "2 annulés" in header(["cancelled", "cancelled"])
    assert "annulé" not in header(["scheduled", "scheduled"]) and "2 rendez-vous" in header(["scheduled", "scheduled"])


def test_admin_actions_answer_in_french_and_only_to_staff(service):
    from dashboard.policy import ANONYMOUS, Role, Viewer

    staff = Viewer(Role.STAFF, None, "staff@tests")
    assert ev.admin_action(service, "held", None, staff) == "Indiquez le n° du rendez-vous."
    assert "introuvable" in ev.admin_action(service, "cancelled", 10**9, staff)
    assert "nombre entier" in ev.admin_action(service, "cancelled", "douze", staff)
    for viewer in (ANONYMOUS, Viewer(Role.MEMBER, 5, "member@tests")):
        assert "équipe UIMM" in ev.admin_action(service, "held", 1, viewer)
    # The callback, outside any sign-in, is the public's: refused.
    assert "équipe UIMM" in page.admin_action(service, ids.EVENT_MARK_HELD, 1)


def test_kiosk_has_one_slide_per_department_and_reads_the_duration(service):
    view = page.kiosk_view(service, {"duree": ["12"]})
    keys = [k for k, _, _ in view.slides]
    # four department slides plus 5 to 8 others: at most 12 (the stylesheet's show-<n> rules)
    assert 9 <= len(view.slides) <= 12 and view.seconds == 12
    assert {"territoire", "carte-54", "carte-55", "carte-57", "carte-88", "savoir-faire", "rendez-vous"} <= set(keys)
    assert view.config == {"n": len(keys)}
    assert slide_seconds({"duree": ["abc"]}) == 8 and slide_seconds({"duree": ["0"]}) == 1
    assert slide_seconds({"duree": ["1000"]}) == 120
    tree = page.render_kiosk(service, {})
    assert {ids.KIOSK_DECK, ids.KIOSK_TICK, ids.KIOSK_PAUSE, ids.KIOSK_COUNTER} <= _ids(tree)
    assert {f"{ids.KIOSK_MAP}-{code}" for code in ("54", "55", "57", "88")} <= _ids(tree)
    assert "rendez-vous d'affaires" in _text(page.live_counter(service))


def test_kiosk_department_slides_are_framed_to_their_own_sites(service):
    data = ev.kiosk_data(service, base_url="http://localhost")
    est = service.snapshot().establishments
    assert [d["code"] for d in data.departments] == ["54", "55", "57", "88"]
    for d in data.departments:
        mine = est[est["department_code"] == d["code"]].dropna(subset=["lat", "lon"])
        assert len(d["points"]) == len(mine) > 0
        (south, west), (north, east) = d["bounds"]
        assert south < north and west < east and (north - south) < 1.5  # one department, not Lorraine
        lats, lons = [p[0] for p in d["points"]], [p[1] for p in d["points"]]
        assert south - 0.01 <= min(lats) and max(lats) <= north + 0.01
        assert west - 0.01 <= min(lons) and max(lons) <= east + 0.01


def test_kiosk_tensions_are_the_industrial_trades_of_the_skills_page(service):
    from dashboard.analytics import skills as sk
    from dashboard.services import skills as skills_service

    data = ev.kiosk_data(service, base_url="http://localhost")
    skills = skills_service.skills_data(service)
    industrial = set(skills.trades.loc[skills.trades["is_industrial"], "label"])
    assert data.tensions and data.tensions_year == skills.years[-1]
    assert {label for label, _ in data.tensions} <= industrial
    assert not any("Autres métiers" in label for label, _ in data.tensions)
    needs = sk.filter_needs(skills.needs, skills.trades, skills.areas, industrial_only=True, year=skills.years[-1])
    expected = sk.critical_trades(needs, skills.trades).head(len(data.tensions))
    assert [label for label, _ in data.tensions] == list(expected["label"])
    assert all(0 <= rate <= 100 for _, rate in data.tensions)


def _nodes(node):
    if isinstance(node, (list, tuple)):
        for child in node:
            yield from _nodes(child)
    elif node is not None and not isinstance(node, (str, int, float)):
        yield node
        yield from _nodes(getattr(node, "children", None))


def _fill_widths(tree) -> list[float]:
    return [float(n.style["width"].rstrip("%")) for n in _nodes(tree) if getattr(n, "className", None) == "kb-fill"]


def test_kiosk_rate_bars_run_from_0_to_100_percent(service):
    data = ev.kiosk_data(service, base_url="http://localhost")
    slides = {k: body for k, _, body in page.kiosk_view(service, {}).slides}
    for key, rows in (("deserts", data.deserts), ("competences", data.tensions)):
        assert rows, key
        assert _fill_widths(slides[key]) == [float(rate) for _, rate in rows]  # 73 % fills 73 % of the bar
    counts = _fill_widths(slides["savoir-faire"])  # counts, not rates: scaled to the largest
    assert max(counts) == 100.0


# --- CLI ------------------------------------------------------------------------------------------

def test_cli_template_import_and_schedule(tmp_path, new_database, demo_database, monkeypatch, capsys):
    from dashboard.cli import main

    new_database(demo_database).point_cli_here(monkeypatch)
    template = tmp_path / "modele.csv"
    assert main(["template", "event", str(template)]) == 0
    assert main(["template", "event", str(template)]) == 2  # exists: --force needed
    participants = write(tmp_path, GOOD, "p.csv")
    assert main(["import", "event", str(participants), "--name", "Salon CLI", "--date", "2027-05-04"]) == 0
    assert main(["event", "schedule"]) == 0
    out = capsys.readouterr().out
    assert "Salon CLI: 2 meetings scheduled" in out and "validated" in out
    assert main(["import", "event", str(participants), "--slot", "0"]) == 2
    assert main(["import", "event", str(tmp_path / "absent.csv")]) == 2
