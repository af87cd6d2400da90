"""benchmarks/load.py: its recorded browser payloads still match the app, and its bounds and counters hold."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

import pytest

from benchmarks import load

FIXTURES = json.loads(load.FIXTURES.read_text(encoding="utf-8"))


def _dynamic(requests_: list[dict]) -> list[dict]:
    return [r for r in requests_ if r["kind"] == "dynamic"]


@pytest.mark.parametrize("page", sorted(FIXTURES["pages"]))
def test_recorded_page_view_is_answered_by_the_app(client, page):
    """A re-recording is due when a page's callbacks change: the replay would then send stale payloads."""
    labels = []
    for request in _dynamic(FIXTURES["pages"][page]):
        response = client.open(request["path"], method=request["method"], json=request["body"])
        assert response.status_code < 400, (request["path"], response.status_code)
        labels.append(load.label_of(request, page))
    assert labels[:4] == [f"html {page}", "_dash-layout", "_dash-dependencies", f"router {page}"]


def test_recorded_filter_changes_are_answered_with_the_users_department(client):
    bodies = [r["body"] for step in FIXTURES["filters"] for r in step]
    assert bodies, "the explorer's filter changes reach the server (table callback)"
    replaced = 0
    for body in bodies:
        replayed = load._with_departement(body, "88")
        criteria = [i["value"] for i in [*replayed.get("inputs", []), *replayed.get("state", [])]
                    if isinstance(i.get("value"), dict) and "departement" in i["value"]]
        assert all(c["departement"] == ["88"] for c in criteria)
        replaced += len(criteria)
        response = client.post("/_dash-update-component", json=replayed)
        assert response.status_code < 400
    assert replaced, "the table's requests carry the criteria the user's department replaces"


def test_with_departement_leaves_the_recording_and_empty_filters_alone():
    body = {"inputs": [{"value": {"departement": ["57"], "epci": []}}, {"value": {"departement": []}}]}
    replayed = load._with_departement(body, "54")
    assert replayed["inputs"][0]["value"] == {"departement": ["54"], "epci": []}
    assert replayed["inputs"][1]["value"] == {"departement": []}
    assert body["inputs"][0]["value"]["departement"] == ["57"]


def test_static_files_and_geometry_are_labelled_apart():
    requests_ = FIXTURES["pages"]["/"]
    labels = {load.label_of(r, "/") for r in requests_}
    assert "static file" in labels
    assert "geometry communes.pbf" in labels


def test_budget_stops_at_its_count_and_at_its_deadline():
    counted = load.Budget(time.monotonic() + 60, 3)
    assert [counted.take() for _ in range(5)] == [True, True, True, False, False]
    expired = load.Budget(time.monotonic() - 1, 100)
    assert not expired.take()


def test_percentiles_and_errors_of_a_run():
    samples = [load.Sample("a", float(ms), ms != 100) for ms in range(1, 101)]
    run = load.RunFigures("production", "x", 1, 1, True, 10.0, samples, 0.0, 0.0, 0.0, 0.0)
    assert run.percentile(50) == 51
    assert run.percentile(99) == 100
    assert run.errors == 1
    assert "| x | 1 | 1 | think 1-3 s | 100 | 51 |" in load.report([run])


