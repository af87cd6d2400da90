"""Across the border (issue 18): NUTS tagging, partners and coverage with the sites abroad against a brute force,
the switch's default, the API's 400 and the context layer's cached payload."""

from __future__ import annotations

import base64
import io

import numpy as np
import pandas as pd
import pytest

from dashboard.analytics.geodesy import haversine_km
from dashboard.analytics.partner_query import PartnerQuery
from dashboard.borders import BORDER_KM, country_label, load_nuts
from dashboard.demo.cross_border import TOWNS
from dashboard.policy import ANONYMOUS
from dashboard.services import coverage as cs
from dashboard.services.cross_border import foreign_sites, near_border, regions_payload, sites_payload
from dashboard.services.partners import search_partners

THIONVILLE, EPINAL = "57672", "88160"  # 12 km and 84 km from the nearest region abroad


def test_points_are_tagged_with_their_nuts3_region_and_distance_to_the_border():
    nuts = load_nuts()
    codes = nuts.region_codes([49.6116, 49.2402, 49.6833, 49.1193], [6.1319, 6.9969, 5.8167, 6.1757])
    assert codes.tolist() == ["LU000", "DEC01", "BE341", None]  # Luxembourg, Saarbrücken, Arlon, Metz (Lorraine)
    km = nuts.km_to_abroad([49.3579, 48.1724, 49.6116], [6.1683, 6.4496, 6.1319])  # Thionville, Épinal, Luxembourg
    assert 5 < km[0] < 20 and km[1] > BORDER_KM and km[2] == 0
    assert country_label("DE", "DEC04") == "Allemagne (Sarre)" and country_label("LU", "LU000") == "Luxembourg"
    assert country_label("BE", "BE341") == "Belgique (Wallonie)" and country_label("FR") == "France"


def _commune(service, code):
    communes = service.lookups.communes
    return communes[communes["code"] == code].iloc[0]


def _brute_force(service, lat, lon, capability, radius_km, *, abroad: bool) -> set[str]:
    """Every site (and, when `abroad`, every site abroad) offering `capability` within the radius."""
    snap = service.snapshot()
    frames = [snap.establishments] + ([foreign_sites(service, snap)] if abroad else [])
    links = snap.capability_links[snap.capability_links["capability_code"] == capability]
    found = set()
    for frame in frames:
        offering = frame[frame["id"].isin(links["establishment_id"])]
        km = haversine_km(lat, lon, offering["lat"].to_numpy(), offering["lon"].to_numpy())
        found |= set(offering["public_id"][np.asarray(km) <= radius_km])
    return found


@pytest.mark.parametrize("cross_border", [True, False])
def test_partners_across_the_border_equal_a_brute_force(service, cross_border):
    origin = _commune(service, THIONVILLE)
    query = PartnerQuery(commune=THIONVILLE, capabilities=("traitement_surface",), radius_km=45,
                         cross_border=cross_border)
    found = search_partners(service, query, viewer=ANONYMOUS, limit=None)
    expected = _brute_force(service, origin["lat"], origin["lon"], "traitement_surface", 45, abroad=cross_border)
    assert set(found.records["id"]) == expected and found.result.total_in_radius == len(expected)
    abroad = found.records[found.records["country"] != "FR"]
    assert (len(abroad) > 0) is cross_border  # the demo has surface treaters in Luxembourg and Saarland
    assert set(abroad["country_label"]) <= {"Luxembourg", "Allemagne (Sarre)", "Belgique (Wallonie)"}
    assert set(found.records.loc[found.records["country"] == "FR", "country_label"]) <= {"France"}
    assert set(abroad["commune_name"]) <= {town for town, *_ in TOWNS}  # their town, not a French commune
    assert found.records["distance_km"].is_monotonic_increasing  # one capability: nearest first, either country
    assert found.records["rank"].tolist() == list(range(1, len(found.records) + 1))


def test_the_switch_is_on_by_default_near_the_border_only(service):
    for code, expected in ((THIONVILLE, True), (EPINAL, False)):
        commune = _commune(service, code)
        assert near_border(commune["lat"], commune["lon"]) is expected
        found = search_partners(service, PartnerQuery(commune=code, capabilities=("tournage",)), viewer=ANONYMOUS)
        assert found.cross_border is expected and found.cross_border_default is expected


