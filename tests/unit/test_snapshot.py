"""Snapshots: round trips, and every damaged or foreign file refused whole.

A refused file raises ``EngineError`` naming the problem and builds nothing;
a save killed at any moment leaves the previous snapshot readable.
"""

from __future__ import annotations

import os
import signal
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobtask_engine import EngineError, JobTaskStore
from jobtask_engine.snapshot import FORMAT_VERSION, MAGIC, Body, is_snapshot
from jobtask_engine.testing.factories import make_job_tasks
from jobtask_engine.testing.store_checks import store_differences

ROOT = Path(__file__).resolve().parents[2]

SMALL = [
    {"job_task_id": "a", "domain_id": "d1", "status": "FAILURE", "provider": None, "created_at": "2022-01-01T00:00:00Z",
     "errors": [{"error_code": "E1", "message": "boom", "additional": {"n": 1}}], "finished_at": None},
    {"job_task_id": "b", "domain_id": "d1", "updated_count": 7, "created_at": "2022-01-02T00:00:00.5+09:00",
     "started_at": "2022-01-02T00:00:00Z", "project_id": "p"},
    {"job_task_id": "c", "domain_id": "d2", "created_at": None, "job_id": "j"},
]


def _refusal(path: Path) -> str:
    with pytest.raises(EngineError) as exc:
        JobTaskStore.open(path)
    assert exc.value.code == "ERROR_INVALID_PARAMETER"
    assert str(path) in exc.value.message
    return exc.value.message


@pytest.fixture
def small(tmp_path: Path) -> tuple[JobTaskStore, Path]:
    store = JobTaskStore(SMALL)
    store._table.sorted_index("created_at")  # saved with it
    path = tmp_path / "small.snapshot"
    assert store.save(path) == 3
    return store, path


def test_round_trip_is_the_same_store(small: tuple[JobTaskStore, Path]) -> None:
    store, path = small
    opened = JobTaskStore.open(path)
    assert store_differences(store, opened) == []
    assert list(opened) == list(store)


def test_round_trip_after_updates_and_deletes(tmp_path: Path) -> None:
    store = JobTaskStore(make_job_tasks(600, seed=5))
    infos = list(store)
    for info in infos[::5]:
        store.delete(info["job_task_id"], info["domain_id"])
    for info in infos[1::5]:
        store.update(info["job_task_id"], info["domain_id"], {"provider": None, "finished_at": None, "errors": []})
    for info in infos[2::5]:
        store.update(info["job_task_id"], info["domain_id"],
                     {"status": "FAILURE", "errors": [{"error_code": "NEW", "message": "x"}]})
    store.save(tmp_path / "s")
    opened = JobTaskStore.open(tmp_path / "s")
    assert len(opened) == 480
    assert store_differences(store, opened) == []
    # the opened store takes writes like any other
    target = list(opened)[0]
    opened.update(target["job_task_id"], target["domain_id"], {"status": "SUCCESS"})
    store.update(target["job_task_id"], target["domain_id"], {"status": "SUCCESS"})
    opened.create({"job_task_id": "late", "domain_id": "x"})
    with pytest.raises(EngineError):
        opened.create({"job_task_id": infos[1]["job_task_id"], "domain_id": "x"})


def test_sorted_indexes_are_kept_and_stay_current(tmp_path: Path) -> None:
    """Indexes built before saving come back without a sort (row ids renumbered past the
    deleted rows), answer as rebuilt ones do, and are kept current by later writes."""
    store = JobTaskStore(make_job_tasks(500, seed=8))
    infos = list(store)
    assert store_differences(store, JobTaskStore(make_job_tasks(500, seed=8))) == []  # builds every index
    for info in infos[::9]:
        store.delete(info["job_task_id"], info["domain_id"])
    for index in store._table.built_sorted_indexes().values():
        index.rebuild(store._table.alive)  # settle them
    store.update(infos[1]["job_task_id"], infos[1]["domain_id"], {"updated_count": 77})  # one left unsettled
    store.save(tmp_path / "s")
    opened = JobTaskStore.open(tmp_path / "s")
    kept = set(opened._table.built_sorted_indexes())
    assert kept and "updated_count" not in kept and "created_at" in kept
    assert store_differences(store, opened) == []
    for s in (store, opened):
        s.update(infos[2]["job_task_id"], infos[2]["domain_id"], {"started_at": "2030-01-01T00:00:00Z", "updated_count": 5})
        s.delete(infos[3]["job_task_id"], infos[3]["domain_id"])
        s.create({"job_task_id": "late", "domain_id": infos[0]["domain_id"], "created_at": "2020-01-01T00:00:00Z"})
    assert store_differences(store, opened) == []


