"""Keep the long-lived data out of the cyclic garbage collector's walks.

A snapshot at 1M establishments holds about 3 million tracked objects (the per-site lists of capabilities and
certifications in the records frame, among others). Python's full collection walks every tracked object; it is
triggered by allocations, so any request that allocates enough paid it: `/api/v1/partners` took 28 ms at 1M
instead of 10, most of it in collections. `gc.freeze()` moves what exists into a permanent generation the
collector skips; done in the master before the fork, the workers also keep those pages shared (a collection
writes to the header of every object it visits, which copies the page in each worker).
"""

from __future__ import annotations

import ctypes
import ctypes.util
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


def release_free_memory() -> None:
    """Hand back to the system what the warm-up freed but the allocators kept (glibc's heap, Arrow's pool):
    done in the master before the fork, those pages are neither counted in its memory nor inherited by the
    workers. Nothing happens where the C library has no `malloc_trim` (not glibc)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    libc_name = ctypes.util.find_library("c")
    trim = getattr(ctypes.CDLL(libc_name), "malloc_trim", None) if libc_name else None
    if trim is not None:
        trim(0)
