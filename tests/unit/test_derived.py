"""The one lookup of data kept beside a table (``storage/derived.py``): kept, caught up or built,
most recently used last, within its budget, built once by concurrent readers.

A stand-in table (a version, a write log, a build lock) drives the mechanism alone; the
kinds themselves are tested through the table by their own tests (bit slices, group codes,
object codes, pair counts).
"""

from __future__ import annotations

import threading
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from jobtask_engine.storage import Table
from jobtask_engine.storage.derived import Kind, within_share
from jobtask_engine.thresholds import CATCH_UP_SHARE


class _Table:
    """What ``Kind`` reads of a table."""

    def __init__(self) -> None:
        self.derived: dict = {}
        self.build_lock = threading.RLock()
        self.version = 0
        self.log: list[int] = []  # row written by the change making version i + 1
        self.trims = 0

    def trim_after_build(self) -> None:
        self.trims += 1

    def write(self, row: int) -> None:
        self.log.append(row)
        self.version += 1

    def rows_written_since(self, version: int) -> list[int] | None:
        return self.log[version:]


class _Entry:
    def __init__(self, key, version: int, weight: int = 1) -> None:
        self.key, self.version, self.weight, self.caught = key, version, weight, []


def _lookup(kind: Kind, table: _Table, key, built: list, catch_up: bool = True, weight: int = 1) -> _Entry:
    def build() -> _Entry:
        built.append(key)
        return _Entry(key, table.version, weight)

    def caught(got: _Entry, rows) -> bool:
        if not catch_up:
            return False
        got.caught.append(list(rows))
        got.version = table.version
        return True

    return kind.current(table, key, build, caught)


def test_an_entry_is_built_once_then_kept_then_caught_up_with_the_rows_written():
    kind, table, built = Kind("k"), _Table(), []
    first = _lookup(kind, table, "a", built)
    assert _lookup(kind, table, "a", built) is first and built == ["a"]
    table.write(3)
    table.write(5)
    assert _lookup(kind, table, "a", built) is first and built == ["a"]
    assert first.caught == [[3, 5]] and first.version == 2
    assert _lookup(kind, table, "a", built) is first and first.caught == [[3, 5]]  # current: not asked


def test_an_entry_refusing_to_catch_up_is_rebuilt_in_its_place():
    kind, table, built = Kind("k"), _Table(), []
    first = _lookup(kind, table, "a", built)
    _lookup(kind, table, "b", built)
    table.write(0)
    again = _lookup(kind, table, "a", built, catch_up=False)
    assert again is not first and again.version == 1 and built == ["a", "b", "a"]
    assert list(kind[table]) == ["b", "a"]  # most recently used last


def test_a_budget_drops_the_least_recently_used_and_always_keeps_the_one_asked():
    kind, table, built = Kind("k", lambda: 2), _Table(), []
    for key in "abca":
        _lookup(kind, table, key, built)
    assert list(kind[table]) == ["c", "a"] and built == ["a", "b", "c", "a"]
    heavy = Kind("h", lambda: 10, lambda e: e.weight)
    _lookup(heavy, table, "x", built, weight=4)
    _lookup(heavy, table, "y", built, weight=5)
    assert list(heavy[table]) == ["x", "y"]
    _lookup(heavy, table, "z", built, weight=30)  # alone over the budget: kept, the rest dropped
    assert list(heavy[table]) == ["z"]


def test_a_trimming_kind_hands_memory_back_after_a_build_only():
    kind, plain, table, built = Kind("k", trim=True), Kind("p"), _Table(), []
    _lookup(kind, table, "a", built)
    _lookup(kind, table, "a", built)
    table.write(1)
    _lookup(kind, table, "a", built)  # caught up
    assert table.trims == 1
    _lookup(kind, table, "b", built)
    _lookup(plain, table, "a", built)
    assert table.trims == 2


def test_kinds_are_apart_and_peek_neither_builds_nor_reorders():
    one, two, table, built = Kind("one"), Kind("two"), _Table(), []
    got = _lookup(one, table, "a", built)
    _lookup(one, table, "b", built)
    assert two.peek(table, "a") is None and list(two[table]) == []
    assert one.peek(table, "a") is got and list(one[table]) == ["a", "b"]
    assert one.peek(_Table(), "a") is None and built == ["a", "b"]


def test_a_real_table_holds_each_kind_apart_from_other_tables():
    kind, built = Kind("k"), []
    a, b = Table(), Table()
    got = kind.current(a, "f", lambda: built.append(1) or _Entry("f", a.version), lambda e, rows: True)
    assert kind.peek(a, "f") is got and kind.peek(b, "f") is None and a.derived == {kind: {"f": got}}


def test_concurrent_readers_build_an_entry_once():
    kind, table, built = Kind("k"), _Table(), []
    start = threading.Barrier(6)

    def build() -> _Entry:
        built.append(1)
        time.sleep(0.02)  # let the others arrive while it builds
        return _Entry("a", table.version)

    got: list = []

    def read() -> None:
        start.wait()
        got.append(kind.current(table, "a", build, lambda e, rows: True))

    threads = [threading.Thread(target=read) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(built) == 1 and len({id(g) for g in got}) == 1


def test_within_share():
    assert within_share([], 0) and not within_share(None, 100)
    assert within_share([1] * 10, 10 * CATCH_UP_SHARE) and not within_share([1] * 11, 10 * CATCH_UP_SHARE)


_OPS = st.lists(
    st.one_of(
        st.tuples(st.just("use"), st.sampled_from("abcde"), st.booleans(), st.integers(1, 6)),
        st.tuples(st.just("write"), st.integers(0, 99)),
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(_OPS, st.integers(1, 12))
def test_entries_follow_a_model_of_use_order_and_budget(ops, budget):
    """After every use: the entry handed out stands at the table's version, was built exactly
    when none was kept or it refused to catch up, and the kept keys are the most recently
    used ones, in use order, whose weights fit the budget (the last one always kept)."""
    kind = Kind("k", lambda: budget, lambda e: e.weight)
    table, built = _Table(), []
    model: dict[str, int] = {}  # key -> weight, least recently used first
    for op in ops:
        if op[0] == "write":
            table.write(op[1])
            continue
        _, key, catch_up, weight = op
        kept = key in model and (table.version == kind[table][key].version or catch_up)
        before = len(built)
        got = _lookup(kind, table, key, built, catch_up, weight)
        assert got.version == table.version
        assert len(built) == before + (not kept)
        w = model.pop(key, None)
        model[key] = weight if not kept else w
        while sum(model.values()) > budget and len(model) > 1:
            model.pop(next(iter(model)))
        assert list(kind[table]) == list(model)
        assert all(kind[table][k].weight == model[k] for k in model)
