"""The warm-up before fork: every per-version cache is built once, and a forked worker reuses it unchanged."""

from __future__ import annotations

import itertools
import os

import pytest

from dashboard.analytics.partner_query import PartnerQuery
from dashboard.policy import ANONYMOUS
from dashboard.services import DataService
from dashboard.services import coverage as cs
from dashboard.services import partners as ps
from dashboard.services.warmup import warm


def _refuse(*_args, **_kwargs):
    raise AssertionError("rebuilt after the warm-up")


@pytest.fixture()
def warmed(engine, settings) -> tuple[DataService, object]:
    service = DataService(engine, settings, version_check_seconds=0)  # every call re-reads the versions
    return service, warm(service)


def test_warm_builds_every_cache_a_first_request_would(warmed):
    service, report = warmed
    assert report.failed == [] and report.skipped == []
    derived = service.snapshot()._derived
    codes = service.lookups.capabilities["code"].tolist()
    expected = {"partner_catalog", "establishment_records", "establishment_ids", "payload:explorer_points",
                "payload:explorer_lookups", "payload:explorer_members", "payload:partner_communes", "filter_options",
                "filiere_legend", "explorer_table_frame", "indicators", "skills",
                "partner_catalog_cross_border", "foreign_records",  # the demo has sites abroad
                *(f"coverage_nearest:{demand}:{code}" for demand in ("establishments", "communes") for code in codes)}
    assert expected <= set(derived)
    assert set(report.built) >= expected and report.seconds > 0
    assert report.line.startswith(f"warmed in {report.seconds:.1f} s ({len(report.built)} caches; slowest: ")


def test_after_warm_the_first_coverage_and_partner_requests_build_nothing_per_version(warmed, monkeypatch):
    service, _ = warmed
    snap = service.snapshot()
    for target in ("dashboard.services.coverage.nearest_suppliers", "dashboard.services.cross_border.partner_catalog",
                   "dashboard.services.records.establishment_records", "dashboard.services.explorer.point_store"):
        monkeypatch.setattr(target, _refuse)
    capability = service.lookups.capabilities["code"].iloc[0]
    for weighting in cs.WEIGHTINGS:
        cs.by_unit(service, capability=capability, radius_km=42, weighting=weighting, level="epci")
    cs.summary(service, radius_km=37, weighting="jobs")
    cs.matrix(service, radius_km=37, weighting="jobs")
    commune = service.lookups.communes["code"].iloc[0]
    found = ps.search_partners(service, PartnerQuery(commune=commune, capabilities=(capability,)),
                               viewer=ANONYMOUS)
    assert len(found.records) > 0
    assert service.snapshot() is snap  # same versions: the warm snapshot is kept, not reloaded


def test_a_forked_worker_keeps_the_warm_snapshot_and_its_caches(warmed, engine, monkeypatch):
    service, _ = warmed
    snap = service.snapshot()
    monkeypatch.setattr("dashboard.services.coverage.nearest_suppliers", _refuse)
    engine.dispose()  # what the server does before each fork
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: its own connections, the master's snapshot
        outcome = b"ok"
        try:
            engine.dispose(close=False)
            fresh = service.refresh()  # re-reads the versions through a new connection
            assert fresh is snap, "snapshot reloaded"
            capability = service.lookups.capabilities["code"].iloc[-1]
            cs.capability_coverage(service, capability=capability, radius_km=33, weighting="jobs")
        except BaseException as err:  # noqa: BLE001 - reported to the parent, whatever it is
            outcome = repr(err).encode()
        os.write(write, outcome)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        outcome = pipe.read()
    os.waitpid(pid, 0)
    assert outcome == b"ok"


def test_the_warm_up_stops_at_its_budget(engine, settings):
    service = DataService(engine, settings)
    ticks = itertools.count()
    report = warm(service, budget_seconds=3, clock=lambda: float(next(ticks)))  # every step "takes" one second
    assert 0 < len(report.built) <= 4 and report.skipped and not report.failed
    assert "left for first use" in report.line
    assert "partner_catalog" in report.built  # the most used entries come first


def test_above_the_threshold_the_first_view_is_warmed_and_little_else(engine, settings):
    """At a million establishments warming everything takes minutes: above the client threshold the explorer's
    first view is built whatever the budget, the rest only within the shorter server-map budget."""
    from dataclasses import replace

    from dashboard.services.warmup import WARM_BUDGET_SERVER_MAP_SECONDS

    service = DataService(engine, replace(settings, client_points_max=500))
    ticks = itertools.count()
    report = warm(service, budget_seconds=0, clock=lambda: float(next(ticks)))
    assert {"map_view", "filter_options", "filiere_legend", "payload:explorer_lookups"} <= set(report.built)
    assert "partner_catalog" in report.skipped and "explorer_table_frame" in report.skipped
    ticks = itertools.count()
    by_default = warm(DataService(engine, replace(settings, client_points_max=500)),
                      clock=lambda: float(next(ticks)))
    assert by_default.budget == WARM_BUDGET_SERVER_MAP_SECONDS and by_default.skipped


def test_serve_warms_before_gunicorn_and_not_in_dev(settings, monkeypatch):
    from dash import Dash

    from dashboard import server

    calls = []
    monkeypatch.setattr(server, "warm_caches", lambda service: calls.append(service))
    monkeypatch.setattr(Dash, "run", lambda *_args, **_kwargs: None)
    monkeypatch.setattr(server, "_run_gunicorn", lambda *_args: calls.append("gunicorn"))
    monkeypatch.setattr(server, "gunicorn_available", lambda: True)
    server.serve(settings, dev=True)
    assert calls == []
    server.serve(settings)
    assert isinstance(calls[0], DataService) and calls[1:] == ["gunicorn"]