def test_edge_values_round_trip(tmp_path: Path) -> None:
    """Blank and longest strings, non-ASCII text, extreme numbers and datetimes, odd errors."""
    store = JobTaskStore([
        {"job_task_id": " ", "domain_id": "", "job_id": "", "provider": "", "project_id": "p" * 255},
        {"job_task_id": "x" * 40, "domain_id": "dömain ☃", "status": " SUCCESS ", "updated_count": 2**63 - 1,
         "created_count": -(2**63), "created_at": "0001-01-01T00:00:00Z", "finished_at": "9999-12-31T23:59:59.999Z",
         "errors": [{"message": "only a message"}, {"error_code": "", "additional": {"big": 10**30, "f": 1.5e-300,
                                                                                   "nested": [{"a": None}]}}]},
        {"job_task_id": "\t tabbed\n", "domain_id": "d", "started_at": None, "created_at": None, "errors": None},
    ])
    store.save(tmp_path / "s")
    opened = JobTaskStore.open(tmp_path / "s")
    assert store_differences(store, opened) == []
    assert list(opened) == list(store)


def test_empty_store_round_trip(tmp_path: Path) -> None:
    JobTaskStore().save(tmp_path / "e")
    assert len(JobTaskStore.open(tmp_path / "e")) == 0


def test_save_replaces_the_old_snapshot_and_leaves_no_temporary(small: tuple[JobTaskStore, Path]) -> None:
    store, path = small
    store.create({"job_task_id": "d", "domain_id": "d1"})
    store.save(path)
    assert len(JobTaskStore.open(path)) == 4
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_truncation_at_every_byte_is_refused(small: tuple[JobTaskStore, Path], tmp_path: Path) -> None:
    _, path = small
    data = path.read_bytes()
    cut = tmp_path / "cut.snapshot"
    for size in range(len(data)):
        cut.write_bytes(data[:size])
        message = _refusal(cut)
        assert ("truncated" in message) or ("not a snapshot" in message and size < len(MAGIC)), (size, message)


def test_every_flipped_byte_is_refused(small: tuple[JobTaskStore, Path], tmp_path: Path) -> None:
    _, path = small
    data = path.read_bytes()
    bad = tmp_path / "bad.snapshot"
    for at in range(len(data)):
        for mask in (0x01, 0xFF):
            damaged = bytearray(data)
            damaged[at] ^= mask
            bad.write_bytes(bytes(damaged))
            _refusal(bad)


def test_trailing_bytes_are_refused(small: tuple[JobTaskStore, Path], tmp_path: Path) -> None:
    _, path = small
    longer = tmp_path / "longer"
    longer.write_bytes(path.read_bytes() + b"\n")
    assert "trailing" in _refusal(longer)


@pytest.mark.parametrize(
    "content",
    [b"", b"[]", b'{"job_task_id": "a"}\n', b"\x89PNG\r\n\x1a\n" + bytes(64), b"\x1f\x8b\x08\x00", os.urandom(200)],
    ids=["empty", "json", "jsonl", "png", "gzip", "random"],
)
def test_foreign_files_are_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "foreign"
    path.write_bytes(content)
    assert "not a snapshot" in _refusal(path)
    assert not is_snapshot(path)


def test_an_unwritable_store_is_refused_before_any_file_is_touched(tmp_path: Path) -> None:
    store = JobTaskStore([{"job_task_id": "a\x00b", "domain_id": "d"}])
    with pytest.raises(EngineError) as exc:
        store.save(tmp_path / "s")
    assert "NUL" in exc.value.message
    assert list(tmp_path.iterdir()) == []


def test_missing_file_and_unwritable_target(tmp_path: Path) -> None:
    assert "No such file" in _refusal(tmp_path / "absent")
    with pytest.raises(EngineError) as exc:
        JobTaskStore(SMALL).save(tmp_path / "no-such-dir" / "s")
    assert "Cannot write snapshot" in exc.value.message


def test_other_format_version_is_refused(small: tuple[JobTaskStore, Path], tmp_path: Path) -> None:
    _, path = small
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, len(MAGIC), FORMAT_VERSION + 1)
    newer = tmp_path / "newer"
    newer.write_bytes(bytes(data))
    assert "version" in _refusal(newer)


