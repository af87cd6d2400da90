"""HTTP tests of /api/v1 through Flask's test client."""

import re

import pytest


def test_meta_says_the_data_is_synthetic(client):
    body = client.get("/api/v1/meta").get_json()
    assert body["is_demo"] is True
    assert "fictives" in body["notice"]
    assert body["dataset"]["name"] == "demo"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", body["dataset"]["source_date"])
    assert body["counts"]["communes"] == 2321
    assert body["counts"]["departements"] == 4
    assert body["counts"]["establishments_active"] > 1000
    assert any("IGN" in s["name"] for s in body["sources"])
    assert all("date" in s for s in body["sources"])


def test_communes_filter_and_paginate(client):
    body = client.get("/api/v1/communes?departement=55&limit=10&offset=5").get_json()
    assert body["total"] == 499  # communes of the Meuse, COG 2026
    assert len(body["items"]) == 10 and body["offset"] == 5
    item = body["items"][0]
    assert set(item) == {"code", "name", "population", "departement", "epci", "zone_emploi", "lat", "lon"}
    assert all(i["departement"] == "55" for i in body["items"])


def test_communes_search_is_accent_insensitive(client):
    body = client.get("/api/v1/communes?q=saint die").get_json()
    assert "Saint-Dié-des-Vosges" in [i["name"] for i in body["items"]]


def test_communes_by_zone_and_epci(client):
    metz_zone = client.get("/api/v1/communes?zone_emploi=4410").get_json()
    assert metz_zone["total"] == 246
    epci = metz_zone["items"][0]["epci"]
    same_epci = client.get(f"/api/v1/communes?epci={epci}").get_json()
    assert same_epci["total"] >= 1 and all(i["epci"] == epci for i in same_epci["items"])


def test_capabilities_grouped_by_family_with_counts(client):
    body = client.get("/api/v1/capabilities").get_json()
    assert len(body["families"]) == 12
    caps = [c for f in body["families"] for c in f["capabilities"]]
    assert len(caps) == 45
    assert all(c["establishments"] >= 1 for c in caps)
    only = client.get("/api/v1/capabilities?family=usinage").get_json()
    assert [f["code"] for f in only["families"]] == ["usinage"]


@pytest.mark.parametrize("url, parameter", [
    ("/api/v1/communes?departement=75", "departement"),
    ("/api/v1/communes?limit=abc", "limit"),
    ("/api/v1/communes?limit=0", "limit"),
    ("/api/v1/communes?limit=10001", "limit"),
    ("/api/v1/communes?offset=-1", "offset"),
    ("/api/v1/communes?epci=123", "epci"),
    ("/api/v1/communes?zone_emploi=x", "zone_emploi"),
    ("/api/v1/communes?q=" + "a" * 101, "q"),
    ("/api/v1/communes?couleur=bleu", "couleur"),
    ("/api/v1/capabilities?family=cuisine", "family"),
    ("/api/v1/meta?x=1", "x"),
])
def test_bad_parameters_get_a_json_400(client, url, parameter):
    response = client.get(url)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["parameter"] == parameter and error["message"]


def test_unknown_route_and_method_are_json(client):
    missing = client.get("/api/v1/nope")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    post = client.post("/api/v1/meta")
    assert post.status_code == 405 and "error" in post.get_json()


def test_openapi_describes_every_api_route(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", r.rule) for r in app.server.url_map.iter_rules()
              if r.rule.startswith("/api/v1/") and "<path:" not in r.rule}  # Flask <x> = OpenAPI {x}
    assert routes == set(doc["paths"])
    for item in doc["paths"].values():
        assert "get" in item and "200" in item["get"]["responses"]


