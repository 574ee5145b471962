"""Records on the way in: what a created record is stored as, and which records are refused.

The production model trims top-level strings, fills defaults, stores some
absent fields as null and others not at all, and keeps datetimes as UTC
milliseconds; the engine must store exactly that, because ``exists``, ``not``
and sorting see the difference.  Validation is strict where the reference's
mongoengine would coerce (KNOWN_DIFFERENCES.md, KD14): refusals are
ERROR_INVALID_PARAMETER.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from jobtask_engine import EngineError, JobTaskStore


def created(record: dict) -> dict:
    return JobTaskStore().create(record)


def exists(store: JobTaskStore, key: str, value: bool) -> list[str]:
    out = store.list({"domain_id": "d1", "query": {"filter": [{"k": key, "v": value, "o": "exists"}]}})
    return [r["job_task_id"] for r in out["results"]]


# --- defaults and absence
def test_defaults() -> None:
    info = created({"job_task_id": "a", "domain_id": "d1", "created_at": "2022-01-01T00:00:00Z"})
    assert info == {
        "job_task_id": "a", "status": "PENDING", "provider": None, "created_count": 0, "updated_count": 0,
        "failure_count": 0, "deleted_count": 0, "disconnected_count": 0, "errors": [], "job_id": None,
        "secret_id": None, "service_account_id": None, "project_id": None, "workspace_id": None, "domain_id": "d1",
        "created_at": "2022-01-01T00:00:00.000Z", "started_at": None, "finished_at": None,
    }


def test_generated_job_task_id() -> None:
    assert re.fullmatch(r"job-task-[0-9a-f]{12}", created({"domain_id": "d1"})["job_task_id"])


def test_created_at_defaults_to_now_at_millisecond_precision() -> None:
    before = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    stamp = created({"domain_id": "d1"})["created_at"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", stamp)
    when = dt.datetime.fromisoformat(stamp[:-1])
    assert before - dt.timedelta(seconds=1) <= when <= before + dt.timedelta(minutes=5)


def test_none_means_default_for_status_counts_and_errors() -> None:
    info = created({"job_task_id": "a", "domain_id": "d1", "status": None, "created_count": None, "errors": None})
    assert (info["status"], info["created_count"], info["errors"]) == ("PENDING", 0, [])


def test_null_stored_versus_missing_fields() -> None:
    """provider/service_account_id/project_id/started_at/finished_at: null; job_id/secret_id/workspace_id: missing."""
    store = JobTaskStore([{"job_task_id": "a", "domain_id": "d1", "created_at": None}])
    for key in ("provider", "service_account_id", "project_id", "started_at", "finished_at"):
        assert exists(store, key, True) == ["a"], key
    for key in ("job_id", "secret_id", "workspace_id", "created_at"):
        assert exists(store, key, False) == ["a"], key


def test_none_for_a_missing_stored_field_is_still_missing() -> None:
    store = JobTaskStore([{"job_task_id": "a", "domain_id": "d1", "job_id": None, "provider": None}])
    assert exists(store, "job_id", False) == ["a"]
    assert exists(store, "provider", True) == ["a"]


def test_created_at_none_is_not_stored() -> None:
    store = JobTaskStore([{"job_task_id": "a", "domain_id": "d1", "created_at": None}])
    assert store.get("a", "d1")["created_at"] is None
    assert exists(store, "created_at", False) == ["a"]


def test_unknown_fields_are_ignored() -> None:
    assert created({"job_task_id": "a", "domain_id": "d1", "nosuch": 1})["job_task_id"] == "a"


# --- strings
def test_top_level_strings_are_trimmed() -> None:
    info = created({"job_task_id": " a ", "domain_id": " d1 ", "status": " SUCCESS ", "provider": "  aws ",
                    "workspace_id": " w "})
    assert (info["job_task_id"], info["domain_id"], info["status"], info["provider"], info["workspace_id"]) == (
        "a", "d1", "SUCCESS", "aws", "w")


def test_blank_string_stays_a_string() -> None:
    assert created({"domain_id": "d1", "provider": "   "})["provider"] == ""
    assert created({"domain_id": "d1", "job_id": ""})["job_id"] == ""


def test_strings_inside_errors_are_not_trimmed() -> None:
    info = created({"domain_id": "d1", "errors": [{"error_code": " E1 ", "message": " m ", "additional": {" k ": " v "}}]})
    assert info["errors"] == [{"error_code": " E1 ", "message": " m ", "additional": {" k ": " v "}}]


def test_max_length_counts_after_trimming() -> None:
    assert created({"domain_id": "d1", "job_task_id": " " + "x" * 40 + " "})["job_task_id"] == "x" * 40


@pytest.mark.parametrize("field, limit", [
    ("job_task_id", 40), ("status", 20), ("provider", 40), ("job_id", 40), ("secret_id", 40),
    ("service_account_id", 40), ("project_id", 255), ("workspace_id", 40), ("domain_id", 255),
])
def test_max_length(field: str, limit: int) -> None:
    with pytest.raises(EngineError) as exc:
        created({"domain_id": "d1", field: "x" * (limit + 1)})
    assert exc.value.code == "ERROR_INVALID_PARAMETER"


@pytest.mark.parametrize("field, limit", [("error_code", 128), ("message", 2048)])
def test_error_field_max_length(field: str, limit: int) -> None:
    assert created({"domain_id": "d1", "errors": [{field: "x" * limit}]})["errors"][0][field] == "x" * limit
    with pytest.raises(EngineError) as exc:
        created({"domain_id": "d1", "errors": [{field: "x" * (limit + 1)}]})
    assert exc.value.code == "ERROR_INVALID_PARAMETER"


@pytest.mark.parametrize("status", ["DONE", "success", "", "PENDING-"])
def test_invalid_status(status: str) -> None:
    with pytest.raises(EngineError) as exc:
        created({"domain_id": "d1", "status": status})
    assert exc.value.code == "ERROR_INVALID_PARAMETER"


# --- counts
def test_counts_keep_any_integer() -> None:
    info = created({"domain_id": "d1", "created_count": 2**31, "deleted_count": -1})
    assert (info["created_count"], info["deleted_count"]) == (2**31, -1)


@pytest.mark.parametrize("value", ["5", 5.7, True, "abc", [1], {"a": 1}])
def test_counts_must_be_integers(value) -> None:
    with pytest.raises(EngineError) as exc:
        created({"domain_id": "d1", "created_count": value})
    assert exc.value.code == "ERROR_INVALID_PARAMETER"


@pytest.mark.parametrize("value", [123, True, ["x"], {"a": 1}])
def test_string_fields_must_be_strings(value) -> None:
    with pytest.raises(EngineError) as exc:
        created({"domain_id": "d1", "provider": value})
    assert exc.value.code == "ERROR_INVALID_PARAMETER"


# --- datetimes
@pytest.mark.parametrize("given, stored", [
    ("2022-01-01T00:00:00Z", "2022-01-01T00:00:00.000Z"),
    ("2022-01-01T00:00:00.123456Z", "2022-01-01T00:00:00.123Z"),
    ("2022-01-01T00:00:00.9999Z", "2022-01-01T00:00:00.999Z"),
    ("2022-01-01T09:00:00+09:00", "2022-01-01T00:00:00.000Z"),
    ("2021-12-31T20:00:00.5-05:00", "2022-01-01T01:00:00.500Z"),
    (dt.datetime(2022, 1, 1, 0, 0, 0, 123999), "2022-01-01T00:00:00.123Z"),
    (dt.datetime(2022, 1, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=9))), "2022-01-01T00:00:00.000Z"),
])
def test_datetimes_are_utc_milliseconds_truncated(given, stored) -> None:
    info = created({"domain_id": "d1", "created_at": given, "started_at": given, "finished_at": given})
    assert (info["created_at"], info["started_at"], info["finished_at"]) == (stored, stored, stored)


@pytest.mark.parametrize("value", ["garbage", 12345, "Jan 5 2022 10:00"])
def test_unreadable_datetimes_are_refused(value) -> None:
    with pytest.raises(EngineError) as exc:
        created({"domain_id": "d1", "created_at": value})
    assert exc.value.code == "ERROR_INVALID_PARAMETER"


# --- errors
def test_error_elements_keep_their_keys_and_additional_defaults_to_empty() -> None:
    info = created({"domain_id": "d1", "errors": [{}, {"error_code": "E"}, {"message": "m", "additional": None},
                                                  {"additional": {"x": [1, "a"], "n": {"k": None}}}]})
    assert info["errors"] == [
        {"error_code": None, "message": None, "additional": {}},
        {"error_code": "E", "message": None, "additional": {}},
        {"error_code": None, "message": "m", "additional": {}},
        {"error_code": None, "message": None, "additional": {"x": [1, "a"], "n": {"k": None}}},
    ]


def test_error_element_without_error_code_is_missing_not_null() -> None:
    store = JobTaskStore([{"job_task_id": "a", "domain_id": "d1", "errors": [{"message": "m"}]}])
    assert exists(store, "errors.error_code", False) == ["a"]
    assert exists(store, "errors.additional", True) == ["a"]


@pytest.mark.parametrize("errors", [[None], [{"bogus": 1}], [{"error_code": 1}], [{"message": ["m"]}],
                                    [{"additional": "x"}], {"error_code": "E"}, "E"])
def test_invalid_errors_are_refused(errors) -> None:
    with pytest.raises(EngineError) as exc:
        created({"domain_id": "d1", "errors": errors})
    assert exc.value.code == "ERROR_INVALID_PARAMETER"


def test_refusal_names_the_field() -> None:
    with pytest.raises(EngineError) as exc:
        JobTaskStore().insert_many([{"domain_id": "d1"}, {"domain_id": "d1", "created_count": "x"}])
    assert "created_count" in exc.value.message
    assert "1" in exc.value.message


def test_additional_is_kept_as_json_so_what_is_stored_is_what_is_returned() -> None:
    store = JobTaskStore()
    info = store.create({"job_task_id": "a", "domain_id": "d1", "errors": [
        {"error_code": "E", "additional": {"when": dt.datetime(2024, 1, 2, 3, 4, 5), "pair": (1, 2)}}]})
    assert info["errors"][0]["additional"] == {"when": "2024-01-02T03:04:05", "pair": [1, 2]}
    found = store.list({"domain_id": "d1", "query": {"filter": [
        {"k": "errors.additional.when", "v": "2024-01-02T03:04:05", "o": "eq"}]}})
    assert [r["job_task_id"] for r in found["results"]] == ["a"]


@pytest.mark.parametrize("call", ["create", "insert_many", "update"])
def test_additional_json_cannot_hold_is_refused_and_nothing_is_stored(call) -> None:
    store = JobTaskStore([{"job_task_id": "a", "domain_id": "d1"}])
    before = list(store)
    bad = [{"error_code": "E", "additional": {"x": object()}}]
    with pytest.raises(EngineError) as exc:
        if call == "create":
            store.create({"job_task_id": "b", "domain_id": "d1", "errors": bad})
        elif call == "insert_many":
            store.insert_many([{"job_task_id": "b", "domain_id": "d1"}, {"job_task_id": "c", "domain_id": "d1", "errors": bad}])
        else:
            store.update("a", "d1", {"errors": bad})
    assert exc.value.code == "ERROR_INVALID_PARAMETER"
    assert "errors[0].additional" in exc.value.message
    assert list(store) == before


def test_responses_are_fresh_objects() -> None:
    store = JobTaskStore([{"job_task_id": "a", "domain_id": "d1", "errors": [
        {"error_code": "E", "additional": {"n": {"k": [1]}}}]}])
    for info in (store.get("a", "d1"), store.list({"domain_id": "d1"})["results"][0]):
        info["errors"][0]["additional"]["n"]["k"].append(2)
        info["errors"].append({})
    assert store.get("a", "d1")["errors"] == [{"error_code": "E", "message": None, "additional": {"n": {"k": [1]}}}]


# --- updates: the direct check of plain values agrees with validating a partial record
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from jobtask_engine.records import _normalized_changes, normalize_changes  # noqa: E402
from jobtask_engine.schema import UPDATABLE  # noqa: E402

_change_values = st.one_of(
    st.integers(-(2**64), 2**64), st.booleans(), st.none(), st.floats(allow_nan=False),
    st.text(max_size=50), st.sampled_from(["SUCCESS", " FAILURE ", "success", "", "  ", "aws", "x" * 41]),
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(UPDATABLE)), _change_values, max_size=4))
def test_plain_changes_are_normalised_like_the_full_validation(changes) -> None:
    def outcome(fn):
        try:
            return fn(changes)
        except EngineError as exc:
            return exc.code
    assert outcome(lambda c: normalize_changes(c, UPDATABLE)) == outcome(_normalized_changes)


def test_only_the_columns_the_shaper_checks_can_hold_not_stored_for_a_live_row() -> None:
    from jobtask_engine.query.shape import MAY_BE_MISSING
    from jobtask_engine.schema import FIELDS, MISSING

    store = JobTaskStore([{"job_task_id": "a", "domain_id": "d1"}, {"domain_id": "d1"}])
    store.update("a", "d1", {name: None for name in sorted(UPDATABLE)})
    table = store._table
    holding = {name for name in FIELDS for r in table.alive if table.columns[name][r] is MISSING}
    assert holding and holding <= MAY_BE_MISSING


def test_list_pages_write_errors_as_fresh_lists_with_every_key() -> None:
    store = JobTaskStore([
        {"job_task_id": "a", "domain_id": "d1"},
        {"job_task_id": "b", "domain_id": "d1", "errors": [{"message": "m"}, {"error_code": "E", "additional": {"k": 1}}]},
        {"job_task_id": "c", "domain_id": "d1", "errors": []},
    ])
    page = store.list({"domain_id": "d1", "query": {"sort": [{"key": "job_task_id"}]}})["results"]
    assert [type(r["errors"]) for r in page] == [list, list, list]
    assert [r["errors"] for r in page] == [
        [],
        [{"error_code": None, "message": "m", "additional": {}}, {"error_code": "E", "message": None, "additional": {"k": 1}}],
        [],
    ]
    assert page[0]["errors"] is not page[2]["errors"]
