"""One lock in front of the store.

The store is not thread-safe, and it is reached from several threads at once:
uvicorn's worker threads (handlers run in a thread pool) and, in tests, the
test thread seeding data directly.  Every access goes through ``StoreGuard.run``.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Callable, TypeVar

if TYPE_CHECKING:
    from jobtask_engine import JobTaskStore

T = TypeVar("T")


class StoreGuard:
    """A store and the lock that serializes every operation on it."""

    def __init__(self, store: "JobTaskStore") -> None:
        self.store = store
        self.lock = threading.RLock()

    def run(self, operation: Callable[..., T], *args: Any) -> T:
        """Call ``operation(store, *args)`` while holding the lock."""
        with self.lock:
            return operation(self.store, *args)
