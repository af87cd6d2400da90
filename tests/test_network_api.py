"""The network over HTTP: GET /api/v1/needs, /offers, /network/summary per role; a member's POST/PATCH with their
API token (JSON validated: 400 naming the field, 403 for another's site, audited); the /reseau page per role,
its callbacks, and contacts that appear in no response before both sides accepted."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from auth_support import ORIGIN, ensure_account, signed_in_client

from dashboard import accounts, ids, repository

ROLES = ("anonymous", "member", "staff", "admin")
SITE = "DEMO-0000001"  # the tests' member account's establishment
DEADLINE = (dt.date.today() + dt.timedelta(days=30)).isoformat()


def _token(app, role: str = "member") -> dict:
    engine = app.server.extensions["tissu"].engine
    viewer = accounts.viewer_of(repository.account_by_email(engine, ensure_account(engine, role)))
    return {"Authorization": f"Bearer {accounts.create_token(engine, viewer, 'ERP')}"}


def _router(client, path: str) -> str:
    outputs = [{"id": i, "property": "children"} for i in (ids.PAGE, ids.DATASET_BADGE, ids.NAV, ids.ACCOUNT_AREA)]
    body = {"output": ".." + "...".join(f"{o['id']}.children" for o in outputs) + "..",
            "outputs": outputs, "inputs": [{"id": ids.URL, "property": "pathname", "value": path}],
            "state": [{"id": ids.URL, "property": "search", "value": ""}], "changedPropIds": [f"{ids.URL}.pathname"]}
    response = client.post("/_dash-update-component", json=body, headers=ORIGIN)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.dumps(response.get_json()["response"][ids.PAGE], ensure_ascii=False)


def _component(tree, wanted: str):
    """The component of id `wanted` in a serialised Dash tree (None when absent)."""
    if isinstance(tree, list):
        return next((found for item in tree if (found := _component(item, wanted)) is not None), None)
    if isinstance(tree, dict):
        props = tree.get("props", tree)  # the router answers {"children": tree}
        if props.get("id") == wanted:
            return tree
        return _component(props.get("children"), wanted)
    return None


@pytest.mark.parametrize("role", ROLES)
def test_reads_are_cut_by_role(client_as, role):
    client = client_as(role)
    needs = client.get("/api/v1/needs")
    assert needs.status_code == 200
    items = needs.get_json()["items"]
    assert items
    signed_in = role != "anonymous"
    assert all(("buyer_name" in i) is signed_in for i in items)
    assert any(i.get("visibility") == "members" for i in items) is signed_in
    offers = client.get("/api/v1/offers")
    assert offers.status_code == (200 if signed_in else 403)
    if signed_in:
        assert offers.get_json()["total"] > 0
    summary = client.get("/api/v1/network/summary").get_json()
    assert summary["open_needs"] >= len(items) and summary["open_offers"] > 0
    assert ("stalled_introductions" in summary) is (role in ("staff", "admin"))
    one = client.get(f"/api/v1/needs/{items[0]['id']}").get_json()
    assert ("suppliers" in one) is signed_in
    assert client.get("/api/v1/needs/abc").status_code == 400
    assert client.get("/api/v1/needs/99999999").status_code == 404
    assert client.get("/api/v1/needs?mine=peut-etre").status_code == 400


def test_openapi_documents_the_network_writes(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert {"post", "get"} <= set(doc["paths"]["/api/v1/needs"])
    assert "patch" in doc["paths"]["/api/v1/needs/{need_id}"] and "patch" in doc["paths"]["/api/v1/offers/{offer_id}"]
    assert "bearerAuth" in doc["components"]["securitySchemes"]


def test_a_member_posts_changes_and_closes_a_need_with_a_token(private_app):
    client, headers = private_app.server.test_client(), _token(private_app)
    engine = private_app.server.extensions["tissu"].engine
    body = {"site": SITE, "title": "Fraisage de brides", "capabilities": ["fraisage_5axes"], "radius_km": 60,
            "deadline": DEADLINE, "visibility": "public"}
    created = client.post("/api/v1/needs", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    need_id = created.get_json()["id"]
    assert client.patch(f"/api/v1/needs/{need_id}", json={"radius_km": 90}, headers=headers).status_code == 200
    assert repository.need_by_id(engine, need_id)["radius_km"] == 90
    mine = client.get("/api/v1/needs?mine=oui", headers=headers).get_json()["items"]
    assert need_id in {i["id"] for i in mine}
    assert client.patch(f"/api/v1/needs/{need_id}", json={"status": "closed"}, headers=headers).status_code == 200
    assert need_id not in {i["id"] for i in client.get("/api/v1/needs", headers=headers).get_json()["items"]}
    actions = repository.audit_entries(engine, action="need.", limit=5)["action"].tolist()
    assert actions == ["need.update", "need.update", "need.create"]


def test_bad_writes_are_json_errors_and_save_nothing(private_app):
    client, headers = private_app.server.test_client(), _token(private_app)
    engine = private_app.server.extensions["tissu"].engine
    good = {"site": SITE, "title": "Soudure", "capabilities": ["soudure_tig"], "deadline": DEADLINE}
    before = len(repository.needs_frame(engine)), repository.audit_count(engine)
    cases = [
        ({**good, "deadline": "2020-01-01"}, 400, "deadline"),
        ({**good, "radius_km": 301}, 400, "radius_km"),
        ({**good, "capabilities": []}, 400, "capabilities"),
        ({**good, "site": "DEMO-0000005"}, 403, None),
        ({**good, "description": "x" * 200_000}, 400, "description"),
        ("pas un objet", 400, "body"),
    ]
    for body, status, field in cases:
        response = client.post("/api/v1/needs", json=body, headers=headers)
        assert response.status_code == status, (body if isinstance(body, str) else list(body), response.get_json())
        error = response.get_json()["error"]
        assert error["message"] and error.get("parameter") == field
    assert client.post("/api/v1/needs", data="{", headers={**headers, "Content-Type": "application/json"}
                       ).status_code == 400
    assert client.post("/api/v1/needs", json=good).status_code == 401  # no token
    staff_need = client.post("/api/v1/needs", json={**good, "site": "DEMO-0000005"}, headers=_token(private_app,
                                                                                                  "staff"))
    assert staff_need.status_code == 201  # staff post on a member's behalf
    other = staff_need.get_json()["id"]
    assert client.patch(f"/api/v1/needs/{other}", json={"status": "closed"}, headers=headers).status_code == 404
    assert len(repository.needs_frame(engine)) == before[0] + 1


def test_offers_are_posted_with_a_token_and_validated(private_app):
    client, headers = private_app.server.test_client(), _token(private_app)
    body = {"site": SITE, "kind": "byproduct", "title": "Chutes d'inox", "material": "Inox 304L",
            "quantity": "3 t par mois", "available_until": DEADLINE}
    created = client.post("/api/v1/offers", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    offer_id = created.get_json()["id"]
    assert client.get(f"/api/v1/offers/{offer_id}", headers=headers).get_json()["offer"]["material"] == "Inox 304L"
    bad = client.post("/api/v1/offers", json={**body, "kind": "cadeau"}, headers=headers)
    assert bad.status_code == 400 and bad.get_json()["error"]["parameter"] == "kind"
    change = client.patch(f"/api/v1/offers/{offer_id}", json={"kind": "capacity"}, headers=headers)
    assert change.status_code == 400
    assert client.patch(f"/api/v1/offers/{offer_id}", json={"status": "closed"}, headers=headers).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_the_page_renders_for_every_role(client_as, role):
    page = _router(client_as(role), "/reseau")
    assert "Le réseau" in page and "Mises en relation" in page
    assert ("Publier le besoin" in page) is (role != "anonymous")


def test_contacts_never_leak_before_mutual_acceptance(private_app):
    """Service, API and page: a requested introduction shows no e-mail to either side until accepted."""
    from dashboard.policy import Role, Viewer
    from dashboard.services import network as nw

    service = private_app.server.extensions["tissu"]
    engine = service.engine
    buyer_email = ensure_account(engine, "member")
    item = nw.need(service, nw.create_need(service, Viewer(Role.MEMBER, None, buyer_email, frozenset({SITE})), {
        "site": SITE, "title": "Traitement thermique", "capabilities": ["traitement_thermique"], "radius_km": 120,
        "deadline": DEADLINE}), Viewer(Role.STAFF))
    supplier_site = nw.need_matches(service, item, Viewer(Role.STAFF)).records["id"].iloc[0]
    admin = Viewer(Role.ADMIN, None, "cli:tests")
    accounts.create_account(engine, admin, email="fournisseur@tests.tissu.example", display_name="Fournisseur",
                            role="member", sirets=(supplier_site,), password="mot de passe fournisseur 1")
    supplier = accounts.viewer_of(repository.account_by_email(engine, "fournisseur@tests.tissu.example"))
    intro = nw.request_introduction(service, supplier, requester=supplier_site, target=SITE, origin="need",
                                    need_id=item["id"])
    buyer_client = signed_in_client(private_app, "member")
    supplier_client = private_app.server.test_client()
    signed = supplier_client.post("/connexion", data={"email": "fournisseur@tests.tissu.example",
                                             "mot_de_passe": "mot de passe fournisseur 1", "suivant": "/"},
                         headers=ORIGIN)
    assert signed.status_code == 303 and signed.headers["Location"] == "/"
    emails = (buyer_email, "fournisseur@tests.tissu.example")

    def everything(client) -> str:
        """The introduction's card on the page (other, accepted introductions may show contacts) and the API."""
        texts = [json.dumps(_component(json.loads(_router(client, "/reseau")), f"net-intro-{intro}"))]
        texts += [client.get(path).get_data(as_text=True) for path in (
            "/api/v1/needs", "/api/v1/offers", "/api/v1/network/summary", f"/api/v1/needs/{item['id']}")]
        return "\n".join(texts)

    for client in (buyer_client, supplier_client):
        assert _component(json.loads(_router(client, "/reseau")), f"net-intro-{intro}") is not None
    for client in (buyer_client, supplier_client, private_app.server.test_client()):
        text = everything(client)
        assert not any(e in text for e in emails)
    card = json.dumps(_component(json.loads(_router(supplier_client, "/reseau")), f"net-intro-{intro}"),
                      ensure_ascii=False)
    assert "Coordonnées visibles dès que les deux parties ont accepté" in card
    nw.move_introduction(service, accounts.viewer_of(repository.account_by_email(engine, buyer_email)), intro,
                         "acceptee")
    for client in (buyer_client, supplier_client):
        card = json.dumps(_component(json.loads(_router(client, "/reseau")), f"net-intro-{intro}"))
        assert all(e in card for e in emails)
    assert not any(e in everything(private_app.server.test_client()) for e in emails)  # never to the public


