"""Record files read as a stream: gzip, JSON Lines in pieces, positions across pieces, refusals."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobtask_engine import EngineError, JobTaskStore
from jobtask_engine import ingest
from jobtask_engine.testing.factories import make_job_tasks
from jobtask_engine.testing.store_checks import store_differences

RECORDS = make_job_tasks(120, seed=4)


def _lines(records: list[dict]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def _refused(path: Path) -> str:
    with pytest.raises(EngineError) as exc:
        JobTaskStore.load(path)
    assert exc.value.code == "ERROR_INVALID_PARAMETER"
    return exc.value.message


@pytest.mark.parametrize("piece", [64, 1000, 1 << 23])
def test_pieces_of_any_size_give_the_same_store(tmp_path: Path, monkeypatch, piece: int) -> None:
    monkeypatch.setattr(ingest, "CHUNK_BYTES", piece)
    plain = tmp_path / "a.jsonl"
    plain.write_bytes(b"\xef\xbb\xbf" + _lines(RECORDS).replace(b"\n", b"\n\n", 3))  # a BOM, blank lines
    packed = tmp_path / "a.jsonl.gz"
    packed.write_bytes(gzip.compress(_lines(RECORDS)))
    array = tmp_path / "a.json.gz"
    array.write_bytes(gzip.compress(json.dumps(RECORDS).encode()))
    expected = JobTaskStore(RECORDS)
    for path in (plain, packed, array):
        assert store_differences(expected, JobTaskStore.load(path)) == [], path


@given(lines=st.lists(st.binary(max_size=90).map(lambda b: b.replace(b"\n", b"")), max_size=30),
       piece=st.integers(1, 120), final_break=st.booleans())
@settings(max_examples=200, deadline=None)
def test_line_pieces_cut_only_at_line_breaks_and_lose_nothing(lines: list[bytes], piece: int, final_break: bool) -> None:
    data = b"\n".join(lines) + (b"\n" if final_break and lines else b"")
    head, rest = data[:piece], data[piece:]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ingest, "CHUNK_BYTES", piece)
        pieces = [bytes(p) for p in ingest._line_pieces(io.BytesIO(rest), head)]  # copied: views of a reused buffer
    assert b"".join(pieces) == data
    assert all(p.endswith(b"\n") for p in pieces[:-1])
    assert all(p for p in pieces)


def test_no_final_line_break(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(_lines(RECORDS[:3]).rstrip(b"\n"))
    assert len(JobTaskStore.load(path)) == 3


def test_the_position_of_a_bad_record_counts_across_pieces(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(ingest, "CHUNK_BYTES", 500)
    bad = [*RECORDS[:50], {**RECORDS[50], "status": "NOPE"}, *RECORDS[51:]]
    path = tmp_path / "bad.jsonl.gz"
    path.write_bytes(gzip.compress(_lines(bad)))
    message = _refused(path)
    assert "NOPE" in message or "status" in message
    store = JobTaskStore()
    with pytest.raises(EngineError):
        store.load_file(path)
    assert len(store) == 0  # all or nothing


def test_the_position_of_a_mistyped_field_counts_across_pieces(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(ingest, "CHUNK_BYTES", 500)
    bad = [*RECORDS[:70], {**RECORDS[70], "updated_count": "many"}, *RECORDS[71:]]
    path = tmp_path / "bad.jsonl"
    path.write_bytes(_lines(bad))
    assert "$[70].updated_count" in _refused(path)


@pytest.mark.parametrize(
    "content, words",
    [
        (gzip.compress(_lines(RECORDS))[:-30], "Cannot read"),
        (b"\x1f\x8b\x08\x00garbage", "Cannot read"),
        (b'{"job_task_id": "a"}\n{"job_task_id": \n', "Malformed JSON"),
        (b'[{"job_task_id": "a"}, {', "Malformed JSON"),
    ],
    ids=["truncated-gzip", "bad-gzip", "broken-line", "broken-array"],
)
def test_damaged_files_are_refused(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "f"
    path.write_bytes(content)
    assert words in _refused(path)


def test_missing_file(tmp_path: Path) -> None:
    assert "No such file" in _refused(tmp_path / "absent.jsonl")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_only_on_a_terminal_after_a_moment(monkeypatch) -> None:
    shown = _Terminal()
    meter = ingest.Progress("x.jsonl", 4 << 20, stream=shown)
    meter.update(1 << 20)  # too early: nothing
    assert shown.getvalue() == ""
    monkeypatch.setattr(ingest, "PROGRESS_AFTER", 0.0)
    meter.update(2 << 20)
    meter.finish()
    assert shown.getvalue() == "\rloading x.jsonl:  50% (2 of 4 MB)\r\x1b[K"
    quiet = io.StringIO()
    meter = ingest.Progress("x.jsonl", 4 << 20, stream=quiet)
    meter.update(4 << 20)
    meter.finish()
    assert quiet.getvalue() == ""
