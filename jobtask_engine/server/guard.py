"""The store the server answers from, and how handlers reach it.

The store is thread-safe (a readers-writer lock inside ``JobTaskStore``), so
handlers in uvicorn's worker threads call it directly and readers run
together.  ``StoreGuard.run`` stays the one door so tests and handlers reach
the store the same way; a multi-call operation that must not interleave with
writes uses ``store.exclusive()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, TypeVar

if TYPE_CHECKING:
    from jobtask_engine import JobTaskStore

T = TypeVar("T")


class StoreGuard:
    """A store, and the one way the server's handlers call it."""

    def __init__(self, store: "JobTaskStore") -> None:
        self.store = store

    def run(self, operation: Callable[..., T], *args: Any) -> T:
        """``operation(store, *args)``; the store's own lock keeps each call whole."""
        return operation(self.store, *args)
