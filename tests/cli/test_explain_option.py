"""``--explain`` on ``list`` and ``stat``: the plan as JSON instead of the answer."""

from __future__ import annotations

import json

from jobtask_engine import JobTaskStore
from jobtask_engine.cli import main


def test_list_explain_prints_the_plan(capsys, array_file, one_domain):
    query = {"filter": [{"k": "failure_count", "v": 0, "o": "gt"}], "page": {"limit": 3}}
    status = main(["list", "--data", str(array_file), "--query", json.dumps(query), "--param", "status=FAILURE", "--explain"])
    out, err = capsys.readouterr()
    assert status == 0, err
    plan = json.loads(out)
    assert plan["request"]["kind"] == "list"
    accesses = {c["condition"].split()[0]: c["access"] for c in plan["conditions"]}
    assert accesses["status"] == "index lookup"
    expected = JobTaskStore(one_domain).list(
        {"domain_id": one_domain[0]["domain_id"], "status": "FAILURE", "query": query}
    )
    assert plan["rows"]["matched"] == expected["total_count"]


def test_stat_explain_names_the_group_strategy(capsys, array_file):
    query = {"aggregate": [{"group": {"keys": [{"key": "status", "name": "s"}], "fields": [{"operator": "count", "name": "n"}]}}]}
    status = main(["stat", "--data", str(array_file), "--query", json.dumps(query), "--explain"])
    out, err = capsys.readouterr()
    assert status == 0, err
    plan = json.loads(out)
    assert plan["request"]["stages"] == ["group"]
    assert plan["stages"][0]["strategy"] == "bit slices"


def test_explain_of_a_bad_request_fails_like_the_request(capsys, array_file):
    status = main(["list", "--data", str(array_file), "--query", '{"filter": [{"k": "status", "v": "x", "o": "in"}]}', "--explain"])
    _, err = capsys.readouterr()
    assert status == 2 and "ERROR_OPERATOR_LIST_VALUE_TYPE" in err
