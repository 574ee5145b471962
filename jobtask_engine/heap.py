"""Giving freed heap back to the system.

glibc keeps the memory a big load or a big request body freed, per thread
arena: a server whose worker threads each decoded one 28 MiB body kept ~190 MB
per thread (1.95 GB after ten of them, ``benchmarks/server_bodies_memory.py``).
``malloc_trim`` returns it, from every arena.  Elsewhere (no glibc) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache

from .thresholds import MMAP_THRESHOLD

__all__ = ["return_freed_memory", "return_big_blocks_on_free"]


@cache
def _libc() -> ctypes.CDLL | None:
    """The C library, looked up once (``find_library`` costs ~1.5 ms a call), or None."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


def return_freed_memory() -> None:
    """Hand the heap's free pages back to the system (a few ms after a big free)."""
    trim = getattr(_libc(), "malloc_trim", None)  # glibc's; None elsewhere
    if trim is not None:
        trim(0)


_M_MMAP_THRESHOLD = -3  # mallopt's parameter number (malloc.h)


@cache
def return_big_blocks_on_free() -> None:
    """Hold glibc's mmap threshold at ``MMAP_THRESHOLD`` (once per process; elsewhere nothing).

    Called as the first store is made, before a load raises the bar (a heap left with big free
    chunks by a load serves the queries' temporaries from them, and keeps them once freed).
    Only blocks of 1 MiB and more are concerned: a process with small stores makes none."""
    mallopt = getattr(_libc(), "mallopt", None)
    if mallopt is None:
        return
    mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
