"""The ``group`` stage end to end: keys, date formats, every operator, conditions, data_type array.

Data: ``sample_records()`` — in domain d1, jt-1 (SUCCESS, aws, updated 5, job-a, w1), jt-2
(FAILURE, provider null, updated 3, no job_id/workspace_id), jt-3 (SUCCESS, google, updated 0,
job-b, w2), jt-4 (PENDING, aws, updated 1, job-a, w1).  Groups come out in BSON order of their keys.
"""

from __future__ import annotations

import pytest

from jobtask_engine import EngineError, JobTaskStore
from jobtask_engine.testing.stat_strategies import sample_records


@pytest.fixture(scope="module")
def store() -> JobTaskStore:
    s = JobTaskStore()
    s.insert_many(sample_records())
    return s


def stat(store: JobTaskStore, *pipeline, **query) -> list:
    return store.stat({"domain_id": "d1", "query": {"aggregate": list(pipeline), **query}})["results"]


def group(keys=(), fields=()) -> dict:
    out: dict = {}
    if keys:
        out["keys"] = [{"key": k, "name": n, **extra} for k, n, *rest in keys for extra in [rest[0] if rest else {}]]
    if fields:
        out["fields"] = list(fields)
    return {"group": out}


COUNT = {"name": "n", "operator": "count"}


def test_count_sum_average_max_min_by_status(store):
    rows = stat(store, group([("status", "s")], [
        COUNT,
        {"key": "updated_count", "name": "sum", "operator": "sum"},
        {"key": "updated_count", "name": "avg", "operator": "average"},
        {"key": "updated_count", "name": "max", "operator": "max"},
        {"key": "updated_count", "name": "min", "operator": "min"},
    ]))
    assert rows == [
        {"s": "FAILURE", "n": 1, "sum": 3, "avg": 3.0, "max": 3, "min": 3},
        {"s": "PENDING", "n": 1, "sum": 1, "avg": 1.0, "max": 1, "min": 1},
        {"s": "SUCCESS", "n": 2, "sum": 5, "avg": 2.5, "max": 5, "min": 0},
    ]
    assert type(rows[0]["sum"]) is int and type(rows[0]["avg"]) is float


def test_a_missing_key_is_left_out_and_null_is_a_value(store):
    assert stat(store, group([("job_id", "j")], [COUNT])) == [
        {"n": 1}, {"j": "job-a", "n": 2}, {"j": "job-b", "n": 1},
    ]
    assert stat(store, group([("provider", "p")], [COUNT])) == [
        {"p": None, "n": 1}, {"p": "aws", "n": 2}, {"p": "google", "n": 1},
    ]


def test_two_keys(store):
    assert stat(store, group([("provider", "p"), ("workspace_id", "w")], [COUNT])) == [
        {"p": None, "n": 1}, {"p": "aws", "w": "w1", "n": 2}, {"p": "google", "w": "w2", "n": 1},
    ]


def test_a_group_without_keys_has_no_id(store):
    assert stat(store, group(fields=[COUNT, {"key": "updated_count", "name": "s", "operator": "sum"}])) == [
        {"n": 4, "s": 9},
    ]


def test_no_input_gives_no_group(store):
    nothing = {"match": {"filter": [{"k": "status", "v": "NONE", "o": "eq"}]}}
    assert stat(store, nothing, group(fields=[COUNT])) == []
    assert stat(store, nothing, group([("status", "s")], [COUNT])) == []


def test_keys_only(store):
    assert stat(store, group([("status", "s")])) == [{"s": "FAILURE"}, {"s": "PENDING"}, {"s": "SUCCESS"}]


def test_first_and_last_follow_insertion_order_and_missing_is_null(store):
    rows = stat(store, group([("status", "s")], [
        {"key": "job_id", "name": "f", "operator": "first"},
        {"key": "job_id", "name": "l", "operator": "last"},
        {"key": "started_at", "name": "st", "operator": "first"},
    ]))
    assert rows == [
        {"s": "FAILURE", "f": None, "l": None, "st": None},
        {"s": "PENDING", "f": "job-a", "l": "job-a", "st": None},
        {"s": "SUCCESS", "f": "job-a", "l": "job-b", "st": "2022-01-02T00:00:00.000Z"},
    ]


