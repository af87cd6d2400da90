"""Who buys what from whom: the purchasing model of `data/taxonomy/purchases.csv` (docs/event.md).

Each row says how likely (a relative weight, no unit) a buyer of one filière is to source one
capability from a subcontractor. The demo event draws participants' needs from it, so a dairy
looks for stainless welding and maintenance, not for an aluminium foundry.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd


def capabilities_bought(purchases: pd.DataFrame, filiere: str | None) -> pd.Series:
    """Relative weight (no unit) of each capability a buyer of `filiere` sources, heaviest first; empty if unknown."""
    rows = purchases[purchases["buyer_filiere"] == filiere]
    weights = rows.groupby("capability_code")["weight"].sum().astype(float)
    return weights[weights > 0].sort_values(ascending=False, kind="stable")


def draw_needs(rng: np.random.Generator, purchases: pd.DataFrame, filiere: str | None, k: int, *,
               offered: Collection[str], exclude: Collection[str] = ()) -> list[str]:
    """Up to `k` capability codes a buyer of `filiere` needs, drawn by weight without replacement.

    Only capabilities in `offered` (someone can supply them) and not in `exclude` (the buyer's own)
    are drawn; fewer than `k` when the filière buys fewer such capabilities, none for an unknown filière.
    """
    # Plain arrays, not a groupby: the demo calls this once per participant (thousands of times).
    rows = purchases["buyer_filiere"].to_numpy() == filiere
    codes = purchases["capability_code"].to_numpy()[rows]
    weights = purchases["weight"].to_numpy(dtype=float)[rows]
    offered_set, excluded = set(offered), set(exclude)
    keep = np.array([c in offered_set and c not in excluded for c in codes], dtype=bool) & (weights > 0)
    codes, weights = codes[keep], weights[keep]
    size = min(max(int(k), 0), len(codes))
    if not size:
        return []
    drawn = rng.choice(codes, size=size, replace=False, p=weights / weights.sum())
    return [str(c) for c in drawn]


def purchases_markdown(purchases: pd.DataFrame, capability_labels: dict[str, str]) -> str:
    """The purchasing model as the Markdown table of docs/event.md, in the file's order."""
    lines = ["| buyer filière | capability | weight | rationale |", "|---|---|---|---|"]
    for row in purchases.itertuples(index=False):
        label = capability_labels.get(row.capability_code, row.capability_code)
        lines.append(f"| {row.buyer_filiere} | {label} (`{row.capability_code}`) | {row.weight:g} | {row.rationale} |")
    return "\n".join(lines)
