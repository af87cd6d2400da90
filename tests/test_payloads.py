"""Per-dataset payloads: encoded once, served as immutable versioned GETs, never inside a callback response."""

from __future__ import annotations

import gzip
import json
import re

import pytest
from auth_support import ORIGIN

from dashboard import ids, pages, repository
from dashboard.policy import ANONYMOUS
from dashboard.services import cross_border, event, explorer, partners
from dashboard.services.payloads import encode_payload, parse_filename


def _router(client, path: str = "/") -> bytes:
    """The router callback's response for `path`, as the browser POSTs it on every page view."""
    outputs = [{"id": ids.PAGE, "property": "children"}, {"id": ids.DATASET_BADGE, "property": "children"},
               {"id": ids.NAV, "property": "children"}, {"id": ids.ACCOUNT_AREA, "property": "children"}]
    body = {"output": f"..{ids.PAGE}.children...{ids.DATASET_BADGE}.children...{ids.NAV}.children..."
                      f"{ids.ACCOUNT_AREA}.children..",
            "outputs": outputs, "inputs": [{"id": ids.URL, "property": "pathname", "value": path}],
            "state": [{"id": ids.URL, "property": "search", "value": ""}], "changedPropIds": [f"{ids.URL}.pathname"]}
    response = client.post("/_dash-update-component", json=body, headers=ORIGIN)
    assert response.status_code == 200
    return response.get_data()


