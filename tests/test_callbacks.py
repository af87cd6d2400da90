"""Callbacks called as plain functions (no browser)."""

import io

import pandas as pd
import pytest
from dash import html, no_update

from callbacks.explorer import (
    TABLE_LIMIT,
    card_for,
    explorer_view,
    export_file,
    on_point_click,
    on_row_click,
    table_rows,
)
from callbacks.routing import render_page
from dashboard.policy import ANONYMOUS
from dashboard import ids


def _ids(component) -> set[str]:
    found, stack = set(), [component]
    while stack:
        node = stack.pop()
        if isinstance(node, (list, tuple)):
            stack.extend(node)
            continue
        if getattr(node, "id", None):
            found.add(node.id)
        children = getattr(node, "children", None)
        if children is not None:
            stack.append(children)
    return found


def test_home_page_has_filters_map_store_and_kpis(service):
    page, badge, _nav, _account = render_page(service, "/", "")
    assert {ids.MAP, ids.POINTS, ids.POINT_STORE, ids.KPI_STRIP, ids.FILTER_CAPABILITY, ids.RESET,
            ids.CHORO_LEVEL, ids.TABLE_BODY, ids.CARD} <= _ids(page)
    assert "fictives" in badge.children


def test_unknown_path_renders_a_french_404_page(service):
    page, _, _nav, _account = render_page(service, "/nulle-part", "?x=1")
    assert isinstance(page, html.Div)
    assert page.children[0].children == "Page introuvable"


def test_url_state_is_restored(service):
    view = explorer_view(service, {"departement": ["57"], "capability": ["tournage"], "carte": ["epci"],
                                   "indicateur": ["jobs"], "lat": ["49.1"], "lon": ["6.2"], "zoom": ["10"]})
    assert view.criteria.departements == ("57",) and view.criteria.capabilities == ("tournage",)
    assert (view.choro_level, view.choro_metric, view.center, view.zoom) == ("epci", "jobs", (49.1, 6.2), 10.0)
    assert view.notices == []


def test_bad_url_values_become_notices_not_errors(service):
    view = explorer_view(service, {"departement": ["75"], "zoom": ["99"], "lat": ["abc"], "lon": ["6"],
                                   "carte": ["pays"], "etab": ["DEMO-9999999"], "size_min": ["XXL"]})
    assert view.criteria.departements == () and view.zoom == 8.5
    assert len(view.notices) == 6
    page = render_page(service, "/", "?departement=75&zoom=99&member=peut-etre")[0]
    assert ids.URL_NOTICES in _ids(page)


def test_a_card_link_centres_the_map_on_the_site(service):
    site = service.snapshot().establishments.iloc[5]
    view = explorer_view(service, {"etab": [site["public_id"]]})
    assert view.card is not None and view.selected == site["public_id"]
    assert view.center == (site["lat"], site["lon"]) and view.zoom == 12.0
    explicit = explorer_view(service, {"etab": [site["public_id"]], "lat": ["49"], "lon": ["6"], "zoom": ["9"]})
    assert (explicit.center, explicit.zoom) == ((49.0, 6.0), 9.0)


def _payload(client, url: str) -> dict:
    """What the browser fetches from a payload URL of the page."""
    response = client.get(url)
    assert response.status_code == 200
    return response.get_json()


def test_point_store_matches_the_dataset(service, client):
    view = explorer_view(service)
    snap = service.snapshot()
    store = _payload(client, view.data.payload_urls["points"])
    n = len(snap.establishments)
    assert len(store["lat"]) == len(store["n"]) == len(store["k"][0]) == n
    assert store["version"] == view.data_version
    assert min(store["f"]) >= 0 and max(store["f"]) < len(service.lookups.filieres)


def test_lookup_store_carries_the_constants_the_browser_filter_needs(service, client):
    from dashboard.analytics.filters import SIZE_ORDER
    from dashboard.analytics.points import BITS_PER_WORD
    from dashboard.analytics.text import TEXT_RULES
    from layouts.explorer import CHORO_METRICS

    view = explorer_view(service)
    lookups = _payload(client, view.data.payload_urls["lookups"])
    assert lookups["size_order"] == list(SIZE_ORDER) and lookups["text"] == TEXT_RULES
    assert set(lookups["choropleth"]["metrics"]) == {key for key, _ in CHORO_METRICS}
    assert len(lookups["choropleth"]["palette"]) == 6  # zero + 5 quantile classes
    assert _payload(client, view.data.payload_urls["points"])["bits"] == BITS_PER_WORD


