"""Headline figures of a set of establishments."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Summary:
    establishments: int  # count
    jobs: int  # estimated jobs (sum of headcount estimates)
    communes: int  # communes with at least one establishment
    share_of_region: float  # establishments / all establishments of the dataset, in [0, 1]


def summarize(selected: pd.DataFrame, *, total: int) -> Summary:
    """Counts, estimated jobs and communes covered of `selected`, out of `total` establishments."""
    return Summary(
        establishments=int(len(selected)),
        jobs=int(selected["headcount_estimate"].fillna(0).sum()),
        communes=int(selected["commune_code"].nunique()),
        share_of_region=(len(selected) / total) if total else 0.0,
    )


def count_by(selected: pd.DataFrame, column: str, *, order: list[str]) -> pd.DataFrame:
    """Establishments and estimated jobs per value of `column`, in `order` (absent values get 0)."""
    grouped = selected.groupby(column).agg(establishments=("public_id", "size"),
                                           jobs=("headcount_estimate", "sum"))
    out = grouped.reindex(order, fill_value=0)
    out.index.name = column
    return out.reset_index().astype({"establishments": int, "jobs": int})
