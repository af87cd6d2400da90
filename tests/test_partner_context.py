"""The card's "Trouver des partenaires près de ce site": the site's context (peers or complementary suppliers),
the wished certifications and the numbered markers, through the service, the callbacks and the API (issue 15)."""

import pytest
from dash import no_update

from callbacks.partners import context_choice, partner_results, partner_view
from dashboard.analytics.partner_context import context_capabilities
from dashboard.analytics.partner_query import PartnerQuery, partner_query_params
from dashboard.services.partners import NUMBERED_MARKERS, query_from_controls, site_capabilities
from layouts.card import partner_links

FAMILIES = {"tournage": "usinage", "fraisage_3axes": "usinage", "rectification": "usinage", "pliage": "formage",
            "emboutissage": "formage", "soudure_tig": "assemblage"}


def test_context_capabilities_peers_and_complementary():
    owned = ["pliage", "tournage"]
    assert context_capabilities(owned, match="peers", families=FAMILIES) == ("tournage", "pliage")  # taxonomy order
    assert context_capabilities(owned, match="complementary", families=FAMILIES) == \
        ("fraisage_3axes", "rectification", "emboutissage")  # same families, not owned; no soudure (assemblage)
    assert context_capabilities([], match="complementary", families=FAMILIES) == ()
    # With the filière's purchases (most bought first): those the site lacks, in that order, whatever the family.
    bought = ["soudure_tig", "pliage", "rectification", "galvanisation"]  # the last one is outside the taxonomy
    assert context_capabilities(owned, match="complementary", families=FAMILIES, bought=bought) == \
        ("soudure_tig", "rectification")
    assert context_capabilities(owned, match="complementary", families=FAMILIES, bought=["pliage"]) == \
        ("fraisage_3axes", "rectification", "emboutissage")  # it buys nothing it lacks: the families again
    with pytest.raises(ValueError):
        context_capabilities(owned, match="rivals", families=FAMILIES)


@pytest.fixture(scope="module")
def site(service):
    """A demo establishment with at least two capabilities (public id, capabilities)."""
    snap = service.snapshot()
    for public_id in snap.establishments.sort_values("headcount_estimate", ascending=False)["public_id"]:
        owned = site_capabilities(service, snap, public_id)
        if owned and len(owned) >= 2:
            return public_id, owned
    pytest.fail("no demo establishment with two capabilities")


def test_card_links_carry_the_site_and_its_context():
    peers, complementary = partner_links("DEMO-0000042")
    assert peers.href == "/partenaires?site=DEMO-0000042&match=peers"
    assert peers.children == "Trouver des partenaires près de ce site"
    assert complementary.href == "/partenaires?site=DEMO-0000042&match=complementary"


def test_page_view_applies_the_context_and_shows_it(service, site):
    public_id, owned = site
    view = partner_view(service, {"site": [public_id], "match": ["peers"]})
    assert view.query.match == "peers" and view.query.capabilities == owned and view.query.capability_mode == "any"
    assert [o["value"] for o in view.match_options] == ["peers", "complementary", ""]
    other = partner_view(service, {"site": [public_id], "match": ["complementary"]})
    assert other.query.capabilities and not set(other.query.capabilities) & set(owned)
    # What the site's filière buys (data/taxonomy/purchases.csv), most bought first, less what it offers.
    from dashboard.analytics.purchasing import capabilities_bought
    from dashboard.reference import load_reference

    frame = service.snapshot().establishments
    filiere = frame.loc[frame["public_id"] == public_id, "filiere_code"].iloc[0]
    bought = [c for c in capabilities_bought(load_reference().purchases, filiere).index if c not in owned]
    assert bought and other.query.capabilities == tuple(bought)
    # Capabilities in the link win over the context (a shared link keeps what its author edited).
    edited = partner_view(service, {"site": [public_id], "match": ["peers"], "capability": ["soudure_tig"]})
    assert edited.query.capabilities == ("soudure_tig",)
    # A context needs a site as origin.
    by_commune = partner_view(service, {"commune": ["55122"], "match": ["peers"]})
    assert by_commune.query.match is None and "établissement" in by_commune.notices[0]


