"""Signed-in test clients: one account per role in a test database, signed in through the real form route."""

from __future__ import annotations

import secrets

ROLE_PASSWORD = "mot de passe des tests " + secrets.token_hex(4)  # random per run: never a published secret
ORIGIN = {"Origin": "http://localhost"}  # what a browser sends with a POST from one of our pages


def ensure_account(engine, role: str) -> str:
    """The tests' account of `role` in this database (created on first use): its e-mail (password ROLE_PASSWORD)."""
    from dashboard import accounts
    from dashboard.policy import Role, Viewer

    email = f"{role}@tests.tissu.example"
    if accounts.repository.account_by_email(engine, email) is None:
        accounts.create_account(engine, Viewer(Role.ADMIN, None, "cli:tests"), email=email,
                                display_name=f"Compte {role} (tests)", role=role,
                                sirets=("DEMO-0000001",) if role == "member" else (), password=ROLE_PASSWORD)
    return email


def sign_in(client, email: str, password: str = ROLE_PASSWORD):
    """Sign `client` in through the real form route; returns the response (303 to the target on success)."""
    return client.post("/connexion", data={"email": email, "mot_de_passe": password, "suivant": "/"},
                       headers=ORIGIN)


def signed_in_client(app, role: str):
    """A test client of `app` signed in with `role` ("anonymous": not signed in)."""
    client = app.server.test_client()
    if role != "anonymous":
        response = sign_in(client, ensure_account(app.server.extensions["tissu"].engine, role))
        assert response.status_code == 303 and response.headers["Location"] == "/", response.headers
    return client
