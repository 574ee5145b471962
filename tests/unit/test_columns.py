"""``TimeColumn`` reads and writes like the list of ``int | None | MISSING`` it replaces,
with its sentinel count and raw array in step, whatever the writes."""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from jobtask_engine import columns
from jobtask_engine.columns import MISSING_MS, NULL_MS, TimeColumn
from jobtask_engine.schema import MISSING
from jobtask_engine.timeutil import MAX_MS, MIN_MS

VALUES = st.one_of(st.integers(MIN_MS, MAX_MS), st.none(), st.just(MISSING))


def _typed(xs: Any) -> list:
    return [(type(x).__name__, x) for x in xs]


def _check(col: TimeColumn, model: list) -> None:
    assert len(col) == len(model)
    assert _typed(col) == _typed(model)
    assert _typed(col[r] for r in range(len(model))) == _typed(model)
    assert col.absent == sum(1 for x in model if x is None or x is MISSING)
    assert col.absent == col.raw.count(NULL_MS) + col.raw.count(MISSING_MS)
    assert col == model
    assert (None in col) == any(x is None for x in model)
    assert (MISSING in col) == any(x is MISSING for x in model)


def _exercised(kind: type, check: Any, first: list, more: list, writes: list, as_generator: bool) -> tuple[Any, list]:
    """A column of ``kind`` and its model list put through the same extend, writes and reads."""
    col = kind(first)
    model = list(first)
    check(col, model)
    col.extend((x for x in more) if as_generator else more)
    model += more
    check(col, model)
    for r, v in writes:
        if model:
            r %= len(model)
            col[r] = v
            model[r] = v
    check(col, model)
    if len(model) > 1:
        rows = list(range(len(model)))[::-1]
        assert _typed(columns.take(col, itemgetter(*rows))) == _typed([model[r] for r in rows])
        assert _typed(col[1:]) == _typed(model[1:])
    return col, model


def _column_runs(values: Any, size: int) -> Any:
    """``given`` of a first fill, an extend and writes of ``values`` (rows up to 2 * size)."""
    return given(
        first=st.lists(values, max_size=size),
        more=st.lists(values, max_size=size),
        writes=st.lists(st.tuples(st.integers(0, 2 * size - 1), values), max_size=10),
        as_generator=st.booleans(),
    )


@_column_runs(VALUES, 20)
def test_time_column_behaves_like_its_list(first: list, more: list, writes: list, as_generator: bool) -> None:
    col, model = _exercised(TimeColumn, _check, first, more, writes, as_generator)
    copy = TimeColumn()
    copy.extend(col)
    _check(copy, model)
    assert _typed(TimeColumn.of_array(col.raw[:])) == _typed(model)


# -- CodeColumn -------------------------------------------------------------------------

from array import array  # noqa: E402

from jobtask_engine.columns import CODE_MISSING, CODE_NULL, CodeColumn  # noqa: E402

#: Few strings (so that codes repeat) or many (past the 1-byte limit), null and not stored.
STRINGS = st.one_of(st.sampled_from(["aws", "google", "", "☃"]), st.text(max_size=3), st.none(), st.just(MISSING))


def _check_codes(col: CodeColumn, model: list) -> None:
    assert len(col) == len(model)
    assert _typed(col) == _typed(model)
    assert _typed(col[r] for r in range(len(model))) == _typed(model)
    assert col == model
    assert col.values[CODE_MISSING] is MISSING and col.values[CODE_NULL] is None
    assert col.code_of == {v: i for i, v in enumerate(col.values)}
    assert len(set(col.values[2:])) == len(col.values) - 2
    assert _typed(col.values[c] for c in col.codes) == _typed(model)
    assert list(col.code_list()) == list(col.codes)  # (made now if wide; kept current by the writes after)
    width = "B" if len(col.values) <= 256 else "H" if len(col.values) <= 1 << 16 else "I"
    assert col.codes.typecode == width
    for v in (None, MISSING, "aws"):
        assert (v in col) == any(x is v or (type(x) is str and x == v) for x in model)


@_column_runs(STRINGS, 30)
def test_code_column_behaves_like_its_list(first: list, more: list, writes: list, as_generator: bool) -> None:
    col, model = _exercised(CodeColumn, _check_codes, first, more, writes, as_generator)
    again = CodeColumn.of_parts(array(col.codes.typecode, col.codes), col.values[2:])
    _check_codes(again, model)


def test_code_column_grows_past_255_and_65535_distinct_values() -> None:
    col = CodeColumn(["v0", None, MISSING])
    assert col.codes.typecode == "B"
    col.extend(f"v{i}" for i in range(254))  # 2 reserved + 254 values = 256 codes: still a byte
    assert col.codes.typecode == "B" and len(col.values) == 256
    col.append("v254")  # the 257th code
    assert col.codes.typecode == "H"
    assert col[0] == "v0" and col[1] is None and col[2] is MISSING and col[-1] == "v254"
    assert col.code_list() is not col.codes and list(col.code_list()) == list(col.codes)
    col[1] = "brand-new"  # an update to a value never seen
    assert col[1] == "brand-new" and col.codes[1] == len(col.values) - 1
    col.extend(f"w{i}" for i in range(1 << 16))
    assert col.codes.typecode == "I" and col[-1] == f"w{(1 << 16) - 1}" and col[0] == "v0"
    assert list(col.code_list()) == list(col.codes)
    col.extend(["w300", "w300"])  # two rows of one code above 256 share its int object
    shared = col.code_list()
    assert shared[-1] == shared[-2] == col.code("w300") > 256 and shared[-1] is shared[-2]


def test_null_and_not_stored_are_the_reserved_codes_and_a_delete_keeps_the_value() -> None:
    col = CodeColumn(["a", None, MISSING, "b", "a"])
    assert list(col.codes) == [2, CODE_NULL, CODE_MISSING, 3, 2]
    col[0] = MISSING  # a delete: the row reads not stored, the value stays in the table for the others
    assert col[0] is MISSING and col[4] == "a" and col.code("a") == 2
    col[3] = MISSING
    assert "b" not in col and col.code("b") == 3  # no row holds it; its code is never reused
    col[3] = "b"
    assert col.codes[3] == 3
    assert col.value_mask([2, CODE_NULL]) == bytes([0, 1, 0, 0, 1])
    assert col.code("never") is None


def test_the_same_values_in_any_batches_give_the_same_table() -> None:
    values = ["x", None, "y", "x", MISSING, "z", "y"]
    whole = CodeColumn(values)
    one_by_one = CodeColumn()
    for v in values:
        one_by_one.append(v)
    halves = CodeColumn(values[:3])
    halves.extend(values[3:])
    for other in (one_by_one, halves):
        assert other.values == whole.values and other.codes == whole.codes
