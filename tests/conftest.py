"""Shared fixtures: one seeded SQLite database per test session, an app built on it, a live server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from dashboard.settings import load_settings

TEST_SEED = 7
TEST_SCALE = 0.25  # ~2,400 establishments: fast, yet every capability has suppliers


@pytest.fixture(scope="session")
def db_path(tmp_path_factory) -> Path:
    from dashboard.bootstrap import load_demo, prepare_database
    from dashboard.database import make_engine

    path = tmp_path_factory.mktemp("db") / "tissu-test.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    prepare_database(engine)
    load_demo(engine, seed=TEST_SEED, scale=TEST_SCALE)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def settings(db_path, tmp_path_factory):
    return load_settings({}, database_url=f"sqlite:///{db_path}",
                         instance_dir=tmp_path_factory.mktemp("instance"), auto_demo=False)


@pytest.fixture(scope="session")
def engine(settings):
    from dashboard.database import make_engine

    engine = make_engine(settings.database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def app(settings, engine):
    from dashboard.app import create_app

    return create_app(settings, engine)


@pytest.fixture(scope="session")
def service(app):
    return app.server.extensions["tissu"]


@pytest.fixture()
def client(app):
    return app.server.test_client()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(db_path, tmp_path_factory):
    """`tissu serve` in a subprocess on a free port, on a copy of the session database."""
    copy = tmp_path_factory.mktemp("live") / "tissu.sqlite3"
    shutil.copy(db_path, copy)
    port = _free_port()
    env = {**os.environ, "TISSU_DATABASE_URL": f"sqlite:///{copy}", "TISSU_PORT": str(port),
           "TISSU_HOST": "127.0.0.1", "TISSU_AUTO_DEMO": "0", "TISSU_TILE_URL": ""}
    log = open(tmp_path_factory.mktemp("logs") / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "dashboard.cli", "serve"], env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/api/v1/meta", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: see {log.name}")
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("server did not start within 90 s")
    yield url
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


CHROMIUM = os.environ.get("TISSU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright. Skipped locally without it; required when CI=true."""
    if not Path(CHROMIUM).exists():
        message = (f"Chromium not found at {CHROMIUM}: browser tests skipped. Enable them with "
                   "`apt-get install -y chromium` (or set TISSU_CHROMIUM to a Chromium binary).")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true requires the browser tests: " + message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="fr-FR")
    page = context.new_page()
    own = urllib.parse.urlparse(live_server).netloc
    page.foreign_requests = []
    page.errors = []

    def route(r):
        host = urllib.parse.urlparse(r.request.url).netloc
        if host and host != own:
            page.foreign_requests.append(r.request.url)
            return r.abort()
        return r.continue_()

    page.route("**/*", route)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()
