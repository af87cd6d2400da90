"""The partner page and GET /api/v1/partners: query parsing, callbacks as functions, API answers and errors."""

import base64
import io

import pandas as pd
import pytest
from dash import no_update

from callbacks.partners import (
    export_or_notice,
    export_partners,
    origin_from_click,
    partner_results,
    partner_view,
    site_options,
)
from dashboard import ids
from dashboard.analytics.filters import vocabulary_from
from dashboard.analytics.geodesy import haversine_km
from dashboard.analytics.partner_query import PartnerParamError, PartnerQuery, parse_partner_query, partner_query_params
from dashboard.services.partners import query_from_controls


@pytest.fixture(scope="module")
def vocab(service):
    return vocabulary_from(service.lookups)


def test_query_round_trips_through_parameters(vocab):
    query = PartnerQuery(commune="55122", capabilities=("soudure_tig", "soudure_robotisee"), capability_mode="any",
                         certifications=("en9100",), naf=("25", "25.62B"), size_min="11", members_only=True,
                         radius_km=60, sort="distance")
    params = partner_query_params(query)
    again, notices = parse_partner_query({k: [v] for k, v in params}, vocab, strict=True)
    assert again == query and notices == []
    assert partner_query_params(PartnerQuery(lat=49.1, lon=6.2)) == [("lat", "49.10000"), ("lon", "6.20000")]


@pytest.mark.parametrize("params, parameter", [
    ({"capability": ["soudage"]}, "capability"), ({"radius_km": ["0"]}, "radius_km"),
    ({"radius_km": ["301"]}, "radius_km"), ({"radius_km": ["loin"]}, "radius_km"), ({"sort": ["nom"]}, "sort"),
    ({"lat": ["x"], "lon": ["6"]}, "lat"), ({"lat": ["49"], "lon": ["y"]}, "lon"), ({"naf": ["99"]}, "naf"),
    ({"member": ["peut-être"]}, "member"), ({"size_min": ["XL"]}, "size_min"),
])
def test_bad_parameters_name_the_parameter(vocab, params, parameter):
    with pytest.raises(PartnerParamError) as err:
        parse_partner_query(params, vocab, strict=True)
    assert err.value.parameter == parameter
    _, notices = parse_partner_query(params, vocab, strict=False)
    assert len(notices) == 1 and "(ignoré)" in notices[0]


def test_page_view_restores_the_query_and_flags_unknown_origin(service):
    view = partner_view(service, {"commune": ["55122"], "capability": ["soudure_tig"], "radius_km": ["60"]})
    assert view.origin_mode == "commune" and view.query.capabilities == ("soudure_tig",)
    assert view.query.radius_km == 60 and view.notices == []
    bad = partner_view(service, {"site": ["DEMO-9999999"], "capability": ["soudage"]})
    assert bad.query.site is None and len(bad.notices) == 2


def test_a_link_naming_the_site_by_siret_shows_it_in_the_dropdown(service, monkeypatch):
    """`?site=<SIRET>` (as a member's own link carries it) selects that site, as the option the dropdown holds."""
    from dashboard.services.base import Snapshot

    snap = service.snapshot()
    sites = snap.establishments.copy()
    sites["siret"] = sites["siret"].astype(object)
    sites.iloc[3, sites.columns.get_loc("siret")] = "12345678900017"  # the demo has none: give one site a SIRET
    with_siret = Snapshot(snap.dataset, sites, snap.capability_links, snap.certification_links, snap.closed_count,
                          snap.versions, snap.closed_establishments)
    monkeypatch.setattr(service, "snapshot", lambda: with_siret)
    view = partner_view(service, {"site": ["12345678900017"], "capability": ["soudure_tig"]})
    public_id = sites["public_id"].iloc[3]
    assert view.query.site == public_id and view.notices == []
    assert [o["value"] for o in view.site_options] == [public_id]


def test_site_autocomplete_finds_by_name_and_id(service):
    snap = service.snapshot()
    row = snap.establishments.sort_values("headcount_estimate").iloc[-1]
    by_name = site_options(service, row["name"].split()[0], None)
    assert row["public_id"] in [o["value"] for o in by_name] and len(by_name) <= 30
    by_id = site_options(service, row["public_id"], None)
    assert by_id[0]["value"] == row["public_id"]
    shown = lambda options: [(o["label"], o["value"]) for o in options]  # noqa: E731 (`search` repeats the query)
    chosen = [o for o in by_id if o["value"] == row["public_id"]]
    assert shown(site_options(service, "a", row["public_id"])) == shown(chosen)