def test_max_min_of_dates_and_strings_ignore_null_and_missing(store):
    rows = stat(store, group(fields=[
        {"key": "started_at", "name": "smax", "operator": "max"},
        {"key": "created_at", "name": "cmin", "operator": "min"},
        {"key": "job_id", "name": "jmax", "operator": "max"},
        {"key": "finished_at", "name": "fmin", "operator": "min"},
        {"key": "status", "name": "sum_of_strings", "operator": "sum"},
        {"key": "created_at", "name": "avg_of_dates", "operator": "average"},
    ]))
    assert rows == [{
        "smax": "2022-01-02T00:00:00.000Z", "cmin": "2022-01-01T11:00:02.588Z", "jmax": "job-b",
        "fmin": "2023-06-02T00:00:00.000Z", "sum_of_strings": 0, "avg_of_dates": None,
    }]


def test_push_skips_missing_and_keeps_null(store):
    rows = stat(store, group([("status", "s")], [
        {"key": "job_id", "name": "jobs", "operator": "push"},
        {"key": "provider", "name": "providers", "operator": "push"},
        {"key": "created_at", "name": "dates", "operator": "push"},
    ]))
    assert rows[0] == {"s": "FAILURE", "jobs": [], "providers": [None], "dates": ["2022-03-05T01:00:00.000Z"]}
    assert rows[2] == {"s": "SUCCESS", "jobs": ["job-a", "job-b"], "providers": ["aws", "google"],
                       "dates": ["2022-01-01T11:00:02.588Z", "2023-06-01T23:59:59.999Z"]}


def test_push_sub_fields_leave_out_missing_values_and_format_dates(store):
    rows = stat(store, group([("status", "s")], [{"name": "p", "operator": "push", "fields": [
        {"key": "job_id", "name": "j"}, {"key": "updated_count", "name": "u"},
        {"key": "created_at", "name": "c"}, {"key": "started_at", "name": "st"},
    ]}]))
    assert rows[0] == {"s": "FAILURE", "p": [{"u": 3, "c": "2022-03-05T01:00:00Z", "st": None}]}
    assert rows[2]["p"] == [
        {"j": "job-a", "u": 5, "c": "2022-01-01T11:00:02Z", "st": "2022-01-02T00:00:00Z"},
        {"j": "job-b", "u": 0, "c": "2023-06-01T23:59:59Z", "st": None},
    ]


def test_push_key_wins_over_sub_fields(store):
    rows = stat(store, group([("status", "s")], [
        {"name": "p", "operator": "push", "key": "updated_count", "fields": [{"key": "job_id", "name": "j"}]}]))
    assert rows[2] == {"s": "SUCCESS", "p": [5, 0]}


def test_add_to_set_keeps_first_seen_unique_values_including_zero_and_null(store):
    assert stat(store, group(fields=[
        {"key": "created_count", "name": "c", "operator": "add_to_set"},
        {"key": "provider", "name": "p", "operator": "add_to_set"},
        {"key": "job_id", "name": "j", "operator": "add_to_set"},
    ])) == [{"c": [1, 0, 2, 7], "p": ["aws", None, "google"], "j": ["job-a", "job-b"]}]


def test_merge_objects_after_unwind(store):
    rows = stat(store, {"unwind": {"path": "errors"}}, group([("errors.error_code", "code")], [
        {"key": "errors.additional", "name": "merged", "operator": "merge_objects"}, COUNT]))
    assert rows == [
        {"merged": {"b": 2}, "n": 1},
        {"code": "E1", "merged": {"a": 2, "c": [1, 2]}, "n": 2},
        {"code": "E2", "merged": {}, "n": 1},
    ]


def test_merge_objects_refuses_non_documents(store):
    with pytest.raises(EngineError) as info:
        stat(store, group(fields=[{"key": "status", "name": "m", "operator": "merge_objects"}]))
    assert info.value.code == "ERROR_DB_QUERY" and "$mergeObjects requires object inputs" in info.value.message


