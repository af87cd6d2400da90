"""Circles over HTTP and Dash: GET /api/v1/circles and /circles/{id} per role (400/404 JSON), the OpenAPI
document, both pages per role, the callbacks called as functions (join, decide, register, plan, create,
export) with the viewer of the request, and the staff-only export."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json

import pandas as pd
import pytest
from auth_support import ORIGIN
from flask import g

from callbacks import circles as cb
from dashboard import repository
from dashboard.policy import Role, Viewer

ROLES = ("anonymous", "member", "staff", "admin")
SIGNED_IN = {"anonymous": False, "member": True, "staff": True, "admin": True}


@pytest.fixture()
def private_app(new_database, demo_database, tmp_path):
    from dashboard.app import create_app
    from dashboard.settings import load_settings

    db = new_database(demo_database)
    settings = load_settings({}, database_url=db.url, instance_dir=tmp_path / "instance", auto_demo=False)
    return create_app(settings, db.engine)


def _router(client, path: str, search: str = "") -> str:
    from dashboard import ids

    outputs = [{"id": i, "property": "children"} for i in (ids.PAGE, ids.DATASET_BADGE, ids.NAV, ids.ACCOUNT_AREA)]
    body = {"output": ".." + "...".join(f"{o['id']}.children" for o in outputs) + "..",
            "outputs": outputs, "inputs": [{"id": ids.URL, "property": "pathname", "value": path}],
            "state": [{"id": ids.URL, "property": "search", "value": search}],
            "changedPropIds": [f"{ids.URL}.pathname"]}
    response = client.post("/_dash-update-component", json=body, headers=ORIGIN)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.dumps(response.get_json()["response"], ensure_ascii=False)


@pytest.mark.parametrize("role", ROLES)
def test_the_api_cuts_circles_by_role(client_as, role):
    client = client_as(role)
    body = client.get("/api/v1/circles").get_json()
    assert body["total"] >= 6 and body["notice"] and all(c["is_demo"] for c in body["items"])
    first = body["items"][0]
    assert ("members" in first and "facilitator" in first) is SIGNED_IN[role]
    sessions = [s for c in body["items"] for s in c["sessions"]]
    assert sessions and all(("registrants" in s) is SIGNED_IN[role] for s in sessions)
    assert any(s["full"] and s["upcoming"] for s in sessions)  # the demo's full session says so
    one = client.get(f"/api/v1/circles/{first['id']}").get_json()["circle"]
    assert one["id"] == first["id"] and ("members" in one) is SIGNED_IN[role]
    themed = client.get("/api/v1/circles?theme=lean").get_json()["items"]
    assert themed and all(c["theme"] == "lean" for c in themed)
    in_88 = client.get("/api/v1/circles?departement=88").get_json()["items"]
    assert in_88 and all(c["territory_kind"] != "department" or c["territory_code"] == "88" for c in in_88)


@pytest.mark.parametrize(("path", "status", "parameter"), [
    ("/api/v1/circles?theme=magie", 400, "theme"), ("/api/v1/circles?departement=75", 400, "departement"),
    ("/api/v1/circles?couleur=rouge", 400, "couleur"), ("/api/v1/circles/abc", 400, "circle_id"),
    ("/api/v1/circles/99999", 404, None), ("/api/v1/circles/1?x=1", 400, "x"),
])
def test_bad_requests_are_french_json_errors(client, path, status, parameter):
    response = client.get(path)
    assert response.status_code == status and response.is_json
    error = response.get_json()["error"]
    assert error["message"] and error.get("parameter") == parameter


def test_openapi_documents_the_circles(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/api/v1/circles", "/api/v1/circles/{circle_id}"} <= set(paths)
    assert "404" in paths["/api/v1/circles/{circle_id}"]["get"]["responses"]


@pytest.mark.parametrize("role", ROLES)
def test_both_pages_render_for_every_role(client_as, role):
    client = client_as(role)
    listing = _router(client, "/cercles")
    assert "Cercles d'excellence" in listing and "Qui, près de moi" in listing and "fictif" in listing
    assert ("Suivi des cercles" in listing) is (role in ("staff", "admin"))
    assert ("Créer un cercle" in listing) is (role in ("staff", "admin"))
    page = _router(client, "/cercles/cercle", "?id=1")
    assert "Séances à venir" in page and "/cercles/pratiques?cercle=1" in page
    assert ("Connectez-vous avec un compte adhérent pour voir qui participe" in page) is (role == "anonymous")
    # The tests' member speaks for DEMO-0000001, the demo facilitator of circle 1: it decides its requests.
    assert ("Demandes d'adhésion" in page) is (role != "anonymous")
    assert ("Demandes d'adhésion" in _router(client, "/cercles/cercle", "?id=2")) is (role in ("staff", "admin"))
    assert "Cercle introuvable" in _router(client, "/cercles/cercle", "?id=99999")
    assert "Cercle introuvable" in _router(client, "/cercles/cercle", "?id=abc")


def _as(app, viewer: Viewer):
    """A request context of `app` whose viewer is `viewer` (what sessions.current_viewer answers)."""
    context = app.server.test_request_context("/_dash-update-component", method="POST")
    context.push()
    g.tissu_viewer = viewer
    return context


def _text(value) -> str:
    return json.dumps(value, default=lambda c: c.to_plotly_json(), ensure_ascii=False)


def test_callbacks_join_decide_register_as_functions(private_app):
    service = private_app.server.extensions["tissu"]
    engine = service.engine
    taken = set(repository.circle_members_frame(engine, circle_id=2)["siret"])
    site = next(k for k in service.snapshot().establishments["public_id"] if k not in taken)
    member = Viewer(Role.MEMBER, None, "m@tests.example", frozenset({site}))
    staff = Viewer(Role.STAFF, None, "s@tests.example")
    commune = str(service.lookups.communes["code"].iloc[0])
    day = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    context = _as(private_app, member)
    try:
        answer = _text(cb.join(service, 2, site, "Bonjour"))
        assert "Demande envoyée" in answer
        assert "déjà en attente" in _text(cb.join(service, 2, site, None))
        assert "Seuls l'animateur" in _text(cb.plan_session(service, 2, "Séance", day, "09:00", commune, "", 1))
    finally:
        context.pop()
    context = _as(private_app, staff)
    try:
        for words, values in [("dans le passé", ("Séance", "2020-01-01", "09:00", commune, "", 3)),
                              ("Capacité", ("Séance", day, "09:00", commune, "", 0)),
                              ("obligatoire", ("Séance", None, "09:00", commune, "", 3))]:
            assert words in _text(cb.plan_session(service, 2, *values))
        assert "Séance planifiée" in _text(cb.plan_session(service, 2, "Séance test", day, "09:00", commune, "", 1))
        session_id = int(repository.circle_sessions_frame(engine, circle_id=2)["id"].max())
        assert "Demande acceptée" in _text(cb._run(service, 2, lambda _: cb.act.decide_join(
            service, staff, 2, site, "accepted"), "Demande acceptée"))
    finally:
        context.pop()
    context = _as(private_app, member)
    try:
        assert "Inscription enregistrée" in _text(cb._run(service, 2, lambda _: cb.act.register(
            service, member, session_id, site), "Inscription enregistrée."))
        page = _text(cb.render_circle(service, {"id": ["2"]}))
        assert "Complet" in page and "Se désinscrire" in page
    finally:
        context.pop()


def test_near_create_and_export_callbacks(private_app):
    service = private_app.server.extensions["tissu"]
    context = _as(private_app, Viewer())
    try:
        assert "cercles à moins de 80 km de Nancy" in _text(cb.near(service, None, "54395", None, 80))
        assert "Choisissez votre établissement" in _text(cb.near(service, None, None, None, 50))
        refused = cb.create_circle(service, "Cercle", "lean", "lorraine:", "DEMO-0000001", "")
        assert "Seule l'équipe UIMM" in _text(refused)
        assert cb.export(service, "csv") is cb.no_update  # the follow-up is staff only
    finally:
        context.pop()
    context = _as(private_app, Viewer(Role.STAFF, None, "s@tests.example"))
    try:
        assert "Thème inconnu" in _text(cb.create_circle(service, "Cercle", None, "lorraine:", "DEMO-0000001", ""))
        created = cb.create_circle(service, "Cercle lean Metz", "lean", "department:57", "DEMO-0000001", "")
        assert "créé" in _text(created) and "Cercle lean Metz" in _text(created)
        download = cb.export(service, "xlsx")
        book = pd.read_excel(io.BytesIO(base64.b64decode(download["content"])), sheet_name=None)
        assert set(book) == {"Participation", "Intérêt sans cercle proche", "Séances par trimestre"}
        csv = base64.b64decode(cb.export(service, "csv")["content"]).decode("utf-8-sig")
        assert csv.startswith("Département;Thème;")
    finally:
        context.pop()


def test_a_posted_write_needs_the_same_origin(private_app):
    """The join form's callback without an Origin header is refused before it runs."""
    from dashboard import ids

    client = private_app.server.test_client()
    body = {"output": f"{ids.CIRCLE_MESSAGE}.children", "outputs": [],
            "inputs": [{"id": ids.CIRCLE_JOIN_SUBMIT, "property": "n_clicks", "value": 1}], "state": []}
    assert client.post("/_dash-update-component", json=body).status_code in (400, 403)


def test_the_map_layer_shows_counts_by_commune_to_the_public_and_sites_to_members(private_app):
    service = private_app.server.extensions["tissu"]
    context = _as(private_app, Viewer())
    try:
        public = _text(cb.views.map_markers(cb.svc.map_points(service, Viewer())))
    finally:
        context.pop()
    context = _as(private_app, Viewer(Role.MEMBER, None, "m@tests.example", frozenset({"DEMO-0000001"})))
    try:
        member = _text(cb.views.map_markers(cb.svc.map_points(service, cb.current_viewer())))
    finally:
        context.pop()
    assert "établissements membres" in public and "séances à venir" in public  # counts by commune
    names = {m["name"] for c in cb.svc.list_circles(service, Viewer(Role.STAFF)) for m in c["members"]}
    assert not any(n in public for n in names) and any(n in member for n in names)
