"""Hand-written stat corpus: every stage, operator, option and error, engine vs executed reference.

Each case runs on ``sample_records()`` on both sides.  ``SAME`` cases must answer alike (rows
compared exactly, in order, after the normalisations of test_stat_differential: ObjectIds of
stored documents, add_to_set as multisets).  Known-difference cases (KNOWN_DIFFERENCES.md,
"## stat") pin both answers: what mongomock says and what the engine says (MongoDB's answer),
so a change on either side shows up.
"""

from __future__ import annotations

import copy
from typing import Any, NamedTuple

import pytest

from jobtask_engine.testing.stat_strategies import sample_records

from .conftest import Outcome, assert_same, load_both, outcome
from .test_stat_differential import _reference_outcome, normalize


class KD(NamedTuple):
    """A known difference: mongomock's answer and the engine's (MongoDB's) answer (results list or error code)."""

    name: str
    mongomock: Any
    engine: Any


SAME = None

G_STATUS = {"keys": [{"key": "status", "name": "s"}]}
COUNT = {"name": "n", "operator": "count"}
ID = {"project": {"fields": [{"key": "job_task_id", "name": "id"}], "exclude_keys": True}}
NONE = {"match": {"filter": [{"k": "status", "v": "NONE", "o": "eq"}]}}


def grp(*fields, keys=None) -> dict:
    out: dict = {"fields": list(fields)}
    if keys is not None:
        out["keys"] = keys
    return {"group": out}


def by(key: str, name: str = "k", **extra) -> list:
    return [{"key": key, "name": name, **extra}]


