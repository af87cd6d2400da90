"""scripts/shot.py: viewport presets, foreign-host blocking and a real screenshot of a local page."""

from __future__ import annotations

import importlib.util
import os
import struct
import subprocess
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("shot", ROOT / "scripts" / "shot.py")
shot = importlib.util.module_from_spec(_spec)
sys.modules["shot"] = shot  # dataclasses look their module up while the file is executed
_spec.loader.exec_module(shot)
CHROMIUM = os.environ.get("TISSU_CHROMIUM", "/usr/bin/chromium")  # as tests/conftest.py


@pytest.mark.parametrize(("text", "size"), [("desktop", (1600, 1000)), ("phone", (390, 844)), ("Kiosk", (1920, 1080)),
                                            ("1280x800", (1280, 800)), (" 800 X 600 ", (800, 600))])
def test_viewport_presets_and_explicit_sizes(text, size):
    assert shot.parse_viewport(text) == size


@pytest.mark.parametrize("text", ["tablet", "1280", "x800", "12x", "-5x10"])
def test_a_bad_viewport_is_refused_with_the_choices(text):
    with pytest.raises(ValueError, match="desktop, phone, kiosk"):
        shot.parse_viewport(text)


def test_only_other_hosts_are_foreign():
    own = "127.0.0.1:8050"
    assert not shot.is_foreign("http://127.0.0.1:8050/_dash-layout", own)
    assert not shot.is_foreign("data:image/png;base64,AAAA", own)
    assert shot.is_foreign("https://tile.openstreetmap.org/7/66/44.png", own)
    assert shot.is_foreign("http://127.0.0.1:9999/other-port.js", own)


def test_the_command_line_refuses_a_bad_viewport(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        shot.main(["http://127.0.0.1:1/", str(tmp_path / "x.png"), "--viewport", "tablet"])
    assert exit_info.value.code == 2
    assert "WIDTHxHEIGHT" in capsys.readouterr().err


_PAGE = """<!doctype html><html lang="fr"><head><meta name="viewport" content="width=device-width">
<script src="http://foreign.invalid/tracker.js"></script></head>
<body><h1 id="ready">Bonjour</h1><script>console.error("erreur volontaire");</script></body></html>"""


@pytest.fixture()
def local_page(tmp_path):
    (tmp_path / "index.html").write_text(_PAGE, encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()
    server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.mark.browser
def test_a_phone_screenshot_blocks_other_hosts_and_reports_console_errors(local_page, tmp_path):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true requires Chromium at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    png = tmp_path / "out" / "phone.png"
    # In its own process, as a developer runs it: Playwright's sync API cannot start twice in one process,
    # and the browser tests' session already holds one.
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "shot.py"), local_page, str(png), "--viewport",
                          "phone", "--wait", "#ready", "--settle", "100", "--chromium", CHROMIUM],
                         capture_output=True, text=True, timeout=120)
    printed = run.stdout + run.stderr
    assert run.returncode == 1, printed
    assert "blocked request to another host: http://foreign.invalid/tracker.js" in printed
    assert "console: erreur volontaire" in printed
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (390, 844)
