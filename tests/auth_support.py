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


def sign_in_page(page, live_server: str, role: str) -> None:
    """Sign a Playwright page in through the sign-in form, as a person does (the live server has the accounts)."""
    page.goto(f"{live_server}/connexion", wait_until="networkidle")
    page.fill("#login-email", f"{role}@tests.tissu.example")
    page.fill("#login-password", ROLE_PASSWORD)
    with page.expect_navigation():
        page.click("#login-submit")
    page.wait_for_selector(".account-name", timeout=15000)


SUPPLIER = "fournisseur"  # a second member account, for a supplier's side of the network (sign_in_page(…, SUPPLIER))


def nearest_supplier(records: list[dict]) -> tuple[str, str]:
    """The establishment nearest to the tests' member's site (DEMO-0000001) that has a capability, and its first
    capability (sorted): the supplier of the network's browser test. `records`: id, lat, lon, capabilities."""
    import math

    buyer = next(r for r in records if r["id"] == "DEMO-0000001")

    def km(r: dict) -> float:
        dlat, dlon = math.radians(r["lat"] - buyer["lat"]), math.radians(r["lon"] - buyer["lon"])
        return math.hypot(dlat, dlon * math.cos(math.radians(buyer["lat"])))

    nearest = min((r for r in records if r["capabilities"] and r["id"] != buyer["id"]), key=lambda r: (km(r), r["id"]))
    return str(nearest["id"]), sorted(nearest["capabilities"])[0]


def ensure_supplier_account(engine) -> tuple[str, str]:
    """A member account (password ROLE_PASSWORD) for `nearest_supplier`: (its public id, its capability)."""
    from dashboard import accounts, repository
    from dashboard.policy import Role, Viewer

    dataset = repository.active_dataset(engine)
    assert dataset is not None
    sites = repository.establishments_frame(engine, dataset.id)
    links = repository.establishment_capabilities(engine, dataset.id)
    caps = links.groupby("establishment_id")["capability_code"].apply(list).to_dict()
    site, capability = nearest_supplier([{"id": r["public_id"], "lat": r["lat"], "lon": r["lon"],
                                          "capabilities": caps.get(r["id"], [])} for r in sites.to_dict("records")])
    email = f"{SUPPLIER}@tests.tissu.example"
    if repository.account_by_email(engine, email) is None:
        accounts.create_account(engine, Viewer(Role.ADMIN, None, "cli:tests"), email=email,
                                display_name="Fournisseur (tests)", role="member", sirets=(site,),
                                password=ROLE_PASSWORD)
    return site, capability
