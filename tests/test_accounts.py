"""Accounts and access: sign-in, throttle, reset links, sessions, tokens, the same-origin rule, the audit log,
and a table of role × page / endpoint / callback / export (what is allowed and which fields come back)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import stat

import pytest
from auth_support import ORIGIN, ROLE_PASSWORD, ensure_account, sign_in, signed_in_client

from dashboard import accounts, ids, pages, repository
from dashboard.policy import (
    ANONYMOUS,
    RULES,
    Action,
    Forbidden,
    Role,
    Viewer,
    can,
    may_issue_reset_link,
    redact_record,
    require,
)
from dashboard.settings import load_settings

ROLES = ("anonymous", "member", "staff", "admin")
ADMIN = Viewer(Role.ADMIN, None, "cli:tests")


def _router(client, path: str, search: str = ""):
    outputs = [{"id": i, "property": "children"} for i in (ids.PAGE, ids.DATASET_BADGE, ids.NAV, ids.ACCOUNT_AREA)]
    body = {"output": "..." + "...".join(f"{o['id']}.children" for o in outputs) + "..",
            "outputs": outputs, "inputs": [{"id": ids.URL, "property": "pathname", "value": path}],
            "state": [{"id": ids.URL, "property": "search", "value": search}],
            "changedPropIds": [f"{ids.URL}.pathname"]}
    body["output"] = body["output"][1:]
    return client.post("/_dash-update-component", json=body, headers=ORIGIN)


def _callback(client, outputs: list[tuple[str, str]], inputs: list[tuple[str, str, object]],
              state: list[tuple[str, str, object]] = (), headers=ORIGIN):
    """POST one callback as the browser does; its output key is looked up in the app's callback map (outputs
    declared with allow_duplicate carry a hash suffix there)."""
    wanted = [f"{i}.{p}" for i, p in outputs]
    callback_map = client.application.extensions["tissu_dash"].callback_map
    key = next(k for k in callback_map
               if [part.split("@")[0] for part in k.strip(".").split("...")] == wanted)
    parts = key.strip(".").split("...") if len(outputs) > 1 else [key]
    declared = [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]} for part in parts]
    body = {"output": key, "outputs": declared if len(outputs) > 1 else declared[0],
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
            "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
            "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"]}
    return client.post("/_dash-update-component", json=body, headers=headers or {})


def _text(response) -> str:
    """A callback response as readable text (accents unescaped)."""
    return json.dumps(response.get_json(), ensure_ascii=False)


# --- The policy, as a pure function ---------------------------------------------------------------

def test_every_action_has_a_rule_and_staff_can_do_all_but_manage_accounts():
    assert set(RULES) == set(Action)
    staff, admin = Viewer(Role.STAFF, 1), Viewer(Role.ADMIN, 2)
    assert all(can(admin, a) for a in Action)
    assert [a for a in Action if not can(staff, a)] == [Action.MANAGE_ACCOUNTS]
    assert may_issue_reset_link(staff, "member") and not may_issue_reset_link(staff, "admin")
    assert may_issue_reset_link(admin, "staff") and not may_issue_reset_link(Viewer(Role.MEMBER, 4), "member")
    assert not any(can(ANONYMOUS, a) for a in Action)
    with pytest.raises(Forbidden, match="administrateurs"):
        require(staff, Action.MANAGE_ACCOUNTS)
    record = {"name": "X", "member": True}
    assert redact_record(ANONYMOUS, record) == {"name": "X"} and redact_record(Viewer(Role.MEMBER, 3), record) == record


# --- Passwords, sign-in, throttle -----------------------------------------------------------------

def test_passwords_are_argon2id_and_the_rules_are_french():
    hashed = accounts.hash_password("une phrase assez longue")
    assert hashed.startswith("$argon2id$") and "une phrase" not in hashed
    with pytest.raises(accounts.AccountError, match="au moins 12"):
        accounts.hash_password("court")
    with pytest.raises(accounts.AccountError, match="e-mail"):
        accounts.normalise_email("pas-une-adresse")
    assert accounts.normalise_email("  Jeanne.Martin@Exemple.FR ") == "jeanne.martin@exemple.fr"


def test_sign_in_sets_a_hardened_cookie_and_sign_out_ends_it(private_app):
    client = private_app.server.test_client()
    email = ensure_account(private_app.server.extensions["tissu"].engine, "member")
    response = sign_in(client, email)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert "tissu_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP on loopback; see the HTTPS test below
    corner = json.dumps(_router(client, "/").get_json()["response"][ids.ACCOUNT_AREA], ensure_ascii=False)
    assert email in corner and "Adhérent" in corner
    assert client.post("/deconnexion", headers=ORIGIN).status_code == 303
    assert "Se connecter" in json.dumps(_router(client, "/").get_json()["response"][ids.ACCOUNT_AREA])


def test_the_cookie_is_secure_over_https(private_app):
    client = private_app.server.test_client()
    email = ensure_account(private_app.server.extensions["tissu"].engine, "member")
    response = client.post("/connexion", base_url="https://localhost",
                           data={"email": email, "mot_de_passe": ROLE_PASSWORD},
                           headers={"Origin": "https://localhost"})
    assert response.status_code == 303 and "Secure" in response.headers["Set-Cookie"]


def test_wrong_passwords_are_throttled_per_login(private_app):
    client = private_app.server.test_client()
    email = ensure_account(private_app.server.extensions["tissu"].engine, "staff")
    for _ in range(accounts.MAX_FAILURES_PER_LOGIN):
        failed = sign_in(client, email, "mauvais mot de passe")
        assert failed.status_code == 303 and "message=echec" in failed.headers["Location"]
    blocked = sign_in(client, email)  # the right password, too late
    assert "message=essais" in blocked.headers["Location"]
    page = json.dumps(_router(client, "/connexion", "?message=essais").get_json()["response"][ids.PAGE])
    assert "Trop d'essais" in page
    unknown = sign_in(client, "personne@exemple.fr", "quelconque mot")
    assert "message=echec" in unknown.headers["Location"]  # same answer as a wrong password


def test_sign_in_redirects_only_to_a_local_path(private_app):
    client = private_app.server.test_client()
    email = ensure_account(private_app.server.extensions["tissu"].engine, "member")
    for target, expected in (("/couverture", "/couverture"), ("https://evil.example/", "/"), ("//evil.example", "/"),
                             ("/\\evil", "/")):
        response = client.post("/connexion", data={"email": email, "mot_de_passe": ROLE_PASSWORD,
                                                   "suivant": target}, headers=ORIGIN)
        assert response.headers["Location"] == expected, target


# --- Reset links, sessions that end ------------------------------------------------------------------

def test_a_reset_link_works_once_and_ends_every_session(private_app):
    engine = private_app.server.extensions["tissu"].engine
    email = ensure_account(engine, "member")
    old_session = signed_in_client(private_app, "member")
    link = accounts.issue_reset_link(engine, ADMIN, email, base_url="https://tissu.example")
    assert link.startswith("https://tissu.example/compte/mot-de-passe?lien=")
    secret = link.split("lien=")[1]
    client = private_app.server.test_client()
    page = json.dumps(_router(client, "/compte/mot-de-passe", f"?lien={secret}").get_json()["response"][ids.PAGE])
    assert email in page and "Choisir un mot de passe" in page
    short = client.post("/compte/mot-de-passe", data={"lien": secret, "mot_de_passe": "court",
                                                       "confirmation": "court"}, headers=ORIGIN)
    assert "message=court" in short.headers["Location"]
    new = "nouvelle phrase de passe du test"
    done = client.post("/compte/mot-de-passe", data={"lien": secret, "mot_de_passe": new, "confirmation": new},
                       headers=ORIGIN)
    assert done.headers["Location"] == "/connexion?message=lien"
    again = client.post("/compte/mot-de-passe", data={"lien": secret, "mot_de_passe": new, "confirmation": new},
                        headers=ORIGIN)
    assert "message=invalide" in again.headers["Location"]
    assert "Se connecter" in json.dumps(_router(old_session, "/").get_json()["response"][ids.ACCOUNT_AREA])
    assert sign_in(client, email, new).headers["Location"] == "/"
    actions = set(repository.audit_entries(engine)["action"])
    assert {"user.reset_link", "user.password", "user.sign_in"} <= actions


def test_a_role_change_or_a_disable_ends_the_sessions(private_app):
    engine = private_app.server.extensions["tissu"].engine
    email = ensure_account(engine, "staff")
    client = signed_in_client(private_app, "staff")
    assert "Journal" in json.dumps(_router(client, "/").get_json()["response"][ids.NAV])
    accounts.set_role(engine, ADMIN, email, "member")
    assert "Se connecter" in json.dumps(_router(client, "/").get_json()["response"][ids.ACCOUNT_AREA])
    client = signed_in_client(private_app, "member")
    accounts.set_active(engine, ADMIN, ensure_account(engine, "member"), False)
    assert "Se connecter" in json.dumps(_router(client, "/").get_json()["response"][ids.ACCOUNT_AREA])
    assert "message=echec" in sign_in(client, ensure_account(engine, "member")).headers["Location"]


# --- Same origin for every write --------------------------------------------------------------------

def test_cross_origin_posts_are_refused(private_app):
    client = signed_in_client(private_app, "staff")
    body = {"output": f"{ids.EVENT_ADMIN_MESSAGE}.children", "outputs": {"id": ids.EVENT_ADMIN_MESSAGE,
            "property": "children"}, "inputs": [{"id": ids.EVENT_MARK_HELD, "property": "n_clicks", "value": 1}],
            "state": [{"id": ids.EVENT_MEETING_ID, "property": "value", "value": 1}]}
    for headers in ({"Origin": "http://evil.example"}, {"Referer": "http://evil.example/page"}, {}):
        refused = client.post("/_dash-update-component", json=body, headers=headers)
        assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "cross_origin", headers
    anonymous = private_app.server.test_client()  # no session: no Origin needed for a read (and writes refuse)
    assert _callback(anonymous, [(ids.EVENT_AGENDA_LINK, "children")],
                     [(ids.EVENT_PARTICIPANT, "value", None)], headers={}).status_code in (200, 204)
    forged_login = private_app.server.test_client().post("/connexion", data={"email": "a@b.fr"},
                                                         headers={"Origin": "http://evil.example"})
    assert forged_login.status_code == 403


# --- Writes: role checked, audited with before and after --------------------------------------------

def _meeting_id(engine) -> int:
    """A scheduled meeting of the current event."""
    from dashboard.services import event as ev

    meetings = repository.event_meetings(engine, ev.current_event(engine).id)
    return int(meetings[meetings["status"] == "scheduled"]["id"].iloc[0])


def test_meeting_status_is_staff_only_and_audited(private_app):
    engine = private_app.server.extensions["tissu"].engine
    meeting = _meeting_id(engine)
    outputs = [(ids.EVENT_ADMIN_MESSAGE, "children")]
    inputs = [(ids.EVENT_MARK_HELD, "n_clicks", 1), (ids.EVENT_MARK_CANCELLED, "n_clicks", None),
              (ids.EVENT_RESCHEDULE, "n_clicks", None)]
    state = [(ids.EVENT_MEETING_ID, "value", meeting)]
    for role in ("anonymous", "member"):
        client = signed_in_client(private_app, role)
        answer = _callback(client, outputs, inputs, state)
        assert answer.status_code == 200 and "équipe UIMM" in _text(answer), role
    statuses = repository.event_meetings(engine, 1).set_index("id")["status"]
    assert statuses[meeting] == "scheduled"
    staff = signed_in_client(private_app, "staff")
    service = private_app.server.extensions["tissu"]
    service.clock = lambda: dt.datetime(2027, 3, 16, 8)  # the demo fair is ahead: held is refused
    answer = _callback(staff, outputs, inputs, state)
    assert "ne peut pas être marqué tenu avant sa fin" in _text(answer)
    assert repository.event_meetings(engine, 1).set_index("id")["status"][meeting] == "scheduled"
    service.clock = lambda: dt.datetime(2100, 1, 1)  # long after the fair
    answer = _callback(staff, outputs, inputs, state)
    assert "tenu" in _text(answer).lower()
    assert repository.event_meetings(engine, 1).set_index("id")["status"][meeting] == "held"
    entry = repository.audit_entries(engine, action="meeting.held").iloc[0]
    assert entry["actor"] == "staff@tests.tissu.example" and entry["target"] == f"meeting:{meeting}"
    assert json.loads(entry["before"]) == {"status": "scheduled"} and json.loads(entry["after"]) == {"status": "held"}


def test_reschedule_is_audited_in_the_same_transaction(private_app):
    from dashboard.services import event as ev

    engine = private_app.server.extensions["tissu"].engine
    service = private_app.server.extensions["tissu"]
    staff = Viewer(Role.STAFF, None, "staff@tests")
    message = ev.admin_action(service, "reschedule", None, staff, address="10.0.0.9")
    assert "Replanification" in message
    entry = repository.audit_entries(engine, action="event.reschedule").iloc[0]
    assert entry["address"] == "10.0.0.9" and json.loads(entry["after"])["meetings"] > 0


# --- API tokens ------------------------------------------------------------------------------------

def test_a_personal_token_gives_its_account_view_of_the_api_until_revoked(private_app):
    engine = private_app.server.extensions["tissu"].engine
    email = ensure_account(engine, "member")
    member = accounts.viewer_of(repository.account_by_email(engine, email))
    secret = accounts.create_token(engine, member, "ERP atelier")
    assert secret.startswith("tissu_") and secret not in json.dumps(repository.user_tokens(engine, member.user_id),
                                                                   default=str)
    client = private_app.server.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    item = client.get("/api/v1/establishments?limit=1", headers=headers).get_json()["items"][0]
    assert "member" in item
    assert client.get("/api/v1/establishments?member=oui&limit=1", headers=headers).status_code == 200
    assert "member" not in client.get("/api/v1/establishments?limit=1").get_json()["items"][0]
    wrong = client.get("/api/v1/establishments?limit=1", headers={"Authorization": "Bearer tissu_faux"})
    assert "member" not in wrong.get_json()["items"][0]
    token_id = repository.user_tokens(engine, member.user_id)[0].id
    assert accounts.revoke_token(engine, member, token_id)
    assert "member" not in client.get("/api/v1/establishments?limit=1", headers=headers).get_json()["items"][0]
    with pytest.raises(Forbidden):
        accounts.create_token(engine, ANONYMOUS, "x")


def test_tokens_are_created_and_revoked_from_my_account_page(private_app):
    client = signed_in_client(private_app, "member")
    page = json.dumps(_router(client, "/compte").get_json()["response"][ids.PAGE])
    assert "Mon compte" in page and "Jetons" in page
    created = _callback(client, [(ids.TOKEN_MESSAGE, "children"), (ids.TOKEN_LIST, "children")],
                        [(ids.TOKEN_CREATE, "n_clicks", 1)], [(ids.TOKEN_LABEL, "value", "<b>script</b>")])
    text = _text(created)
    assert created.status_code == 200 and "tissu_" in text
    assert '"children": "<b>script</b>"' in text  # a string child: React renders it as text, never markup
    anonymous = _router(private_app.server.test_client(), "/compte").get_json()["response"][ids.PAGE]
    assert "Connexion requise" in json.dumps(anonymous)


# --- Role × page, endpoint, payload ----------------------------------------------------------------

RESERVED = {"/compte": {"member", "staff", "admin"}, "/admin/comptes": {"staff", "admin"},
            "/admin/journal": {"staff", "admin"}}


@pytest.mark.parametrize("role", ROLES)
def test_role_by_page(client_as, role):
    client = client_as(role)
    for page in pages.PAGES:
        response = _router(client, page.path)
        assert response.status_code == 200, (role, page.path)
        body = json.dumps(response.get_json()["response"][ids.PAGE], ensure_ascii=False)
        refused = "Connexion requise" in body or "Accès réservé" in body
        allowed = role in RESERVED.get(page.path, set(ROLES))
        assert refused != allowed, (role, page.path)
        nav = json.dumps(response.get_json()["response"][ids.NAV], ensure_ascii=False)
        assert ("Comptes" in nav) == ("Journal" in nav) == (role in {"staff", "admin"})


ENDPOINTS = [  # path, roles answered 200 (others 403), whether the items carry the member flag for those roles
    ("/api/v1/establishments?limit=2", set(ROLES), "items"),
    ("/api/v1/establishments?member=oui&limit=2", {"member", "staff", "admin"}, "items"),
    ("/api/v1/establishments.csv?limit=2", set(ROLES), None),
    ("/api/v1/partners?commune=57463&radius_km=30&limit=3", set(ROLES), "items"),
    ("/api/v1/partners?commune=57463&radius_km=30&member=oui&limit=3", {"member", "staff", "admin"}, "items"),
    ("/api/v1/event/meetings?limit=2", set(ROLES), None),
    ("/api/v1/event/meetings.csv", {"staff", "admin"}, None),
]


@pytest.mark.parametrize("role", ROLES)
def test_role_by_endpoint_and_fields(client_as, role):
    client = client_as(role)
    for path, allowed, items in ENDPOINTS:
        response = client.get(path)
        assert response.status_code == (200 if role in allowed else 403), (role, path)
        if response.status_code == 403:
            assert response.get_json()["error"]["code"] == "forbidden"
        elif items:
            rows = response.get_json()[items]
            assert rows and all(("member" in r) == (role != "anonymous") for r in rows), (role, path)
            if path.startswith("/api/v1/partners") and role == "anonymous":
                assert not any("adhérent UIMM" in r["why"] for r in rows)
        elif path.endswith(".csv") and "establishments" in path:
            header = response.data.decode("utf-8-sig").splitlines()[0]
            assert ("Adhérent UIMM" in header) == (role != "anonymous"), role


@pytest.mark.parametrize("role", ROLES)
def test_role_by_export_callback(app, role):
    """The explorer export (a callback) gives the member column to signed-in viewers only."""
    import base64

    from callbacks.explorer import export_file

    client = signed_in_client(app, role)
    with app.server.test_request_context(headers={"Cookie": _cookie(client)}):
        content = base64.b64decode(export_file(app.server.extensions["tissu"], {"departement": ["55"]},
                                               "csv")["content"]).decode("utf-8-sig")
    assert ("Adhérent UIMM" in content.splitlines()[0]) == (role != "anonymous")


def _cookie(client) -> str:
    cookie = client.get_cookie("tissu_session")
    return f"tissu_session={cookie.value}" if cookie else ""


# --- Audit log page and export ----------------------------------------------------------------------

def test_audit_log_is_readable_and_exportable_by_staff_only(private_app):
    import base64

    from callbacks.accounts import export_audit

    engine = private_app.server.extensions["tissu"].engine
    accounts.create_account(engine, ADMIN, email="nouveau@exemple.fr", display_name="=HYPERLINK(\"x\")",
                            role="member")
    staff = signed_in_client(private_app, "staff")
    page = json.dumps(_router(staff, "/admin/journal").get_json()["response"][ids.PAGE], ensure_ascii=False)
    assert "Journal des modifications" in page and "Création de compte" in page and "compte n° " in page
    with private_app.server.test_request_context(headers={"Cookie": _cookie(staff)}):
        csv_text = base64.b64decode(export_audit(private_app.server.extensions["tissu"], "csv")["content"]) \
            .decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(csv_text), delimiter=";"))
    assert rows[0][:5] == ["N°", "Date (UTC)", "Par", "Code", "Action"]
    assert any(r[3] == "user.create" and r[4] == "Création de compte" for r in rows[1:])
    assert not any(cell[:1] in "=+-@" and cell for row in rows[1:] for cell in row)  # formula-safe
    member = signed_in_client(private_app, "member")
    with private_app.server.test_request_context(headers={"Cookie": _cookie(member)}):
        from dash import no_update
        assert export_audit(private_app.server.extensions["tissu"], "csv") is no_update
    assert "Accès réservé" in json.dumps(_router(member, "/admin/journal").get_json()["response"][ids.PAGE],
                                         ensure_ascii=False)


# --- Account management (admin) -------------------------------------------------------------------

def test_admin_creates_an_account_and_gets_a_one_time_link(private_app):
    admin = signed_in_client(private_app, "admin")
    answer = _callback(admin, [(ids.ADMIN_MESSAGE, "children"), (ids.ADMIN_ACCOUNTS, "children")],
                       [(ids.ADMIN_CREATE, "n_clicks", 1)],
                       [(ids.ADMIN_EMAIL, "value", "Paul.Durand@Exemple.fr"), (ids.ADMIN_NAME, "value", "Paul"),
                        (ids.ADMIN_ROLE, "value", "member"), (ids.ADMIN_SIRETS, "value", "DEMO-0000003, DEMO-0000004")])
    text = _text(answer)
    assert "paul.durand@exemple.fr" in text and "/compte/mot-de-passe?lien=" in text
    engine = private_app.server.extensions["tissu"].engine
    created = repository.account_by_email(engine, "paul.durand@exemple.fr")
    assert created.sirets == ("DEMO-0000003", "DEMO-0000004") and created.password_hash is None
    staff = signed_in_client(private_app, "staff")
    refused = _callback(staff, [(ids.ADMIN_MESSAGE, "children"), (ids.ADMIN_ACCOUNTS, "children")],
                        [(ids.ADMIN_CREATE, "n_clicks", 1)],
                        [(ids.ADMIN_EMAIL, "value", "x@exemple.fr"), (ids.ADMIN_NAME, "value", ""),
                         (ids.ADMIN_ROLE, "value", "admin"), (ids.ADMIN_SIRETS, "value", "")])
    assert "administrateurs" in _text(refused)
    assert repository.account_by_email(engine, "x@exemple.fr") is None
    # Staff issue a lost password link for a member, never for an admin account.
    page = json.dumps(_router(staff, "/admin/comptes").get_json()["response"][ids.PAGE], ensure_ascii=False)
    assert "Lien de mot de passe" in page and "Créer le compte" not in page and "Désactiver" not in page
    staff_viewer = Viewer(Role.STAFF, None, "staff@tests")
    assert "lien=" in accounts.issue_reset_link(engine, staff_viewer, "paul.durand@exemple.fr", base_url="http://x")
    with pytest.raises(Forbidden):
        accounts.issue_reset_link(engine, staff_viewer, ensure_account(engine, "admin"), base_url="http://x")


# --- Secret key, demo accounts, CLI -----------------------------------------------------------------

def test_the_secret_key_is_generated_once_into_the_instance_folder(tmp_path):
    from dashboard.sessions import secret_key

    settings = load_settings({}, instance_dir=tmp_path / "inst", database_url="sqlite://")
    first = secret_key(settings)
    path = tmp_path / "inst" / "secret_key"
    assert len(first) >= 48 and secret_key(settings) == first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert secret_key(load_settings({"TISSU_SECRET_KEY": "fixe"}, instance_dir=tmp_path)) == "fixe"


def test_demo_accounts_have_random_passwords_shown_once_and_can_be_disabled(new_database, prepared_database,
                                                                             tmp_path, capsys):
    from dashboard.app import create_app
    from dashboard.bootstrap import ensure_ready

    db = new_database(prepared_database)
    settings = load_settings({}, database_url=db.url, instance_dir=tmp_path, demo_scale=0.1)
    ensure_ready(db.engine, settings)
    printed = capsys.readouterr().err
    lines = [line.split() for line in printed.splitlines() if "@tissu.example" in line]
    assert [(role, email) for role, email, _ in lines] == [("member", "adherent@tissu.example"),
                                                          ("staff", "equipe@tissu.example"),
                                                          ("admin", "admin@tissu.example")]
    passwords = [p for _, _, p in lines]
    assert len(set(passwords)) == 3 and all(len(p) >= 16 for p in passwords)
    member = repository.account_by_email(db.engine, "adherent@tissu.example")
    assert member.is_demo and len(member.sirets) == 2
    app = create_app(settings, db.engine, prepare=False)
    assert sign_in(app.server.test_client(), "adherent@tissu.example", passwords[0]).headers["Location"] == "/"
    off = create_app(load_settings({}, database_url=db.url, instance_dir=tmp_path, demo_accounts=False), db.engine,
                     prepare=False)
    assert "echec" in sign_in(off.server.test_client(), "adherent@tissu.example", passwords[0]).headers["Location"]


def test_cli_user_commands(new_database, prepared_database, tmp_path, monkeypatch, capsys):
    from dashboard.cli import main

    db = new_database(prepared_database)
    monkeypatch.setenv("TISSU_DATABASE_URL", db.url)
    monkeypatch.setenv("TISSU_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("TISSU_PUBLIC_URL", "https://tissu.example")
    assert main(["user", "add", "Chef@Exemple.fr", "--role", "admin", "--name", "Chef"]) == 0
    assert "https://tissu.example/compte/mot-de-passe?lien=" in capsys.readouterr().out
    assert main(["user", "add", "chef@exemple.fr"]) == 2 and "existe déjà" in capsys.readouterr().out
    assert main(["user", "role", "chef@exemple.fr", "staff"]) == 0
    assert main(["user", "disable", "chef@exemple.fr"]) == 0
    assert main(["user", "list"]) == 0
    listing = capsys.readouterr().out
    assert "chef@exemple.fr" in listing and "staff" in listing and "disabled" in listing
    assert main(["user", "reset-link", "inconnu@exemple.fr"]) == 2
    entries = repository.audit_entries(db.engine)
    assert set(entries["action"]) >= {"user.create", "user.role", "user.disable", "user.reset_link"}
    assert all(actor.startswith("cli:") for actor in entries["actor"])


def test_behind_a_tls_proxy_the_origin_and_the_cookie_follow_the_forwarded_scheme(new_database, demo_database,
                                                                                  tmp_path):
    from dashboard.app import create_app

    db = new_database(demo_database)
    email = ensure_account(db.engine, "member")
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "tissu.example", "X-Forwarded-For": "203.0.113.9",
                 "Origin": "https://tissu.example"}
    form = {"email": email, "mot_de_passe": ROLE_PASSWORD}
    behind = create_app(load_settings({}, database_url=db.url, instance_dir=tmp_path, auto_demo=False, proxy_hops=1),
                        db.engine)
    response = behind.server.test_client().post("/connexion", data=form, headers=forwarded)
    assert response.status_code == 303 and "Secure" in response.headers["Set-Cookie"]
    entry = repository.audit_entries(db.engine, action="user.sign_in").iloc[0]
    assert entry["address"] == "203.0.113.9"  # the client, not the proxy
    unset = create_app(load_settings({}, database_url=db.url, instance_dir=tmp_path, auto_demo=False), db.engine)
    assert unset.server.test_client().post("/connexion", data=form, headers=forwarded).status_code == 403


def _keys(value) -> set[str]:
    """Every key of every object in a JSON value."""
    found, stack = set(), [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found |= set(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def test_no_api_answer_and_no_page_gives_the_public_a_member_flag(app, client_as):
    anonymous, member = client_as("anonymous"), client_as("member")
    rules = sorted(r.rule for r in app.server.url_map.iter_rules()
                   if r.rule.startswith("/api/v1/") and "<" not in r.rule and "GET" in r.methods)
    assert len(rules) >= 15
    for rule in rules:
        response = anonymous.get(rule)
        assert response.status_code < 500, rule
        if response.mimetype == "application/json" and not rule.endswith("openapi.json"):
            assert not {"member", "is_member"} & _keys(response.get_json()), rule
        if response.mimetype == "text/csv":
            assert "Adhérent UIMM" not in response.data.decode("utf-8-sig").splitlines()[0], rule
    for page in pages.PAGES:
        body = json.dumps(_router(anonymous, page.path).get_json()["response"][ids.PAGE], ensure_ascii=False)
        assert "Adhérent UIMM" not in body and "Part d'adhérents" not in body, page.path
    explorer = json.dumps(_router(member, "/").get_json()["response"][ids.PAGE], ensure_ascii=False)
    assert "Adhérent UIMM" in explorer and "Part d'adhérents" in explorer
