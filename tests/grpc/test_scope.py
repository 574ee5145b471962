"""The domain and workspace of a call, from its token's claims or its x_domain_id / x_workspace_id metadata."""

from __future__ import annotations

import pytest

from tests.grpc.conftest import call, refusal, token

TASKS = [
    {"job_task_id": "jt-a1", "domain_id": "d1", "workspace_id": "ws-1", "status": "FAILURE"},
    {"job_task_id": "jt-a2", "domain_id": "d1", "workspace_id": "ws-2", "status": "SUCCESS"},
    {"job_task_id": "jt-b1", "domain_id": "d2", "workspace_id": "ws-1", "status": "FAILURE"},
]


@pytest.fixture
def seeded(jobtask_grpc_server, jobtask_seed):
    jobtask_seed(jobtask_grpc_server, TASKS)
    return jobtask_grpc_server


def ids(answer: dict) -> list[str]:
    return sorted(r["job_task_id"] for r in answer.get("results", []))


def test_x_domain_id_scopes_every_method(seeded):
    e = seeded.endpoint
    assert ids(call(e, "list", {}, x_domain_id="d1")) == ["jt-a1", "jt-a2"]
    assert ids(call(e, "list", {}, x_domain_id="d2")) == ["jt-b1"]
    stat = {"query": {"aggregate": [{"count": {"name": "n"}}]}}
    assert call(e, "stat", stat, x_domain_id="d2") == {"results": [{"n": 1.0}]}
    assert call(e, "get", {"job_task_id": "jt-a1"}, x_domain_id="d1")["domain_id"] == "d1"
    assert refusal(e, "get", {"job_task_id": "jt-a1"}, x_domain_id="d2")[:2] == ("ERROR_NOT_FOUND", "NOT_FOUND")
    assert refusal(e, "delete", {"job_task_id": "jt-a1"}, x_domain_id="d2")[:2] == ("ERROR_NOT_FOUND", "NOT_FOUND")
    assert len(seeded.store) == 3


def test_x_workspace_id_narrows_to_the_workspace(seeded):
    e = seeded.endpoint
    assert ids(call(e, "list", {}, x_domain_id="d1", x_workspace_id="ws-2")) == ["jt-a2"]
    stat = {"query": {"distinct": "job_task_id"}}
    assert call(e, "stat", stat, x_domain_id="d1", x_workspace_id="ws-1") == {"results": ["jt-a1"]}
    assert refusal(e, "get", {"job_task_id": "jt-a1"}, x_domain_id="d1", x_workspace_id="ws-2")[0] == "ERROR_NOT_FOUND"


def test_a_token_scopes_by_its_did_and_wid_claims(seeded):
    e = seeded.endpoint
    member = token({"did": "d1", "wid": "ws-1", "rol": "WORKSPACE_OWNER", "typ": "ACCESS_TOKEN", "ver": "2.0"})
    assert ids(call(e, "list", {}, token_=member)) == ["jt-a1"]
    assert refusal(e, "get", {"job_task_id": "jt-a2"}, token_=member)[0] == "ERROR_NOT_FOUND"
    # the token wins over metadata naming another domain (only system tokens read x_domain_id)
    assert ids(call(e, "list", {}, token_=token({"did": "d2"}), x_domain_id="d1")) == ["jt-b1"]
    # a workspace role's wid overrides the request's own workspace_id, as the production mutation handler does
    assert ids(call(e, "list", {"workspace_id": "ws-2"}, token_=member)) == ["jt-a1"]


def test_a_domain_admin_token_is_domain_wide(seeded):
    admin = token({"did": "d1", "wid": "ws-1", "rol": "DOMAIN_ADMIN"})
    assert ids(call(seeded.endpoint, "list", {}, token_=admin)) == ["jt-a1", "jt-a2"]
    assert ids(call(seeded.endpoint, "list", {"workspace_id": "ws-2"}, token_=admin)) == ["jt-a2"]


