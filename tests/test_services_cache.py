"""The caching convention under concurrency: one build per key, and a reload that does not stop readers."""

from __future__ import annotations

import threading
import time

from dashboard.services.base import DataService, DataVersions
from dashboard.services.cache import BoundedCache


def _race(n: int, call) -> list:
    barrier, out = threading.Barrier(n), []

    def run():
        barrier.wait()
        out.append(call())

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def _slow_build(counter: list, value):
    def build():
        counter.append(1)
        time.sleep(0.2)
        return value
    return build


def test_concurrent_first_callers_share_one_build():
    cache, builds = BoundedCache(8), []
    results = _race(8, lambda: cache.get_or_build("k", _slow_build(builds, 42)))
    assert results == [42] * 8 and len(builds) == 1


def test_snapshot_cached_is_single_flight(service):
    snap, builds = service.snapshot(), []
    results = _race(6, lambda: snap.cached("probe-single-flight", _slow_build(builds, "v")))
    assert results == ["v"] * 6 and len(builds) == 1


def test_a_reload_is_built_aside_while_readers_keep_the_old_snapshot(engine, settings):
    service = DataService(engine, settings, version_check_seconds=0)
    old = service.snapshot()
    started, release = threading.Event(), threading.Event()
    real_load = service._load

    def slow_load(versions):
        started.set()
        release.wait(10)
        return real_load(versions)

    service._versions = lambda: DataVersions((-5, 1), old.versions.topics)  # as if another dataset appeared
    service._load = slow_load
    loader = threading.Thread(target=service.snapshot)
    loader.start()
    assert started.wait(10)
    begin = time.monotonic()
    assert service.snapshot() is old  # answered at once from the previous data
    assert time.monotonic() - begin < 1
    release.set()
    loader.join(10)
    assert service.snapshot().versions.dataset == (-5, 1)
