"""Security headers on every kind of response, and a CSP whose script hashes cover every executed inline script."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from dashboard import ids, pages
from dashboard.security_headers import REFERRER_POLICY, content_security_policy, tile_source
from dashboard.services import explorer

SCRIPT_TAG = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S)


def _directives(policy: str) -> dict[str, list[str]]:
    out = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        assert name not in out, f"{name} declared twice"
        out[name] = sources
    return out


def _check_headers(response) -> dict[str, list[str]]:
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == REFERRER_POLICY
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    csp = _directives(response.headers["Content-Security-Policy"])
    assert csp["frame-ancestors"] == ["'self'"] and csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]
    assert csp["default-src"] == ["'self'"] and csp["connect-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:", "blob:"]
    script = csp["script-src"]
    assert script[0] == "'self'" and all(s.startswith("'sha256-") for s in script[1:])
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(script)
    return csp


def _all_kinds(client, service) -> dict[str, object]:
    home = client.get("/").get_data(as_text=True)
    asset = re.search(r'<script src="(/assets/[^"]+)"', home).group(1)
    bundle = re.search(r'<script src="(/_dash-component-suites/[^"]+)"', home).group(1)
    return {
        "page": client.get("/"),
        "api": client.get("/api/v1/meta"),
        "api csv": client.get("/api/v1/establishments.csv?departement=55"),
        "api error": client.get("/api/v1/establishments?limit=abc"),
        "asset": client.get(asset),
        "component bundle": client.get(bundle),
        "payload": client.get(explorer.points_payload(service).url),
        "payload 304": client.get(explorer.points_payload(service).url,
                                  headers={"If-None-Match": f'"{explorer.points_payload(service).etag}"'}),
        "geometry": client.get("/geo/communes.pbf"),
        "layout": client.get("/_dash-layout"),
        "not found": client.get("/assets/nulle-part.js"),
    }


def test_every_kind_of_response_carries_the_security_headers(client, service):
    responses = _all_kinds(client, service)
    assert {name: r.status_code for name, r in responses.items()} == {
        "page": 200, "api": 200, "api csv": 200, "api error": 400, "asset": 200, "component bundle": 200,
        "payload": 200, "payload 304": 304, "geometry": 200, "layout": 200, "not found": 404}
    for name, response in responses.items():
        assert "Content-Security-Policy" in response.headers, name
        _check_headers(response)
    # Assets and payloads are typed, so nosniff cannot turn them into something else.
    assert responses["asset"].mimetype in ("text/javascript", "application/javascript")
    assert responses["payload"].mimetype == "application/json"


def test_a_callback_response_carries_the_headers(app, client):
    from auth_support import ORIGIN

    router = next(key for key in app.callback_map if f"..{ids.PAGE}.children..." in key)  # the page router
    outputs = [dict(zip(("id", "property"), o.rsplit(".", 1))) for o in router.strip(".").split("...")]
    body = {"output": router, "outputs": outputs,
            "inputs": [{"id": ids.URL, "property": "pathname", "value": "/partenaires"}],
            "state": [{"id": ids.URL, "property": "search", "value": ""}], "changedPropIds": [f"{ids.URL}.pathname"]}
    response = client.post("/_dash-update-component", json=body, headers=ORIGIN)
    assert response.status_code == 200 and response.mimetype == "application/json"
    _check_headers(response)


@pytest.mark.parametrize("path", [page.path for page in pages.PAGES])
def test_every_executed_inline_script_of_a_page_is_allowed_by_hash(client, path):
    response = client.get(path)
    assert response.status_code == 200
    allowed = set(_check_headers(response)["script-src"][1:])
    executed, data_blocks = [], []
    html = re.sub(r"<!--.*?-->", "", response.get_data(as_text=True), flags=re.S)  # Dash's IE-only comment
    for tag in SCRIPT_TAG.finditer(html):
        attrs, body = tag["attrs"], tag["body"]
        if "src=" in attrs:
            assert re.search(r'src="/', attrs), attrs  # same origin only
            continue
        kind = re.search(r'type="([^"]+)"', attrs)
        if kind and kind.group(1) not in ("application/javascript", "text/javascript", "module"):
            data_blocks.append(kind.group(1))  # never executed by a browser
            continue
        executed.append(body)
    assert executed, "Dash's renderer start-up script is inline"
    assert set(data_blocks) == {"application/json"}  # Dash's config and #tissu-bundles
    for body in executed:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed, body[:80]


def test_the_server_header_is_not_set_by_the_app(client):
    # The WSGI servers name themselves "tissu" (tests/test_server.py); the app must not add a version.
    assert "Server" not in client.get("/").headers


@pytest.mark.parametrize(("url", "source"), [
    ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
    ("https://{s}.tile.openstreetmap.fr/osmfr/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.fr"),
    ("http://tiles.local:8080/{z}/{x}/{y}.png", "http://tiles.local:8080"),
    ("https://user:pw@tiles.example.org/{z}/{x}/{y}.png", "https://tiles.example.org"),
    ("", None), ("/tiles/{z}/{x}/{y}.png", None), ("javascript:alert(1)", None), ("https://a.{s}.org/x", None),
    ("https://tiles.example.org/{z}/{x}/{y}.png; script-src *", "https://tiles.example.org"),
    ("https://a.org;script-src*/{z}.png", None), ("https://a.org:{p}/x", None), ("ftp://a.org/x", None),
])
def test_the_tile_host_is_derived_from_the_tile_url(url, source):
    assert tile_source(url) == source


def test_the_tile_host_is_added_to_img_src_only():
    csp = _directives(content_security_policy(["'sha256-abc'"], tile_url="https://{s}.tile.osm.org/{z}/{x}/{y}.png"))
    assert csp["img-src"] == ["'self'", "data:", "blob:", "https://*.tile.osm.org"]
    assert csp["script-src"] == ["'self'", "'sha256-abc'"] and csp["connect-src"] == ["'self'"]
    assert _directives(content_security_policy([], tile_url=""))["img-src"] == ["'self'", "data:", "blob:"]
