"""The fake inventory backend: the JobTask API over HTTP, answered by a JobTaskStore.

Needs the ``server`` extra (``pip install 'jobtask-engine[server]'``: Starlette
and uvicorn).  ``create_app`` builds the ASGI application; ``LiveServer`` runs it
on loopback in a background thread (what the pytest fixture uses); ``serve``
runs it in the foreground (what ``jobtask-engine serve`` uses).
"""

from __future__ import annotations

from jobtask_engine.server.app import DEFAULT_MAX_BODY_BYTES, create_app
from jobtask_engine.server.guard import StoreGuard
from jobtask_engine.server.runner import LiveServer, serve

__all__ = ["create_app", "DEFAULT_MAX_BODY_BYTES", "StoreGuard", "LiveServer", "serve"]
