"""Which domain and workspace a call is scoped to, from its gRPC metadata.

The production inventory service never reads a ``domain_id`` from the request
message (today's messages have none): its authentication handler reads the
caller's token and its mutation handler writes the domain and workspace into
the request.  This module does the same, minus what a fake cannot do:

- a ``token`` is decoded **without verifying its signature** (there is no
  identity service to ask for the domain's key) and its role is **not checked**
  against the method's allowed roles;
- ``did`` is the domain; ``wid`` the workspace, except for the domain-wide roles
  (``DOMAIN_ADMIN``, ``USER``), which the production mutation handler scopes to
  the domain only; a ``WORKSPACE_MEMBER`` is also limited to the projects of its
  ``projects`` claim (``list`` and ``stat`` filter ``project_id`` on them, none
  meaning nothing; ``get`` refuses a task of another project when there are any),
  as the production mutation handler and JobTask manager do;
- a system token (``typ`` = ``SYSTEM_TOKEN``) takes both from the
  ``x_domain_id`` / ``x_workspace_id`` metadata, as in production;
- with no token at all, ``x_domain_id`` / ``x_workspace_id`` are taken as they
  are (a convenience for tests: production refuses such a call).

A call with neither a token nor ``x_domain_id`` is refused as production
refuses a call without a token: ``ERROR_AUTHENTICATE_FAILURE`` (UNAUTHENTICATED).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Iterable, NamedTuple

from jobtask_engine.errors import EngineError

__all__ = ["Scope", "scope_of", "metadata_dict", "authenticate_failure", "SYSTEM_TOKEN", "DOMAIN_WIDE_ROLES"]

SYSTEM_TOKEN = "SYSTEM_TOKEN"
WORKSPACE_MEMBER = "WORKSPACE_MEMBER"
#: Roles the production mutation handler scopes to the domain only (it sets no workspace for them).
DOMAIN_WIDE_ROLES = frozenset({"DOMAIN_ADMIN", "USER"})


class Scope(NamedTuple):
    """The domain (None: not given, the request is then refused for a missing domain_id), workspace,
    and, for a workspace member, its projects (None: not limited to projects)."""

    domain_id: str | None
    workspace_id: str | None
    projects: tuple[str, ...] | None = None

    def apply(self, params: dict) -> dict:
        """``params`` with the scope written in, as the production mutation handler writes it."""
        if self.domain_id is not None:
            params["domain_id"] = self.domain_id
        if self.workspace_id is not None:
            params["workspace_id"] = self.workspace_id
        return params

    def limit_query(self, params: dict) -> dict:
        """``params`` with a member's projects as a ``project_id`` ``in`` filter (``list`` and ``stat``)."""
        if self.projects is not None:
            query = params.setdefault("query", {})
            query["filter"] = [*query.get("filter", []), {"k": "project_id", "v": list(self.projects), "o": "in"}]
        return params

    def allows_project(self, project_id: str | None) -> bool:
        """Whether ``get`` may answer a task of ``project_id`` (production checks only a non-empty list)."""
        return not self.projects or project_id in self.projects


def authenticate_failure(message: str) -> EngineError:
    return EngineError("ERROR_AUTHENTICATE_FAILURE", f"Authenticate failure. (message = {message})", status=401)


def metadata_dict(metadata: Iterable[tuple[str, str | bytes]]) -> dict[str, str]:
    """Text metadata as the production API reads it: keys and values stripped, the last value of a key kept."""
    out: dict[str, str] = {}
    for key, value in metadata:
        if isinstance(value, str):
            out[key.strip()] = value.strip()
    return out


def _claims(token: str) -> dict:
    """The payload of a JWT, unverified; refused the way production refuses an undecodable token."""
    parts = token.split(".")
    if len(parts) != 3:
        raise authenticate_failure("failed to decode token.")
    payload = parts[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError):
        raise authenticate_failure("failed to decode token.") from None
    if not isinstance(claims, dict):
        raise authenticate_failure("failed to decode token.")
    return claims


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def scope_of(metadata: dict[str, str]) -> Scope:
    """The scope of a call whose (text) metadata is ``metadata``."""
    token = metadata.get("token")
    x_domain_id = _text(metadata.get("x_domain_id"))
    x_workspace_id = _text(metadata.get("x_workspace_id"))
    if not token:
        if x_domain_id is None:
            raise authenticate_failure("empty token provided.")
        return Scope(x_domain_id, x_workspace_id)
    claims = _claims(token)
    domain_id = _text(claims.get("did"))
    if domain_id is None:
        raise authenticate_failure("empty domain_id provided.")
    if claims.get("typ") == SYSTEM_TOKEN:
        return Scope(x_domain_id, x_workspace_id)
    role = claims.get("rol")
    if role in DOMAIN_WIDE_ROLES:
        return Scope(domain_id, None)
    projects = _projects(claims.get("projects")) if role == WORKSPACE_MEMBER else None
    return Scope(domain_id, _text(claims.get("wid")), projects)


def _projects(claim: object) -> tuple[str, ...]:
    """A member's project ids (anything but a list of strings counts as none, as a missing claim does)."""
    if not isinstance(claim, list):
        return ()
    return tuple(p for p in claim if isinstance(p, str))