def test_origin_searches_rank_exact_names_then_size_whatever_the_spelling(service):
    from dashboard.services.partners import commune_options

    metz = commune_options(service, "Metz", None)
    assert metz[0]["label"].startswith("Metz (") and not any(o["label"].startswith(("Jametz", "Aumetz")) for o in metz)
    for typed in ("saint die", "st-dié", "ST DIE"):
        found = commune_options(service, typed, None)
        assert found[0]["label"].startswith("Saint-Dié-des-Vosges"), typed
        # The dropdown's own filter needs every typed word inside `search`: the server's ranking survives it.
        assert all(set(typed.lower().split()) <= set(o["search"].split()) for o in found)
    assert commune_options(service, "epinal", None)[0]["label"].startswith("Épinal")
    assert commune_options(service, "xyz", "57463")[0]["value"] == "57463"  # the chosen commune stays listed
    snap = service.snapshot()
    row = snap.establishments.sort_values("headcount_estimate").iloc[-1]
    assert site_options(service, row["name"], None)[0]["value"] in set(
        snap.establishments.loc[snap.establishments["name"] == row["name"], "public_id"])


def test_results_are_ranked_explained_and_exclude_the_origin(service):
    snap = service.snapshot()
    origin = snap.establishments.sort_values("headcount_estimate").iloc[-1]
    query = query_from_controls("site", origin["public_id"], None, None, ["soudure_tig"], "all", [], [], None, [],
                                50, "score")
    summary, items, layers, points, viewport, params, widen_style, _ = partner_results(service, query)
    assert params["site"] == origin["public_id"] and params["radius_km"] == "50"
    assert "partenaire" in str(summary) and len(layers) == 2 and viewport["bounds"]
    features = points["features"]
    assert len(features) == len(items) > 0
    assert sorted(f["properties"]["rank"] for f in features) == list(range(1, len(features) + 1))
    # Only the first NUMBERED_MARKERS are numbered, drawn last (over the points).
    assert [f["properties"]["numbered"] for f in features] == sorted(f["properties"]["rank"] <= 10 for f in features)
    assert sum(f["properties"]["numbered"] for f in features) == min(10, len(features))
    text = str(items[0])
    assert "savoir-faire demandé" in text and "km" in text
    distances = [haversine_km(origin["lat"], origin["lon"], f["geometry"]["coordinates"][1],
                              f["geometry"]["coordinates"][0]) for f in features]
    assert max(distances) <= 50 + 1e-6
    assert all(f"data-id='{origin['public_id']}'" not in str(item) for item in items)  # the origin is excluded


def test_missing_origin_explains_what_to_do(service):
    summary, items, layers, points, *_ = partner_results(service, query_from_controls(
        "site", None, None, None, [], "all", [], [], None, [], 40, "score"))
    assert "point de départ" in str(summary) and items == [] and points is None


def test_map_click_sets_the_origin_only_in_point_mode():
    click = {"latlng": {"lat": 48.123456, "lng": 6.654321}}
    assert origin_from_click("point", click) == {"lat": 48.12346, "lon": 6.65432}
    assert origin_from_click("commune", click) is no_update


def test_export_contains_the_shortlist_with_reasons(service):
    params = {"commune": "57463", "capability": "tournage", "radius_km": "30"}
    payload = export_partners(service, params, "csv")
    text = base64.b64decode(payload["content"]).decode("utf-8")
    frame = pd.read_csv(io.StringIO(text.lstrip("\ufeff")), sep=";", dtype=str)
    assert list(frame.columns[:8]) == ["Rang", "Identifiant (SIRET ou démo)", "Nom", "Distance (km, vol d'oiseau)",
                                       "Distance routière estimée (km)", "Temps de trajet estimé (min)", "Score",
                                       "Pourquoi"]
    assert len(frame) > 0 and frame["Rang"].tolist() == [str(i) for i in range(1, len(frame) + 1)]
    xlsx = export_partners(service, params, "xlsx")
    assert pd.read_excel(io.BytesIO(base64.b64decode(xlsx["content"])), sheet_name="Partenaires").shape[0] == len(frame)



@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_export_before_an_origin_is_chosen_says_so(service, kind):
    download, notice = export_or_notice(service, {"capability": "tournage", "radius_km": "30"}, kind)
    assert download is no_update and "point de départ" in notice.children
    assert export_or_notice(service, None, kind)[0] is no_update
    sent, untouched = export_or_notice(service, {"commune": "57463", "capability": "tournage"}, kind)
    assert sent["filename"].endswith(f".{kind}") and untouched is no_update


@pytest.mark.parametrize("button", [ids.PARTNER_EXPORT_CSV, ids.PARTNER_EXPORT_XLSX])
@pytest.mark.parametrize("stored", [None, {}, {"capability": "tournage", "radius_km": "30"}, {"site": "inconnu"},
                                    {"commune": "99999"}, {"radius_km": "-5"}])
