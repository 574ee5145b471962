"""The store's record operations: create, insert_many, get, update, delete, clear, load.

Batch loads are all-or-nothing (a refused batch leaves the store as it was);
job_task_id is unique across domains; get/update/delete only see a record
through its own domain, as the service's domain-scoped lookups do.
"""

from __future__ import annotations

import json

import pytest

from jobtask_engine import EngineError, JobTaskStore

BASE = [
    {"job_task_id": "a", "domain_id": "d1", "created_at": "2022-01-01T00:00:00Z", "provider": "aws"},
    {"job_task_id": "b", "domain_id": "d1", "created_at": "2022-01-02T00:00:00Z"},
    {"job_task_id": "c", "domain_id": "d2", "created_at": "2022-01-03T00:00:00Z"},
]


@pytest.fixture
def store() -> JobTaskStore:
    return JobTaskStore(BASE)


def ids(store: JobTaskStore, domain: str = "d1") -> list[str]:
    return [r["job_task_id"] for r in store.list({"domain_id": domain})["results"]]


def code_of(call) -> str:
    with pytest.raises(EngineError) as exc:
        call()
    return exc.value.code


# --- create / insert_many
def test_create_returns_the_info_and_stores_it(store: JobTaskStore) -> None:
    info = store.create({"job_task_id": "n", "domain_id": "d1", "created_at": "2022-01-04T00:00:00Z"})
    assert info == store.get("n", "d1")
    assert ids(store) == ["n", "b", "a"]
    assert len(store) == 4


def test_insert_many_counts_and_keeps_insertion_order_for_ties() -> None:
    records = [{"job_task_id": f"t{i}", "domain_id": "d1", "created_at": "2022-01-01T00:00:00Z"} for i in range(5)]
    store = JobTaskStore()
    assert store.insert_many(records) == 5
    assert ids(store) == ["t0", "t1", "t2", "t3", "t4"]


def test_insert_many_accepts_any_iterable() -> None:
    store = JobTaskStore()
    assert store.insert_many({"job_task_id": f"g{i}", "domain_id": "d1"} for i in range(3)) == 3


def test_duplicate_job_task_id_across_domains(store: JobTaskStore) -> None:
    with pytest.raises(EngineError) as exc:
        store.create({"job_task_id": "a", "domain_id": "d9"})
    assert (exc.value.code, exc.value.status) == ("ERROR_SAVE_UNIQUE_VALUES", 409)


def test_duplicate_after_trimming(store: JobTaskStore) -> None:
    """KD10: MongoDB's unique index sees the trimmed value."""
    assert code_of(lambda: store.create({"job_task_id": " a ", "domain_id": "d1"})) == "ERROR_SAVE_UNIQUE_VALUES"


def test_duplicate_inside_one_batch_rejects_the_batch(store: JobTaskStore) -> None:
    batch = [{"job_task_id": "n1", "domain_id": "d1"}, {"job_task_id": "n1", "domain_id": "d1"}]
    assert code_of(lambda: store.insert_many(batch)) == "ERROR_SAVE_UNIQUE_VALUES"
    assert len(store) == 3 and ids(store) == ["b", "a"]


def test_invalid_record_rejects_the_whole_batch(store: JobTaskStore) -> None:
    batch = [{"job_task_id": "ok", "domain_id": "d1"}, {"job_task_id": "bad", "domain_id": "d1", "status": "NOPE"}]
    assert code_of(lambda: store.insert_many(batch)) == "ERROR_INVALID_PARAMETER"
    assert len(store) == 3


@pytest.mark.parametrize("records", [{"job_task_id": "x"}, "records", 5])
def test_insert_many_needs_a_list_of_records(records) -> None:
    assert code_of(lambda: JobTaskStore().insert_many(records)) == "ERROR_INVALID_PARAMETER_TYPE"


@pytest.mark.parametrize("record", [None, "x", ["a"]])
def test_create_needs_a_dict(record) -> None:
    assert code_of(lambda: JobTaskStore().create(record)) == "ERROR_INVALID_PARAMETER_TYPE"


