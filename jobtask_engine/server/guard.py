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


class ExclusiveLock:
    """``with guard.lock:`` — the store's write side, for code written against one server lock
    (a gRPC front end serving the same store): inside it no other thread's call runs."""

    def __init__(self, store: "JobTaskStore") -> None:
        self._store = store
        self._held: list = []

    def __enter__(self) -> "ExclusiveLock":
        block = self._store.exclusive()
        block.__enter__()
        self._held.append(block)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._held.pop().__exit__(*exc_info)

    def acquire(self) -> bool:
        self.__enter__()
        return True

    def release(self) -> None:
        self.__exit__(None, None, None)


class StoreGuard:
    """A store, and the one way the server's handlers call it."""

    def __init__(self, store: "JobTaskStore") -> None:
        self.store = store
        self.lock = ExclusiveLock(store)

    def run(self, operation: Callable[..., T], *args: Any) -> T:
        """``operation(store, *args)``; the store's own lock keeps each call whole."""
        return operation(self.store, *args)

    def run_exclusive(self, operation: Callable[..., T], *args: Any) -> T:
        """``operation(store, *args)`` with no other thread's call in between."""
        with self.store.exclusive():
            return operation(self.store, *args)
