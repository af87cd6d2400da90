"""What a site looks for, from its own capabilities: its peers or its complementary suppliers (issue 15).

"Trouver des partenaires près de ce site" on the establishment card carries the site's context:

- peers (*pairs*): establishments offering the capabilities the site offers (any of them; the score ranks
  those sharing more of them first);
- complementary suppliers (*fournisseurs complémentaires*): capabilities of the families the site works in
  (taxonomy `family`) that the site does not offer: a machining shop with turning and 3-axis milling looks for
  5-axis milling, bar turning, grinding... No purchase table by filière exists yet; the capability families
  are the stated proxy for "what this site's trade buys" (docs/indicators.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

PEERS, COMPLEMENTARY = "peers", "complementary"


def context_capabilities(owned: Iterable[str], *, match: str, families: Mapping[str, str]) -> tuple[str, ...]:
    """Capability codes the site's context asks for, in taxonomy order (`families`: code -> family, ordered).

    `match` is "peers" (the owned capabilities) or "complementary" (same families, not owned). A site
    without capabilities asks for nothing. Raises ValueError on another `match`.
    """
    owned_set = {str(c) for c in owned}
    if match == PEERS:
        return tuple(c for c in families if c in owned_set)
    if match == COMPLEMENTARY:
        owned_families = {families[c] for c in owned_set if c in families}
        return tuple(c for c, family in families.items() if family in owned_families and c not in owned_set)
    raise ValueError(f"unknown match: {match!r}")
