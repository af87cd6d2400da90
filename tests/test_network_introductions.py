"""Introductions from everywhere and their timeline: the /api/v1/introductions endpoints per role (table-driven),
requests from a need, an offer, a partner search result and an event meeting (checked sides, no duplicate open
one), the state machine through the page's callbacks called as functions (next steps only, the order value band),
the offer form's callbacks, and contacts that never leak before both sides accepted."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from auth_support import ORIGIN, ensure_account, signed_in_client

from dashboard import accounts, ids, repository
from dashboard.analytics import network as rules
from dashboard.policy import ANONYMOUS, Role, Viewer
from dashboard.services import network as nw
from dashboard.sessions import current_viewer

SITE = "DEMO-0000001"  # the tests' member account's establishment
OTHER = "DEMO-0000005"  # another establishment, no account of the tests
ADMIN = Viewer(Role.ADMIN, None, "cli:tests")
UNTIL = (dt.date.today() + dt.timedelta(days=40)).isoformat()


def _service(app):
    return app.server.extensions["tissu"]


def _member(app) -> Viewer:
    engine = _service(app).engine
    return accounts.viewer_of(repository.account_by_email(engine, ensure_account(engine, "member")))


def _second_member(app, site: str = OTHER, email: str = "autre@tests.tissu.example"):
    """Another member account (for `site`), signed in: (viewer, client)."""
    engine = _service(app).engine
    if repository.account_by_email(engine, email) is None:
        accounts.create_account(engine, ADMIN, email=email, display_name="Autre adhérent", role="member",
                                sirets=(site,), password="mot de passe de l'autre 1")
    client = app.server.test_client()
    signed = client.post("/connexion", data={"email": email, "mot_de_passe": "mot de passe de l'autre 1",
                                             "suivant": "/"}, headers=ORIGIN)
    assert signed.status_code == 303
    return accounts.viewer_of(repository.account_by_email(engine, email)), client


def _text(component) -> str:
    """A component tree as JSON text (accents kept), to look for words in it."""
    return json.dumps(component.to_plotly_json(), default=lambda c: c.to_plotly_json(), ensure_ascii=False)


def _cookie(client) -> str:
    cookie = client.get_cookie("tissu_session")
    return f"tissu_session={cookie.value}" if cookie else ""


# --- The API, role by endpoint ---------------------------------------------------------------------------

ROLES = ("anonymous", "member", "staff", "admin")


@pytest.mark.parametrize("role", ROLES)
def test_introductions_api_by_role(private_app, role):
    """GET lists the viewer's own (staff: all, the public: 401); POST and PATCH need a session (or a token)."""
    client = signed_in_client(private_app, role)
    engine = _service(private_app).engine
    everything = repository.introductions_frame(engine)
    listed = client.get("/api/v1/introductions")
    body = {"requester": SITE, "target": OTHER, "origin": "partners"}
    posted = client.post("/api/v1/introductions", json=body, headers=ORIGIN)
    if role == "anonymous":
        assert listed.status_code == 401 and listed.get_json()["error"]["code"] == "unauthorized"
        assert posted.status_code == 401
        moved = client.patch("/api/v1/introductions/1", json={"status": "acceptee"}, headers=ORIGIN)
        assert moved.status_code == 401
        assert client.get("/api/v1/introductions/1").status_code == 401
        return
    items = listed.get_json()["items"]
    if role == "member":
        assert {i["id"] for i in items} == {int(r["id"]) for r in everything.to_dict("records")
                                            if SITE in (r["requester_siret"], r["target_siret"])}
        assert posted.status_code == 201, posted.get_json()
        new_id = posted.get_json()["id"]
        mine = client.get(f"/api/v1/introductions/{new_id}").get_json()
        assert mine["status"] == "demandee" and mine["contacts"] is None and mine["allowed"] == ["sans_suite"]
        assert "by" not in mine["timeline"][0]  # who made a step is an e-mail: not before the contacts
        refused = client.patch(f"/api/v1/introductions/{new_id}", json={"status": "acceptee"}, headers=ORIGIN)
        assert refused.status_code == 403  # only the asked side accepts
    else:
        assert len(items) == len(everything)  # staff follow every introduction
        assert posted.status_code == 201  # staff ask on a member's behalf
        target = next(r for r in everything.to_dict("records") if r["status"] == "demandee")
        moved = client.patch(f"/api/v1/introductions/{int(target['id'])}", json={"status": "acceptee"},
                             headers=ORIGIN)
        assert moved.status_code == 200 and moved.get_json()["status"] == "acceptee"
    assert client.get("/api/v1/introductions/99999999").status_code == 404
    assert client.get("/api/v1/introductions?status=perdu").status_code == 400