def test_a_format_2_snapshot_is_refused_by_name(small: tuple[JobTaskStore, Path], tmp_path: Path) -> None:
    """Format 2 (strings with code 0 for the absent value) is not read: the message names both
    versions, so the user knows to save again from the source files."""
    _, path = small
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, len(MAGIC), 2)
    older = tmp_path / "older"
    older.write_bytes(bytes(data))
    message = _refusal(older)
    assert "format version 2 is not supported" in message and f"reads {FORMAT_VERSION}" in message


def _rewritten(path: Path, out: Path, change) -> Path:
    """The snapshot with its body changed by ``change`` and a correct checksum (a crafted file)."""
    data = path.read_bytes()
    body = msgspec.msgpack.decode(data[24:], type=Body)
    change(body)
    raw = msgspec.msgpack.encode(body)
    out.write_bytes(struct.pack("<8sIQI", MAGIC, FORMAT_VERSION, len(raw), zlib.crc32(raw)) + raw)
    return out


@pytest.mark.parametrize(
    "change",
    [
        lambda b: setattr(b, "rows", b.rows + 1),
        lambda b: setattr(b, "ids", b"a\x00a\x00c\x00"),
        lambda b: setattr(b, "ids", b"a\x00b\x00c"),
        lambda b: setattr(b, "ids", b"a\x00b\x00\xff\x00"),
        lambda b: b.strings["status"].values.__setitem__(0, "BOGUS"),
        lambda b: setattr(b.strings["job_id"], "codes", b"\x09" * b.rows),
        lambda b: setattr(b.strings["status"], "codes", b"\x00" * b.rows),
        lambda b: b.ints.pop("created_count"),
        lambda b: setattr(b.times["started_at"], "nulls", b"\x03" * b.rows),
        lambda b: setattr(b.times["created_at"], "values", struct.pack("<q", 2**62) * b.rows),
        lambda b: setattr(b.errors, "lists", b'[[{"error_code": 5}]]'),
        lambda b: setattr(b.errors, "lists", b"[[]]"),
        lambda b: setattr(b.errors, "codes", b"\x07" * b.rows),
        lambda b: b.strings["domain_id"].values.__setitem__(0, "x" * 256),
        lambda b: b.sorted.__setitem__("status", b.sorted["created_at"]),
        lambda b: setattr(b.sorted["created_at"], "perm", b"\x09" + b.sorted["created_at"].perm[1:]),
        lambda b: setattr(b.sorted["created_at"], "bounds", b.sorted["created_at"].bounds[::-1]),
        lambda b: setattr(b.sorted["created_at"], "codes", b"\xff" * b.rows),
        lambda b: setattr(b.sorted["created_at"], "keys", b"\x00" * 8),
        lambda b: setattr(b.strings["provider"], "codes", b"\x00" * b.rows),
        lambda b: setattr(b.strings["job_id"], "codes", b"\x01" * b.rows),
        lambda b: setattr(b.strings["status"], "codes", b"\x01" * b.rows),
        lambda b: b.strings.__setitem__("job_id", type(b.strings["job_id"])(b.strings["job_id"].values, 2, b"\x00\x00" * b.rows)),
        lambda b: b.strings.__setitem__("job_id", type(b.strings["job_id"])(["j"], 2, b"\x02\x01" * b.rows)),
        lambda b: b.strings["domain_id"].values.append("d1"),
    ],
    ids=["rows", "duplicate-id", "unterminated-ids", "ids-not-utf8", "status-value", "code-range", "status-absent", "column-missing",
         "null-marks", "datetime-range", "error-type", "empty-error-list", "error-code-range", "too-long",
         "index-of-a-string", "index-row", "index-bounds", "index-codes", "index-length",
         "nullable-not-stored", "null-in-a-not-nullable", "status-null", "code-width", "wide-code-range", "repeated-value"],
)
def test_crafted_bodies_with_a_good_checksum_are_refused(small: tuple[JobTaskStore, Path], tmp_path: Path, change) -> None:
    _, path = small
    message = _refusal(_rewritten(path, tmp_path / "crafted", change))
    assert "corrupt" in message
    assert "created_at" in msgspec.msgpack.decode(path.read_bytes()[24:], type=Body).sorted


