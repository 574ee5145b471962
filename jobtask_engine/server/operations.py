"""What each route does to the store, without HTTP.

Each operation takes the store and the decoded request and returns the JSON
payload.  The store locks each call itself; an operation of several calls
that must see no write between them takes ``store.exclusive()``.  Each either
completes or raises EngineError before changing anything, so a rejected
request leaves the store as it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jobtask_engine.errors import (
    invalid_parameter,
    invalid_parameter_type,
    not_found,
    required_parameter,
)

if TYPE_CHECKING:
    from jobtask_engine import JobTaskStore

def list_job_tasks(store: "JobTaskStore", request: dict) -> dict:
    return store.list(request)


def stat_job_tasks(store: "JobTaskStore", request: dict) -> dict:
    return store.stat(request)


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


def _find(store: "JobTaskStore", body: dict) -> dict:
    """The JobTaskInfo that ``{job_task_id, domain_id[, workspace_id]}`` names.

    Today's API scopes a get to a workspace when one is given: a job task of
    another workspace is as unknown as a missing one (404).
    """
    job_task_id = _string(body, "job_task_id", required=True)
    domain_id = _string(body, "domain_id", required=True)
    workspace_id = _string(body, "workspace_id", required=False)
    info = store.get(job_task_id, domain_id)
    if workspace_id is not None and info.get("workspace_id") != workspace_id:
        raise not_found("job_task_id", job_task_id)
    return info


_GET_KEYS = frozenset({"job_task_id", "domain_id", "workspace_id"})


def get_job_task(store: "JobTaskStore", body: dict) -> dict:
    _refuse_unknown(body, _GET_KEYS)
    return _find(store, body)


def delete_job_task(store: "JobTaskStore", body: dict) -> dict:
    _refuse_unknown(body, _GET_KEYS)
    with store.exclusive():  # the workspace check and the delete, with no write between
        info = _find(store, body)
        store.delete(info["job_task_id"], info["domain_id"])
    return {}


def create_job_tasks(store: "JobTaskStore", body: dict | list) -> dict:
    """One record -> its JobTaskInfo; a list -> ``{"inserted_count": n}``, all or nothing."""
    if isinstance(body, dict):
        return store.create(body)
    return {"inserted_count": store.insert_many(body)}


def update_job_task(store: "JobTaskStore", body: dict) -> dict:
    """``{job_task_id, domain_id[, workspace_id], <updatable fields>...}`` -> the updated JobTaskInfo."""
    changes = {k: v for k, v in body.items() if k not in _GET_KEYS}
    with store.exclusive():
        info = _find(store, body)
        return store.update(info["job_task_id"], info["domain_id"], changes)


def reset(store: "JobTaskStore", _body: Any = None) -> dict:
    count = len(store)
    store.clear()
    return {"deleted_count": count}


def health(store: "JobTaskStore", _body: Any = None) -> dict:
    """Never waits for the store's lock (``count_now``), so it answers while anything runs."""
    return {"status": "ok", "job_task_count": store.count_now()}