def test_introduction_writes_are_validated_and_save_nothing_on_error(private_app):
    client = signed_in_client(private_app, "member")
    engine = _service(private_app).engine
    need_id = int(repository.needs_frame(engine)["id"].iloc[0])
    before = len(repository.introductions_frame(engine)), repository.audit_count(engine)
    cases = [
        ({"target": OTHER, "origin": "partners", "couleur": "bleu"}, "couleur"),
        ({"target": OTHER, "origin": "salon"}, "origin"),
        ({"target": OTHER, "origin": "need"}, "need_id"),  # a need's introduction names its need
        ({"target": OTHER, "origin": "need", "need_id": "3"}, "need_id"),
        ({"target": OTHER, "origin": "partners", "need_id": need_id}, "need_id"),  # not for a partner search
        ({"target": OTHER, "origin": "offer", "offer_id": 99999}, "offer_id"),
        ({"target": OTHER, "origin": "meeting", "meeting_id": 99999}, "meeting_id"),
        ({"target": "DEMO-9999999", "origin": "partners"}, "target"),
        ({"target": SITE, "origin": "partners"}, "target"),  # itself
        ({"target": OTHER, "origin": "partners", "message": "x" * 2000}, "message"),
        ({"target": OTHER, "origin": "partners", "requester": OTHER}, None),  # someone else's site: 403
    ]
    for body, field in cases:
        response = client.post("/api/v1/introductions", json=body, headers=ORIGIN)
        assert response.status_code == (403 if field is None else 400), (body, response.get_json())
        error = response.get_json()["error"]
        assert error["message"] and error.get("parameter") == field, (body, error)
    assert client.post("/api/v1/introductions", json={"target": OTHER, "origin": "partners"}).status_code == 403
    assert (len(repository.introductions_frame(engine)), repository.audit_count(engine)) == before
    first = client.post("/api/v1/introductions", json={"target": OTHER, "origin": "partners"}, headers=ORIGIN)
    assert first.status_code == 201
    again = client.post("/api/v1/introductions", json={"target": OTHER, "origin": "partners"}, headers=ORIGIN)
    assert again.status_code == 400 and "déjà en cours" in again.get_json()["error"]["message"]
    other_way, _ = _second_member(private_app)
    with pytest.raises(nw.NetworkInputError, match="déjà en cours"):  # the same pair, asked from the other side
        nw.request_introduction(_service(private_app), other_way, requester=OTHER, target=SITE, origin="partners")
    bad_moves = [({"status": "commande"}, "status"), ({"status": "sans_suite"}, "status"),
                 ({"status": "sans_suite", "reason": "humeur"}, "status"), ({"etat": "x"}, "etat"), ({}, "status")]
    staff = signed_in_client(private_app, "staff")
    for body, field in bad_moves:
        response = staff.patch(f"/api/v1/introductions/{first.get_json()['id']}", json=body, headers=ORIGIN)
        assert response.status_code == 400 and response.get_json()["error"]["parameter"] == field, body