def test_conditions_on_count_sum_and_average(store):
    rows = stat(store, group([("status", "s")], [
        {"name": "busy", "operator": "count", "conditions": [{"k": "updated_count", "v": 1, "o": "gte"}]},
        {"name": "aws", "operator": "sum", "key": "updated_count", "conditions": [{"key": "provider", "value": "aws", "operator": "eq"}]},
        {"name": "avg", "operator": "average", "key": "updated_count", "conditions": [{"k": "created_count", "v": 0, "o": "gt"}]},
        {"name": "both", "operator": "count", "conditions": [
            {"k": "provider", "v": "aws", "o": "eq"}, {"k": "updated_count", "v": 5, "o": "lt"}]},
    ]))
    assert rows == [
        {"s": "FAILURE", "busy": 1, "aws": 0, "avg": 0.0, "both": 0},
        {"s": "PENDING", "busy": 1, "aws": 1, "avg": 1.0, "both": 1},
        {"s": "SUCCESS", "busy": 1, "aws": 5, "avg": 2.5, "both": 0},
    ]


def test_conditions_compare_missing_below_everything_and_read_field_references(store):
    rows = stat(store, group([("status", "s")], [
        {"name": "low_job", "operator": "count", "conditions": [{"k": "job_id", "v": "zzz", "o": "lt"}]},
        {"name": "more", "operator": "count", "conditions": [{"k": "updated_count", "v": "$created_count", "o": "gt"}]},
        {"name": "typed", "operator": "count", "conditions": [{"k": "updated_count", "v": "5", "o": "eq"}]},
    ]))
    assert rows == [
        {"s": "FAILURE", "low_job": 1, "more": 1, "typed": 0},
        {"s": "PENDING", "low_job": 1, "more": 0, "typed": 0},
        {"s": "SUCCESS", "low_job": 2, "more": 1, "typed": 0},
    ]


def test_data_type_array_reduces_each_array_first(store):
    first = group([("job_id", "j")], [{"key": "updated_count", "name": "u", "operator": "push"}])
    rows = stat(store, first, group(fields=[
        {"key": "u", "name": "sum", "operator": "sum", "data_type": "array"},
        {"key": "u", "name": "max", "operator": "max", "data_type": "array"},
        {"key": "u", "name": "min", "operator": "min", "data_type": "array"},
        {"key": "u", "name": "avg", "operator": "average", "data_type": "array"},
        {"key": "u", "name": "first", "operator": "first", "data_type": "array"},
        {"key": "u", "name": "last", "operator": "last", "data_type": "array"},
        {"key": "u", "name": "plain_sum", "operator": "sum"},
    ]))
    # groups in order: job_id missing [3], job-a [5, 1], job-b [0]
    assert rows == [{"sum": 9, "max": 5, "min": 0, "avg": 2.0, "first": 3, "last": 0, "plain_sum": 0}]


def test_data_type_array_on_a_scalar_reads_the_scalar(store):
    rows = stat(store, group([("status", "s")], [
        {"key": "updated_count", "name": "sum", "operator": "sum", "data_type": "array"},
        {"key": "updated_count", "name": "max", "operator": "max", "data_type": "array"},
    ]))
    assert [(r["sum"], r["max"]) for r in rows] == [(3, 3), (1, 1), (5, 5)]
    with pytest.raises(EngineError) as info:
        stat(store, group(fields=[{"key": "updated_count", "name": "f", "operator": "first", "data_type": "array"}]))
    assert info.value.code == "ERROR_DB_QUERY" and "must be an array" in info.value.message


@pytest.mark.parametrize(
    "fmt, expected",
    [
        ("year", [(2022, 3), (2023, 1)]),
        ("month", [(1, 2), (3, 1), (6, 1)]),
        ("day", [(1, 3), (5, 1)]),
        ("%Y-%m-%d", [("2022-01-01", 2), ("2022-03-05", 1), ("2023-06-01", 1)]),
        ("%Y-%m", [("2022-01", 2), ("2022-03", 1), ("2023-06", 1)]),
        ("%H:%M:%S.%L", [("01:00:00.000", 1), ("11:00:02.588", 2), ("23:59:59.999", 1)]),
        ("%j %U %V %G %u %w", [("001 00 52 2021 6 7", 2), ("064 09 09 2022 6 7", 1), ("152 22 22 2023 4 5", 1)]),
        ("%b %B %z %Z %%", [("Jan January +0000 +0 %", 2), ("Jun June +0000 +0 %", 1), ("Mar March +0000 +0 %", 1)]),
    ],
)
def test_date_formats(store, fmt, expected):
    rows = stat(store, group([("created_at", "d", {"date_format": fmt})], [COUNT]))
    assert [(r["d"], r["n"]) for r in rows] == expected


