"""Callbacks called as plain functions (no browser)."""

import io

import pandas as pd
import pytest
from dash import html, no_update

from callbacks.explorer import card_for, explorer_view, export_file, on_point_click, on_row_click, table_block
from callbacks.routing import render_page
from dashboard import ids
from dashboard.analytics.filters import SIZE_ORDER
from dashboard.formatting import fr_number
from dashboard.policy import ANONYMOUS
from dashboard.services import explorer_table


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


def _text(component) -> str:
    """All the text of a component tree, in order."""
    if isinstance(component, str):
        return component
    if isinstance(component, (list, tuple)):
        return " ".join(_text(c) for c in component)
    children = getattr(component, "children", None)
    return "" if children is None else _text(children)


def test_home_page_has_filters_map_store_and_kpis(service):
    page, badge, _nav, _account = render_page(service, "/", "")
    assert {ids.MAP, ids.POINTS, ids.POINT_STORE, ids.KPI_STRIP, ids.FILTER_CAPABILITY, ids.RESET,
            ids.CHORO_LEVEL, ids.TABLE_BODY, ids.CARD} <= _ids(page)
    assert "Données de démonstration (fictives)" in _text(badge)  # the long label; phones show a short one


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


def test_a_territory_link_opens_the_map_fitted_to_it(service):
    """`?departement=88` without a map position opens on the Vosges (as choosing it would); an EPCI beats its
    department; a position in the link, or a card, keeps its own view."""
    communes = service.lookups.communes
    view = explorer_view(service, {"departement": ["88"]})
    (south, west), (north, east) = view.bounds
    vosges = communes[communes["department_code"] == "88"].dropna(subset=["lat", "lon"])
    assert south < vosges["lat"].min() and vosges["lat"].max() < north
    assert west < vosges["lon"].min() and vosges["lon"].max() < east
    assert north - south < 1.2  # the department, not the whole territory (1.8° of latitude)
    epci = vosges["epci_code"].iloc[0]
    narrower = explorer_view(service, {"departement": ["88"], "epci": [epci]}).bounds
    assert south <= narrower[0][0] and narrower[1][0] <= north and narrower[1][0] - narrower[0][0] < north - south
    assert explorer_view(service, {"departement": ["88"], "lat": ["49"], "lon": ["6"], "zoom": ["9"]}).bounds is None
    assert explorer_view(service, {}).bounds is None
    site = service.snapshot().establishments.iloc[5]
    assert explorer_view(service, {"departement": ["88"], "etab": [site["public_id"]]}).bounds is None


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


def _all_rows(service, criteria, sort_model=None, block=100):
    """Every row of the table, block by block, as the grid asks for them while scrolling."""
    rows, start = [], 0
    while True:
        request = {"startRow": start, "endRow": start + block, "sortModel": sort_model or []}
        response, note = table_block(service, request, criteria)
        rows += response["rowData"]
        start += block
        if start >= response["rowCount"]:
            return rows, response["rowCount"], note


def test_table_and_exports_contain_exactly_the_filtered_rows(service, client):
    criteria = {"departement": ["57"], "capability": ["soudure_tig"], "capability_mode": "all", "q": ""}
    rows, total, note = _all_rows(service, criteria, block=7)
    api_total = client.get("/api/v1/establishments?departement=57&capability=soudure_tig").get_json()["total"]
    assert len(rows) == total == api_total > 7 and note == f"{api_total} établissement(s)"
    assert len({r["id"] for r in rows}) == total  # blocks neither overlap nor skip
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


def test_the_table_sends_one_block_and_the_count_of_the_whole_selection(service):
    everything = len(service.snapshot().establishments)
    response, note = table_block(service, {"startRow": 0, "endRow": 100, "sortModel": []}, {})
    assert len(response["rowData"]) == min(100, everything) and response["rowCount"] == everything
    assert note == f"{fr_number(everything)} établissement(s)"
    asked_too_much, _ = table_block(service, {"startRow": 0, "endRow": 10**9}, {})
    assert len(asked_too_much["rowData"]) == min(explorer_table.MAX_BLOCK_ROWS, everything)
    junk, _ = table_block(service, {"startRow": "x", "endRow": None, "sortModel": [{"colId": "lat", "sort": "up"}]}, {})
    assert junk["rowData"] == response["rowData"]  # bad bounds and unknown columns: the first block, default order
    past_the_end, _ = table_block(service, {"startRow": everything + 5, "endRow": everything + 105}, {})
    assert past_the_end == {"rowData": [], "rowCount": everything}


