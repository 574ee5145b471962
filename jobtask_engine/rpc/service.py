"""``spaceone.api.inventory.v1.JobTask`` answered from a JobTaskStore.

Each method: decode the request strictly (``messages``), take the domain and
workspace from the call's metadata (``scope``), ask the store,
shape the answer as production does.  An ``EngineError`` at any step aborts the
call with the SpaceONE status and ``"ERROR_X: message"`` details (``status``);
anything else is a bug, answered as production answers one (ERROR_UNKNOWN,
INTERNAL).  Every check runs before the store is touched, so a refused call
changes nothing.

grpcio runs calls on a thread pool; the store is thread-safe (readers run
together, writes one at a time), so calls need no lock of their own here; a get or
delete scoped to a workspace is one store call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, NoReturn, Protocol

import grpc
from spaceone.api.inventory.v1 import job_task_pb2 as pb

from jobtask_engine.errors import EngineError, not_found
from jobtask_engine.rpc.messages import decode, job_task_info, job_tasks_info, struct_of, to_params
from jobtask_engine.rpc.scope import Scope, metadata_dict, scope_of
from jobtask_engine.rpc.status import details_of, internal_error, status_of

if TYPE_CHECKING:
    from jobtask_engine import JobTaskStore

__all__ = ["SERVICE_NAME", "JobTaskService"]

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["JobTask"].full_name

#: A method: the request's bytes and the call's scope in, the answer's bytes out.
Method = Callable[[bytes, Scope], bytes]
#: google.protobuf.Empty, serialized.
EMPTY = b""


class CallContext(Protocol):
    """What a call uses of ``grpc.ServicerContext`` (grpcio ships no type information)."""

    def invocation_metadata(self) -> Any: ...

    def abort(self, code: Any, details: str) -> NoReturn:
        """Ends the call with ``code``: raises, never returns (grpcio's documented contract)."""


class JobTaskService:
    """The four JobTask methods over one store; ``handler()`` is what a grpc server registers."""

    def __init__(self, store: "JobTaskStore") -> None:
        self.store = store

    # -- methods ------------------------------------------------------------------
    def list(self, data: bytes, scope: Scope) -> bytes:
        params = scope.limit_query(scope.apply(to_params(decode(pb.JobTaskQuery, data))))
        answer = self.store.list(params)
        return job_tasks_info(answer, minimal=bool(params.get("query", {}).get("minimal")))

    def stat(self, data: bytes, scope: Scope) -> bytes:
        params = scope.limit_query(scope.apply(to_params(decode(pb.JobTaskStatQuery, data))))
        answer = self.store.stat(params)
        return struct_of(answer)

    def get(self, data: bytes, scope: Scope) -> bytes:
        params = scope.apply(to_params(decode(pb.JobTaskRequest, data)))
        info = self.store.get(params.get("job_task_id"), params.get("domain_id"), params.get("workspace_id"))
        if not scope.allows_project(info.get("project_id")):
            raise not_found("job_task_id", info["job_task_id"])
        return job_task_info(info)

    def delete(self, data: bytes, scope: Scope) -> bytes:
        params = scope.apply(to_params(decode(pb.JobTaskRequest, data)))
        self.store.delete(params.get("job_task_id"), params.get("domain_id"), params.get("workspace_id"))
        return EMPTY

    # -- grpc -----------------------------------------------------------------------
    def _answer(self, method: Method) -> Callable[[bytes, CallContext], bytes]:
        def call(data: bytes, context: CallContext) -> bytes:
            try:
                return method(data, scope_of(metadata_dict(context.invocation_metadata())))
            except EngineError as exc:
                error = exc
            except Exception as exc:  # a bug: never let grpcio answer with its own generic error
                error = internal_error(exc)
            context.abort(status_of(error), details_of(error))

        return call

    def handler(self) -> grpc.GenericRpcHandler:
        """The service's methods; requests and answers pass as bytes (``messages`` decodes and encodes)."""
        methods = {"list": self.list, "stat": self.stat, "get": self.get, "delete": self.delete}
        return grpc.method_handlers_generic_handler(
            SERVICE_NAME,
            {
                name: grpc.unary_unary_rpc_method_handler(
                    self._answer(method), request_deserializer=None, response_serializer=None
                )
                for name, method in methods.items()
            },
        )

