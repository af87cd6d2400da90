"""Keep the long-lived data out of the cyclic garbage collector's walks.

A snapshot at 1M establishments holds about 3 million tracked objects (the per-site lists of capabilities and
certifications in the records frame, among others). Python's full collection walks every tracked object; it is
triggered by allocations, so any request that allocates enough paid it: `/api/v1/partners` took 28 ms at 1M
instead of 10, most of it in collections. `gc.freeze()` moves what exists into a permanent generation the
collector skips; done in the master before the fork, the workers also keep those pages shared (a collection
writes to the header of every object it visits, which copies the page in each worker).
"""

from __future__ import annotations

import gc


def freeze_long_lived() -> int:
    """Collect once, then exempt every object alive now from later collections; returns how many were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def refreeze_after_reload() -> None:
    """After a new snapshot replaced the old one: only where the heap was frozen (the server, not the tests),
    let the collector see everything once (the old snapshot's cycles), then freeze again."""
    if gc.get_freeze_count():
        gc.unfreeze()
        freeze_long_lived()