def _post_need_callback(client, **values):
    """The page's "Publier le besoin" callback, as the browser sends it."""
    outputs = [(ids.NET_NEED_MESSAGE, "children"), (ids.NET_NEEDS_LIST, "children"), (ids.NET_MATCHES, "children"),
               (ids.NET_MAP_LAYER, "children"), (ids.NET_MAP, "viewport")]
    fields = {ids.NET_NEED_SITE: ("value", SITE), ids.NET_NEED_TITLE: ("value", "Découpe de flans"),
              ids.NET_NEED_CAPABILITIES: ("value", ["decoupe_laser"]), ids.NET_NEED_CERT_REQUIRED: ("value", []),
              ids.NET_NEED_CERT_WISHED: ("value", []), ids.NET_NEED_QUANTITY: ("value", "500 pièces"),
              ids.NET_NEED_RADIUS: ("value", 60), ids.NET_NEED_DEADLINE: ("date", DEADLINE),
              ids.NET_NEED_VISIBILITY: ("value", "members"), ids.NET_NEED_DESCRIPTION: ("value", None)}
    fields.update({key: (fields[key][0], value) for key, value in values.items()})
    callback_map = client.application.extensions["tissu_dash"].callback_map
    wanted = [f"{i}.{p}" for i, p in outputs]
    key = next(k for k in callback_map if [part.split("@")[0] for part in k.strip(".").split("...")] == wanted)
    declared = [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
                for part in key.strip(".").split("...")]
    body = {"output": key, "outputs": declared,
            "inputs": [{"id": ids.NET_NEED_SUBMIT, "property": "n_clicks", "value": 1}],
            "state": [{"id": i, "property": p, "value": v} for i, (p, v) in fields.items()],
            "changedPropIds": [f"{ids.NET_NEED_SUBMIT}.n_clicks"]}
    response = client.post("/_dash-update-component", json=body, headers=ORIGIN)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.dumps(response.get_json()["response"], ensure_ascii=False)


def test_the_page_posts_a_need_or_says_why_not_in_french(private_app):
    engine = private_app.server.extensions["tissu"].engine
    client = signed_in_client(private_app, "member")
    before = len(repository.needs_frame(engine)), repository.audit_count(engine)
    for change, words in [({ids.NET_NEED_DEADLINE: "2020-01-01"}, "la date est passée"),
                          ({ids.NET_NEED_RADIUS: 900}, "Rayon"), ({ids.NET_NEED_CAPABILITIES: []}, "savoir-faire"),
                          ({ids.NET_NEED_SITE: "DEMO-0000005"}, "votre compte")]:
        assert words in _post_need_callback(client, **change)
    assert (len(repository.needs_frame(engine)), repository.audit_count(engine)) == before
    answer = _post_need_callback(client)
    assert "publié" in answer and "Pourquoi" in answer
    assert len(repository.needs_frame(engine)) == before[0] + 1
    assert "Connectez-vous" in _post_need_callback(private_app.server.test_client())  # the public: refused
