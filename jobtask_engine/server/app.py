"""The ASGI application: the JobTask API's routes on Starlette.

Routes (all JSON):

- ``GET  /inventory/v1/job-tasks``          JobTaskQuery from the query string
- ``POST /inventory/v1/job-tasks/search``   JobTaskQuery body          -> JobTasksInfo
- ``POST /inventory/v1/job-tasks/stat``     JobTaskStatQuery body      -> stat result
- ``POST /inventory/v1/job-task/list``      today's list route         -> JobTasksInfo
- ``POST /inventory/v1/job-task/stat``      today's stat route
- ``POST /inventory/v1/job-task/get``       ``{job_task_id, domain_id[, workspace_id]}`` -> JobTaskInfo
- ``POST /inventory/v1/job-task/delete``    same body                  -> ``{}``

and, for tests to arrange data (not part of the real API):

- ``POST /_engine/job-tasks``         one record -> JobTaskInfo (201); a list -> ``{"inserted_count": n}`` (201)
- ``POST /_engine/job-tasks/update``  ``{job_task_id, domain_id, <changes>}`` -> JobTaskInfo
- ``POST /_engine/reset``             delete everything -> ``{"deleted_count": n}``
- ``GET  /_engine/health``            ``{"status": "ok", "job_task_count": n}``

Errors: ``{"error": {"code", "message"}}`` with the EngineError's status (400,
404, 409), 413 for bodies over ``max_body_bytes``, 404/405 for unknown routes
and methods.

Staying responsive: the event loop only moves bytes.  Decoding a big body,
the store call and encoding its answer run in worker threads, and the store
lets readers run together, so a heavy request slows the others (they share
the GIL) but does not queue them; health is answered on the loop itself
without touching the store's lock.  Bodies in flight share one budget
(``BodyBudget``): a big body waits for the ones being decoded before it is
read, so ten 28 MiB uploads take the memory of one at a time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Awaitable, Callable

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from jobtask_engine.errors import EngineError
from jobtask_engine.heap import return_freed_memory
from jobtask_engine.server import operations
from jobtask_engine.server.bodies import BodyBudget, read_json_object, read_json_objects
from jobtask_engine.server.guard import StoreGuard
from jobtask_engine.server.querystring import list_request
from jobtask_engine.server.responses import JSONResponse, encode, error_body, error_response

if TYPE_CHECKING:
    from jobtask_engine import JobTaskStore

__all__ = ["create_app", "DEFAULT_MAX_BODY_BYTES"]

#: Big enough to seed tens of thousands of records in one request.
DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024
#: After a body at least this big, freed heap is handed back to the system (``heap``).
TRIM_AFTER_BODY_BYTES = 4 * 1024 * 1024
#: Bodies smaller than this together never wait for the budget (see ``BodyBudget``).
DEFAULT_BODY_BUDGET_FLOOR = 1024 * 1024

API = "/inventory/v1"

Operation = Callable[[Any, Any], Any]
Reader = Callable[[Request, int], Awaitable[Any]]


def _answer(guard: StoreGuard, operation: Operation, argument: Any) -> tuple[int | None, bytes]:
    """The store call and the encoding of its answer or refusal (both in a worker thread).

    A refusal becomes its error body here rather than an exception crossing back to
    the event loop: the exception's traceback holds the decoded request, and tracebacks
    in reference cycles waited for a full collection, so ten refused 28 MiB bodies
    stayed alive together (1.9 GB).
    """
    try:
        return None, encode(guard.run(operation, argument))
    except EngineError as exc:
        return exc.status, encode(error_body(exc.code, exc.message))


async def _run(request: Request, operation: Operation, argument: Any, status: int = 200) -> Response:
    """Run a store operation in a worker thread; the store does its own locking."""
    guard: StoreGuard = request.app.state.guard
    refused, content = await run_in_threadpool(_answer, guard, operation, argument)
    return Response(content, status_code=refused or status, media_type="application/json")


def body_route(path: str, operation: Operation, *, reader: Reader = read_json_object, status: int = 200) -> Route:
    """A POST route whose JSON body is handed to ``operation``."""

    async def answer(request: Request) -> Response:
        body = await reader(request, request.app.state.max_body_bytes)
        return await _run(request, operation, body, status)

    async def endpoint(request: Request) -> Response:
        state = request.app.state
        async with state.body_budget.hold(request, state.max_body_bytes) as declared:
            try:
                return await answer(request)
            finally:
                if declared is not None and declared >= TRIM_AFTER_BODY_BYTES:
                    # the decoded body is gone now: give its heap back (see ``heap``)
                    await run_in_threadpool(return_freed_memory)

    endpoint.__name__ = operation.__name__
    return Route(path, endpoint, methods=["POST"])


async def list_from_query_string(request: Request) -> Response:
    return await _run(request, operations.list_job_tasks, list_request(request.query_params))


async def health(request: Request) -> Response:
    """Answered on the event loop, never waiting for the store's lock (see ``operations.health``)."""
    return JSONResponse(operations.health(request.app.state.guard.store))


def _routes() -> list[Route]:
    return [
        Route(f"{API}/job-tasks", list_from_query_string, methods=["GET"]),
        body_route(f"{API}/job-tasks/search", operations.list_job_tasks),
        body_route(f"{API}/job-tasks/stat", operations.stat_job_tasks),
        body_route(f"{API}/job-task/list", operations.list_job_tasks),
        body_route(f"{API}/job-task/stat", operations.stat_job_tasks),
        body_route(f"{API}/job-task/get", operations.get_job_task),
        body_route(f"{API}/job-task/delete", operations.delete_job_task),
        body_route("/_engine/job-tasks", operations.create_job_tasks, reader=read_json_objects, status=201),
        body_route("/_engine/job-tasks/update", operations.update_job_task),
        body_route("/_engine/reset", operations.reset),
        Route("/_engine/health", health, methods=["GET"]),
    ]


async def _engine_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, EngineError)
    return error_response(exc)


_HTTP_CODES = {404: "ERROR_ROUTE_NOT_FOUND", 405: "ERROR_METHOD_NOT_ALLOWED"}


async def _http_error(request: Request, exc: Exception) -> Response:
    """Unknown routes and methods, in the same envelope as every other error."""
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "ERROR_HTTP")
    message = f"{exc.detail} ({request.method} {request.url.path})"
    return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=exc.headers)


async def _internal_error(_request: Request, exc: Exception) -> Response:
    """An engine bug, not a bad request: say so in the usual envelope.

    Starlette re-raises the exception after this response, so the server logs the traceback.
    """
    return JSONResponse(error_body("ERROR_INTERNAL", f"{type(exc).__name__}: {exc}"), status_code=500)


def create_app(store: "JobTaskStore | None" = None, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> Starlette:
    """The ASGI app answering from ``store`` (a new empty JobTaskStore when None).

    ``app.state.guard`` is how handlers reach the store (which locks each call itself);
    ``app.state.store`` is the store itself.
    """
    if store is None:
        from jobtask_engine import JobTaskStore

        store = JobTaskStore()
    if max_body_bytes < 0:
        raise ValueError("max_body_bytes must be >= 0")
    app = Starlette(
        routes=_routes(),
        exception_handlers={
            EngineError: _engine_error,
            HTTPException: _http_error,
            Exception: _internal_error,
        },
    )
    app.state.guard = StoreGuard(store)
    app.state.store = store
    app.state.max_body_bytes = max_body_bytes
    app.state.body_budget = BodyBudget(max(max_body_bytes, DEFAULT_BODY_BUDGET_FLOOR))
    return app