_SAVER = """
import sys
sys.path.insert(0, {root!r})
from jobtask_engine import JobTaskStore
from jobtask_engine.testing.factories import make_job_tasks
store = JobTaskStore(make_job_tasks(30000, seed=9))
print("ready", flush=True)
while True:
    store.save({path!r})
"""


def test_a_save_killed_midway_leaves_the_old_snapshot(tmp_path: Path) -> None:
    """A process saving over and over is SIGKILLed at varied moments: the file at the
    path always opens, holding either the old records or all the new ones, and both
    outcomes are seen (a kill during the first save, and one after a save completed)."""
    path = tmp_path / "s.snapshot"
    old = JobTaskStore(SMALL)
    seen: set[int] = set()
    delays = (0.0, 0.6, 0.0, 0.02, 1.2, 0.05, 0.1, 2.0, 0.0, 0.3)
    for delay in delays:
        old.save(path)
        proc = subprocess.Popen(
            [sys.executable, "-c", _SAVER.format(root=str(ROOT), path=str(path))],
            stdout=subprocess.PIPE, text=True,
        )
        try:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
            time.sleep(delay)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=60)
        opened = JobTaskStore.open(path)
        assert len(opened) in (3, 30000)
        if len(opened) == 3:
            assert store_differences(old, opened) == []
        seen.add(len(opened))
        if seen == {3, 30000}:
            break
    assert seen == {3, 30000}
    old.save(path)  # and the next save clears the killed saves' temporary files
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=4),
       cut=st.integers(0, 40))
def test_fuzzed_bodies_with_a_good_checksum_open_or_are_refused(tmp_path_factory, edits, cut) -> None:
    """Whatever the body holds, opening it gives a store or an EngineError, nothing else."""
    directory = tmp_path_factory.mktemp("fuzz")
    source = JobTaskStore(SMALL)
    source._table.sorted_index("created_at")
    source.save(directory / "s")
    body = bytearray((directory / "s").read_bytes()[24:])
    for at, value in edits:
        body[at % len(body)] = value
    if cut:
        del body[-cut:]
    raw = bytes(body)
    path = directory / "f"
    path.write_bytes(struct.pack("<8sIQI", MAGIC, FORMAT_VERSION, len(raw), zlib.crc32(raw)) + raw)
    try:
        opened = JobTaskStore.open(path)
    except EngineError:
        return
    list(opened)  # a store that opened answers
    for domain in opened.domains():
        opened.list({"domain_id": domain, "query": {"sort": [{"key": "created_at", "desc": True}],
                                                    "filter": [{"k": "created_at", "v": "2022-01-01T12:00:00Z", "o": "datetime_gte"}]}})
        opened.stat({"domain_id": domain, "query": {"distinct": "job_id"}})


@given(st.lists(st.one_of(st.integers(-(2**63), 2**63 - 1), st.integers(-(2**49), 2**49),
                          st.sampled_from([0, -1, 0xE6 << 40, (0xE6 << 40) - 1, -(0x38 << 40), -(0x38 << 40) - 1])),
                min_size=1, max_size=20))
def test_the_datetime_range_check_on_high_bytes_is_exact(values: list[int]) -> None:
    from array import array

    from jobtask_engine.snapshot import _all_in_datetime_range
    from jobtask_engine.timeutil import MAX_MS, MIN_MS

    for edge in (MIN_MS, MAX_MS, MIN_MS - 1, MAX_MS + 1):
        raw = array("q", [*values, edge])
        assert _all_in_datetime_range(raw.tobytes(), raw) == all(MIN_MS <= v <= MAX_MS for v in raw)


@given(st.integers(258, 65536), st.sampled_from([set(), {0}, {1}, {0, 1}]),
       st.lists(st.integers(0, 65535), max_size=30), st.data())
def test_the_two_byte_code_check_is_exact(limit: int, wrong: set[int], codes: list[int], data) -> None:
    from array import array

    from jobtask_engine.snapshot import _two_byte_codes_valid

    # codes near the edges (the limit's high and low bytes, the reserved codes) as well as anywhere
    edges = [c for c in (0, 1, limit - 1, limit, limit - 256, limit + 255, (limit - 1) | 0xFF) if 0 <= c < 65536]
    codes = codes + data.draw(st.lists(st.sampled_from(edges), max_size=3))
    raw = array("H", codes).tobytes()
    assert _two_byte_codes_valid(raw, limit, wrong) == all(c < limit and c not in wrong for c in codes)
