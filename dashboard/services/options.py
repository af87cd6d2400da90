"""Dropdown option lists built from reference tables (value/label dicts, no component)."""

from __future__ import annotations

from dashboard.analytics.text import search_text, with_search  # noqa: F401  (re-exported for layouts.components)
from dashboard.formatting import fr_number, short_text


def capability_options(capabilities, counts: dict[str, int] | None = None) -> list[dict]:
    """Dropdown options grouped by family: a disabled heading per family, then its capabilities.

    `capabilities` has code, label, family_code, family_label (taxonomy order); `counts` adds
    "(12)" after each label when given.
    """
    options = []
    for family, group in capabilities.groupby("family_code", sort=False):
        family_label = group["family_label"].iloc[0]
        options.append({"label": family_label.upper(), "value": f"famille:{family}", "disabled": True,
                        "search": search_text(family_label)})
        for r in group.to_dict("records"):
            name = short_text(r["label"])
            label = name if counts is None else f"{name} ({fr_number(counts.get(r['code'], 0))})"
            options.append({"label": label, "value": r["code"], "search": search_text(name, family_label)})
    return options
