"""Per-topic read models over the active dataset's snapshot: what pages, the API and exports read.

`base` holds the snapshot and its one caching convention; one module per topic (explorer, partners,
coverage, skills, indicators, event) computes what its page and API endpoints show.
"""

from dashboard.services.base import DataService, Lookups, Snapshot

__all__ = ["DataService", "Lookups", "Snapshot"]