# --- get
def test_get(store: JobTaskStore) -> None:
    assert store.get("a", "d1")["provider"] == "aws"


def test_get_from_another_domain_is_not_found(store: JobTaskStore) -> None:
    with pytest.raises(EngineError) as exc:
        store.get("c", "d1")
    assert (exc.value.code, exc.value.status) == ("ERROR_NOT_FOUND", 404)
    assert code_of(lambda: store.get("zzz", "d1")) == "ERROR_NOT_FOUND"


def test_get_update_delete_scoped_to_a_workspace() -> None:
    store = JobTaskStore([
        {"job_task_id": "w1", "domain_id": "d1", "workspace_id": "ws-1"},
        {"job_task_id": "none", "domain_id": "d1"},
    ])
    assert store.get("w1", "d1", "ws-1")["job_task_id"] == "w1"
    for job_task_id, workspace in (("w1", "ws-2"), ("none", "ws-1")):
        assert code_of(lambda: store.get(job_task_id, "d1", workspace)) == "ERROR_NOT_FOUND"
        assert code_of(lambda: store.update(job_task_id, "d1", {"status": "SUCCESS"}, workspace_id=workspace)) == "ERROR_NOT_FOUND"
        assert code_of(lambda: store.delete(job_task_id, "d1", workspace)) == "ERROR_NOT_FOUND"
    assert code_of(lambda: store.get("w1", "d1", 1)) == "ERROR_INVALID_PARAMETER_TYPE"
    assert [r["status"] for r in store] == ["PENDING", "PENDING"]
    assert store.update("w1", "d1", {"status": "SUCCESS"}, workspace_id="ws-1")["status"] == "SUCCESS"
    store.delete("w1", "d1", "ws-1")
    assert [r["job_task_id"] for r in store] == ["none"]


@pytest.mark.parametrize("job_task_id, domain_id", [(None, "d1"), ("a", None)])
def test_get_requires_both_keys(store: JobTaskStore, job_task_id, domain_id) -> None:
    assert code_of(lambda: store.get(job_task_id, domain_id)) == "ERROR_REQUIRED_PARAMETER"


# --- update
def test_update_changes_updatable_fields_and_trims(store: JobTaskStore) -> None:
    info = store.update("a", "d1", {"status": " SUCCESS ", "provider": " gcp ", "created_count": 7,
                                    "errors": [{"error_code": "E"}], "started_at": "2022-02-01T00:00:00+09:00",
                                    "finished_at": None})
    assert (info["status"], info["provider"], info["created_count"], info["started_at"], info["finished_at"]) == (
        "SUCCESS", "gcp", 7, "2022-01-31T15:00:00.000Z", None)
    assert info["errors"] == [{"error_code": "E", "message": None, "additional": {}}]
    assert store.get("a", "d1") == info


def test_update_is_visible_to_list_filters_and_sorts(store: JobTaskStore) -> None:
    store.update("b", "d1", {"provider": "aaa"})
    out = store.list({"domain_id": "d1", "query": {"filter": [{"k": "provider", "v": "a", "o": "contain"}],
                                                   "sort": [{"key": "provider"}]}})
    assert [r["job_task_id"] for r in out["results"]] == ["b", "a"]


def test_update_refuses_fields_that_are_not_updatable(store: JobTaskStore) -> None:
    """KD15: only status, provider, the counts, errors, started_at and finished_at may change; anything else is
    refused and nothing is applied (the reference's MongoModel.update drops such keys silently)."""
    for changes in ({"status": "SUCCESS", "job_id": "zz"}, {"domain_id": "d9"}, {"nosuch": 1}, {"created_at": None}):
        with pytest.raises(EngineError) as exc:
            store.update("a", "d1", changes)
        assert exc.value.code == "ERROR_INVALID_PARAMETER"
        assert next(iter(k for k in changes if k != "status")) in exc.value.message
    assert store.get("a", "d1")["status"] == "PENDING"


