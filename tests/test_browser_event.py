"""Event pages in real Chromium with every other host blocked: the kiosk rotates offline, an agenda shows meetings."""

import json
import urllib.request

import pytest
from browser_support import choose_option

pytestmark = pytest.mark.browser


def _deck_class(page) -> str:
    return page.get_attribute("#kiosk-deck", "class")


def test_the_kiosk_rotates_its_slides_offline_and_pauses(page, live_server):
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(live_server + "/evenement/kiosque?duree=1", wait_until="networkidle")
    page.wait_for_selector("#kiosk-deck .kiosk-slide", timeout=15000)
    slides = page.locator(".kiosk-slide").count()
    assert 9 <= slides <= 12  # four of them one department each
    seen = set()
    for _ in range(80):  # ~1 s per slide: three different slides within 20 s, even on a loaded machine
        seen.add(_deck_class(page))
        if len(seen) >= 3:
            break
        page.wait_for_timeout(250)
    assert len(seen) >= 3, seen
    visible = page.locator(".kiosk-slide").evaluate_all(
        "els => els.filter(e => getComputedStyle(e).visibility === 'visible').length")
    assert visible <= 2  # the active slide (plus the one fading out)
    assert page.locator(".kiosk").evaluate("e => getComputedStyle(e).position") == "fixed"  # covers the shell
    # Legible from 5 m at 1080p: the footer and its demo label are at least 28 px.
    sizes = page.locator(".kiosk-footer, .kiosk-demo").evaluate_all(
        "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))")
    assert len(sizes) == 2 and min(sizes) >= 28, sizes
    page.click("#kiosk-pause")
    # Paused once the button offers to resume (the interval is disabled); a tick fired just before the click
    # may still land, within a slide's time.
    page.wait_for_function("() => document.getElementById('kiosk-pause').innerText.trim() === '▶'", timeout=10000)
    page.wait_for_timeout(1200)
    paused = _deck_class(page)
    page.wait_for_timeout(2200)
    assert _deck_class(page) == paused
    page.click("#kiosk-pause")
    page.wait_for_function(f"() => document.querySelector('#kiosk-deck').className !== {json.dumps(paused)}",
                           timeout=5000)
    assert page.foreign_requests == []
    assert page.errors == []


def _colour_box(png: bytes, rgb: tuple[int, int, int], tolerance: int = 40) -> tuple[int, tuple | None]:
    """How many pixels are near `rgb`, and their bounding box (left, top, right, bottom) as fractions."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    w, h = image.size
    xs, ys = [], []
    pixels = image.load()
    for y in range(0, h, 2):
        for x in range(0, w, 2):
            r, g, b = pixels[x, y]
            if abs(r - rgb[0]) + abs(g - rgb[1]) + abs(b - rgb[2]) <= tolerance:
                xs.append(x)
                ys.append(y)
    if not xs:
        return 0, None
    return len(xs), (min(xs) / w, min(ys) / h, max(xs) / w, max(ys) / h)


def test_each_department_slide_is_framed_outlined_and_shows_its_sites(page, live_server):
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(live_server + "/evenement/kiosque?duree=120", wait_until="networkidle")
    page.wait_for_selector(".kiosk-slide-carte-88 .leaflet-container", state="attached", timeout=15000)
    page.click("#kiosk-pause")
    keys = page.locator(".kiosk-slide").evaluate_all("els => els.map(e => e.className)")
    for code in ("54", "55", "57", "88"):
        index = next(i for i, k in enumerate(keys) if f"kiosk-slide-carte-{code}" in k)
        page.evaluate(f"document.querySelector('#kiosk-deck').className = 'kiosk-deck show-{index}'")
        page.wait_for_timeout(1200)
        png = page.locator(f".kiosk-slide-carte-{code} .leaflet-container").screenshot()
        outline, box = _colour_box(png, (0xF2, 0xA6, 0x5A))  # the department's orange outline
        assert outline > 200 and box is not None, code
        left, top, right, bottom = box
        # Framed to it: at a whole zoom level it fills at least half the map one way (all Lorraine: < 0.4).
        assert max(bottom - top, right - left) > 0.45, (code, box)
        sites, _ = _colour_box(png, (0x1F, 0x3A, 0x5F), tolerance=60)  # its establishments as dots
        assert sites > 100, code
    assert page.foreign_requests == [] and page.errors == []


def test_an_agenda_page_shows_a_participants_meetings(page, live_server):
    with urllib.request.urlopen(f"{live_server}/api/v1/event/meetings?limit=1") as response:
        first = json.load(response)["items"][0]
    visitor = first["visitor_id"]
    with urllib.request.urlopen(f"{live_server}/api/v1/event/participants/{visitor}/agenda") as response:
        agenda = json.load(response)
    page.goto(f"{live_server}/evenement/agenda?participant={visitor}", wait_until="networkidle")
    page.wait_for_selector(".ag-table", timeout=15000)
    assert page.locator(".ag-name").inner_text() == agenda["participant"]["name"]
    rows = page.locator(".ag-row")
    assert rows.count() == len(agenda["items"])
    assert page.locator(".ag-with").all_inner_texts() == [i["exhibitor_name"] for i in agenda["items"]]
    assert page.locator(".ag-time").first.inner_text() == agenda["items"][0]["time"]
    assert first["exhibitor_name"] in page.locator("#event-agenda").inner_text()
    assert page.foreign_requests == [] and page.errors == []


def test_the_participant_picker_gets_its_options_from_the_payload_and_links_to_an_agenda(page, live_server):
    with urllib.request.urlopen(f"{live_server}/api/v1/event/meetings?limit=1") as response:
        first = json.load(response)["items"][0]
    payloads = []
    page.on("request", lambda r: payloads.append(r.url) if "/data/event_participants-" in r.url else None)
    page.goto(live_server + "/evenement", wait_until="networkidle")
    label = f"{first['exhibitor_name']} – stand {first['stand']}"  # the exhibitor's own option
    choose_option(page, "#event-participant", label, typed=first["exhibitor_name"])
    page.wait_for_selector("#event-agenda-link a", timeout=10000)
    href = page.get_attribute("#event-agenda-link a", "href")
    assert href == f"/evenement/agenda?participant={first['exhibitor_id']}"
    assert len(payloads) == 1
    assert page.foreign_requests == [] and page.errors == []