def test_a_system_token_takes_the_domain_from_metadata(seeded):
    system = token({"did": "domain-root", "typ": "SYSTEM_TOKEN", "own": "SYSTEM"})
    assert ids(call(seeded.endpoint, "list", {}, token_=system, x_domain_id="d2")) == ["jt-b1"]
    assert ids(call(seeded.endpoint, "list", {}, token_=system, x_domain_id="d1", x_workspace_id="ws-2")) == ["jt-a2"]
    # without x_domain_id the request has no domain_id: refused as the service refuses it
    assert refusal(seeded.endpoint, "list", {}, token_=system) == (
        "ERROR_REQUIRED_PARAMETER", "INVALID_ARGUMENT", "Required parameter. (key = domain_id)")


def test_a_call_with_neither_token_nor_domain_is_unauthenticated(seeded):
    from spaceone.core.error import ERROR_AUTHENTICATE_FAILURE

    for method, params in (("list", {}), ("stat", {"query": {"distinct": "job_id"}}), ("get", {"job_task_id": "jt-a1"}),
                           ("delete", {"job_task_id": "jt-a1"})):
        code, status, message = refusal(seeded.endpoint, method, params)
        assert (code, status) == ("ERROR_AUTHENTICATE_FAILURE", "UNAUTHENTICATED")
        assert "empty token provided." in message
    assert len(seeded.store) == 3
    with pytest.raises(ERROR_AUTHENTICATE_FAILURE):  # the client's own class for UNAUTHENTICATED
        call(seeded.endpoint, "list", {})


@pytest.mark.parametrize(
    ("bad_token", "reason"),
    [("not-a-jwt", "failed to decode token."), ("a.!!!.c", "failed to decode token."),
     (token({"wid": "ws-1"}), "empty domain_id provided."), ("a." + "WzFd" + ".c", "failed to decode token.")],
)
def test_undecodable_tokens_and_tokens_without_did_are_refused(seeded, bad_token, reason):
    code, status, message = refusal(seeded.endpoint, "list", {}, token_=bad_token, x_domain_id="d1")
    assert (code, status) == ("ERROR_AUTHENTICATE_FAILURE", "UNAUTHENTICATED") and reason in message


def test_a_workspace_member_sees_its_projects_only(jobtask_grpc_server, jobtask_seed):
    e = jobtask_grpc_server.endpoint
    jobtask_seed(jobtask_grpc_server, [
        {"job_task_id": "jt-p1", "domain_id": "d1", "workspace_id": "ws-1", "project_id": "p-1"},
        {"job_task_id": "jt-p2", "domain_id": "d1", "workspace_id": "ws-1", "project_id": "p-2"},
        {"job_task_id": "jt-p3", "domain_id": "d1", "workspace_id": "ws-1"},
    ])
    member = token({"did": "d1", "wid": "ws-1", "rol": "WORKSPACE_MEMBER", "projects": ["p-2"]})
    assert ids(call(e, "list", {}, token_=member)) == ["jt-p2"]
    assert call(e, "stat", {"query": {"distinct": "job_task_id"}}, token_=member) == {"results": ["jt-p2"]}
    assert call(e, "get", {"job_task_id": "jt-p2"}, token_=member)["project_id"] == "p-2"
    assert refusal(e, "get", {"job_task_id": "jt-p1"}, token_=member)[0] == "ERROR_NOT_FOUND"
    # a member without projects lists nothing (production filters project_id in []), yet get is not limited
    nobody = token({"did": "d1", "wid": "ws-1", "rol": "WORKSPACE_MEMBER"})
    assert call(e, "list", {}, token_=nobody) == {}
    assert call(e, "get", {"job_task_id": "jt-p1"}, token_=nobody)["job_task_id"] == "jt-p1"
    # an owner is not limited to projects
    owner = token({"did": "d1", "wid": "ws-1", "rol": "WORKSPACE_OWNER", "projects": ["p-2"]})
    assert ids(call(e, "list", {}, token_=owner)) == ["jt-p1", "jt-p2", "jt-p3"]