def test_results_follow_the_context_and_the_link_shares_it(service, site):
    public_id, owned = site
    query = query_from_controls("site", public_id, None, None, list(owned), "any", [], [], None, [], 40, "score",
                                [], "peers")
    summary, items, _layers, points, _viewport, params, *_ = partner_results(service, query)
    assert params["match"] == "peers" and params["capability"] == ",".join(owned)
    text = str(summary)
    assert "Contexte : pairs de" in text and f"{len(owned)} savoir-faire recherchés" in text
    assert all("savoir-faire demandé" in str(item) for item in items)  # every partner shares one of them
    assert sum(f["properties"]["numbered"] for f in points["features"]) == min(NUMBERED_MARKERS, len(items))
    edited = query_from_controls("site", public_id, None, None, [owned[0]], "any", [], [], None, [], 40, "score",
                                 [], "peers")
    assert "modifiés à la main" in str(partner_results(service, edited)[0])
    # Another origin mode drops the context.
    assert query_from_controls("commune", public_id, "55122", None, [], "all", [], [], None, [], 40, "score", [],
                               "peers").match is None


def test_choosing_a_context_sets_the_capabilities(service, site):
    public_id, owned = site
    assert context_choice(service, "peers", public_id, "site") == (list(owned), "any")
    capabilities, mode = context_choice(service, "complementary", public_id, "site")
    assert capabilities and not set(capabilities) & set(owned) and mode == "any"
    assert context_choice(service, "", public_id, "site") == (no_update, no_update)  # "besoin libre": keep them
    assert context_choice(service, "peers", public_id, "commune") == (no_update, no_update)


def test_query_parameters_round_trip_with_context_and_wishes():
    query = PartnerQuery(site="DEMO-1", match="complementary", certifications=("en9100",),
                         wished_certifications=("iso14001", "iso9001"))
    assert partner_query_params(query) == [("site", "DEMO-1"), ("match", "complementary"),
                                           ("certification", "en9100"),
                                           ("wished_certification", "iso14001,iso9001")]


def test_results_show_certifications_and_the_wished_ones_held(service, site):
    public_id, owned = site
    query = query_from_controls("site", public_id, None, None, list(owned), "any", [], [], None, [], 60, "score",
                                ["iso9001"], "peers")
    _summary, items, *_ = partner_results(service, query)
    texts = [str(item) for item in items]
    holders = [i for i, t in enumerate(texts) if "certification souhaitée : ISO 9001" in t]
    assert holders and any("Certifications : " in t for t in texts)
    assert all("chip-asked" in texts[i] for i in holders)  # the wished certification stands out among the chips


# --- API ------------------------------------------------------------------------------------------

def test_api_context_and_wished_certifications(client, site):
    public_id, owned = site
    body = client.get(f"/api/v1/partners?siret={public_id}&match=peers&limit=1000").get_json()
    assert body["match"] == "peers" and tuple(body["capabilities"]) == owned and body["capability_mode"] == "any"
    assert all(set(i["capabilities"]) & set(owned) for i in body["items"])
    wished = client.get(f"/api/v1/partners?siret={public_id}&match=peers&limit=1000"
                        "&wished_certification=iso9001").get_json()
    assert wished["total_in_radius"] == body["total_in_radius"]  # never fewer
    assert sorted(i["id"] for i in wished["items"]) == sorted(i["id"] for i in body["items"])
    assert wished["wished_certifications"] == ["iso9001"]
    first_plain = [i["id"] for i in body["items"] if "iso9001" in i["certifications"]][0]
    assert [i["id"] for i in wished["items"]].index(first_plain) <= \
        [i["id"] for i in body["items"]].index(first_plain)  # a holder only moves up


@pytest.mark.parametrize("query, parameter", [
    ("lat=49&lon=6&wished_certification=iso27001", "wished_certification"),
    ("lat=49&lon=6&match=peers", "match"),
    ("siret=X&match=rivals", "match"),
])
def test_api_rejects_bad_wishes_and_contexts(client, query, parameter):
    response = client.get(f"/api/v1/partners?{query}")
    assert response.status_code == 400 and response.is_json
    assert response.get_json()["error"]["parameter"] == parameter


def test_openapi_documents_the_new_parameters(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    names = {p["name"]: p for p in spec["paths"]["/api/v1/partners"]["get"]["parameters"]}
    assert "souhaitées" in names["wished_certification"]["description"]
    assert names["match"]["schema"]["enum"] == ["peers", "complementary"]
    assert "requises" in names["certification"]["description"]
