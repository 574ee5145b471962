"""What the fake backends (HTTP: ``server.LiveServer``, gRPC: ``rpc.GrpcServer``) share
beside their protocol: use as a context manager, and arrange data in the store they
answer from (not part of the API; the pytest fixtures use it before each test)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, TypeVar

if TYPE_CHECKING:
    from jobtask_engine import JobTaskStore

__all__ = ["FakeServer"]

S = TypeVar("S", bound="FakeServer")


class FakeServer:
    """A server over one (thread-safe) store; subclasses start, stop and have ``store``."""

    @property
    def store(self) -> "JobTaskStore":
        raise NotImplementedError

    def start(self: S) -> S:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self: S) -> S:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    def reset(self) -> None:
        """Delete every record (the pytest fixtures do this before each test)."""
        self.store.clear()

    def seed(self, records: Iterable[dict]) -> list[dict]:
        """Create ``records`` as one block no call interleaves with; their JobTaskInfo dicts, in order."""
        with self.store.exclusive():
            return [self.store.create(r) for r in records]
