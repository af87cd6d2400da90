"""Shared fixtures: seeded test databases (SQLite, or PostgreSQL: TISSU_TEST_DATABASE_URL), an app, a live server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from auth_support import ensure_account, ensure_supplier_account, signed_in_client
from db_support import ENV, Databases, ScratchDatabase

from dashboard.settings import load_settings

TEST_SEED = 7
TEST_SCALE = 0.25  # ~2,400 establishments: fast, yet every capability has suppliers


def pytest_collection_modifyitems(items):
    """Mark `db` every test that touches a database: CI runs these again on PostgreSQL.

    A browser test that fails is run once more: on 2 loaded cores a live server can miss a 30 s wait that it
    meets in 2 s when idle. The summary lists every rerun (`R`), so a test that needs one is seen, not hidden;
    a real failure fails twice."""
    for item in items:
        if "databases" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.flaky(reruns=1, reruns_delay=2))


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    """The factory of every test database, on PostgreSQL when TISSU_TEST_DATABASE_URL is set, else SQLite."""
    factory = Databases(os.environ.get(ENV) or None, tmp_path_factory.mktemp("databases"))
    yield factory
    factory.close()


@pytest.fixture(scope="session")
def prepared_database(databases) -> ScratchDatabase:
    """Template: the schema and the bundled reference data, no dataset. Copy it, never connect to it."""
    from dashboard.bootstrap import prepare_database

    db = databases.create()
    prepare_database(db.engine)
    db.dispose()
    return db


@pytest.fixture(scope="session")
def demo_database(databases, prepared_database) -> ScratchDatabase:
    """Template: the seeded demo of the tests (datasets, skills, indicators, event). Copy it, never connect to it."""
    from dashboard.bootstrap import load_demo

    db = databases.create(prepared_database)
    load_demo(db.engine, seed=TEST_SEED, scale=TEST_SCALE)
    db.dispose()
    return db


@pytest.fixture(scope="session")
def hostile_database(databases, demo_database) -> ScratchDatabase:
    """Template: the demo with hostile names, addresses and sources (tests/hostile_data.py). Copy it."""
    from hostile_data import write_hostile

    db = databases.create(demo_database)
    write_hostile(db.engine, databases.backend)
    db.dispose()
    return db


@pytest.fixture(scope="session")
def ti_database(databases, demo_database) -> ScratchDatabase:
    """Template: the demo with a small ANCT list imported (tests/fixtures/urssaf/territoires_industrie.csv:
    ti-4401 Nord Lorraine = Metz + Thionville, ti-4402 Val de Lorraine = Nancy). Copy it."""
    from dashboard.importers.territories import import_territories

    db = databases.create(demo_database)
    import_territories(db.engine, Path(__file__).parent / "fixtures" / "urssaf" / "territoires_industrie.csv")
    db.dispose()
    return db


@pytest.fixture()
def new_database(databases):
    """Private databases for tests that write: `new_database()` is empty, `new_database(template)` a copy.

    Each is dropped after the test.
    """
    made: list[ScratchDatabase] = []

    def make(template: ScratchDatabase | None = None) -> ScratchDatabase:
        made.append(databases.create(template))
        return made[-1]
    yield make
    for db in made:
        databases.drop(db)


@pytest.fixture(scope="session")
def settings(databases, demo_database, tmp_path_factory):
    """Settings of the session's app and engine, on a copy of the demo template (read-only by convention)."""
    return load_settings({}, database_url=databases.create(demo_database).url,
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


@pytest.fixture()
def private_app(new_database, demo_database, tmp_path):
    """An app on a private copy of the demo (tests that write), with its own instance folder."""
    from dashboard.app import create_app
    from dashboard.settings import load_settings

    db = new_database(demo_database)
    settings = load_settings({}, database_url=db.url, instance_dir=tmp_path / "instance", auto_demo=False)
    return create_app(settings, db.engine)


@pytest.fixture(scope="session")
def service(app):
    return app.server.extensions["tissu"]


@pytest.fixture()
def client(app):
    return app.server.test_client()


@pytest.fixture()
def client_as(app):
    """`client_as(role)`: a client of the session's app signed in with that role ("anonymous": not signed in)."""
    return lambda role: signed_in_client(app, role)


_server_logs: list[Path] = []  # the live servers' logs, shown under a failed browser test


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test shows what the page logged and the end of the server's log (CI keeps nothing else)."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed or not {"live_server", "hostile_server"} & set(item.fixturenames):
        return
    page = item.funcargs.get("page") or item.funcargs.get("hostile_page")
    if page is not None and getattr(page, "errors", None):
        report.sections.append(("browser console", "\n".join(page.errors)))
    for path in _server_logs:
        lines = path.read_text(errors="replace").splitlines() if path.exists() else []
        report.sections.append((f"server log {path.name}", "\n".join(lines[-60:])))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(databases, template: ScratchDatabase, tmp_path_factory, env_extra: dict[str, str] | None = None):
    """`tissu serve` in a subprocess on a free port, on its own copy of `template` (with the tests' accounts,
    for browser tests that sign in through the form: auth_support.sign_in_page), with `env_extra` settings;
    yields its URL."""
    copy = databases.create(template)
    for role in ("member", "staff", "admin"):
        ensure_account(copy.engine, role)
    ensure_supplier_account(copy.engine)  # the network's browser test: a supplier's member
    copy.dispose()
    port = _free_port()
    env = {**os.environ, "TISSU_DATABASE_URL": copy.url, "TISSU_PORT": str(port),
           "TISSU_HOST": "127.0.0.1", "TISSU_AUTO_DEMO": "0", "TISSU_TILE_URL": "", **(env_extra or {})}
    log = open(tmp_path_factory.mktemp("logs") / "server.log", "w")  # noqa: SIM115 (closed when the server stops)
    _server_logs.append(Path(log.name))
    proc = subprocess.Popen([sys.executable, "-m", "dashboard.cli", "serve"], env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/api/v1/meta", timeout=2)
            break
        except OSError as error:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: see {log.name}") from error
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("server did not start within 90 s")
    yield url
    proc.terminate()
    proc.wait(timeout=10)
    log.close()
    databases.drop(copy)


@pytest.fixture(scope="session")
def live_server(databases, demo_database, tmp_path_factory):
    """`tissu serve` in a subprocess on a free port, on its own copy of the demo template."""
    yield from _serve(databases, demo_database, tmp_path_factory)


@pytest.fixture(scope="session")
def hostile_server(databases, hostile_database, tmp_path_factory):
    """`tissu serve` on a copy of the hostile demo (tests/hostile_data.py)."""
    yield from _serve(databases, hostile_database, tmp_path_factory)


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


def _open_page(browser, base_url: str):
    """A Chromium page that blocks (and records) every request to another host than `base_url`'s."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="fr-FR")
    page = context.new_page()
    own = urllib.parse.urlparse(base_url).netloc
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


@pytest.fixture(scope="session")
def ti_server(databases, ti_database, tmp_path_factory):
    """`tissu serve` on a copy of the demo with the small ANCT list (`ti_database`)."""
    yield from _serve(databases, ti_database, tmp_path_factory)


@pytest.fixture()
def page(browser, live_server):
    yield from _open_page(browser, live_server)


@pytest.fixture()
def ti_page(browser, ti_server):
    """A page for `ti_server`."""
    yield from _open_page(browser, ti_server)


@pytest.fixture()
def hostile_page(browser, hostile_server):
    """A page for `hostile_server`, like `page` for `live_server`."""
    yield from _open_page(browser, hostile_server)


@pytest.fixture(scope="module")
def server_clusters_server(databases, demo_database, tmp_path_factory):
    """`tissu serve` on a copy of the demo with the client threshold lowered to 500: the map clusters on the
    server (tests/test_browser_map_scale.py)."""
    yield from _serve(databases, demo_database, tmp_path_factory, {"TISSU_CLIENT_POINTS_MAX": "500"})


@pytest.fixture()
def server_clusters_page(browser, server_clusters_server):
    yield from _open_page(browser, server_clusters_server)
