"""Giving freed heap back to the system.

glibc keeps the memory a big load or a big request body freed, per thread
arena: a server whose worker threads each decoded one 28 MiB body kept ~190 MB
per thread (1.95 GB after ten of them, ``benchmarks/server_bodies_memory.py``).
``malloc_trim`` returns it, from every arena.  Elsewhere (no glibc) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util

__all__ = ["return_freed_memory"]


def return_freed_memory() -> None:
    """Hand the heap's free pages back to the system (a few ms after a big free)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass
