"""What a site looks for, from its own capabilities: its peers or its complementary suppliers (issue 15).

"Trouver des partenaires près de ce site" on the establishment card carries the site's context:

- peers (*pairs*): establishments offering the capabilities the site offers (any of them; the score ranks
  those sharing more of them first);
- complementary suppliers (*fournisseurs complémentaires*): what the site's filière buys from subcontractors
  (the purchasing model, data/taxonomy/purchases.csv, analytics.purchasing) that the site does not offer, most
  bought first. A site whose filière buys nothing listed (or without a filière) falls back on the capability
  families it works in: a machining shop with turning looks for 5-axis milling, grinding...
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

PEERS, COMPLEMENTARY = "peers", "complementary"


def context_capabilities(owned: Iterable[str], *, match: str, families: Mapping[str, str],
                         bought: Sequence[str] = ()) -> tuple[str, ...]:
    """Capability codes the site's context asks for (`families`: code -> family, in taxonomy order).

    `match` is "peers" (the owned capabilities, taxonomy order) or "complementary": the capabilities its
    filière buys (`bought`, most bought first) that it does not own, or without any, those of its families it
    does not own (taxonomy order). Raises ValueError on another `match`.
    """
    owned_set = {str(c) for c in owned}
    if match == PEERS:
        return tuple(c for c in families if c in owned_set)
    if match == COMPLEMENTARY:
        needed = tuple(c for c in dict.fromkeys(bought) if c in families and c not in owned_set)
        if needed:
            return needed
        owned_families = {families[c] for c in owned_set if c in families}
        return tuple(c for c, family in families.items() if family in owned_families and c not in owned_set)
    raise ValueError(f"unknown match: {match!r}")