def test_card_shows_every_attribute(service):
    snap = service.snapshot()
    row = snap.establishments.iloc[0]
    card = card_for(service, row["public_id"])
    text = str(card)
    for expected in (row["name"], row["public_id"], row["naf_code"], row["commune_name"], "Savoir-faire",
                     "Certifications", "Source", "fictives"):
        assert expected in text
    assert card_for(service, "DEMO-0000000") is None


def test_clicking_a_marker_opens_its_card_and_clusters_are_ignored(service):
    snap = service.snapshot()
    version = [snap.dataset.id, snap.dataset.version]
    body, class_name, selected = on_point_click(service, {"properties": {"i": 3}}, version)
    assert class_name == "card-drawer open" and selected == snap.establishments["public_id"].iloc[3]
    assert on_point_click(service, {"properties": {"cluster": True, "point_count": 9}}, version) == \
        (no_update, no_update, no_update)
    stale = on_point_click(service, {"properties": {"i": 3}}, [version[0], version[1] + 1])
    assert "rechargez" in stale[0]
    assert on_row_click(service, [{"id": selected}])[2] == selected


def test_table_and_exports_contain_exactly_the_filtered_rows(service, client):
    criteria = {"departement": ["57"], "capability": ["soudure_tig"], "capability_mode": "all", "q": ""}
    rows, note = table_rows(service, criteria, ANONYMOUS)
    api_total = client.get("/api/v1/establishments?departement=57&capability=soudure_tig").get_json()["total"]
    assert len(rows) == api_total <= TABLE_LIMIT and note.startswith(str(api_total))
    assert rows == sorted(rows, key=lambda r: -r["headcount_estimate"])
    csv = export_file(service, criteria, "csv")
    assert csv["filename"].endswith(".csv")
    import base64

    content = base64.b64decode(csv["content"]).decode("utf-8")
    assert content.startswith("\ufeffIdentifiant (SIRET ou démo);Nom;")
    frame = pd.read_csv(io.StringIO(content.lstrip("\ufeff")), sep=";", dtype=str)
    assert len(frame) == api_total
    assert set(frame["Identifiant (SIRET ou démo)"]) == {r["id"] for r in rows}
    xlsx = export_file(service, criteria, "xlsx")
    sheet = pd.read_excel(io.BytesIO(base64.b64decode(xlsx["content"])), sheet_name="Établissements")
    assert len(sheet) == api_total


def test_table_tab_builds_the_grid_with_the_rows(service):
    from callbacks.explorer import table_view

    grid, note = table_view(service, {"departement": ["55"]})
    assert grid.id == ids.TABLE and len(grid.rowData) == int(note.split()[0].replace("\u00a0", ""))


def test_table_for_no_filters_is_capped_with_a_note(service):
    rows, note = table_rows(service, {}, ANONYMOUS)
    assert len(rows) == min(TABLE_LIMIT, len(service.snapshot().establishments))


def test_table_and_card_show_membership_only_to_signed_in_viewers(service):
    from dashboard.policy import Forbidden, Role, Viewer
    from dashboard.services import explorer

    staff = Viewer(Role.STAFF, 1, "staff@tests")
    public_rows, _ = table_rows(service, {}, ANONYMOUS)
    staff_rows, _ = table_rows(service, {}, staff)
    assert "member_text" not in public_rows[0] and staff_rows[0]["member_text"] in {"oui", "non"}
    with pytest.raises(Forbidden):
        table_rows(service, {"member": "oui"}, ANONYMOUS)
    members, _ = table_rows(service, {"member": "oui"}, staff)
    assert members and all(r["member_text"] == "oui" for r in members)
    some = str(service.snapshot().establishments["public_id"].iloc[0])
    assert "member" not in explorer.card_record(service, some, ANONYMOUS).record
    assert "member" in explorer.card_record(service, some, staff).record


JUNK = ("?departement=xx&capability=zzz&radius_km=abc&year=abc&participant=abc&code=zz&niveau=zz&territory=%00"
        "&trade=zz&carte=zz&zoom=-4&lat=abc&etab=%3Cscript%3E&site=zz&commune=zz&weight=zz&level=zz&duree=abc")


def test_every_page_survives_junk_parameters(service):
    from dashboard.pages import PAGES

    for path in (page.path for page in PAGES):
        page, badge, nav, _account = render_page(service, path, JUNK)
        assert page is not None and "Page introuvable" not in str(page), path
