"""The long-lived heap is frozen by the server only, and a reload lets the old snapshot's cycles be collected."""

import gc
import weakref

from dashboard.services.heap import freeze_long_lived, refreeze_after_reload


class _Cycle:
    def __init__(self):
        self.me = self


def test_reload_refreezes_only_a_frozen_heap_and_collects_old_cycles():
    assert gc.get_freeze_count() == 0  # the tests never freeze: reloads leave the collector alone
    refreeze_after_reload()
    assert gc.get_freeze_count() == 0
    try:
        old = _Cycle()
        ref = weakref.ref(old)
        frozen = freeze_long_lived()
        assert frozen > 0 and gc.get_freeze_count() == frozen
        del old  # a cycle: only the collector frees it, and not while it is frozen
        gc.collect()
        assert ref() is not None
        refreeze_after_reload()  # what a reload does: unfreeze, collect, freeze again
        assert ref() is None and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
