"""Memory handed back between the phases of a large run (`xlpy.io.heap`): measured as the process's
resident size, on Linux with glibc; elsewhere `give_back` only collects."""
from __future__ import annotations

import gc
import re
import sys
import weakref
from pathlib import Path

import pytest

from xlpy.io import heap


def _resident_mb() -> float:
    return int(re.search(r"VmRSS:\s*(\d+)", Path("/proc/self/status").read_text())[1]) / 1024


@pytest.mark.skipif(heap._trim() is None, reason="no glibc malloc_trim here")
def test_memory_freed_in_the_middle_of_the_heap_goes_back_to_the_system():
    blocks = [bytearray(100_000) for _ in range(400)]  # under glibc's mmap threshold: in its heap
    pinned = bytearray(100_000)  # a block after them keeps the heap's top from being trimmed on free
    for block in blocks:
        block[::4096] = b"x" * len(block[::4096])  # touched: resident
    before = _resident_mb()
    del blocks
    assert heap.give_back()
    assert _resident_mb() < before - 20  # ~40 MB were freed
    assert len(pinned) == 100_000


def test_where_there_is_no_malloc_trim_it_only_collects(monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    heap._trim.cache_clear()
    gc.disable()  # the cycle goes only when give_back collects
    try:
        class Cycle:
            pass
        a, b = Cycle(), Cycle()
        a.other, b.other = b, a
        gone = weakref.ref(a)
        del a, b
        alive = gone() is not None  # (not asserted inline: pytest would hold the object while asserting)
        assert alive and heap.give_back() is False
        assert gone() is None
    finally:
        gc.enable()
        heap._trim.cache_clear()
