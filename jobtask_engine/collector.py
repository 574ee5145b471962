"""Pausing Python's cyclic garbage collector while a call builds many acyclic objects.

Bulk loads and big stat answers make hundreds of thousands of dicts and lists
and no reference cycles; the collector would only rescan them as they pile up:
about a third of a load's time, and half the CPU of a stat answering 100k
groups (``benchmarks/limits_probe.py``: a group per task with its pushed
errors, 1.3 s with the collector running, 0.7 s paused).  Reference counting
still frees everything as usual; cycles made meanwhile wait for the next
collection after the pause.

Calls may overlap in threads (readers run together): the collector is paused
while any of them runs and resumed when the last one ends, and only if it was
running when the first one began (an embedder that turned it off keeps it off).
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import Iterator

__all__ = ["collector_paused"]

_lock = threading.Lock()
_pausing = 0
_resume = False


@contextmanager
def collector_paused() -> Iterator[None]:
    global _pausing, _resume
    with _lock:
        if _pausing == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pausing += 1
    try:
        yield
    finally:
        with _lock:
            _pausing -= 1
            if _pausing == 0 and _resume:
                gc.enable()