def test_date_parts_of_null_are_null(store):
    rows = stat(store, group([("started_at", "y", {"date_format": "year"})], [COUNT]))
    assert rows == [{"y": None, "n": 3}, {"y": 2022, "n": 1}]
    rows = stat(store, group([("finished_at", "d", {"date_format": "%Y-%m-%d"})], [COUNT]))
    assert rows == [{"d": None, "n": 3}, {"d": "2023-06-02", "n": 1}]


def test_date_formats_refuse_non_dates(store):
    with pytest.raises(EngineError) as info:
        stat(store, group([("status", "m", {"date_format": "month"})], [COUNT]))
    assert info.value.code == "ERROR_DB_QUERY" and "can't convert from BSON type string to Date" in info.value.message


def test_group_by_a_raw_datetime(store):
    rows = stat(store, group([("created_at", "c")], [COUNT]))
    assert rows == [
        {"c": "2022-01-01T11:00:02.588Z", "n": 2},
        {"c": "2022-03-05T01:00:00.000Z", "n": 1},
        {"c": "2023-06-01T23:59:59.999Z", "n": 1},
    ]


def test_group_by_an_array_path_groups_whole_arrays(store):
    rows = stat(store, group([("errors.error_code", "codes")], [COUNT]))
    assert rows == [{"codes": [], "n": 2}, {"codes": ["E1"], "n": 1}, {"codes": ["E1", "E2"], "n": 1}]


def test_a_second_group_reads_the_first_groups_keys_by_name(store):
    first = group([("status", "s"), ("provider", "p")], [COUNT])
    rows = stat(store, first, group([("p", "provider")], [
        {"key": "n", "name": "total", "operator": "sum"},
        {"key": "s", "name": "statuses", "operator": "push"},
    ]))
    assert rows == [
        {"provider": None, "total": 1, "statuses": ["FAILURE"]},
        {"provider": "aws", "total": 2, "statuses": ["PENDING", "SUCCESS"]},
        {"provider": "google", "total": 1, "statuses": ["SUCCESS"]},
    ]


def test_a_field_named_like_a_key_overrides_it_in_the_output(store):
    assert stat(store, group([("status", "s")], [{"name": "s", "operator": "count"}])) == [
        {"s": 1}, {"s": 1}, {"s": 2},
    ]


def test_unwound_group_by_error_code(store):
    rows = stat(store, {"unwind": {"path": "errors"}}, group([("errors.error_code", "code")], [
        COUNT,
        {"key": "errors.message", "name": "first", "operator": "first"},
        {"key": "job_task_id", "name": "ids", "operator": "push"},
    ]))
    assert rows == [
        {"n": 1, "first": "only msg", "ids": ["jt-3"]},
        {"code": "E1", "n": 2, "first": "m1", "ids": ["jt-1", "jt-4"]},
        {"code": "E2", "n": 1, "first": "m2", "ids": ["jt-1"]},
    ]


def test_whole_document_via_root(store):
    rows = stat(store, {"match": {"filter": [{"k": "job_task_id", "v": "jt-2", "o": "eq"}]}},
                group([("status", "s")], [{"key": "$ROOT.updated_count", "name": "u", "operator": "push"}]))
    assert rows == [{"s": "FAILURE", "u": [3]}]


def test_a_sorted_input_orders_first_last_and_push(store):
    rows = stat(store, {"sort": [{"key": "updated_count", "desc": True}]}, group([("provider", "p")], [
        {"key": "job_task_id", "name": "f", "operator": "first"},
        {"key": "job_task_id", "name": "l", "operator": "last"},
        {"key": "job_task_id", "name": "ids", "operator": "push"},
    ]))
    assert rows == [
        {"p": None, "f": "jt-2", "l": "jt-2", "ids": ["jt-2"]},
        {"p": "aws", "f": "jt-1", "l": "jt-4", "ids": ["jt-1", "jt-4"]},
        {"p": "google", "f": "jt-3", "l": "jt-3", "ids": ["jt-3"]},
    ]
    rows = stat(store, {"sort": [{"key": "updated_count"}]}, group([("provider", "p")], [
        {"key": "job_task_id", "name": "ids", "operator": "push"}]))
    assert rows[1] == {"p": "aws", "ids": ["jt-4", "jt-1"]}