def _stores(tree) -> dict:
    """id -> data of every dcc.Store in a serialised component tree."""
    found, stack = {}, [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            if node.get("type") == "Store":
                found[node["props"]["id"]] = node["props"].get("data")
            stack.extend(node.values())
    return found


def test_payload_encoding_is_compact_deterministic_and_versioned_by_content():
    a = encode_payload("demo", {"n": ["Forge de l'Est", "Aciérie"], "lat": [48.1, 49.2]})
    assert a.raw == '{"n":["Forge de l\'Est","Aciérie"],"lat":[48.1,49.2]}'.encode()
    assert gzip.decompress(a.packed) == a.raw
    assert encode_payload("demo", {"n": ["Forge de l'Est", "Aciérie"], "lat": [48.1, 49.2]}) == a
    b = encode_payload("demo", {"n": ["Forge de l'Est"], "lat": [48.1]})
    assert b.etag != a.etag and b.url != a.url
    assert parse_filename(a.url.rsplit("/", 1)[1]) == ("demo", a.etag)
    assert parse_filename("demo-123.json") is None and parse_filename("../x-" + "0" * 20 + ".json") is None
    with pytest.raises(ValueError):
        encode_payload("Bad-Name", {})


def test_router_response_for_the_map_carries_urls_not_the_point_store(service, client):
    raw = _router(client, "/")
    stores = _stores(json.loads(raw))
    urls = stores[ids.PAYLOAD_URLS]
    assert stores[ids.POINT_STORE] is None and stores[ids.LOOKUP_STORE] is None
    assert urls == {"points": explorer.points_payload(service).url, "lookups": explorer.lookups_payload(service).url}
    points = explorer.points_payload(service).raw
    assert b'"lat":[' not in raw and b'"vocabularies"' not in raw
    # Before: the router answer held the whole point store (≈ 95 bytes per establishment) on top of the page.
    assert len(raw) < len(points) / 2 + 150_000


def test_a_payload_is_served_gzipped_once_with_an_etag_and_immutable_caching(service, client):
    payload = explorer.points_payload(service)
    zipped = client.get(payload.url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert zipped.status_code == 200 and zipped.mimetype == "application/json"
    assert zipped.headers["Content-Encoding"] == "gzip" and zipped.get_data() == payload.packed
    assert zipped.headers["ETag"] == f'"{payload.etag}"'
    assert zipped.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    plain = client.get(payload.url, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and plain.get_data() == payload.raw
    assert json.loads(plain.get_data())["version"] == explorer.data_key(service.snapshot())
    again = client.get(payload.url, headers={"If-None-Match": f'"{payload.etag}"'})
    assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == f'"{payload.etag}"'
    assert explorer.points_payload(service) is payload  # built and compressed once per data version


@pytest.mark.parametrize("path", ["/data/explorer_points-0123456789abcdef0123.json", "/data/nothing-"
                                  + "0" * 20 + ".json", "/data/explorer_points.json", "/data/x"])
def test_an_unknown_or_stale_payload_url_is_a_404_never_cached(client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.headers["Cache-Control"] == "no-store"
    assert response.get_json()["error"]["code"] in {"stale_payload", "unknown_payload"}


def test_a_new_dataset_gives_new_urls_and_the_old_ones_answer_404(new_database, demo_database, tmp_path):
    from dashboard.app import create_app
    from dashboard.bootstrap import load_demo
    from dashboard.settings import load_settings

    db = new_database(demo_database)
    settings = load_settings({}, database_url=db.url, instance_dir=tmp_path, auto_demo=False,
                             version_check_seconds=0)  # every call re-reads the versions: no timing in the test
    engine = db.engine
    try:
        app = create_app(settings, engine)
        client = app.server.test_client()
        before = _stores(json.loads(_router(client)))[ids.PAYLOAD_URLS]
        assert client.get(before["points"]).status_code == 200
        load_demo(engine, seed=11, scale=0.05)  # an import: a new active dataset version
        stale = client.get(before["points"])  # the route re-reads the versions itself on a mismatch
        assert stale.status_code == 404 and stale.get_json()["error"]["code"] == "stale_payload"
        after = _stores(json.loads(_router(client)))[ids.PAYLOAD_URLS]
        assert after["points"] != before["points"]
        fresh = client.get(after["points"])
        assert fresh.status_code == 200
        assert fresh.get_json()["version"] == explorer.data_key(app.server.extensions["tissu"].snapshot())
    finally:
        db.dispose()


def test_the_grid_bundle_is_written_only_on_pages_that_render_a_grid_at_once(client):
    def grid_scripts(path: str) -> list[str]:
        return re.findall(r'<script src="([^"]*dash_ag_grid[^"]*)"', client.get(path).get_data(as_text=True))

    assert grid_scripts("/") == [] and grid_scripts("/partenaires") == []
    assert len(grid_scripts("/couverture")) == 1
    home = client.get("/").get_data(as_text=True)
    config = json.loads(re.search(r'<script id="tissu-bundles" type="application/json">(.*?)</script>', home).group(1))
    assert config["dash_ag_grid"]["components"] == ["AgGrid"]
    bundle = client.get(config["dash_ag_grid"]["url"])
    assert bundle.status_code == 200 and b"window.dash_ag_grid" in bundle.get_data()


def test_payload_names_are_declared_once_in_the_registry():
    builders = pages.payload_builders()
    assert set(builders) == {explorer.POINTS_PAYLOAD, explorer.LOOKUPS_PAYLOAD, explorer.MEMBERS_PAYLOAD,
                             partners.COMMUNES_PAYLOAD, event.PARTICIPANTS_PAYLOAD, cross_border.REGIONS_PAYLOAD,
                             cross_border.SITES_PAYLOAD}
    twice = (pages.Page("/a", "callbacks.explorer:render", payloads={"x": explorer.points_payload}),
             pages.Page("/b", "callbacks.explorer:render", payloads={"x": explorer.lookups_payload}))
    with pytest.raises(ValueError):
        pages.payload_builders(twice)
    assert pages.bundles_for("/couverture/") == ("dash_ag_grid",) and pages.bundles_for("/inconnue") == ()


def test_the_partner_page_carries_the_url_of_its_commune_options_not_the_list(service, client):
    raw = _router(client, "/partenaires")
    url = _stores(json.loads(raw))[ids.PARTNER_COMMUNES_URL]
    assert url == partners.communes_payload(service).url
    options = client.get(url).get_json()
    assert len(options) == len(service.lookups.communes) > 100
    nancy = next(o for o in options if o["value"] == "54395")
    assert nancy["label"] == "Nancy (54)" and "Nancy" in nancy["search"]
    assert b"Nancy (54)" not in raw and len(raw) < len(partners.communes_payload(service).raw)
    # A link with a commune renders its option at once, so the dropdown shows it before the payload arrives.
    chosen = partners.partner_view(service, {"commune": ["54395"]}, ANONYMOUS)
    assert chosen.commune_options == [nancy]


def test_the_event_page_carries_the_url_of_its_participant_options_not_the_list(service, client):
    raw = _router(client, "/evenement")
    url = _stores(json.loads(raw))[ids.EVENT_PARTICIPANTS_URL]
    assert url == event.participants_payload(service).url
    options = client.get(url).get_json()
    people = repository.event_participants(service.engine, event.current_event(service.engine).id)
    assert [o["value"] for o in options] == [int(i) for i in people["id"]] and len(options) > 10
    assert all(o["label"].encode() not in raw for o in options[:20])
    assert event.participants_payload(service) is event.participants_payload(service)  # encoded once per content


def test_a_new_event_import_gives_a_new_participants_url(new_database, demo_database, tmp_path):
    from dashboard.app import create_app
    from dashboard.settings import load_settings

    db = new_database(demo_database)
    settings = load_settings({}, database_url=db.url, instance_dir=tmp_path, auto_demo=False)
    try:
        app = create_app(settings, db.engine)
        client = app.server.test_client()
        service = app.server.extensions["tissu"]
        before = event.participants_payload(service)
        current = event.current_event(db.engine)
        people = repository.event_participants(db.engine, current.id)
        renamed = people["name"].iloc[0] + " (renommé)"
        with db.engine.begin() as conn:
            from sqlalchemy import update

            from dashboard import models as m
            conn.execute(update(m.Participant).where(m.Participant.id == int(people["id"].iloc[0]))
                         .values(name=renamed))
        after = event.participants_payload(service)
        assert after.url != before.url and renamed in after.raw.decode()
        assert client.get(before.url).status_code == 404 and client.get(after.url).status_code == 200
    finally:
        db.dispose()


def test_member_flags_are_a_payload_of_their_own_for_signed_in_viewers_only(client_as):
    public = _stores(json.loads(_router(client_as("anonymous"))))[ids.PAYLOAD_URLS]
    assert set(public) == {"points", "lookups"}  # no member flags for the public, not even their URL
    points = client_as("anonymous").get(public["points"]).get_json()
    assert "m" not in points
    member = client_as("member")
    urls = _stores(json.loads(_router(member)))[ids.PAYLOAD_URLS]
    assert urls["points"] == public["points"]  # the shared store is the same for everyone
    flags = member.get(urls["members"])
    assert flags.status_code == 200 and flags.headers["Cache-Control"] == "private, no-cache"
    assert len(flags.get_json()["m"]) == len(points["lat"]) and set(flags.get_json()["m"]) <= {0, 1}
    refused = client_as("anonymous").get(urls["members"])
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
