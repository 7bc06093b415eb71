"""The garbage collector during a long command.

A consolidation makes millions of small objects (cells, rows, dicts) that live until it ends; with
the default thresholds the cycle collector walks the young ones again and again — ~0.25 s of a 4.5 s
Superstore consolidation — and finds almost nothing (rows and tables hold no cycles). `relaxed()`
collects the young generation fourteen times less often for the duration and leaves the older
generations' thresholds as they are: leaving the full collection out as well saved no more time
and let a three-year rebuild's peak grow from 484 MB to 670 MB. The thresholds are put back after,
even on error, so a long-lived process (Excel's UDF server) keeps Python's defaults.
"""
from __future__ import annotations

import contextlib
import gc

YOUNG = 10_000  # allocations between young collections (Python's default: 700)


@contextlib.contextmanager
def relaxed():
    """Within: young collections rarer; usable as a decorator. Nested uses keep the outermost's
    restore: each puts back what it found."""
    before = gc.get_threshold()
    gc.set_threshold(YOUNG, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