CASES: list[tuple[str, dict, Any]] = [
    # ---- group keys
    ("group-status-count", {"aggregate": [grp(COUNT, keys=by("status"))]}, SAME),
    ("group-keys-only", {"aggregate": [{"group": G_STATUS}]}, SAME),
    ("group-two-keys", {"aggregate": [grp(COUNT, keys=by("provider", "p") + by("workspace_id", "w"))]}, SAME),
    ("group-missing-key", {"aggregate": [grp(COUNT, keys=by("job_id"))]}, SAME),
    ("group-null-key", {"aggregate": [grp(COUNT, keys=by("provider"))]}, SAME),
    ("group-raw-date-key", {"aggregate": [grp(COUNT, keys=by("created_at"))]}, SAME),
    ("group-int-key", {"aggregate": [grp(COUNT, keys=by("updated_count"))]}, SAME),
    ("group-short-names", {"aggregate": [{"group": {"keys": [{"k": "status", "n": "s"}], "fields": [{"n": "c", "o": "count"}]}}]}, SAME),
    ("group-year", {"aggregate": [grp(COUNT, keys=by("created_at", date_format="year"))]}, SAME),
    ("group-month", {"aggregate": [grp(COUNT, keys=by("created_at", date_format="month"))]}, SAME),
    ("group-day", {"aggregate": [grp(COUNT, keys=by("created_at", date_format="day"))]}, SAME),
    ("group-format-day", {"aggregate": [grp(COUNT, keys=by("created_at", date_format="%Y-%m-%d"))]}, SAME),
    ("group-format-month", {"aggregate": [grp(COUNT, keys=by("created_at", date_format="%Y-%m"))]}, SAME),
    ("group-format-time", {"aggregate": [grp(COUNT, keys=by("created_at", date_format="%H:%M:%S"))]}, SAME),
    ("group-format-weeks", {"aggregate": [grp(COUNT, keys=by("created_at", date_format="%j %U %V %G %u %%"))]}, SAME),
    ("group-format-ms", {"aggregate": [grp(COUNT, keys=by("created_at", date_format="%L"))]},
     KD("KD-S7", "ERROR_DB_QUERY", [{"k": "000", "n": 1}, {"k": "588", "n": 2}, {"k": "999", "n": 1}])),
    ("group-format-weekday", {"aggregate": [grp(COUNT, keys=by("created_at", date_format="%w"))]},
     KD("KD-S7", [{"k": "4", "n": 1}, {"k": "6", "n": 3}], [{"k": "5", "n": 1}, {"k": "7", "n": 3}])),
    ("group-format-zone", {"aggregate": [grp(COUNT, keys=by("finished_at", date_format="%z"))]},
     KD("KD-S3", "ERROR_DB_QUERY", [{"k": None, "n": 3}, {"k": "+0000", "n": 1}])),
    ("group-format-python-only", {"aggregate": [grp(COUNT, keys=by("created_at", date_format="%a"))]},
     KD("KD-S7", [{"k": "Sat", "n": 3}, {"k": "Thu", "n": 1}], "ERROR_DB_QUERY")),
    ("group-year-of-null", {"aggregate": [grp(COUNT, keys=by("started_at", date_format="year"))]},
     KD("KD-S3", "ERROR_DB_QUERY", [{"k": None, "n": 3}, {"k": 2022, "n": 1}])),
    ("group-year-of-string", {"aggregate": [grp(COUNT, keys=by("status", date_format="year"))]}, SAME),
    ("group-array-key", {"aggregate": [grp(COUNT, keys=by("errors.error_code"))]},
     KD("KD-S9", [{"n": 1}, {"k": [], "n": 1}, {"k": ["E1"], "n": 1}, {"k": ["E1", "E2"], "n": 1}],
        [{"k": [], "n": 2}, {"k": ["E1"], "n": 1}, {"k": ["E1", "E2"], "n": 1}])),
    # ---- group fields
    ("sum-avg-max-min", {"aggregate": [grp(
        {"key": "updated_count", "name": "sum", "operator": "sum"},
        {"key": "updated_count", "name": "avg", "operator": "average"},
        {"key": "updated_count", "name": "max", "operator": "max"},
        {"key": "updated_count", "name": "min", "operator": "min"}, keys=by("status"))]}, SAME),
    ("sum-of-strings-avg-of-dates", {"aggregate": [grp(
        {"key": "status", "name": "s", "operator": "sum"},
        {"key": "created_at", "name": "a", "operator": "average"})]},
     KD("KD-S2", [{"_id": None, "s": 0, "a": None}], [{"s": 0, "a": None}])),
    ("max-min-dates-strings", {"aggregate": [grp(
        {"key": "started_at", "name": "smax", "operator": "max"},
        {"key": "created_at", "name": "cmin", "operator": "min"},
        {"key": "job_id", "name": "jmax", "operator": "max"}, keys=by("status"))]}, SAME),
    ("first-last-present", {"aggregate": [grp(
        {"key": "job_task_id", "name": "f", "operator": "first"},
        {"key": "updated_count", "name": "l", "operator": "last"},
        {"key": "started_at", "name": "st", "operator": "first"}, keys=by("status"))]}, SAME),
    ("first-of-missing", {"aggregate": [grp({"key": "job_id", "name": "f", "operator": "first"}, keys=by("provider"))]},
     KD("KD-S4", [{"k": None, "f": None}, {"k": "aws", "f": "job-a"}, {"k": "google", "f": "job-b"}],
        [{"k": None, "f": None}, {"k": "aws", "f": "job-a"}, {"k": "google", "f": "job-b"}])),
    ("first-skips-missing-in-mongomock", {"aggregate": [
        {"sort": [{"key": "job_id"}]}, grp({"key": "job_id", "name": "f", "operator": "first"})]},
     KD("KD-S4", [{"_id": None, "f": "job-a"}], [{"f": None}])),
    ("push-key", {"aggregate": [grp(
        {"key": "job_id", "name": "jobs", "operator": "push"},
        {"key": "provider", "name": "providers", "operator": "push"},
        {"key": "created_at", "name": "dates", "operator": "push"}, keys=by("status"))]}, SAME),
    ("push-sub-fields", {"aggregate": [grp({"name": "p", "operator": "push", "fields": [
        {"key": "status", "name": "s"}, {"key": "updated_count", "name": "u"}, {"key": "created_at", "name": "c"}]},
        keys=by("provider"))]}, SAME),
    ("push-sub-field-missing", {"aggregate": [grp({"name": "p", "operator": "push", "fields": [
        {"key": "job_id", "name": "j"}, {"key": "updated_count", "name": "u"}]}, keys=by("status"))]},
     KD("KD-S4", [{"k": "FAILURE", "p": []}, {"k": "PENDING", "p": [{"j": "job-a", "u": 1}]},
                  {"k": "SUCCESS", "p": [{"j": "job-a", "u": 5}, {"j": "job-b", "u": 0}]}],
        [{"k": "FAILURE", "p": [{"u": 3}]}, {"k": "PENDING", "p": [{"j": "job-a", "u": 1}]},
         {"k": "SUCCESS", "p": [{"j": "job-a", "u": 5}, {"j": "job-b", "u": 0}]}])),
    ("push-sub-field-null-date", {"aggregate": [grp({"name": "p", "operator": "push", "fields": [
        {"key": "started_at", "name": "st"}]}, keys=by("status"))]},
     KD("KD-S3", "ERROR_DB_QUERY", [{"k": "FAILURE", "p": [{"st": None}]}, {"k": "PENDING", "p": [{"st": None}]},
                                     {"k": "SUCCESS", "p": [{"st": "2022-01-02T00:00:00Z"}, {"st": None}]}])),
    ("add-to-set", {"aggregate": [grp(
        {"key": "provider", "name": "p", "operator": "add_to_set"},
        {"key": "job_id", "name": "j", "operator": "add_to_set"}, keys=by("status"))]}, SAME),
    ("add-to-set-falsy", {"aggregate": [grp({"key": "created_count", "name": "c", "operator": "add_to_set"}, keys=by("status"))]},
     KD("KD-S5", [{"k": "FAILURE", "c": [None]}, {"k": "PENDING", "c": [7]}, {"k": "SUCCESS", "c": [1, 2]}],
        [{"k": "FAILURE", "c": [0]}, {"k": "PENDING", "c": [7]}, {"k": "SUCCESS", "c": [1, 2]}])),
    ("merge-objects", {"aggregate": [{"unwind": {"path": "errors"}}, grp(
        {"key": "errors.additional", "name": "m", "operator": "merge_objects"}, COUNT, keys=by("errors.error_code"))]}, SAME),
    ("merge-objects-non-document", {"aggregate": [grp({"key": "status", "name": "m", "operator": "merge_objects"}, keys=by("status"))]},
     KD("KD-S8", [{"k": "FAILURE", "m": {}}, {"k": "PENDING", "m": {}}, {"k": "SUCCESS", "m": {}}], "ERROR_DB_QUERY")),
    ("count-conditions", {"aggregate": [grp(
        {"name": "busy", "operator": "count", "conditions": [{"k": "updated_count", "v": 1, "o": "gte"}]},
        {"name": "aws", "operator": "count", "conditions": [{"key": "provider", "value": "aws", "operator": "eq"},
                                                           {"k": "updated_count", "v": 5, "o": "lt"}]},
        {"name": "gt", "operator": "count", "conditions": [{"k": "created_count", "v": 1, "o": "gt"}]},
        {"name": "lte", "operator": "count", "conditions": [{"k": "created_count", "v": 1, "o": "lte"}]},
        keys=by("status"))]}, SAME),
    ("sum-average-conditions", {"aggregate": [grp(
        {"name": "s", "operator": "sum", "key": "updated_count", "conditions": [{"k": "provider", "v": "aws", "o": "eq"}]},
        {"name": "a", "operator": "average", "key": "updated_count", "conditions": [{"k": "created_count", "v": 0, "o": "gt"}]},
        keys=by("status"))]}, SAME),
    ("condition-field-reference", {"aggregate": [grp(
        {"name": "more", "operator": "count", "conditions": [{"k": "updated_count", "v": "$created_count", "o": "gt"}]},
        keys=by("status"))]}, SAME),
    ("condition-not", {"aggregate": [grp(
        {"name": "n", "operator": "count", "conditions": [{"k": "provider", "v": "aws", "o": "not"}]}, keys=by("status"))]},
     KD("KD-S6", [{"k": "FAILURE", "n": 0}, {"k": "PENDING", "n": 0}, {"k": "SUCCESS", "n": 0}], "ERROR_DB_QUERY")),
    ("condition-on-missing", {"aggregate": [grp(
        {"name": "n", "operator": "count", "conditions": [{"k": "job_id", "v": "zzz", "o": "lt"}]}, keys=by("status"))]},
     KD("KD-S6", [{"k": "FAILURE", "n": 0}, {"k": "PENDING", "n": 1}, {"k": "SUCCESS", "n": 2}],
        [{"k": "FAILURE", "n": 1}, {"k": "PENDING", "n": 1}, {"k": "SUCCESS", "n": 2}])),
    ("data-type-array", {"aggregate": [
        grp({"key": "updated_count", "name": "u", "operator": "push"}, keys=by("job_id", "j")),
        grp({"key": "u", "name": "sum", "operator": "sum", "data_type": "array"},
            {"key": "u", "name": "max", "operator": "max", "data_type": "array"},
            {"key": "u", "name": "min", "operator": "min", "data_type": "array"},
            {"key": "u", "name": "avg", "operator": "average", "data_type": "array"},
            {"key": "u", "name": "first", "operator": "first", "data_type": "array"},
            {"key": "u", "name": "last", "operator": "last", "data_type": "array"}, keys=by("j"))]}, SAME),
    ("data-type-array-on-scalar", {"aggregate": [grp(
        {"key": "updated_count", "name": "sum", "operator": "sum", "data_type": "array"}, keys=by("status"))]},
     KD("KD-S8", "ERROR_DB_QUERY", [{"k": "FAILURE", "sum": 3}, {"k": "PENDING", "sum": 1}, {"k": "SUCCESS", "sum": 5}])),
    ("sorted-input-first-last-push", {"aggregate": [
        {"sort": [{"key": "updated_count", "desc": True}]},
        grp({"key": "job_task_id", "name": "f", "operator": "first"}, {"key": "job_task_id", "name": "l", "operator": "last"},
            {"key": "job_task_id", "name": "p", "operator": "push"}, keys=by("provider"))]}, SAME),
    ("limited-input-group", {"aggregate": [{"sort": [{"key": "created_at", "desc": True}]}, {"limit": 2},
                                           grp(COUNT, {"key": "job_task_id", "name": "p", "operator": "push"}, keys=by("status"))]}, SAME),
    ("second-group-by-name", {"aggregate": [
        grp(COUNT, keys=by("status", "s") + by("provider", "p")),
        grp({"key": "n", "name": "total", "operator": "sum"}, {"key": "s", "name": "statuses", "operator": "push"}, keys=by("p"))]}, SAME),
    ("keyless-group", {"aggregate": [grp(COUNT, {"key": "updated_count", "name": "s", "operator": "sum"})]},
     KD("KD-S2", [{"_id": None, "n": 4, "s": 9}], [{"n": 4, "s": 9}])),
    ("keyless-group-empty-input", {"aggregate": [NONE, grp(COUNT)]}, KD("KD-S1", [{"_id": None, "n": 0}], [])),
    ("field-named-like-key", {"aggregate": [grp({"name": "k", "operator": "count"}, keys=by("status"))]},
     KD("KD-S10", [{"k": "FAILURE"}, {"k": "PENDING"}, {"k": "SUCCESS"}], [{"k": 1}, {"k": 1}, {"k": 2}])),
    ("group-empty-input-with-keys", {"aggregate": [NONE, grp(COUNT, keys=by("status"))]}, SAME),
    # ---- unwind / match / count / sort / skip / limit
    ("unwind-errors", {"aggregate": [{"unwind": {"path": "errors"}}, {"project": {"fields": [
        {"key": "job_task_id", "name": "id"}, {"key": "errors.error_code", "name": "c"}], "exclude_keys": True}}]}, SAME),
    ("unwind-scalar", {"aggregate": [{"unwind": {"path": "provider"}}, ID]}, SAME),
    ("unwind-missing-path", {"aggregate": [{"unwind": {"path": "nosuch"}}, ID]}, SAME),
    ("unwind-through-array", {"aggregate": [{"unwind": {"path": "errors.error_code"}}, ID]}, SAME),
    ("unwind-nested", {"aggregate": [{"unwind": {"path": "errors"}}, {"unwind": {"path": "errors.additional.c"}},
                                     {"project": {"fields": [{"key": "errors.additional", "name": "a"}], "exclude_keys": True}}]}, SAME),
    ("unwind-filter", {"aggregate": [{"unwind": {"path": "errors", "filter": [
        {"k": "errors.error_code", "v": "E1", "o": "eq"}]}}, {"count": {"name": "n"}}]}, SAME),
    ("stored-documents", {"aggregate": [{"match": {"filter": [{"k": "job_task_id", "v": ["jt-1", "jt-2"], "o": "in"}]}}]}, SAME),
    ("count", {"aggregate": [{"count": {"name": "total"}}]}, SAME),
    ("count-empty-input", {"aggregate": [NONE, {"count": {"name": "n"}}]}, KD("KD-S1", [{"n": 0}], [])),
    ("sort-stored", {"aggregate": [{"sort": [{"key": "created_at", "desc": True}, {"key": "job_id"}]}, ID]}, SAME),
    ("sort-missing-null", {"aggregate": [{"sort": [{"key": "job_id"}]}, ID]}, SAME),
    ("sort-desc-started", {"aggregate": [{"sort": [{"key": "started_at", "desc": True}]}, ID]}, SAME),
    ("sort-group-key-and-field", {"aggregate": [grp({"key": "updated_count", "name": "u", "operator": "sum"}, keys=by("status", "s")),
                                                {"sort": [{"key": "u", "desc": True}, {"key": "s"}]}]}, SAME),
    ("sort-array-path", {"aggregate": [{"sort": [{"key": "errors.error_code", "desc": True}]}, ID]},
     KD("KD-S11", [{"id": "jt-1"}, {"id": "jt-4"}, {"id": "jt-2"}, {"id": "jt-3"}],
        [{"id": "jt-1"}, {"id": "jt-4"}, {"id": "jt-3"}, {"id": "jt-2"}])),
    ("sort-empty", {"aggregate": [{"sort": []}, ID]},
     KD("KD-S12", [{"id": "jt-1"}, {"id": "jt-2"}, {"id": "jt-3"}, {"id": "jt-4"}], "ERROR_DB_QUERY")),
    ("sort-null-key", {"aggregate": [grp(COUNT, keys=by("status", "s")), {"sort": [{"key": None, "desc": True}]}]},
     KD("KD-S20", [{"s": "SUCCESS", "n": 2}, {"s": "PENDING", "n": 1}, {"s": "FAILURE", "n": 1}], "ERROR_DB_QUERY")),
    ("dict-form-malformed-sort", {"aggregate": {"group": {"keys": [{"key": "status", "name": "s"}]}}, "sort": [5]}, SAME),
    ("skip-limit", {"aggregate": [{"sort": [{"key": "created_at"}]}, {"skip": 1}, {"limit": 2}, ID]}, SAME),
    ("limit-skip", {"aggregate": [{"sort": [{"key": "created_at"}]}, {"limit": 2}, {"skip": 1}, ID]}, SAME),
    ("limit-zero", {"aggregate": [{"limit": 0}]}, KD("KD-S12", [], "ERROR_DB_QUERY")),
    ("limit-negative", {"aggregate": [{"limit": -1}, ID]},
     KD("KD-S12", [{"id": "jt-1"}, {"id": "jt-2"}, {"id": "jt-3"}], "ERROR_DB_QUERY")),
    ("skip-negative", {"aggregate": [{"skip": -1}, ID]}, KD("KD-S12", [{"id": "jt-4"}], "ERROR_DB_QUERY")),
    ("match-eq-not", {"aggregate": [{"match": {"filter": [{"k": "status", "v": "SUCCESS", "o": "eq"},
                                                          {"k": "job_id", "v": "job-a", "o": "not"}]}}, ID]}, SAME),
    ("match-in-null", {"aggregate": [{"match": {"filter": [{"k": "job_id", "v": [None, "job-b"], "o": "in"}]}}, ID]}, SAME),
    ("match-not-in", {"aggregate": [{"match": {"filter": [{"k": "provider", "v": ["aws"], "o": "not_in"}]}}, ID]}, SAME),
    ("match-contain-case-sensitive", {"aggregate": [{"match": {"filter": [{"k": "status", "v": "cess", "o": "contain"}]}}, ID]}, SAME),
    ("match-contain-regex", {"aggregate": [{"match": {"filter": [{"k": "status", "v": "U.C", "o": "contain"}]}}, ID]}, SAME),
    ("match-contain-in-string", {"aggregate": [{"match": {"filter": [{"k": "status", "v": "FP", "o": "contain_in"}]}}, ID]}, SAME),
    ("match-not-contain-in", {"aggregate": [{"match": {"filter": [{"k": "status", "v": ["FAIL"], "o": "not_contain_in"}]}}, ID]}, SAME),
    ("match-number", {"aggregate": [{"match": {"filter": [{"k": "updated_count", "v": 5.0, "o": "eq"}]}}, ID]}, SAME),
    ("match-array-elements", {"aggregate": [{"match": {"filter": [{"k": "errors.error_code", "v": "E1", "o": "not"}]}}, ID]}, SAME),
    ("match-not-contain-empty-array", {"aggregate": [{"match": {"filter": [{"k": "errors.message", "v": "msg", "o": "not_contain"}]}}, ID]},
     KD("KD-S13", [{"id": "jt-1"}, {"id": "jt-4"}], [{"id": "jt-1"}, {"id": "jt-2"}, {"id": "jt-4"}])),
    ("match-group-output", {"aggregate": [grp(COUNT, keys=by("status", "s")),
                                          {"match": {"filter": [{"k": "_id.s", "v": ["SUCCESS", "PENDING"], "o": "in"}]}}]}, SAME),
    ("match-group-key-by-name", {"aggregate": [grp(COUNT, keys=by("status", "s")),
                                               {"match": {"filter": [{"k": "s", "v": "SUCCESS", "o": "eq"}]}}]}, SAME),
    # ---- project
    ("project-rename", {"aggregate": [grp(COUNT, keys=by("status", "s")), {"project": {"fields": [{"key": "n", "name": "count"}]}}]}, SAME),
    ("project-exclude-keys", {"aggregate": [grp(COUNT, keys=by("status", "s")),
                                            {"project": {"fields": [{"key": "s", "name": "status"}], "exclude_keys": True}}]}, SAME),
    ("project-only-keys", {"aggregate": [grp(COUNT, keys=by("status", "s")),
                                         {"project": {"fields": [{"name": "n"}, {"name": "x"}], "only_keys": True}}]}, SAME),
    ("project-arithmetic", {"aggregate": [
        grp(COUNT, {"key": "updated_count", "name": "u", "operator": "sum"}, {"key": "created_count", "name": "c", "operator": "sum"},
            keys=by("status", "s")),
        {"project": {"fields": [
            {"name": "ratio", "operator": "divide", "fields": ["u", "n"]},
            {"name": "sum", "operator": "add", "fields": ["u", "c", 1.5]},
            {"name": "diff", "operator": "subtract", "fields": ["u", "c"]},
            {"name": "nested", "operator": "multiply", "fields": ["n", {"operator": "subtract", "fields": ["u", 1]}]},
            {"name": "null", "operator": "add", "fields": ["u", "nosuch"]}]}}]}, SAME),
    ("project-divide-by-zero", {"aggregate": [grp({"key": "created_count", "name": "c", "operator": "sum"}, keys=by("status", "s")),
                                              {"project": {"fields": [{"name": "r", "operator": "divide", "fields": [1, "c"]}]}}]}, SAME),
    ("project-size-sum", {"aggregate": [grp({"key": "updated_count", "name": "us", "operator": "push"}, keys=by("status", "s")),
                                        {"project": {"fields": [{"key": "us", "name": "size", "operator": "size"},
                                                                {"key": "us", "name": "total", "operator": "sum"}]}}]}, SAME),
    ("project-size-of-scalar", {"aggregate": [grp(COUNT, keys=by("status", "s")),
                                              {"project": {"fields": [{"key": "n", "name": "x", "operator": "size"}]}}]}, SAME),
    ("project-sum-of-scalar", {"aggregate": [grp(COUNT, keys=by("status", "s")),
                                             {"project": {"fields": [{"key": "n", "name": "x", "operator": "sum"}]}}]},
     KD("KD-S8", "ERROR_DB_QUERY", [{"s": "FAILURE", "x": 1}, {"s": "PENDING", "x": 1}, {"s": "SUCCESS", "x": 2}])),
    ("project-object-array", {"aggregate": [{"unwind": {"path": "errors"}},
                                            {"project": {"fields": [{"key": "errors.additional", "name": "kv", "operator": "object_to_array"}],
                                                         "exclude_keys": True}},
                                            {"project": {"fields": [{"key": "kv", "name": "o", "operator": "array_to_object"}]}}]}, SAME),
    ("project-dotted-name", {"aggregate": [grp(COUNT, keys=by("status", "s")),
                                           {"project": {"fields": [{"key": "n", "name": "a.b"}], "exclude_keys": True}}]},
     KD("KD-S14", [{"a.b": 1}, {"a.b": 1}, {"a.b": 2}], [{"a": {"b": 1}}, {"a": {"b": 1}}, {"a": {"b": 2}}])),
    ("project-date-add", {"aggregate": [grp({"key": "created_at", "name": "c", "operator": "min"}),
                                        {"project": {"fields": [{"name": "d", "operator": "add", "fields": ["c", 1000]}], "exclude_keys": True}}]},
     KD("KD-S8", "ERROR_DB_QUERY", [{"d": "2022-01-01T11:00:03.588Z"}])),
    # ---- distinct and paging
    ("distinct-status", {"distinct": "status"}, SAME),
    ("distinct-missing-field-values", {"distinct": "job_id"}, SAME),
    ("distinct-dates", {"distinct": "created_at"}, SAME),
    ("distinct-array-path", {"distinct": "errors.error_code"}, SAME),
    ("distinct-nested", {"distinct": "errors.additional.c"}, SAME),
    ("distinct-unknown", {"distinct": "nosuch"}, SAME),
    ("distinct-page", {"distinct": "updated_count", "page": {"start": 2, "limit": 2}}, SAME),
    ("distinct-mixed-types", {"distinct": "provider"}, SAME),
    ("aggregate-page", {"aggregate": [grp(COUNT, keys=by("status"))], "page": {"start": 2, "limit": 1}}, SAME),
    ("aggregate-page-past-end", {"aggregate": [grp(COUNT, keys=by("status"))], "page": {"start": 5, "limit": 1}}, SAME),
    ("aggregate-page-zero-limit", {"aggregate": [grp(COUNT, keys=by("status"))], "page": {"limit": 0}}, SAME),
    ("dict-form", {"aggregate": {"group": {"keys": [{"key": "status", "name": "s"}], "fields": [COUNT]}},
                   "sort": {"name": "n", "desc": True}, "limit": 2}, SAME),
    ("dict-form-unwind-count", {"aggregate": {"unwind": [{"path": "errors"}], "group": {"keys": [{"key": "errors.error_code", "name": "c"}]},
                                              "count": {"name": "codes"}}}, SAME),
    # ---- errors
    ("err-no-aggregate", {}, SAME),
    ("err-aggregate-type", {"aggregate": "x"}, SAME),
    ("err-unknown-stage", {"aggregate": [{"bogus": {}}]}, SAME),
    ("err-group-empty", {"aggregate": [{"group": {}}]}, SAME),
    ("err-group-key-name", {"aggregate": [{"group": {"keys": [{"key": "status"}]}}]}, SAME),
    ("err-group-operator", {"aggregate": [grp({"name": "n", "operator": "median"})]}, SAME),
    ("err-group-field-key", {"aggregate": [grp({"name": "n", "operator": "sum"})]}, SAME),
    ("err-push-fields", {"aggregate": [grp({"name": "n", "operator": "push"})]}, SAME),
    ("err-condition-operator", {"aggregate": [grp({"name": "n", "operator": "count", "conditions": [{"k": "a", "v": 1, "o": "in"}]})]}, SAME),
    ("err-conditions-on-max", {"aggregate": [grp({"name": "n", "key": "a", "operator": "max", "conditions": [{"k": "a", "v": 1, "o": "eq"}]})]}, SAME),
    ("err-count-name", {"aggregate": [{"count": {}}]}, SAME),
    ("err-count-dotted", {"aggregate": [{"count": {"name": "a.b"}}]}, SAME),
    ("err-sort-key", {"aggregate": [{"sort": [{"desc": True}]}]}, SAME),
    ("err-unwind-path", {"aggregate": [{"unwind": {}}]}, SAME),
    ("err-project-fields", {"aggregate": [{"project": {}}]}, SAME),
    ("err-project-operator", {"aggregate": [{"project": {"fields": [{"name": "x", "operator": "power"}]}}]}, SAME),
    ("err-project-two-fields", {"aggregate": [{"project": {"fields": [{"name": "x", "operator": "divide", "fields": ["a"]}]}}]}, SAME),
    ("err-match-empty", {"aggregate": [{"match": {}}]}, SAME),
    ("err-match-empty-no-input", {"aggregate": [NONE, {"match": {}}]}, KD("KD-S16", [], "ERROR_DB_QUERY")),
    ("err-match-operator", {"aggregate": [{"match": {"filter": [{"k": "status", "v": "x", "o": "gt"}]}}]}, SAME),
    ("err-match-falsy-value", {"aggregate": [{"match": {"filter": [{"k": "status", "v": 0, "o": "eq"}]}}]}, SAME),
    ("err-distinct-type", {"distinct": ["status"]}, SAME),
    ("err-page-type", {"aggregate": [grp(COUNT)], "page": {"limit": "2"}}, SAME),
    ("err-date-format-type", {"aggregate": [grp(COUNT, keys=by("created_at", date_format=5))]}, SAME),
    ("err-group-dotted-name", {"aggregate": [grp(COUNT, keys=by("status", "a.b"))]},
     KD("KD-S14", [{"a.b": "FAILURE", "n": 1}, {"a.b": "PENDING", "n": 1}, {"a.b": "SUCCESS", "n": 2}], "ERROR_DB_QUERY")),
    ("err-lookup", {"aggregate": [{"lookup": {"from": "job", "localField": "job_id", "foreignField": "job_id", "as": "jobs"}},
                                  {"count": {"name": "n"}}]}, KD("KD-S15", [{"n": 4}], "ERROR_DB_QUERY")),
]


@pytest.fixture(scope="module")
def sides():
    return load_both(sample_records())


def _answer(o: Outcome) -> Any:
    if o.error:
        return o.error
    return o.value["results"]


@pytest.mark.parametrize("name, query, expectation", CASES, ids=[c[0] for c in CASES])
def test_stat_corpus(sides, name, query, expectation):
    reference, store = sides
    params = {"domain_id": "d1", "query": copy.deepcopy(query)}
    expected = _reference_outcome(reference, params)
    actual = outcome(lambda: store.stat(copy.deepcopy(params)))
    if expectation is SAME:
        assert_same(
            Outcome(value=normalize(params, expected.value, reference=True), error=expected.error),
            Outcome(value=normalize(params, actual.value, reference=False), error=actual.error),
            params,
        )
        return
    assert _answer(expected) == expectation.mongomock, f"{expectation.name}: mongomock's answer changed"
    assert _answer(actual) == expectation.engine, f"{expectation.name}: the engine must give MongoDB's answer"
