"""Practice sheets over HTTP: GET /api/v1/practices and /practices/{id} per role (contacts never to the public,
drafts to their authors and staff only), bad parameters as 400 JSON; the /cercles/pratiques page per role and
its callbacks (save, submit, review) as the browser sends them: policy, same-origin, French errors, audited."""

from __future__ import annotations

import json

import pytest
from auth_support import ORIGIN, ensure_account, signed_in_client

from dashboard import ids, repository
from dashboard.demo.practices import CONTACT
from dashboard.policy import Role, Viewer
from dashboard.services import practices as pr
from dashboard.settings import load_settings

ROLES = ("anonymous", "member", "staff", "admin")
SITE = "DEMO-0000001"  # the tests' member account's establishment
PATH = "/cercles/pratiques"


@pytest.fixture()
def private_app(new_database, demo_database, tmp_path):
    from dashboard.app import create_app

    db = new_database(demo_database)
    settings = load_settings({}, database_url=db.url, instance_dir=tmp_path / "instance", auto_demo=False)
    return create_app(settings, db.engine)


def _router(client, path: str, search: str = "") -> str:
    outputs = [{"id": i, "property": "children"} for i in (ids.PAGE, ids.DATASET_BADGE, ids.NAV, ids.ACCOUNT_AREA)]
    body = {"output": ".." + "...".join(f"{o['id']}.children" for o in outputs) + "..",
            "outputs": outputs, "inputs": [{"id": ids.URL, "property": "pathname", "value": path}],
            "state": [{"id": ids.URL, "property": "search", "value": search}],
            "changedPropIds": [f"{ids.URL}.pathname"]}
    response = client.post("/_dash-update-component", json=body, headers=ORIGIN)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.dumps(response.get_json()["response"], ensure_ascii=False)


def _callback(client, outputs: list[tuple[str, str]], inputs: list[dict], state: list[dict], *,
              headers: dict | None = ORIGIN, changed: int = 0):
    """One of the page's callbacks, as the browser sends it (found by its outputs in the app's callback map)."""
    callback_map = client.application.extensions["tissu_dash"].callback_map
    wanted = [f"{i}.{p}" for i, p in outputs]
    key = next(k for k in callback_map if [part.split("@")[0] for part in k.strip(".").split("...")] == wanted)
    declared = [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1].split("@")[0]}
                for part in key.strip(".").split("...")]
    body = {"output": key, "outputs": declared if len(declared) > 1 else declared[0], "inputs": inputs, "state": state,
            "changedPropIds": [_prop_id(inputs[changed])]}
    return client.post("/_dash-update-component", json=body, headers=headers or {})


def _text(response) -> str:
    body = response.get_json(silent=True)
    return json.dumps(body, ensure_ascii=False) if body is not None else response.get_data(as_text=True)


def _prop_id(item) -> str:
    item = item[0] if isinstance(item, list) else item  # an ALL pattern: a list of matched components
    component = item["id"]
    name = json.dumps(component, separators=(",", ":"), sort_keys=True) if isinstance(component, dict) else component
    return f"{name}.{item['property']}"


_FORM_OUTPUTS = [(ids.PRAC_FORM_MESSAGE, "children"), (ids.PRAC_MINE, "children"), (ids.PRAC_EDITING, "data"),
                 (ids.PRAC_FORM_TITLE, "children"), (ids.PRAC_TITLE, "value"), (ids.PRAC_PROBLEM, "value"),
                 (ids.PRAC_ACTIONS, "value"), (ids.PRAC_RESULTS, "value"), (ids.PRAC_THEMES, "value"),
                 (ids.PRAC_CAPABILITIES, "value"), (ids.PRAC_CONTACT, "value")]


