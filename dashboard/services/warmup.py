"""Build, once in the server's master process, what every worker would otherwise build on its first requests.

With a preloaded app, gunicorn forks its workers after this ran: they inherit the snapshot and its per-version
caches (`Snapshot.cached`, the one caching convention) copy-on-write, instead of each paying the cold entries
(seconds at 100k establishments: the records frame, the point store, each capability's nearest suppliers)
while its other thread waits on the GIL. Each step calls the same service function a request would, so the
keys are the ones requests look up. Steps run in order of value and stop once `budget_seconds` have passed
(what is left is built on first use, as before). No database connection is left open: the caller disposes
of the engine before forking.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial

from dashboard import pages
from dashboard.analytics.coverage import DEMANDS
from dashboard.analytics.filters import Criteria
from dashboard.policy import ANONYMOUS
from dashboard.services import (
    coverage,
    cross_border,
    explorer,
    explorer_table,
    indicators,
    map_clusters,
    partners,
    records,
    skills,
)
from dashboard.services.base import DataService, Snapshot

WARM_BUDGET_SECONDS = 120.0  # at 100k establishments the whole warm-up takes ≈ 20-30 s on 2 busy cores
# Above the client threshold (a million establishments) warming everything takes minutes and gigabytes: only the
# first view is built, then what fits in this budget; the rest is built on first use (docs/performance.md §9).
WARM_BUDGET_SERVER_MAP_SECONDS = 8.0

log = logging.getLogger(__name__)


@dataclass
class WarmReport:
    seconds: float = 0.0
    budget: float = WARM_BUDGET_SECONDS
    built: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # name -> seconds
    skipped: list[str] = field(default_factory=list)  # left for first use: the budget ran out
    failed: list[str] = field(default_factory=list)  # raised: left for first use (a request will report it)

    @property
    def line(self) -> str:
        text = f"warmed in {self.seconds:.1f} s ({len(self.built)} caches"
        if self.skipped:
            text += f", {len(self.skipped)} left for first use after the {self.budget:g} s budget"
        if self.failed:
            text += f", {len(self.failed)} failed: {', '.join(self.failed[:3])}"
        slowest = sorted(self.timings.items(), key=lambda item: -item[1])[:3]
        return text + "; slowest: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in slowest) + ")"


def _first_view(service: DataService, snap: Snapshot, server_map: bool) -> Iterator[tuple[str, Callable[[], object]]]:
    """What the explorer's first view reads: its payloads, its first clusters (above the threshold), its options."""
    for name, build in pages.payload_builders().items():
        if not (server_map and name in explorer.CLIENT_MAP_PAYLOADS):  # above the threshold no browser gets them
            yield f"payload:{name}", partial(build, service)
    if server_map:  # the first visitor's clusters: the default view of the whole territory
        yield "map_view", partial(map_clusters.map_view, service, Criteria(), ANONYMOUS,
                                  bounds=map_clusters.DEFAULT_BOUNDS, zoom=map_clusters.DEFAULT_ZOOM)
    yield "filter_options", lambda: explorer.cached_filter_options(service, snap)
    yield "filiere_legend", lambda: explorer.cached_filiere_legend(service, snap)


def _steps(service: DataService, snap: Snapshot) -> Iterator[tuple[str, Callable[[], object]]]:
    """(name, build) in order of value: what nearly every request reads first, then each page's entries. Above the
    client threshold the explorer's first view comes first (it is what a visitor opens)."""
    server_map = map_clusters.server_side(service, snap)
    if server_map:
        yield from _first_view(service, snap, server_map)
    yield "partner_catalog", lambda: partners.catalog_for(service, snap)
    yield "establishment_records", lambda: records.all_records(service, snap)
    yield "establishment_ids", lambda: records.records_of(service, snap, snap.establishments.iloc[:0])
    # Near the border the partner search includes the sites abroad by default: their catalog and records.
    yield "partner_catalog_cross_border", lambda: cross_border.cross_border_catalog(service, snap)
    yield "foreign_records", lambda: cross_border.foreign_records(service, snap)
    if not server_map:
        yield from _first_view(service, snap, server_map)
    yield "explorer_table_frame", lambda: explorer_table.table_frame(service, snap)
    for column in explorer_table.COLUMNS:
        yield f"explorer_table_rank:{column}", partial(explorer_table.column_ranks, service, snap, column)
    # Communes first: 2,300 points per capability, then the establishments (the API's default demand).
    for demand in sorted(DEMANDS):
        for code in service.lookups.capabilities["code"]:
            yield f"coverage_nearest:{demand}:{code}", partial(coverage.nearest, service, snap, capability=code,
                                                               demand=demand)
    yield "indicators", lambda: indicators.indicator_data(service)
    yield "skills", lambda: skills.skills_data(service)


def warm(service: DataService, *, budget_seconds: float | None = None,
         clock: Callable[[], float] = time.perf_counter) -> WarmReport:
    """Load the snapshot and build its per-version caches, within `budget_seconds` (then stop; by default
    `WARM_BUDGET_SECONDS`, or `WARM_BUDGET_SERVER_MAP_SECONDS` above the client threshold, where the explorer's
    first view is built whatever the budget)."""
    started = clock()
    snap = service.snapshot()
    server_map = map_clusters.server_side(service, snap)
    if budget_seconds is None:
        budget_seconds = WARM_BUDGET_SERVER_MAP_SECONDS if server_map else WARM_BUDGET_SECONDS
    report = WarmReport(budget=budget_seconds)
    report.timings["snapshot"] = clock() - started
    essential = {name for name, _ in _first_view(service, snap, server_map)} if server_map else set()
    for name, build in _steps(service, snap):
        began = clock()
        if began - started > budget_seconds and name not in essential:
            report.skipped.append(name)
            continue
        try:
            build()
        except Exception as err:  # noqa: BLE001 - a cache that fails to build is left for first use, not fatal
            log.warning("warm-up of %s failed: %s", name, err)
            report.failed.append(name)
        else:
            report.built.append(name)
        report.timings[name] = clock() - began
    report.seconds = clock() - started
    return report
