"""The ``jobtask_grpc_server`` fixture: one server per session, emptied before each test."""

from __future__ import annotations

import re

from tests.grpc.conftest import call

_seen: dict[str, object] = {}


def test_endpoint_is_loopback_with_a_port(jobtask_grpc_server):
    assert re.fullmatch(r"grpc://127\.0\.0\.1:\d+", jobtask_grpc_server.endpoint)
    _seen["server"] = jobtask_grpc_server


def test_seeding_shows_over_grpc(jobtask_grpc_server, jobtask_seed):
    infos = jobtask_seed(jobtask_grpc_server, 5, seed=1, domain_id="d1")
    assert len(infos) == 5 and len(jobtask_grpc_server.store) == 5
    assert call(jobtask_grpc_server.endpoint, "list", {"query": {"count_only": True}}, x_domain_id="d1") == {"total_count": 5}


def test_the_next_test_finds_the_same_server_emptied(jobtask_grpc_server):
    assert jobtask_grpc_server is _seen.get("server", jobtask_grpc_server)
    assert len(jobtask_grpc_server.store) == 0
    assert call(jobtask_grpc_server.endpoint, "list", {}, x_domain_id="d1") == {}