def test_openapi_documents_the_introductions(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert {"get", "post"} <= set(doc["paths"]["/api/v1/introductions"])
    assert {"get", "patch"} <= set(doc["paths"]["/api/v1/introductions/{introduction_id}"])
    assert set(doc["components"]["schemas"]["IntroductionMove"]["properties"]["value_band"]["enum"]) == set(
        rules.VALUE_BANDS)


# --- Requests from an offer, a partner search result and an event meeting ------------------------------

def test_an_introduction_from_an_offer_names_the_offer_and_one_side_owns_it(private_app):
    service, member = _service(private_app), _member(private_app)
    other, _ = _second_member(private_app)
    offer_id = nw.create_offer(service, other, {"site": OTHER, "kind": "byproduct", "title": "Chutes d'alu",
                                                "material": "Aluminium 5083", "available_until": UNTIL})
    intro = nw.request_introduction(service, member, requester=SITE, target=OTHER, origin="offer", offer_id=offer_id)
    view = next(v for v in nw.introductions(service, member) if v.id == intro)
    assert (view.origin_label, view.about, view.offer_id) == ("Offre", "Chutes d'alu", offer_id)
    third = "DEMO-0000009"
    with pytest.raises(nw.NetworkInputError, match="Offre introuvable"):  # the offer is neither side's
        nw.request_introduction(service, member, requester=SITE, target=third, origin="offer", offer_id=offer_id)


def test_partner_search_results_offer_an_introduction_to_members(private_app):
    from callbacks.introductions import ask_from_partners
    from callbacks.partners import partner_results
    from dashboard.analytics.partner_query import PartnerQuery

    service = _service(private_app)
    query = PartnerQuery(site=SITE, radius_km=60)
    for role, shown in (("anonymous", False), ("member", True), ("staff", False)):
        client = signed_in_client(private_app, role)
        with private_app.server.test_request_context(headers={"Cookie": _cookie(client)}):
            items = json.dumps(partner_results(service, query)[1], default=lambda c: c.to_plotly_json())
        assert ("Demander une mise en relation" in items) is shown, role
    member = signed_in_client(private_app, "member")
    with private_app.server.test_request_context(headers={"Cookie": _cookie(member)}):
        target = partner_results(service, query)[1][0].to_plotly_json()["props"]["data-id"]
        sent = ask_from_partners(service, {"type": ids.PARTNER_ASK, "to": target}, [1], "site", SITE, None)
        again = ask_from_partners(service, {"type": ids.PARTNER_ASK, "to": target}, [2], "site", SITE, None)
        # From a commune, the member says which of their sites asks.
        unnamed = ask_from_partners(service, {"type": ids.PARTNER_ASK, "to": OTHER}, [1], "commune", None, None)
    assert "envoyée" in _text(sent) and "déjà en cours" in _text(again)
    assert "Choisissez l'établissement" in _text(unnamed)
    asked = repository.introductions_frame(service.engine, sirets=[SITE])
    assert ((asked["origin"] == "partners") & (asked["target_siret"] == target)).sum() == 1


def test_a_member_asks_for_an_introduction_from_an_event_meeting(private_app):
    from callbacks.event import render_agenda
    from callbacks.introductions import ask_from_meeting
    from dashboard.services.event import current_event

    service = _service(private_app)
    event = current_event(service.engine)
    assert event is not None  # the tests' demo has an event
    meetings = repository.event_meetings(service.engine, event.id)
    sides = repository.meeting_sides(service.engine, meetings["id"].tolist())
    meeting_id, (mine, theirs) = next((i, pair) for i, pair in sorted(sides.items())
                                      if len(set(pair)) == 2 and SITE not in pair)
    viewer, client = _second_member(private_app, site=mine, email="exposant@tests.tissu.example")
    participants = repository.event_participants(service.engine, event.id)
    stranger = signed_in_client(private_app, "member")  # DEMO-0000001, not a side of this meeting
    with private_app.server.test_request_context(headers={"Cookie": _cookie(stranger)}):
        refused = ask_from_meeting(service, {"type": ids.EVENT_ASK, "meeting": meeting_id}, [1])
    assert "n'est pas l'un des vôtres" in _text(refused)
    with private_app.server.test_request_context(headers={"Cookie": _cookie(client)}):
        person = participants[participants["siret"] == mine]["id"].iloc[0]
        page = json.dumps(render_agenda(service, {"participant": [str(person)]}).to_plotly_json(),
                          default=lambda c: c.to_plotly_json())
        assert ids.EVENT_ASK in page  # the button shows on the member's own meetings
        sent = ask_from_meeting(service, {"type": ids.EVENT_ASK, "meeting": meeting_id}, [1])
    assert "envoyée" in _text(sent)
    view = next(v for v in nw.introductions(service, viewer) if v.meeting_id == meeting_id)
    assert (view.origin, view.requester_id, view.target_id) == ("meeting", mine, theirs)
    assert view.about.startswith("rendez-vous du ")


# --- The timeline through the page's callbacks ----------------------------------------------------------

def test_the_timeline_moves_one_step_at_a_time_through_the_callbacks_with_the_value_band(private_app):
    from callbacks.network import move

    service = _service(private_app)
    other, other_client = _second_member(private_app)
    intro = nw.request_introduction(service, _member(private_app), requester=SITE, target=OTHER, origin="partners")
    member = signed_in_client(private_app, "member")

    def click(client, status: str, *, reason=None, band=None) -> str:
        with private_app.server.test_request_context(headers={"Cookie": _cookie(client)}):
            out = move(service, {"type": ids.NET_INTRO_MOVE, "intro": intro, "status": status}, [1],
                       {intro: reason}, {intro: band})
        return json.dumps([o.to_plotly_json() if hasattr(o, "to_plotly_json") else None for o in out],
                          default=lambda c: c.to_plotly_json(), ensure_ascii=False)

    def card(client) -> tuple[str, list[str]]:
        with private_app.server.test_request_context(headers={"Cookie": _cookie(client)}):
            view = next(v for v in nw.introductions(service, current_viewer()) if v.id == intro)
        return view.status, view.allowed

    assert card(member) == ("demandee", ["sans_suite"])  # the requester may only withdraw
    assert card(other_client) == ("demandee", ["acceptee", "sans_suite"])
    assert "Seul l'établissement sollicité" in click(member, "acceptee")
    assert "Impossible de passer" in click(other_client, "devis")  # no skipping
    assert "acceptée" in click(other_client, "acceptee")
    for status in ("echanges", "devis"):
        click(member, status)
    assert card(member) == ("devis", ["commande", "sans_suite"])
    assert "commande passée" in click(other_client, "commande", band="10-50k")
    view = next(v for v in nw.introductions(service, other) if v.id == intro)
    assert view.value_band == "10-50k" and view.allowed == []
    assert [s["status"] for s in view.timeline] == list(rules.PROGRESSION)
    assert view.timeline[-1]["value_band_label"] == rules.VALUE_BANDS["10-50k"]
    assert "close" in click(member, "sans_suite", reason="prix")  # final: nothing moves it any more
    assert card(member)[0] == "commande"


def test_the_card_shows_the_next_steps_only_and_the_band_at_the_order(private_app):
    from layouts.network import intro_card

    service, member = _service(private_app), _member(private_app)
    intro = nw.request_introduction(service, member, requester=SITE, target=OTHER, origin="partners")
    staff = Viewer(Role.STAFF, None, "s")
    for status in ("acceptee", "echanges", "devis"):
        nw.move_introduction(service, staff, intro, status)
    view = next(v for v in nw.introductions(service, member) if v.id == intro)
    tree = json.dumps(intro_card(view).to_plotly_json(), default=lambda c: c.to_plotly_json(), ensure_ascii=False)
    buttons = {b["status"] for b in _ids(json.loads(tree), ids.NET_INTRO_MOVE)}
    assert buttons == {"commande", "sans_suite"}
    assert _ids(json.loads(tree), ids.NET_INTRO_BAND) and "moins de 10 k€" in tree
    assert "Accepter" not in tree and "Devis envoyé" not in tree


def _ids(tree, kind: str) -> list[dict]:
    found = []
    if isinstance(tree, list):
        for item in tree:
            found += _ids(item, kind)
    elif isinstance(tree, dict):
        props = tree.get("props", {})
        if isinstance(props.get("id"), dict) and props["id"].get("type") == kind:
            found.append(props["id"])
        found += _ids(props.get("children"), kind)
    return found


# --- The offer form ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_the_offer_form_posts_for_own_sites_or_says_why_not(private_app, role):
    from callbacks.network_offers import post_offer

    service = _service(private_app)
    client = signed_in_client(private_app, role)
    capability = str(service.snapshot().capability_links["capability_code"].iloc[0])
    site = SITE if role == "member" else OTHER  # staff post on a member's behalf
    good = ("capacity", site, "Centre d'usinage libre", capability, None, "35 h par semaine", None, UNTIL, "")
    bad = [(("capacity", site, "", capability, None, "", None, UNTIL, ""), "Titre"),
           (("capacity", site, "Libre", None, None, "", None, UNTIL, ""), "savoir-faire"),
           (("byproduct", site, "Chutes", None, "", "", None, UNTIL, ""), "Matière"),
           (("capacity", site, "Libre", capability, None, "", None, "2020-01-01", ""), "la date est passée"),
           (("capacity", site, "Libre", capability, None, "", UNTIL, dt.date.today().isoformat(), ""),
            "commence après sa fin"),
           (("capacity", site, "Libre", capability, None, "x" * 300, None, UNTIL, ""), "Quantité")]
    engine = service.engine
    before = len(repository.offers_frame(engine)), repository.audit_count(engine)
    with private_app.server.test_request_context(headers={"Cookie": _cookie(client)}):
        answers = [json.dumps(post_offer(service, *values)[0].to_plotly_json(), ensure_ascii=False)
                   for values, _ in bad]
        if role == "anonymous":
            assert all("Connectez-vous" in a for a in answers)
        else:
            assert all(words in a for a, (_, words) in zip(answers, bad)), answers
        assert (len(repository.offers_frame(engine)), repository.audit_count(engine)) == before
        answer = json.dumps(post_offer(service, *good)[0].to_plotly_json(), ensure_ascii=False)
        if role == "member":
            someone_else = json.dumps(post_offer(service, good[0], OTHER, *good[2:])[0].to_plotly_json(),
                                      ensure_ascii=False)
            assert "votre compte" in someone_else
    assert ("publiée" in answer) is (role != "anonymous"), answer
    assert len(repository.offers_frame(engine)) == before[0] + (role != "anonymous")


def test_own_offers_are_changed_and_closed_and_show_the_needs_they_serve(private_app):
    from callbacks.network_offers import change_offer, offer_needs

    service, member = _service(private_app), _member(private_app)
    other, other_client = _second_member(private_app)
    capability = str(service.snapshot().capability_links["capability_code"].iloc[0])
    need_id = nw.create_need(service, other, {"site": OTHER, "title": "Besoin servi (test)",
                                              "capabilities": [capability], "radius_km": 300, "deadline": UNTIL})
    offer_id = nw.create_offer(service, member, {"site": SITE, "kind": "capacity", "title": "Capacité (test)",
                                                 "capability": capability, "available_until": UNTIL})
    client = signed_in_client(private_app, "member")
    later = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    with private_app.server.test_request_context(headers={"Cookie": _cookie(client)}):
        saved = change_offer(service, {"type": ids.NET_OFFER_SAVE, "offer": offer_id}, [1],
                             {offer_id: "20 h par semaine"}, {offer_id: later})
        served = offer_needs(service, {"type": ids.NET_OFFER_MATCH, "offer": offer_id}, [1])
    row = repository.offer_by_id(service.engine, offer_id)
    assert "enregistrée" in _text(saved[0])
    assert row["quantity"] == "20 h par semaine" and row["available_until"].isoformat() == later
    expected = {n["id"] for n in nw.needs_for_offer(service, nw.offer(service, offer_id, member), member)}
    shown = json.dumps(served.to_plotly_json(), default=lambda c: c.to_plotly_json(), ensure_ascii=False)
    assert need_id in expected and all(nw.need(service, i, member)["title"] in shown for i in expected)
    with private_app.server.test_request_context(headers={"Cookie": _cookie(other_client)}):
        refused = change_offer(service, {"type": ids.NET_OFFER_CLOSE, "offer": offer_id}, [1], {}, {})
    assert "parmi les vôtres" in _text(refused[0])
    with private_app.server.test_request_context(headers={"Cookie": _cookie(client)}):
        change_offer(service, {"type": ids.NET_OFFER_CLOSE, "offer": offer_id}, [1], {}, {})
    assert repository.offer_by_id(service.engine, offer_id)["status"] == "closed"


# --- The map ------------------------------------------------------------------------------------------------

def test_the_map_shows_names_to_members_and_communes_to_the_public(private_app):
    from layouts.network_map import need_focus, posts_geojson

    service = _service(private_app)
    member = _member(private_app)
    public = posts_geojson(nw.listed_needs(service, ANONYMOUS), [])
    names = {n["buyer_name"] for n in nw.listed_needs(service, member)}
    tips = " ".join(f["properties"]["tip"] for f in public["features"])
    assert public["features"] and not any(name in tips for name in names)
    assert all("id" not in f["properties"] and "besoin" in f["properties"]["tip"] for f in public["features"])
    members = posts_geojson(nw.listed_needs(service, member), nw.listed_offers(service, member))
    kinds = {f["properties"]["kind"] for f in members["features"]}
    assert kinds == {"need", "offer"} and any(name in json.dumps(members, ensure_ascii=False) for name in names)
    item = nw.listed_needs(service, member)[0]
    layers, viewport = need_focus(item, nw.need_matches(service, item, member), [])
    (south, west), (north, east) = viewport["bounds"]
    assert south < item["lat"] < north and west < item["lon"] < east
    assert (north - south) * 111.2 == pytest.approx(2 * item["radius_km"], rel=1e-6)  # the radius, framed
    assert layers[0].radius == item["radius_km"] * 1000


# --- Editing and closing a need on the page -------------------------------------------------------------------

def _own_need(service, viewer: Viewer, site: str = SITE, title: str = "Besoin à modifier (test)") -> int:
    capability = str(service.snapshot().capability_links["capability_code"].iloc[0])
    return nw.create_need(service, viewer, {"site": site, "title": title, "capabilities": [capability],
                                            "radius_km": 60, "deadline": UNTIL, "quantity": "300 pièces"})


def test_only_the_buyer_and_staff_get_modifier_and_clore(private_app):
    from layouts.network_needs import needs_list

    service, member = _service(private_app), _member(private_app)
    other, _ = _second_member(private_app)
    need_id = _own_need(service, member)
    staff = Viewer(Role.STAFF, None, "staff@tests")

    def buttons(viewer: Viewer, kind: str) -> set[int]:
        tree = json.loads(_text(needs_list(nw.listed_needs(service, viewer), can_match=True)))
        return {i["need"] for i in _ids(tree, kind)}
    for kind in (ids.NET_NEED_EDIT, ids.NET_NEED_CLOSE):
        assert need_id in buttons(member, kind) and need_id in buttons(staff, kind)
        assert need_id not in buttons(other, kind)
        assert buttons(other, kind) <= {n["id"] for n in nw.listed_needs(service, other) if n["buyer_id"] == OTHER}
    assert not buttons(ANONYMOUS, ids.NET_NEED_EDIT)


def test_the_edit_form_is_prefilled_validated_and_saved_in_one_audited_change(private_app):
    from callbacks.network_needs import close_need, edit_need, save_need

    service, member = _service(private_app), _member(private_app)
    other, other_client = _second_member(private_app)
    need_id = _own_need(service, member)
    item = nw.need(service, need_id, member)
    client = signed_in_client(private_app, "member")
    engine = service.engine
    fields = [item["title"], item["capabilities"], [], [], item["quantity"], 60, UNTIL, "members", ""]
    with private_app.server.test_request_context(headers={"Cookie": _cookie(client)}):
        form, _ = edit_need(service, {"type": ids.NET_NEED_EDIT, "need": need_id}, [1])
        before = repository.need_by_id(engine, need_id), repository.audit_count(engine)
        bad = [(dict(enumerate(fields)) | {5: 900}, "Rayon"), (dict(enumerate(fields)) | {1: []}, "savoir-faire"),
               (dict(enumerate(fields)) | {6: "2020-01-01"}, "la date est passée"),
               (dict(enumerate(fields)) | {0: ""}, "Titre")]
        answers = [_text(save_need(service, {"type": ids.NET_NEED_SAVE, "need": need_id}, [1],
                                   *[values[i] for i in range(len(fields))])[0]) for values, _ in bad]
        assert (repository.need_by_id(engine, need_id), repository.audit_count(engine)) == before  # nothing saved
        changed = fields.copy()
        changed[0], changed[4], changed[5] = "Carters usinés (modifié)", "600 pièces", 90
        saved = save_need(service, {"type": ids.NET_NEED_SAVE, "need": need_id}, [1], *changed)
    shown = _text(form)
    assert "Besoin à modifier (test)" in shown and "300 pièces" in shown and item["capabilities"][0] in shown
    assert all(words in a for a, (_, words) in zip(answers, bad)), answers
    row = repository.need_by_id(engine, need_id)
    assert (row["title"], row["quantity"], row["radius_km"]) == ("Carters usinés (modifié)", "600 pièces", 90.0)
    assert repository.audit_count(engine) == before[1] + 1
    assert "modifié" in _text(saved[0]) and "net-card-selected" in _text(saved[1]) and saved[2] is None
    with private_app.server.test_request_context(headers={"Cookie": _cookie(other_client)}):
        refused_form = edit_need(service, {"type": ids.NET_NEED_EDIT, "need": need_id}, [1])
        refused = close_need(service, {"type": ids.NET_NEED_CLOSE, "need": need_id}, [1])
    assert refused_form[0] is None and "Seuls l'acheteur" in _text(refused_form[1])
    assert "parmi les vôtres" in _text(refused[0]) and repository.need_by_id(engine, need_id)["status"] == "open"
    with private_app.server.test_request_context(headers={"Cookie": _cookie(client)}):
        closed = close_need(service, {"type": ids.NET_NEED_CLOSE, "need": need_id}, [1])
    assert repository.need_by_id(engine, need_id)["status"] == "closed" and "clos" in _text(closed[0])
    assert f"net-need-{need_id}" not in _text(closed[1])  # it left the list
    assert need_id not in {n["id"] for n in nw.listed_needs(service, other)}


def _close_callback(client, need_id: int):
    """The page's confirmed "Clore" callback, as the browser sends it."""
    callback_map = client.application.extensions["tissu_dash"].callback_map
    key = next(k for k in callback_map if ids.NET_NEED_CLOSE in json.dumps(callback_map[k].get("inputs", [])))
    declared = [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1].split("@")[0]}
                for part in key.strip(".").split("...")]
    pattern = {"need": need_id, "type": ids.NET_NEED_CLOSE}
    body = {"output": key, "outputs": declared,
            "inputs": [[{"id": pattern, "property": "submit_n_clicks", "value": 1}]], "state": [],
            "changedPropIds": [json.dumps(pattern, separators=(",", ":")) + ".submit_n_clicks"]}
    response = client.post("/_dash-update-component", json=body, headers=ORIGIN)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.dumps(response.get_json()["response"], ensure_ascii=False)


@pytest.mark.parametrize("role", ROLES)
def test_closing_a_need_over_http_by_role(private_app, role):
    service, member = _service(private_app), _member(private_app)
    need_id = _own_need(service, member, title=f"Besoin à clore ({role})")
    answer = _close_callback(signed_in_client(private_app, role), need_id)
    closed = repository.need_by_id(service.engine, need_id)["status"] == "closed"
    assert closed is (role != "anonymous"), answer  # the buyer's member, staff and admin; never the public
    assert ("clos" in answer) is closed
    if role == "anonymous":
        assert "Connectez-vous" in answer
    _, other_client = _second_member(private_app)
    if closed:
        return
    refused = _close_callback(other_client, need_id)  # another member: refused by the service, not only hidden
    assert "parmi les vôtres" in refused and repository.need_by_id(service.engine, need_id)["status"] == "open"
