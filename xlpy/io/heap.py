"""Memory a phase of a large run has freed, handed back to the system before the next phase.

CPython keeps what it frees for its own reuse, and glibc's allocator keeps freed blocks in its heap:
a rebuild that has judged 37,500 reports and then computes 总表 would hold both high-water marks at
once. `give_back` collects what only cycles hold and asks glibc to return its free pages
(`malloc_trim`); where there is no glibc (Windows, macOS, musl) it only collects.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import sys


@functools.cache
def _trim():
    """glibc's malloc_trim, or None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # no C library by that name, or one without malloc_trim (musl)
        return None


def give_back() -> bool:
    """Free what only cycles hold and return the C heap's free pages; whether any could be returned."""
    gc.collect()
    trim = _trim()
    return bool(trim(0)) if trim is not None else False