@pytest.mark.parametrize("changes", [{"status": "BAD"}, {"created_count": "3"}, {"provider": 1},
                                     {"started_at": "garbage"}, {"errors": [{"bogus": 1}]}])
def test_update_validates_like_create(store: JobTaskStore, changes: dict) -> None:
    """KD15: values are validated as on create (the reference's QuerySet.update skips choices and coerces)."""
    assert code_of(lambda: store.update("a", "d1", changes)) == "ERROR_INVALID_PARAMETER"
    assert store.get("a", "d1")["status"] == "PENDING"


def test_update_checks_max_length(store: JobTaskStore) -> None:
    assert code_of(lambda: store.update("a", "d1", {"provider": "x" * 41})) == "ERROR_INVALID_PARAMETER"
    assert store.get("a", "d1")["provider"] == "aws"


def test_update_in_another_domain_is_not_found(store: JobTaskStore) -> None:
    assert code_of(lambda: store.update("c", "d1", {"status": "SUCCESS"})) == "ERROR_NOT_FOUND"


# --- delete / clear / iteration
def test_delete(store: JobTaskStore) -> None:
    store.delete("a", "d1")
    assert ids(store) == ["b"] and len(store) == 2
    assert code_of(lambda: store.delete("a", "d1")) == "ERROR_NOT_FOUND"
    assert code_of(lambda: store.get("a", "d1")) == "ERROR_NOT_FOUND"


def test_deleted_id_can_be_created_again(store: JobTaskStore) -> None:
    store.delete("a", "d1")
    store.create({"job_task_id": "a", "domain_id": "d2"})
    assert store.get("a", "d2")["domain_id"] == "d2"


def test_delete_in_another_domain_is_not_found(store: JobTaskStore) -> None:
    assert code_of(lambda: store.delete("c", "d1")) == "ERROR_NOT_FOUND"
    assert len(store) == 3


def test_clear(store: JobTaskStore) -> None:
    store.clear()
    assert len(store) == 0 and ids(store) == []
    store.create({"job_task_id": "a", "domain_id": "d1"})
    assert len(store) == 1


def test_iteration_yields_infos_in_insertion_order(store: JobTaskStore) -> None:
    assert [r["job_task_id"] for r in store] == ["a", "b", "c"]


# --- files
def test_load_json_array(tmp_path) -> None:
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(BASE))
    store = JobTaskStore.load(path)
    assert len(store) == 3 and ids(store) == ["b", "a"]


def test_load_json_lines_into_an_existing_store(tmp_path, store: JobTaskStore) -> None:
    path = tmp_path / "more.jsonl"
    path.write_text("\n".join(json.dumps({"job_task_id": f"l{i}", "domain_id": "d1"}) for i in range(3)) + "\n")
    assert store.load_file(path) == 3
    assert len(store) == 6


def test_bad_file_leaves_the_store_unchanged(tmp_path, store: JobTaskStore) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"job_task_id": "x1", "domain_id": "d1"}) + "\n" + '{"job_task_id": 5}\n')
    assert code_of(lambda: store.load_file(path)) == "ERROR_INVALID_PARAMETER"
    assert len(store) == 3


def test_dump_and_load_round_trip(tmp_path, store: JobTaskStore) -> None:
    path = tmp_path / "dump.jsonl"
    assert store.dump(path) == 3
    again = JobTaskStore.load(path)
    assert list(again) == list(store)


def test_update_with_null_stores_the_default(store: JobTaskStore) -> None:
    """KD18: null for status, a count or errors stores the default, as on create (the reference stores null)."""
    store.update("a", "d1", {"status": "SUCCESS", "created_count": 4, "errors": [{"error_code": "E"}]})
    info = store.update("a", "d1", {"status": None, "created_count": None, "errors": None})
    assert (info["status"], info["created_count"], info["errors"]) == ("PENDING", 0, [])
    out = store.list({"domain_id": "d1", "query": {"filter": [{"k": "created_count", "v": 0, "o": "eq"}]}})
    assert "a" in [r["job_task_id"] for r in out["results"]]
