"""Test support for users of the engine: data factories and hypothesis strategies.

Imported lazily so that the core never needs hypothesis.
"""

from __future__ import annotations

from typing import Any

__all__ = ["make_job_tasks", "records", "list_requests", "stat_requests"]

_LAZY = {
    "make_job_tasks": "jobtask_engine.testing.factories",
    "records": "jobtask_engine.testing.strategies",
    "list_requests": "jobtask_engine.testing.strategies",
    "stat_requests": "jobtask_engine.testing.stat_strategies",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(module), name)
