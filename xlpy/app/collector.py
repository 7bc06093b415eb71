"""The garbage collector during a long command.

A consolidation makes millions of small objects (cells, rows, dicts) that live until it ends; with
the default thresholds the cycle collector walks them again and again — ~0.25 s of a 4.5 s
Superstore consolidation, three full collections among them — and finds almost nothing (rows and
tables hold no cycles). `relaxed()` collects the young generations ten times less often and leaves
the full collection out for the duration; the thresholds are put back after, even on error, so a
long-lived process (Excel's UDF server) keeps Python's defaults.
"""
from __future__ import annotations

import contextlib
import gc

YOUNG = 10_000  # allocations between young collections (Python's default: 700)
MIDDLE = 50  # young collections between middle ones (default: 10)
NEVER = 2**31 - 1  # middle collections between full ones: none within the command


@contextlib.contextmanager
def relaxed():
    """Within: young collections rarer, no full one; usable as a decorator. Nested uses keep the
    outermost's restore: each puts back what it found."""
    before = gc.get_threshold()
    gc.set_threshold(YOUNG, MIDDLE, NEVER)
    try:
        yield
    finally:
        gc.set_threshold(*before)
