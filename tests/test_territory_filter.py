"""The explorer's Territoire d'industrie filter: hidden with a hint until the ANCT list is imported, then the same
filter in the explorer's URL, its table and exports, the browser's lookup store and the API (400 on a bad code)."""

from __future__ import annotations

import json

import pytest

from dashboard.analytics.filters import Criteria, CriteriaError, filter_mask, parse_criteria


@pytest.fixture(scope="module")
def ti_app(ti_database, databases, tmp_path_factory):
    """An app on the demo with the small ANCT fixture (conftest `ti_database`)."""
    from dashboard.app import create_app
    from dashboard.settings import load_settings

    db = databases.create(ti_database)
    settings = load_settings({}, database_url=db.url, instance_dir=tmp_path_factory.mktemp("ti"), auto_demo=False)
    yield create_app(settings, db.engine)
    db.dispose()
    databases.drop(db)


def _in(frame, communes):
    return sorted(frame.loc[frame["commune_code"].isin(communes), "public_id"])


def test_without_the_list_the_explorer_says_how_to_get_it(client, service):
    from callbacks import explorer

    tree = str(explorer.render(service, {}))
    assert "tissu import territoires-industrie" in tree and "Territoire d'industrie" in tree
    view = explorer.explorer_view(service, {"territoire_industrie": ["ti-4401"]})
    assert view.criteria.territoires == () and any("Territoire d'industrie inconnu" in n for n in view.notices)
    response = client.get("/api/v1/establishments?territoire_industrie=ti-4401")
    assert response.status_code == 400 and response.get_json()["error"]["parameter"] == "territoire_industrie"


def test_imported_list_filters_the_explorer_its_url_and_the_api(ti_app):
    from callbacks import explorer
    from dashboard.services.explorer import lookups_payload
    from dashboard.services.industry_territories import filter_vocabulary, industry_territories

    service = ti_app.server.extensions["tissu"]
    snap = service.snapshot()
    nord = industry_territories(service).communes["ti-4401"]
    assert nord == {"57463", "57672"}
    expected = _in(snap.establishments, nord)
    assert expected  # the demo has establishments in Metz and Thionville
    # The page: a dropdown with both territories and their counts, restored from the URL.
    view = explorer.explorer_view(service, {"territoire_industrie": ["ti-4401"]})
    assert view.criteria.territoires == ("ti-4401",) and not view.notices
    labels = {o["value"]: o["label"] for o in view.data.options.territoires}
    assert set(labels) == {"ti-4401", "ti-4402"} and labels["ti-4401"].endswith(f"({len(expected)})")
    tree = str(explorer.render(service, {"territoire_industrie": ["ti-4401"]}))
    assert "filter-territoire-industrie" in tree and "tissu import territoires-industrie" not in tree
    # The shared definition: filter_mask, the server's records (table, exports) and the browser's lookup store.
    criteria, _ = parse_criteria({"territoire_industrie": ["ti-4401"]}, filter_vocabulary(service), strict=True)
    mask = filter_mask(snap.establishments, criteria, capability_links=snap.capability_links,
                       certification_links=snap.certification_links, territory_communes={"ti-4401": nord})
    assert sorted(snap.establishments[mask]["public_id"]) == expected
    with pytest.raises(ValueError, match="territory_communes"):
        filter_mask(snap.establishments, Criteria(territoires=("ti-4401",)), capability_links=snap.capability_links,
                    certification_links=snap.certification_links)
    with pytest.raises(CriteriaError):
        parse_criteria({"territoire_industrie": ["nope"]}, filter_vocabulary(service), strict=True)
    lookups = json.loads(lookups_payload(service).raw)
    communes = lookups["vocabularies"]["communes"]
    assert sorted(communes[i] for i in lookups["territoires"]["ti-4401"]) == sorted(nord)
    # The API: same selection, a union for two territories, 400 naming the parameter for an unknown code.
    client = ti_app.server.test_client()
    body = client.get("/api/v1/establishments?territoire_industrie=ti-4401&limit=1000").get_json()
    assert body["total"] == len(expected) and sorted(i["id"] for i in body["items"]) == expected
    both = client.get("/api/v1/establishments?territoire_industrie=ti-4401,ti-4402&limit=1").get_json()["total"]
    nancy = client.get("/api/v1/establishments?territoire_industrie=ti-4402&limit=1").get_json()["total"]
    assert both == len(expected) + nancy and nancy > 0
    bad = client.get("/api/v1/establishments?territoire_industrie=ti-9999")
    assert bad.status_code == 400 and bad.get_json()["error"]["parameter"] == "territoire_industrie"
    assert "ti-9999" in bad.get_json()["error"]["message"]
    spec = client.get("/api/v1/openapi.json").get_json()
    names = {p["name"] for p in spec["paths"]["/api/v1/establishments"]["get"]["parameters"]}
    assert "territoire_industrie" in names


def test_the_table_and_export_follow_the_territory(ti_app):
    from dashboard.policy import ANONYMOUS
    from dashboard.services.explorer import selected_records
    from dashboard.services.industry_territories import industry_territories

    service = ti_app.server.extensions["tissu"]
    records, criteria = selected_records(service, {"territoire_industrie": ["ti-4402"]}, ANONYMOUS)
    nancy = industry_territories(service).communes["ti-4402"]
    assert criteria.territoires == ("ti-4402",) and len(records) == len(_in(service.snapshot().establishments, nancy))