def _save(client, *, submit: bool = False, headers: dict | None = ORIGIN, **values) -> tuple[int, str]:
    fields = {ids.PRAC_EDITING: ("data", None), ids.PRAC_SITE: ("value", SITE),
              ids.PRAC_TITLE: ("value", "Réglage des presses en équipe (test)"),
              ids.PRAC_PROBLEM: ("value", "Des **arrêts** trop longs."), ids.PRAC_ACTIONS: ("value", "- SMED"),
              ids.PRAC_RESULTS: ("value", "−40 % d'arrêt."), ids.PRAC_THEMES: ("value", ["lean"]),
              ids.PRAC_CAPABILITIES: ("value", ["emboutissage"]),
              ids.PRAC_CONTACT: ("value", "contact-test@usine.example"),
              ids.PRAC_CIRCLE_ID: ("value", None)}
    fields.update({key: (fields[key][0], value) for key, value in values.items()})
    inputs = [{"id": ids.PRAC_SAVE, "property": "n_clicks", "value": 0 if submit else 1},
              {"id": ids.PRAC_SUBMIT, "property": "n_clicks", "value": 1 if submit else 0}]
    response = _callback(client, _FORM_OUTPUTS, inputs,
                         [{"id": i, "property": p, "value": v} for i, (p, v) in fields.items()], headers=headers,
                         changed=1 if submit else 0)
    return response.status_code, _text(response)


@pytest.mark.parametrize("role", ROLES)
def test_the_list_is_cut_by_role(client_as, role):
    client = client_as(role)
    body = client.get("/api/v1/practices").get_json()
    items = body["items"]
    assert items and body["total"] == len(items) and body["notice"]
    assert all(i["status"] == "published" for i in items)
    signed_in = role != "anonymous"
    assert all(("contact" in i) is signed_in for i in items)
    assert (CONTACT in client.get("/api/v1/practices").get_data(as_text=True)) is signed_in
    assert all("created_by" not in i for i in items)
    staff = role in ("staff", "admin")
    queue = client.get("/api/v1/practices?status=submitted")
    assert queue.status_code == (200 if staff else 403)
    if staff:
        assert [i["status"] for i in queue.get_json()["items"]] == ["submitted"]
        assert len(client.get("/api/v1/practices?status=all").get_json()["items"]) > len(items)
    mine = client.get("/api/v1/practices?mine=1")
    assert mine.status_code == (200 if signed_in else 401)
    if role == "member":  # the tests' member speaks for the demo member account's first site
        assert {"submitted", "returned"} <= {i["status"] for i in mine.get_json()["items"]}
    one = client.get(f"/api/v1/practices/{items[0]['id']}").get_json()
    assert one["practice"]["id"] == items[0]["id"] and ("contact" in one["practice"]) is signed_in
    assert set(one["html"]) == {"problem", "actions", "results"} and "<script" not in json.dumps(one)


@pytest.mark.parametrize(("query", "status", "parameter"), [
    ("theme=inconnu", 400, "theme"), ("capability=rien", 400, "capability"), ("department=75", 400, "department"),
    ("circle=abc", 400, "circle"), ("circle=0", 400, "circle"), ("status=perdu", 400, "status"),
    ("mine=peut-etre", 400, "mine"), ("limit=0", 400, "limit"), ("offset=-1", 400, "offset"),
    ("couleur=rouge", 400, "couleur"), ("q=" + "x" * 101, 400, "q"),
])
def test_bad_parameters_are_400_json_naming_them(client, query, status, parameter):
    response = client.get(f"/api/v1/practices?{query}")
    assert response.status_code == status
    assert response.get_json()["error"]["parameter"] == parameter


def test_search_filters_and_single_sheet_errors(client):
    found = client.get("/api/v1/practices?q=recuperation%20chaleur").get_json()["items"]
    assert found and "Récupération de chaleur" in found[0]["title"]
    energy = client.get("/api/v1/practices?theme=energie").get_json()["items"]
    assert energy and all("energie" in i["themes"] for i in energy)
    assert client.get("/api/v1/practices?circle=999").get_json()["items"] == []
    assert client.get("/api/v1/practices?limit=2&offset=1").get_json()["limit"] == 2
    assert client.get("/api/v1/practices/abc").status_code == 400
    assert client.get("/api/v1/practices/99999999").status_code == 404
    assert client.get("/api/v1/practices/1?x=1").status_code == 400