def test_coverage_across_the_border_counts_suppliers_abroad_but_not_their_demand(service):
    capability = "traitement_surface"
    home = cs.capability_coverage(service, capability=capability, radius_km=25, weighting="count")
    both = cs.capability_coverage(service, capability=capability, radius_km=25, weighting="count", cross_border=True)
    assert len(both.points) == len(home.points) == len(service.snapshot().establishments)  # the demand stays home
    snap = service.snapshot()
    links = snap.capability_links[snap.capability_links["capability_code"] == capability]
    abroad = foreign_sites(service, snap)
    abroad = abroad[abroad["id"].isin(links["establishment_id"])]
    home_sites = snap.establishments[snap.establishments["id"].isin(links["establishment_id"])]
    points = both.points
    sample = points.sample(300, random_state=3) if len(points) > 300 else points
    for row in sample.itertuples():
        near_home = haversine_km(row.lat, row.lon, home_sites["lat"].to_numpy(), home_sites["lon"].to_numpy())
        near_abroad = haversine_km(row.lat, row.lon, abroad["lat"].to_numpy(), abroad["lon"].to_numpy())
        own = home_sites["id"].to_numpy() == row.id
        nearest = min(np.min(np.where(own, np.inf, near_home)), np.min(near_abroad))
        assert bool(row.covered) is bool(nearest <= 25)  # brute force, never the site itself
    assert both.rate >= home.rate and (both.suppliers["country"].fillna("FR") != "FR").sum() == len(abroad)


def test_api_cross_border_parameter(client):
    bad = client.get("/api/v1/partners?commune=57672&capability=tournage&cross_border=peut-etre")
    assert bad.status_code == 400 and bad.get_json()["error"]["parameter"] == "cross_border"
    assert client.get("/api/v1/coverage?capability=tournage&cross_border=2").status_code == 400
    on = client.get("/api/v1/partners?commune=57672&capability=traitement_surface&radius_km=45").get_json()
    assert on["cross_border"] and on["cross_border_default"]
    assert {"Luxembourg", "France"} <= {item["country_label"] for item in on["items"]}
    off = client.get("/api/v1/partners?commune=57672&capability=traitement_surface&radius_km=45&cross_border=0")
    assert {item["country"] for item in off.get_json()["items"]} == {"FR"}
    coverage = client.get("/api/v1/coverage?capability=traitement_surface&radius_km=25&cross_border=1").get_json()
    assert coverage["cross_border"] and coverage["suppliers_abroad"] > 0
    spec = client.get("/api/v1/openapi.json").get_json()
    names = {p["name"] for p in spec["paths"]["/api/v1/partners"]["get"]["parameters"]}
    assert "cross_border" in names


def test_the_context_layer_is_a_cached_payload(service, client):
    for payload in (regions_payload(service), sites_payload(service)):
        first = client.get(payload.url)
        assert first.status_code == 200 and first.headers["ETag"] == f'"{payload.etag}"'
        assert "immutable" in first.headers["Cache-Control"]
        assert client.get(payload.url, headers={"If-None-Match": f'"{payload.etag}"'}).status_code == 304
    regions = client.get(regions_payload(service).url).get_json()
    codes = {f["properties"]["code"] for f in regions["features"]}
    assert {"LU000", "DEC01", "BE341"} <= codes and not any(c.startswith("FRF3") for c in codes)
    sites = client.get(sites_payload(service).url).get_json()["features"]
    assert sites and all(f["properties"]["demo"] for f in sites)
    assert regions_payload(service) is regions_payload(service)  # built once per data version


def test_the_coverage_page_switch_follows_the_url_and_the_checklist(service):
    from callbacks.coverage import capability_outputs

    assert cs.coverage_view(service, {}).cross_border  # Lorraine touches the border: on by default
    assert not cs.coverage_view(service, {"cross_border": ["0"]}).cross_border
    bad = cs.coverage_view(service, {"cross_border": ["peut-être"]})
    assert bad.cross_border and any("transfrontaliers" in n for n in bad.notices)
    on = capability_outputs(service, "traitement_surface", 25.0, "count", "epci", ["1"])
    off = capability_outputs(service, "traitement_surface", 25.0, "count", "epci", [])
    assert "cross_border" not in on[7] and off[7]["cross_border"] == "0"  # the link says only what is not default
    assert len(on[2]["features"]) > len(off[2]["features"])  # the suppliers abroad on the map


