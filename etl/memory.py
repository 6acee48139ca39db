"""Giving memory freed by a large step back to the system before the next step.

Reading a city-wide file frees thousands of chunk-sized buffers while it builds the whole
file's columns. The C allocators keep freed memory for reuse rather than return it
(glibc's ``malloc`` keeps freed blocks inside its heap; Arrow's pool keeps its own), so
without this the next step's memory comes on top of the freed chunks' (about 200 MB for
5 million rows). Nothing is lost if a platform has no such call: it is then skipped.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable
from functools import cache

import pyarrow as pa


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none (macOS, musl)."""
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


def release_freed_memory() -> bool:
    """Return freed memory held by Arrow's pool and by ``malloc`` to the system.

    True if ``malloc_trim`` ran (glibc). Cheap (milliseconds): call it between large steps.
    """
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