@pytest.mark.parametrize("role", ROLES)
def test_drafts_and_submitted_sheets_reach_only_their_authors_and_staff(client_as, service, role):
    hidden = pr.search(service, Viewer(Role.STAFF), pr.PracticeQuery(status="submitted"))[0]
    response = client_as(role).get(f"/api/v1/practices/{hidden['id']}")
    assert response.status_code == (404 if role == "anonymous" else 200)  # member: the demo member's own sheet
    if role != "anonymous":
        assert response.get_json()["history"]


def test_openapi_documents_the_practices(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert "get" in doc["paths"]["/api/v1/practices"] and "get" in doc["paths"]["/api/v1/practices/{sheet_id}"]
    names = {p["name"] for p in doc["paths"]["/api/v1/practices"]["get"]["parameters"]}
    assert {"q", "theme", "capability", "department", "circle", "status", "mine"} <= names
    assert "Practices" in doc["components"]["schemas"]


@pytest.mark.parametrize("role", ROLES)
def test_the_page_renders_for_every_role_and_contacts_stay_with_members(client_as, service, role):
    client = client_as(role)
    published = pr.search(service, Viewer(Role.STAFF))[0]
    page = _router(client, PATH, f"?fiche={published['id']}")
    assert "Bonnes pratiques" in page and published["title"] in page
    assert ("Mes fiches" in page) is (role != "anonymous")
    assert ("À relire" in page) is (role in ("staff", "admin"))
    assert (CONTACT in page) is (role != "anonymous")
    assert ("Contact visible des adhérents connectés" in page) is (role == "anonymous")
    circle = _router(client, PATH, "?cercle=999")
    assert "Fiches du cercle n° 999" in circle and "Aucune fiche publiée ne correspond" in circle


def test_the_list_callback_searches_as_typed(app, client):
    from callbacks.practices import filter_list, page_query

    with app.server.test_request_context("/"):
        listed, count = filter_list(app.server.extensions["tissu"], "Recuperation", None, None, None, None)
        text = json.dumps(listed.to_plotly_json(), default=lambda c: c.to_plotly_json(), ensure_ascii=False)
        assert "Récupération de chaleur" in text and count == "1 fiche publiée"
        listed, _ = filter_list(app.server.extensions["tissu"], "", "energie", None, None, 999)
        assert "Aucune fiche" in json.dumps(listed.to_plotly_json(), ensure_ascii=False)
    assert page_query({"q": ["four"], "cercle": ["12"], "theme": ["lean"]}) == pr.PracticeQuery(
        text="four", theme="lean", circle=12)
    assert page_query({"cercle": ["douze"]}).circle is None


def test_the_preview_shows_the_sanitised_texts_or_why_not(client_as):
    client = client_as("member")
    response = _callback(client, [(ids.PRAC_PREVIEW_AREA, "children")],
                         [{"id": ids.PRAC_PREVIEW, "property": "n_clicks", "value": 1}],
                         [{"id": ids.PRAC_PROBLEM, "property": "value", "value": "Un **gain** [net](https://a.example)"},
                          {"id": ids.PRAC_ACTIONS, "property": "value", "value": "<script>alert(1)</script>"},
                          {"id": ids.PRAC_RESULTS, "property": "value", "value": ""}])
    assert response.status_code == 200, _text(response)
    text = _text(response)
    assert '"type": "Strong"' in text and '"href": "https://a.example"' in text
    assert "Ce qui a été fait : le HTML n'est pas accepté" in text and '"Script"' not in text


def test_the_form_saves_submits_or_says_why_not_in_french(private_app):
    engine = private_app.server.extensions["tissu"].engine
    client = signed_in_client(private_app, "member")
    before = len(repository.practices_frame(engine)), repository.audit_count(engine)
    for change, words in [({ids.PRAC_TITLE: "", ids.PRAC_PROBLEM: "", ids.PRAC_ACTIONS: "", ids.PRAC_RESULTS: ""},
                           "La fiche est vide"),
                          ({ids.PRAC_TITLE: "x" * 201}, "200 caractères au plus"),
                          ({ids.PRAC_PROBLEM: "<script>alert(1)</script>"}, "HTML n'est pas accepté"),
                          ({ids.PRAC_RESULTS: "[clic](javascript:alert(1))"}, "lien refusé"),
                          ({ids.PRAC_THEMES: ["pas-un-theme"]}, "Thème inconnu"),
                          ({ids.PRAC_SITE: "DEMO-0000005"}, "votre compte")]:
        status, text = _save(client, **change)
        assert status == 200 and words in text, (change, text[:300])
    assert _save(client, headers=None)[0] == 403  # no Origin header: refused before the callback runs
    status, text = _save(client, **{ids.PRAC_PROBLEM: "a" * (1 << 20)})  # 1 MB: over TISSU_MAX_REQUEST_KB
    assert status == 413 and "trop" in text.lower()
    assert (len(repository.practices_frame(engine)), repository.audit_count(engine)) == before
    status, text = _save(client, submit=True)
    assert status == 200 and "soumise à la relecture" in text
    assert "Connectez-vous" in _save(private_app.server.test_client())[1]  # the public: refused
    sheets = repository.practices_frame(engine)
    assert len(sheets) == before[0] + 1 and sheets.iloc[0]["status"] == "submitted"


def test_staff_review_through_the_page_and_members_cannot(private_app):
    engine = private_app.server.extensions["tissu"].engine
    service = private_app.server.extensions["tissu"]
    sheet_id = pr.create_sheet(service, Viewer(Role.MEMBER, None, "m@tests.example", frozenset({SITE})), {
        "site": SITE, "title": "Tri des déchets (test)", "problem": "p", "actions": "a", "results": "r",
        "themes": ["qse"], "contact": "ne-pas-montrer@usine.example"}, submit=True)

    def decide(client, decision: str, comment: str = "") -> str:
        button = {"type": ids.PRAC_DECIDE, "sheet": sheet_id, "decision": decision}
        response = _callback(client, [(ids.PRAC_REVIEW_MESSAGE, "children"), (ids.PRAC_QUEUE, "children")],
                             [[{"id": button, "property": "n_clicks", "value": 1}]],
                             [[{"id": {"type": ids.PRAC_COMMENT, "sheet": sheet_id}, "property": "value",
                                "value": comment}]])
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        return _text(response)

    assert "Seule l'équipe UIMM" in decide(signed_in_client(private_app, "member"), "published")
    staff = signed_in_client(private_app, "staff")
    assert "commentaire est obligatoire" in decide(staff, "returned")
    assert "renvoyée à son auteur" in decide(staff, "returned", "Chiffrez les résultats.")
    assert repository.practice_by_id(engine, sheet_id)["status"] == "returned"
    pr.submit_sheet(service, Viewer(Role.MEMBER, None, "m@tests.example", frozenset({SITE})), sheet_id)
    assert "publiée" in decide(staff, "published")
    assert repository.practice_by_id(engine, sheet_id)["status"] == "published"
    public = private_app.server.test_client()
    assert "ne-pas-montrer@usine.example" not in public.get("/api/v1/practices").get_data(as_text=True)
    assert "ne-pas-montrer@usine.example" not in _router(public, PATH, f"?fiche={sheet_id}")
    assert "ne-pas-montrer@usine.example" in _router(signed_in_client(private_app, "member"), PATH,
                                                     f"?fiche={sheet_id}")
    ensure_account(engine, "admin")
    actions = repository.audit_entries(engine, action="practice.", limit=10)["action"].tolist()
    assert actions[:4] == ["practice.publish", "practice.submit", "practice.return", "practice.submit"]
