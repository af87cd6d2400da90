"""The dataset that imports of member data (member lists, IDCC flags) apply to: the active real one."""

from __future__ import annotations

from sqlalchemy import Engine

from dashboard import repository
from dashboard.importers.errors import NoTargetDataset
from dashboard.repository.datasets import DatasetInfo


def real_target_dataset(engine: Engine, applies: str) -> DatasetInfo:
    """The active dataset; NoTargetDataset when it is missing or the demo (`applies`: what applies to real data)."""
    target = repository.active_dataset(engine)
    if target is None or target.is_demo:
        raise NoTargetDataset(
            f"the active dataset is {'the demo' if target else 'missing'}: {applies} apply to real data. "
            "Import Sirene first (`tissu import sirene --etablissements FILE`) or switch to it "
            "(`tissu dataset use sirene`)")
    return target