def test_the_partner_export_says_each_partner_s_country(service):
    from callbacks.partners import export_partners

    payload = export_partners(service, {"commune": THIONVILLE, "capability": "traitement_surface",
                                        "radius_km": "45"}, "csv")
    text = base64.b64decode(payload["content"]).decode("utf-8")
    frame = pd.read_csv(io.StringIO(text.lstrip("\ufeff")), sep=";", dtype=str)
    assert frame.columns[-1] == "Pays" and {"France", "Luxembourg"} <= set(frame["Pays"])


def _text(component) -> str:
    """All the text of a component tree, in order."""
    if isinstance(component, (str, int, float)):
        return str(component)
    if isinstance(component, (list, tuple)):
        return " ".join(_text(c) for c in component)
    children = getattr(component, "children", None)
    return "" if children is None else _text(children)


def _a_site_abroad(service, capability="traitement_surface"):
    snap = service.snapshot()
    sites = foreign_sites(service, snap)
    offering = snap.capability_links[snap.capability_links["capability_code"] == capability]["establishment_id"]
    return sites[sites["id"].isin(offering)].iloc[0]


def test_a_site_abroad_is_a_partner_search_origin_with_the_border_crossed_by_default(service):
    site = _a_site_abroad(service)
    query = PartnerQuery(site=site["public_id"], capabilities=("traitement_surface",), radius_km=40)
    found = search_partners(service, query, viewer=ANONYMOUS, limit=None)
    assert found.origin.abroad and found.origin.establishment_id == int(site["id"])
    assert found.origin.label == f"{site['name']}, {site['commune_name']} ({site['country_label']})"
    assert found.cross_border and found.cross_border_default  # its neighbours abroad count, whatever the distance
    expected = _brute_force(service, site["lat"], site["lon"], "traitement_surface", 40, abroad=True)
    assert set(found.records["id"]) == expected - {site["public_id"]}  # never the origin itself
    by_number = search_partners(service, PartnerQuery(site=site["foreign_id"], capabilities=("traitement_surface",),
                                                      radius_km=40), viewer=ANONYMOUS, limit=None)
    assert by_number.origin.public_id == site["public_id"]  # its registration number names it too


def test_a_site_abroad_gives_its_capabilities_to_a_peer_search(service):
    from dashboard.services.partners import site_capabilities

    site = _a_site_abroad(service)
    snap = service.snapshot()
    links = snap.capability_links[snap.capability_links["establishment_id"] == site["id"]]
    owned = site_capabilities(service, snap, site["public_id"])
    assert owned and set(owned) == set(links["capability_code"])
    peers = search_partners(service, PartnerQuery(site=site["public_id"], match="peers", radius_km=60),
                            viewer=ANONYMOUS, limit=None)
    assert peers.query.capabilities and set(peers.query.capabilities) <= set(owned) and len(peers.records) > 0


def test_the_site_autocomplete_finds_sites_abroad_by_name_and_by_number(service):
    from dashboard.services.partners import site_options

    site = _a_site_abroad(service)
    by_name = site_options(service, site["name"], None)
    assert by_name[0]["value"] == site["public_id"] and site["country_label"] in by_name[0]["label"]
    assert site_options(service, site["public_id"], None)[0]["value"] == site["public_id"]
    kept = site_options(service, "", site["public_id"])
    assert [o["value"] for o in kept] == [site["public_id"]]