def test_export_buttons_before_an_origin_answer_a_french_hint_and_no_file(client, button, stored):
    """What the browser posts when CSV or Excel is clicked before an origin is chosen (the query store as the
    results callback left it, or a damaged one): a hint in the summary, no download, never a 500."""
    download = f"{ids.PARTNER_DOWNLOAD}.data"
    key = next(k for k in _callback_keys(client) if k.startswith(f"..{download}..."))
    body = {"output": key, "outputs": [{"id": ids.PARTNER_DOWNLOAD, "property": "data"},
                                       {"id": ids.PARTNER_SUMMARY, "property": "children"}],
            "inputs": [{"id": b, "property": "n_clicks", "value": int(b == button)}
                       for b in (ids.PARTNER_EXPORT_CSV, ids.PARTNER_EXPORT_XLSX)],
            "state": [{"id": ids.PARTNER_QUERY, "property": "data", "value": stored}],
            "changedPropIds": [f"{button}.n_clicks"]}
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    answer = response.get_json()["response"]
    assert ids.PARTNER_DOWNLOAD not in answer
    assert answer[ids.PARTNER_SUMMARY]["children"]["props"]["children"].startswith("Export impossible : ")


def _callback_keys(client) -> list[str]:
    return [c["output"] for c in client.get("/_dash-dependencies").get_json()]

# --- API ------------------------------------------------------------------------------------------

def test_api_partners_by_point(client):
    body = client.get("/api/v1/partners?lat=48.6921&lon=6.1844&capability=soudure_tig&radius_km=40").get_json()
    assert body["origin"]["kind"] == "point" and body["radius_km"] == 40
    assert body["total_in_radius"] >= len(body["items"]) > 0
    item = body["items"][0]
    for key in ("id", "name", "distance_km", "road_km_estimate", "drive_min_estimate", "score", "why", "lat", "lon",
                "capabilities", "certifications", "is_demo"):
        assert key in item
    assert all("soudure_tig" in i["capabilities"] for i in body["items"])
    assert all(i["distance_km"] <= 40 for i in body["items"])
    assert [i["rank"] for i in body["items"]] == list(range(1, len(body["items"]) + 1))


def test_api_partners_by_establishment_excludes_it(client, service):
    origin = service.snapshot().establishments.iloc[0]["public_id"]
    body = client.get(f"/api/v1/partners?id={origin}&radius_km=20&sort=distance&limit=50").get_json()
    assert body["origin"]["id"] == origin
    assert origin not in [i["id"] for i in body["items"]]
    distances = [i["distance_km"] for i in body["items"]]
    assert distances == sorted(distances)


def test_api_partners_counts_beyond_the_radius(client):
    body = client.get("/api/v1/partners?commune=55122&capability=traitement_thermique&radius_km=20").get_json()
    wider = client.get("/api/v1/partners?commune=55122&capability=traitement_thermique&radius_km=40").get_json()
    assert body["next_radius_km"] == 40
    assert wider["total_in_radius"] == body["total_in_radius"] + body["beyond_radius"]


@pytest.mark.parametrize("query, parameter", [
    ("lat=49&lon=6&capability=soudage", "capability"),
    ("lat=49&lon=6&radius_km=0", "radius_km"),
    ("lat=49&lon=6&radius_km=301", "radius_km"),
    ("lat=60&lon=6", "lat"),
    ("lat=49&lon=-20", "lat"),
    ("siret=12345678901234", "siret"),
    ("commune=99999", "commune"),
    ("", "lat"),
    ("lat=49&lon=6&sort=nom", "sort"),
    ("lat=49&lon=6&capability_mode=some", "capability_mode"),
    ("lat=49&lon=6&limit=0", "limit"),
    ("lat=49&lon=6&rayon=3", "rayon"),
])
def test_api_partners_bad_requests(client, query, parameter):
    response = client.get(f"/api/v1/partners?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == parameter


def test_site_position_is_the_first_row_whose_public_id_or_siret_matches():
    import pandas as pd

    from dashboard.services.base import Snapshot
    from dashboard.services.partners import site_position

    frame = pd.DataFrame({"public_id": ["A", "B", "C", "B"], "siret": [None, "A", "X", "Y"]}).astype("str")
    frame["siret"] = pd.array([None, "A", "X", "Y"], dtype="str")
    snap = Snapshot(None, frame, pd.DataFrame(), pd.DataFrame(), 0)
    expected = {key: next((i for i, (p, s) in enumerate(zip(frame["public_id"], frame["siret"]))
                           if key in (p, s)), None) for key in ["A", "B", "C", "X", "Y", "Z", ""]}
    assert {key: site_position(snap, key) for key in expected} == expected