def test_process_tree_memory_includes_children():
    child = subprocess.Popen([sys.executable, "-c",
                              "import subprocess, sys; subprocess.run([sys.executable, '-c', "
                              "'import time; time.sleep(30)'])"])
    try:
        deadline = time.monotonic() + 10
        while len(load.process_tree(child.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        tree = load.process_tree(child.pid)
        assert tree[0] == child.pid and len(tree) == 2
        assert load.tree_rss_mb(child.pid) > load.tree_rss_mb(tree[1]) > 0
        assert load.tree_cpu_seconds(os.getpid()) > 0
    finally:
        for pid in reversed(load.process_tree(child.pid)):
            os.kill(pid, 15)
        child.wait(timeout=10)


def test_server_command_follows_what_serve_offers(monkeypatch):
    monkeypatch.setattr(load, "_serve_help", lambda: "usage: tissu serve [--host H] [--port P]")
    command, label = load.server_command("production", 8123, workers=2, threads=4)
    assert command[1:3] == ["-m", "gunicorn"] and "--workers" in command and label == "gunicorn 2×4"
    assert load.server_command("development", 8123, workers=2, threads=4)[0][-4:] == \
        ["--host", "127.0.0.1", "--port", "8123"]
    monkeypatch.setattr(load, "_serve_help", lambda: "serve [--workers N] [--threads N] [--dev]")
    command, label = load.server_command("production", 8123, workers=3, threads=2)
    assert command[-4:] == ["--workers", "3", "--threads", "2"] and label == "serve --workers 3 --threads 2"
    assert load.server_command("development", 8123, workers=3, threads=2)[0][-1] == "--dev"


def test_recorded_payload_urls_are_replaced_by_the_servers(live_server):
    """Payload URLs depend on the data: the replay asks the server for its own, as a browser would."""
    import urllib.request

    recorded = [r for r in FIXTURES["pages"]["/"] if r["kind"] == "payload"]
    assert {load.label_of(r, "/") for r in recorded} == {"payload explorer_points", "payload explorer_lookups",
                                                          "payload border_regions", "payload border_sites"}
    current = [r for r in load.with_current_payloads(live_server, FIXTURES)["pages"]["/"] if r["kind"] == "payload"]
    assert len(current) == len(recorded)
    for request in current:
        with urllib.request.urlopen(live_server + request["path"]) as response:
            assert response.status == 200


def test_page_files_are_the_scripts_and_style_sheets_the_html_names():
    html = ('<link rel="icon" href="/_favicon.ico?v=4"><link rel="stylesheet" href="/assets/tissu.css?m=1">'
            '<script src="/_dash-component-suites/dash/deps/react@18.v4m1.3.1.js"></script>'
            '<script src="//cdn.example.org/x.js"></script><script id="_dash-config" type="application/json">'
            '{}</script><script src="/_dash-component-suites/dash/dash-renderer/build/dash_renderer.v4m1.dev.js">')
    assert load.page_files(html) == ["/assets/tissu.css?m=1", "/_dash-component-suites/dash/deps/react@18.v4m1.3.1.js",
                                     "/_dash-component-suites/dash/dash-renderer/build/dash_renderer.v4m1.dev.js"]


def test_page_files_are_replaced_by_those_the_servers_html_names(monkeypatch):
    """A debug server names development bundles: the replay asks for those, not the recorded `*.min.js`."""

    class _Answer:
        text = '<script src="/_dash-component-suites/dash/deps/react@18.dev.js"></script>'

    monkeypatch.setattr(load.requests, "get", lambda url, timeout: _Answer())
    replayed = load.with_server_files("http://x", FIXTURES)
    for page, requests_ in replayed["pages"].items():
        recorded = FIXTURES["pages"][page]
        assert requests_[0] == recorded[0]
        assert requests_[1]["path"] == "/_dash-component-suites/dash/deps/react@18.dev.js"
        assert requests_[2]["kind"] != "static"  # the recorded HTML files are gone
        lazy = [r["path"] for r in recorded if "async-" in r["path"]]
        assert lazy and lazy == [r["path"] for r in requests_ if "async-" in r["path"]]


def test_the_recorded_page_files_are_those_the_production_server_names(live_server):
    """The recording and the served HTML agree on which files a page needs (their mtime stamps may differ)."""
    def stripped(paths):
        return [re.sub(r"\.v[0-9a-z_]+m\d+(?=\.)", "", p.split("?")[0]) for p in paths]
    replayed = load.with_server_files(live_server, FIXTURES)
    for page, requests_ in replayed["pages"].items():
        recorded = FIXTURES["pages"][page]
        assert stripped(r["path"] for r in requests_ if r["kind"] == "static") == \
            stripped(r["path"] for r in recorded if r["kind"] == "static")
