"""The production server: gunicorn on an empty instance, imports reaching every worker, request limits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from dashboard.analytics.filters import MAX_VALUES
from dashboard.database import display_url
from dashboard.limits import MAX_CALLBACK_ITEMS, oversize_container
from dashboard.server import default_workers, gunicorn_available
from dashboard.services import DataService

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 3
pytestmark = pytest.mark.skipif(not gunicorn_available(), reason="gunicorn needs fcntl (POSIX)")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(url: str, *, data: bytes | None = None, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """(status, headers, body) of one request on a new connection, so that requests spread over workers."""
    req = urllib.request.Request(url, data=data, headers={"Connection": "close", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=20) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


@pytest.fixture(scope="module")
def empty_instance(tmp_path_factory) -> dict:
    instance = tmp_path_factory.mktemp("empty-instance")
    return {**os.environ, "TISSU_INSTANCE_DIR": str(instance), "TISSU_DATABASE_URL": "", "TISSU_DEMO_SCALE": "0.05",
            "TISSU_DEMO_SEED": "1", "TISSU_AUTO_DEMO": "1", "TISSU_VERSION_CHECK_SECONDS": "1",
            "TISSU_TILE_URL": "", "TISSU_HOST": "127.0.0.1", "TISSU_PORT": str(_free_port())}


@pytest.fixture(scope="module")
def multi_server(empty_instance, tmp_path_factory):
    """`tissu serve --workers 3` on an instance folder with no database yet."""
    log_path = tmp_path_factory.mktemp("server-log") / "server.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "dashboard.cli", "serve", "--workers", str(WORKERS)],
                                env=empty_instance, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{empty_instance['TISSU_PORT']}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(url + "/api/v1/meta", timeout=2)
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(f"server exited: {log_path.read_text()}") from None
                time.sleep(0.3)
        else:
            proc.kill()
            raise RuntimeError("server did not start within 120 s")
        yield url, proc, log_path
        proc.terminate()
        proc.wait(timeout=15)


def _worker_pids(master: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            pids.append(int(stat.parent.name))
    return pids


def test_starts_on_an_empty_instance_with_three_workers_without_a_race(multi_server):
    url, proc, log_path = multi_server
    paths = ["/api/v1/meta", "/", "/api/v1/capabilities", "/api/v1/establishments?limit=5"] * 15
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda p: _request(url + p)[0], paths))
    assert statuses == [200] * len(paths)
    assert proc.poll() is None
    log = log_path.read_text()
    assert f"gunicorn, {WORKERS} processes" in log and "Traceback" not in log
    assert "tissu: warmed in " in log  # the caches were built in the master, before the fork
    if Path("/proc").is_dir():
        assert len(_worker_pids(proc.pid)) == WORKERS
    meta = json.loads(_request(url + "/api/v1/meta")[2])
    assert meta["dataset"]["parameters"] == "seed=1 scale=0.05"


def test_an_import_made_while_serving_reaches_every_worker(multi_server, empty_instance):
    url, proc, _ = multi_server
    done = subprocess.run([sys.executable, "-m", "dashboard.cli", "demo", "--seed", "2", "--scale", "0.05"],
                          env=empty_instance, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    imported = time.monotonic()

    def parameters(_):
        return json.loads(_request(url + "/api/v1/meta")[2])["dataset"]["parameters"]

    consecutive, seen_at = 0, None
    with ThreadPoolExecutor(6) as pool:  # concurrent new connections: every worker answers some
        while time.monotonic() - imported < 20:
            batch = list(pool.map(parameters, range(30)))
            if all(p == "seed=2 scale=0.05" for p in batch):
                consecutive += 1
                seen_at = seen_at or time.monotonic() - imported
                if consecutive == 3:
                    break
            else:
                consecutive, seen_at = 0, None
    assert consecutive == 3, "the new dataset did not reach every worker within 20 s"
    assert seen_at < 10


def test_the_server_header_names_no_version(multi_server):
    url, _, _ = multi_server
    for path in ("/", "/api/v1/meta", "/api/v1/absent", "/geo/communes.pbf"):
        status, headers, _ = _request(url + path)
        assert headers["Server"] == "tissu", (path, status, headers)


def test_an_oversize_body_gets_413_with_a_json_error(multi_server):
    url, _, _ = multi_server
    body = json.dumps({"inputs": [{"id": "x", "property": "value", "value": "a" * 300_000}]}).encode()
    for path in ("/_dash-update-component", "/api/v1/meta"):
        status, headers, content = _request(url + path, data=body, headers={"Content-Type": "application/json"})
        assert status == 413 and headers["Content-Type"] == "application/json"
        assert json.loads(content)["error"]["code"] == "request_too_large"


def test_an_over_long_list_parameter_gets_400_naming_it(multi_server):
    url, _, _ = multi_server
    codes = ",".join(["54"] * (MAX_VALUES + 1))
    status, _, content = _request(url + f"/api/v1/establishments?departement={codes}")
    assert status == 400
    assert json.loads(content)["error"]["parameter"] == "departement"
    repeated = "&".join(["capability=USI"] * (MAX_VALUES + 1))
    status, _, content = _request(url + f"/api/v1/partners?lat=49.1&lon=6.2&{repeated}")
    assert status == 400 and json.loads(content)["error"]["parameter"] == "capability"
    assert _request(url + "/api/v1/establishments?departement=" + ",".join(["54"] * MAX_VALUES))[0] == 200


def _callback_body(value) -> bytes:
    return json.dumps({"output": "explorer-table-body.children", "outputs": {"id": "t", "property": "children"},
                       "inputs": [{"id": "criteria", "property": "data", "value": value}],
                       "changedPropIds": ["criteria.data"]}).encode()


def test_an_over_long_callback_input_list_gets_400_before_dash_runs(multi_server):
    url, _, _ = multi_server
    started = time.monotonic()
    status, headers, content = _request(url + "/_dash-update-component",
                                        data=_callback_body({"departement": ["54"] * 30_000}),
                                        headers={"Content-Type": "application/json"})
    assert status == 400 and headers["Content-Type"] == "application/json"
    assert json.loads(content)["error"]["code"] == "callback_input_too_large"
    assert time.monotonic() - started < 2


def test_the_callback_guard_passes_normal_payloads(client):
    from dashboard import ids

    body = {"output": f"..{ids.TABLE}.getRowsResponse...{ids.TABLE_NOTE}.children..",
            "outputs": [{"id": ids.TABLE, "property": "getRowsResponse"},
                        {"id": ids.TABLE_NOTE, "property": "children"}],
            "inputs": [{"id": ids.TABLE, "property": "getRowsRequest", "value": {"startRow": 0, "endRow": 100}}],
            "state": [{"id": ids.TABLE_CRITERIA, "property": "data", "value": {"departement": ["54", "57"]}}],
            "changedPropIds": [f"{ids.TABLE}.getRowsRequest"]}
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    assert "établissement" in response.get_json()["response"][ids.TABLE_NOTE]["children"]
    body["state"][0]["value"] = {"departement": ["54"] * (MAX_CALLBACK_ITEMS + 1)}
    assert client.post("/_dash-update-component", json=body).status_code == 400
    assert client.post("/_dash-update-component", data="{", content_type="application/json").status_code == 400


def test_oversize_container_finds_long_lists_wide_mappings_and_deep_nesting():
    assert oversize_container({"a": [1, 2, {"b": list(range(10))}]}) is None
    assert "201" in oversize_container([{"v": list(range(MAX_CALLBACK_ITEMS + 1))}])
    assert oversize_container({str(i): i for i in range(MAX_CALLBACK_ITEMS + 1)})
    deep: list = []
    for _ in range(50):
        deep = [deep]
    assert "imbrication" in oversize_container(deep)


def test_pages_keep_the_first_values_of_an_over_long_list_with_a_notice():
    from dashboard.analytics.filters import Vocabulary, parse_criteria

    vocab = Vocabulary(*[frozenset({"54", "57"})] * 8)
    criteria, notices = parse_criteria({"departement": ["54"] * 5000 + ["57"]}, vocab, strict=False)
    assert criteria.departements == ("54",)
    assert any("100 valeurs au plus" in n for n in notices)


def test_snapshot_checks_the_data_versions_at_most_once_per_interval(engine, settings, service, monkeypatch):
    assert service.version_check_seconds == settings.version_check_seconds == 2  # TISSU_VERSION_CHECK_SECONDS
    calls = []
    real = DataService._versions
    monkeypatch.setattr(DataService, "_versions", lambda self: calls.append(1) or real(self))
    lazy = DataService(engine, settings, version_check_seconds=60)
    first = lazy.snapshot()
    assert all(lazy.snapshot() is first for _ in range(20))
    assert len(calls) == 1
    eager = DataService(engine, settings, version_check_seconds=0)
    for _ in range(3):
        eager.snapshot()
    assert len(calls) == 4


def test_default_workers_follow_the_cores_with_a_cap():
    assert [default_workers(c) for c in (1, 2, 3, 8)] == [2, 3, 4, 4]


def test_database_urls_are_printed_with_the_password_masked(tmp_path, capsys):
    assert display_url("postgresql+psycopg://tissu:s3cret@db.local:5432/tissu") == \
        "postgresql+psycopg://tissu:***@db.local:5432/tissu"
    assert display_url("sqlite:////srv/tissu.sqlite3") == "sqlite:////srv/tissu.sqlite3"
    env = {**os.environ, "TISSU_DATABASE_URL": "postgresql+psycopg://tissu:s3cret@127.0.0.1:1/tissu",
           "TISSU_INSTANCE_DIR": str(tmp_path)}
    for command in (["db", "upgrade"], ["dataset", "list"], ["serve", "--workers", "1"]):
        done = subprocess.run([sys.executable, "-m", "dashboard.cli", *command], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 2, (command, done.stderr)
        assert "s3cret" not in done.stdout + done.stderr
        assert "tissu:***@127.0.0.1:1" in done.stderr and "Traceback" not in done.stderr


def test_every_print_site_masks_the_url():
    source = (ROOT / "dashboard" / "cli.py").read_text(encoding="utf-8") + \
        (ROOT / "dashboard" / "server.py").read_text(encoding="utf-8")
    printed = [line for line in source.splitlines() if "database_url" in line and ("print" in line or "f\"" in line)]
    assert printed and all("display_url(" in line for line in printed)


def test_waitress_serves_where_gunicorn_cannot(new_database, demo_database):
    copy = new_database(demo_database)
    port = _free_port()
    env = {**os.environ, "TISSU_DATABASE_URL": copy.url, "TISSU_PORT": str(port), "TISSU_AUTO_DEMO": "0",
           "TISSU_HOST": "127.0.0.1"}
    script = ("import sys, dashboard.server as s; s.gunicorn_available = lambda: False; "
              "from dashboard.cli import main; sys.exit(main(['serve', '--workers', '1']))")
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline, status = time.monotonic() + 90, None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status, headers, _ = _request(f"http://127.0.0.1:{port}/api/v1/meta")
                break
            except OSError:
                time.sleep(0.3)
        assert status == 200 and headers["Server"] == "tissu"
        body = json.dumps({"inputs": "x" * 300_000}).encode()
        assert _request(f"http://127.0.0.1:{port}/_dash-update-component", data=body,
                        headers={"Content-Type": "application/json"})[0] == 413
    finally:
        proc.terminate()
        out = proc.communicate(timeout=15)[0]
    assert "waitress, 2 threads" in out