def test_a_site_abroad_has_a_card_with_its_country_region_and_number(service):
    from dash import no_update

    from callbacks.explorer import on_border_site_click
    from dashboard.services.explorer import card_record

    site = _a_site_abroad(service)
    card = card_record(service, site["public_id"], ANONYMOUS)
    assert card is not None and (card.lat, card.lon) == (float(site["lat"]), float(site["lon"]))
    assert card.record["country_label"] == site["country_label"] and "member" not in card.record  # public: no member
    body, drawer, selected = on_border_site_click(service, {"type": "Feature", "properties": {"id": site["public_id"]}})
    shown = _text(body)
    for expected in (site["name"], site["country_label"], site["region_name"], site["foreign_id"], "Pays",
                     "Région (NUTS 3)", "(fictives)"):
        assert expected in shown, expected
    assert "Intercommunalité" not in shown and drawer == "card-drawer open" and selected == site["public_id"]
    assert on_border_site_click(service, {"properties": {"id": "XX-inconnu"}})[0] is no_update
    home = service.snapshot().establishments.iloc[0]
    assert "Intercommunalité" in _text(on_border_site_click(service, {"properties": {"id": home["public_id"]}})[0])


@pytest.mark.parametrize("role", ["anonymous", "member", "staff", "admin"])
def test_the_card_of_a_site_abroad_shows_membership_to_the_roles_that_may_see_it(service, role):
    from dashboard.policy import Action, Role, Viewer, can
    from dashboard.services.explorer import card_record

    viewer = Viewer(Role(role), 1 if role != "anonymous" else None, f"{role}@test")
    card = card_record(service, _a_site_abroad(service)["public_id"], viewer)
    assert card is not None and card.record["country_label"]
    assert ("member" in card.record) is can(viewer, Action.SEE_MEMBERSHIP)


def test_the_list_says_why_the_border_is_crossed_for_an_origin_abroad(service):
    from layouts.partners import cross_border_line

    site = _a_site_abroad(service)
    found = search_partners(service, PartnerQuery(site=site["public_id"], capabilities=("traitement_surface",)),
                            viewer=ANONYMOUS)
    line = cross_border_line(found)
    assert line.startswith("Fournisseurs transfrontaliers inclus (par défaut : départ à l'étranger)")
    home = search_partners(service, PartnerQuery(commune=THIONVILLE, capabilities=("tournage",)), viewer=ANONYMOUS)
    assert "départ à moins de 50" in cross_border_line(home)


def test_the_territorys_catalog_is_the_leading_part_of_the_cross_border_one(service):
    """catalog_for is a view of the cross-border catalog (no second build): it must answer as a catalog built
    from the territory's sites alone would."""
    import numpy as np

    from dashboard.analytics.partners import partner_catalog, partners_near
    from dashboard.services.cross_border import cross_border_catalog
    from dashboard.services.partners import catalog_for

    snap, look = service.snapshot(), service.lookups
    combined, part = cross_border_catalog(service, snap), catalog_for(service, snap)
    assert combined.size > combined.home_count == part.size == len(snap.establishments)
    assert np.shares_memory(part.capabilities, combined.capabilities)  # a view, not a copy
    alone = partner_catalog(snap.establishments, snap.capability_links, snap.certification_links,
                            capability_taxonomy=look.capabilities[["code", "label"]],
                            certification_taxonomy=look.certifications[["code", "label"]],
                            size_bands=look.size_bands[["code", "short_label", "sort_order"]])
    for name in ("ids", "capabilities", "declared_bits", "certifications", "size_rank", "is_member"):
        np.testing.assert_array_equal(getattr(part, name), getattr(alone, name), err_msg=name)
    assert "country" not in part.establishments.columns and part.position_of(int(combined.ids[-1])) is None
    for code in alone.capability_codes:
        assert part.supplier_index[code].size == alone.supplier_index[code].size
    for lat, lon in ((49.12, 6.18), (49.5, 6.1), (48.2, 6.4)):  # Metz, by Luxembourg, Vosges
        got = partners_near(part, lat=lat, lon=lon, capabilities=alone.capability_codes[:3], capability_mode="any",
                            radius_km=60, limit=None)
        expected = partners_near(alone, lat=lat, lon=lon, capabilities=alone.capability_codes[:3],
                                 capability_mode="any", radius_km=60, limit=None)
        assert got.total_in_radius == expected.total_in_radius > 0
        assert got.items["id"].tolist() == expected.items["id"].tolist()
        positions, distances = part.supplier_index[alone.capability_codes[0]].nearest(lat, lon, 5)
        expected_positions, expected_distances = alone.supplier_index[alone.capability_codes[0]].nearest(lat, lon, 5)
        np.testing.assert_array_equal(positions, expected_positions)
        np.testing.assert_allclose(distances, expected_distances)
