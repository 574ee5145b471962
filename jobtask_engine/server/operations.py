"""What each route does to the store, without HTTP.

Each operation takes the store and the decoded request and returns the JSON
payload.  The store locks each call itself (a get, update or delete scoped to a
workspace is one store call).  Each either
completes or raises EngineError before changing anything, so a rejected
request leaves the store as it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, overload

from jobtask_engine.errors import (
    invalid_parameter,
    invalid_parameter_type,
    required_parameter,
)

if TYPE_CHECKING:
    from jobtask_engine import JobTaskStore

def list_job_tasks(store: "JobTaskStore", request: dict) -> dict:
    return store.list(request)


def stat_job_tasks(store: "JobTaskStore", request: dict) -> dict:
    return store.stat(request)


@overload
def _string(body: dict, key: str, *, required: Literal[True]) -> str: ...
@overload
def _string(body: dict, key: str, *, required: bool) -> str | None: ...
def _string(body: dict, key: str, *, required: bool) -> str | None:
    value = body.get(key)
    if value is None:
        if required:
            raise required_parameter(key)
        return None
    if not isinstance(value, str):
        raise invalid_parameter_type(key, "str")
    return value


def _refuse_unknown(body: dict, allowed: frozenset[str]) -> None:
    for key in body:
        if key not in allowed:
            raise invalid_parameter(key, f"unknown parameter (allowed: {', '.join(sorted(allowed))})")


def _named(body: dict) -> tuple[str, str, str | None]:
    """``job_task_id``, ``domain_id`` and the optional ``workspace_id`` of a get/update/delete body.

    Today's API scopes these to a workspace when one is given: a job task of another
    workspace is as unknown as a missing one (404); the store applies the scope.
    """
    return (
        _string(body, "job_task_id", required=True),
        _string(body, "domain_id", required=True),
        _string(body, "workspace_id", required=False),
    )


_GET_KEYS = frozenset({"job_task_id", "domain_id", "workspace_id"})


def get_job_task(store: "JobTaskStore", body: dict) -> dict:
    _refuse_unknown(body, _GET_KEYS)
    return store.get(*_named(body))


def delete_job_task(store: "JobTaskStore", body: dict) -> dict:
    _refuse_unknown(body, _GET_KEYS)
    store.delete(*_named(body))
    return {}


def create_job_tasks(store: "JobTaskStore", body: dict | list) -> dict:
    """One record -> its JobTaskInfo; a list -> ``{"inserted_count": n}``, all or nothing."""
    if isinstance(body, dict):
        return store.create(body)
    return {"inserted_count": store.insert_many(body)}


def update_job_task(store: "JobTaskStore", body: dict) -> dict:
    """``{job_task_id, domain_id[, workspace_id], <updatable fields>...}`` -> the updated JobTaskInfo."""
    changes = {k: v for k, v in body.items() if k not in _GET_KEYS}
    job_task_id, domain_id, workspace_id = _named(body)
    return store.update(job_task_id, domain_id, changes, workspace_id=workspace_id)


def reset(store: "JobTaskStore", _body: Any = None) -> dict:
    count = len(store)
    store.clear()
    return {"deleted_count": count}


def health(store: "JobTaskStore", _body: Any = None) -> dict:
    """Never waits for the store's lock (``count_now``), so it answers while anything runs."""
    return {"status": "ok", "job_task_count": store.count_now()}
