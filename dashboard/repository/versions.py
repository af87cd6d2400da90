"""One read of every topic's fingerprint, so that services notice an import made by another process."""

from __future__ import annotations

from sqlalchemy import Engine

from dashboard.repository.indicators import indicator_tables_version
from dashboard.repository.skills import skills_version


def topic_versions(engine: Engine) -> tuple:
    """(skills tables, indicator tables) fingerprints; the dataset's own version is `dataset_version`."""
    return skills_version(engine), indicator_tables_version(engine)