def test_geometry_is_served_locally_and_compressed(client):
    response = client.get("/geo/communes.geojson", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/geo+json")
    assert response.headers.get("Content-Encoding") == "gzip"
    assert client.get("/geo/unknown.geojson").status_code == 404
    assert client.get("/geo/communes.shp").status_code == 404
    etag = response.headers["ETag"]
    assert client.get("/geo/communes.geojson", headers={"If-None-Match": etag}).status_code == 304


def test_geobuf_geometry_decodes_to_the_same_communes(client):
    import json

    import geobuf

    packed = client.get("/geo/communes.pbf")
    assert packed.status_code == 200 and packed.mimetype == "application/x-protobuf"
    decoded = geobuf.decode(packed.data)
    plain = json.loads(client.get("/geo/communes.geojson").data)
    codes = lambda collection: [f["properties"]["code"] for f in collection["features"]]
    assert codes(decoded) == codes(plain)
    import numpy as np

    for a, b in zip(decoded["features"][:50], plain["features"][:50]):
        assert a["geometry"]["type"] == b["geometry"]["type"]
        ring_a, ring_b = (np.array(f["geometry"]["coordinates"][0] if f["geometry"]["type"] == "Polygon"
                                   else f["geometry"]["coordinates"][0][0]) for f in (a, b))
        assert ring_a.shape == ring_b.shape and np.abs(ring_a - ring_b).max() <= 0.5e-4 + 1e-12


def test_establishments_items_have_every_documented_field(client_as):
    body = client_as("member").get("/api/v1/establishments?limit=3").get_json()
    assert body["is_demo"] is True and "fictives" in body["notice"] and len(body["items"]) == 3
    expected = {"id", "siret", "name", "naf", "naf_label", "filiere", "size_band", "headcount_estimate",
                "commune_code", "commune_name", "departement", "epci", "lat", "lon", "capabilities", "certifications",
                "member", "source", "source_date", "is_demo"}
    assert expected <= set(body["items"][0])
    assert body["items"][0]["source_date"] == "2025-12-31"
    public = client_as("anonymous").get("/api/v1/establishments?limit=3").get_json()["items"][0]
    assert set(public) == set(body["items"][0]) - {"member"}  # the public never sees the member flag


def test_establishments_filters_combine(client, client_as, service):
    everything = client.get("/api/v1/establishments?limit=1").get_json()["total"]
    assert everything == len(service.snapshot().establishments)
    moselle = client.get("/api/v1/establishments?departement=57&limit=10000").get_json()
    assert 0 < moselle["total"] < everything and all(i["departement"] == "57" for i in moselle["items"])
    both = client.get("/api/v1/establishments?capability=tournage&capability=fraisage_3axes&limit=10000").get_json()
    anyof = client.get("/api/v1/establishments?capability=tournage,fraisage_3axes&capability_mode=any"
                       "&limit=10000").get_json()
    assert both["total"] < anyof["total"]
    assert all({"tournage", "fraisage_3axes"} <= set(i["capabilities"]) for i in both["items"])
    refused = client.get("/api/v1/establishments?member=oui&limit=10000")
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    members = client_as("staff").get("/api/v1/establishments?member=oui&limit=10000").get_json()
    assert members["total"] > 0 and all(i["member"] for i in members["items"])
    big = client.get("/api/v1/establishments?size_min=21&limit=10000").get_json()
    assert all(i["headcount_estimate"] >= 50 for i in big["items"])
    page2 = client.get("/api/v1/establishments?departement=57&limit=5&offset=5").get_json()
    assert [i["id"] for i in page2["items"]] == [i["id"] for i in moselle["items"][5:10]]


def test_establishments_csv_matches_the_json_count(client):
    body = client.get("/api/v1/establishments.csv?departement=55&certification=iso9001")
    assert body.status_code == 200 and body.mimetype == "text/csv"
    text = body.data.decode("utf-8")
    assert text.startswith("\ufeff") and "\r\n" in text
    total = client.get("/api/v1/establishments?departement=55&certification=iso9001").get_json()["total"]
    assert len(text.strip().split("\r\n")) == total + 1


@pytest.mark.parametrize("query, parameter", [
    ("capability=soudage", "capability"), ("capability_mode=both", "capability_mode"), ("size_min=XL", "size_min"),
    ("member=peut-etre", "member"), ("departement=2A", "departement"), ("naf=99.99Z", "naf"),
    ("certification=iso1", "certification"), ("limit=0", "limit"), ("offset=x", "offset"), ("tri=nom", "tri"),
])
def test_establishments_bad_parameters(client, query, parameter):
    for path in ("/api/v1/establishments", "/api/v1/establishments.csv"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, path
        assert response.get_json()["error"]["parameter"] == parameter


def test_json_page_size_is_capped(client):
    response = client.get("/api/v1/establishments?limit=10001")
    assert response.status_code == 400 and response.get_json()["error"]["parameter"] == "limit"