def test_the_server_sorts_the_whole_selection_as_the_grid_asks(service):
    criteria = {"departement": ["54"]}
    by_name, total, _ = _all_rows(service, criteria, [{"colId": "name", "sort": "asc"}], block=250)
    assert len(by_name) == total
    folded = [explorer_table._folded(r["name"]) for r in by_name]
    assert folded == sorted(folded)  # accents and case do not split the alphabet
    by_size, _, _ = _all_rows(service, criteria, [{"colId": "headcount_estimate", "sort": "asc"}], block=250)
    assert [r["headcount_estimate"] for r in by_size] == sorted(r["headcount_estimate"] for r in by_name)
    two_keys, _, _ = _all_rows(service, criteria, [{"colId": "departement", "sort": "asc"},
                                                   {"colId": "commune_name", "sort": "desc"}], block=250)
    communes = [explorer_table._folded(r["commune_name"]) for r in two_keys]
    assert communes == sorted(communes, reverse=True)
    bands = [r["size_band_label"] for r in _all_rows(service, criteria, [{"colId": "size_band_label",
                                                                           "sort": "desc"}], block=250)[0]]
    order = service.lookups.size_bands.set_index("label")["code"]
    codes = [SIZE_ORDER.index(order[b]) for b in bands]
    assert codes == sorted(codes, reverse=True)  # bands by size, not by label


def test_the_table_criteria_key_is_normalised_and_the_cache_bounded(service):
    snap = service.snapshot()
    # A selection no other test makes, so the first call adds an entry whatever ran before (the cache is shared).
    table_block(service, {"startRow": 0, "endRow": 10}, {"departement": ["88", "55"], "capability": ["forge"], "q": ""})
    after_first = list(snap._user._entries)
    assert after_first[-1] not in after_first[:-1]
    table_block(service, {"startRow": 10, "endRow": 20}, {"departement": ["55", "88"], "capability": ["forge"]})
    assert set(snap._user._entries) == set(after_first)  # same selection in another order: the same entry
    assert len(snap._user) <= snap._user.maxsize


def test_table_tab_builds_an_infinite_grid_without_rows():
    from callbacks.explorer import late_components

    grid = late_components()[0]
    assert grid.id == ids.TABLE and grid.rowModelType == "infinite" and not getattr(grid, "rowData", None)
    assert grid.dashGridOptions["cacheBlockSize"] == explorer_table.BLOCK_ROWS


def test_the_assets_reload_the_grid_the_python_side_names():
    from pathlib import Path

    script = (Path(__file__).resolve().parent.parent / "assets" / "01-tissu-payloads.js").read_text(encoding="utf-8")
    assert f'getApi("{ids.TABLE}")' in script


def test_table_and_card_show_membership_only_to_signed_in_viewers(service):
    from dashboard.policy import Forbidden, Role, Viewer
    from dashboard.services import explorer

    staff = Viewer(Role.STAFF, 1, "staff@tests")
    public_rows = explorer_table.table_page(service, {}, ANONYMOUS).rows
    staff_rows = explorer_table.table_page(service, {}, staff).rows
    assert "member_text" not in public_rows[0] and staff_rows[0]["member_text"] in {"oui", "non"}
    with pytest.raises(Forbidden):
        explorer_table.table_page(service, {"member": "oui"}, ANONYMOUS)
    members = explorer_table.table_page(service, {"member": "oui"}, staff, end=1000).rows
    assert members and all(r["member_text"] == "oui" for r in members)
    by_member = [{"colId": "member_text", "sort": "desc"}]
    assert explorer_table.table_page(service, {}, ANONYMOUS, sort_model=by_member).rows == public_rows  # no leak
    staff_by_member = explorer_table.table_page(service, {}, staff, sort_model=by_member, end=1000).rows
    flags = [r["member_text"] for r in staff_by_member]
    assert flags == sorted(flags, reverse=True)
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
