"""Hostile values and structured mutations of valid requests and records (shared by the fuzz suites).

``mutated(valid)`` draws a valid request or record and replaces one value
somewhere inside it (any depth, any position) with a hostile one: a wrong
type, a deep nesting, a huge list or number, NaN/Infinity, an edge datetime,
a long string, a pathological pattern, or (in-process only) an object JSON
cannot hold.
"""

from __future__ import annotations

import datetime as _dt
import signal
from contextlib import contextmanager
from typing import Any, Iterator

from hypothesis import strategies as st

#: A call slower than this stops the test (a cap against hangs, not a speed assertion).
CALL_CAP_SECONDS = 20


def nested(depth: int, leaf: Any = 1, kind: str = "dict") -> Any:
    value = leaf
    for _ in range(depth):
        value = {"x": value} if kind == "dict" else [value]
    return value


PATTERNS = [
    "(a+)+$", "(a|a)*b", "(a|ab)*c", "(x+x+)+y", "(\\w+\\s?)*$", "(.*a){12}", "^(([a-z])+.)+[A-Z]([a-z])+$",
    "(" * 1000, ")" * 5, "a{4294967296}", "a{1000}{1000}", "(a)\\1", "[" * 300, "\\", "(?P<x>a)(?P=x)",
    "((((((((((((((((((((((((((((((((((((((((a))))))))))))))))))))))))))))))))))))))))", ".*.*.*.*.*.*=", "a" * 5000,
]
DATETIMES = [
    "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-23:59", "9999-12-31T24:00:00", "0000-01-01", "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999999Z", "2022-02-30", "now-99999999999d", "now+100000000w",
    _dt.datetime.min, _dt.datetime.max, _dt.datetime(1, 1, 1, tzinfo=_dt.timezone(_dt.timedelta(hours=23))),
    _dt.datetime(9999, 12, 31, 23, tzinfo=_dt.timezone(-_dt.timedelta(hours=23))), _dt.date.max,
]
NUMBERS = [2**63, -(2**63) - 1, 2**64, 10**400, -(10**400), 1e308, -1e308, float("nan"), float("inf"), float("-inf"), 4294967296, -1, 0]


class NotJSON:
    """An object no JSON can hold (in-process callers can pass anything)."""

    def __repr__(self) -> str:
        return "NotJSON()"


def _not_json() -> st.SearchStrategy:
    return st.sampled_from([NotJSON(), {1, 2}, (1, 2), b"bytes", object(), {("a",): 1}, {1: "x"}, frozenset()])


def hostile_values(in_process: bool = True) -> st.SearchStrategy:
    options = [
        st.sampled_from(NUMBERS),
        st.sampled_from(DATETIMES if in_process else [d for d in DATETIMES if isinstance(d, str)]),
        st.sampled_from(PATTERNS),
        # sizes from a list rather than a range: hypothesis favours small ends, the edges are what matter
        # (over HTTP the test's own JSON encoder recurses: deeper bodies are sent as raw text elsewhere)
        st.builds(nested, st.sampled_from([20, 33, 40, 99, 101, 300, 1000, 5000] if in_process else [20, 33, 99, 101, 300, 800]),
                  st.just(1), st.sampled_from(["dict", "list"])),
        st.sampled_from([1_001, 10_001, 300_000]).map(lambda n: list(range(n))),
        st.sampled_from([33, 1_001, 10_001, 50_000]).map(lambda n: [f"w{i}" for i in range(n)]),
        st.sampled_from([2_049, 65_537, 200_000]).map(lambda n: "a" * n),
        st.sampled_from([17, 100, 20_000]).map(lambda n: "%H" * n),
        st.sampled_from([17, 100, 10_000]).map(lambda n: " ".join(f"k{i}" for i in range(n))),
        st.none() | st.booleans() | st.integers() | st.text(max_size=5) | st.just([]) | st.just({}),
    ]
    if in_process:
        options.append(_not_json())
    return st.one_of(*options)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value[:20]):
            out += _paths(v, prefix + (i,))
    return out


def _replace(value: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replace(value[head], rest, new)}
    copy = list(value)
    copy[head] = _replace(copy[head], rest, new)
    return copy


@st.composite
def mutated(draw, valid: st.SearchStrategy, in_process: bool = True) -> Any:
    """A valid value with one position (or a new key) replaced by a hostile value."""
    value = draw(valid)
    paths = _paths(value)
    path = draw(st.sampled_from(paths))
    hostile = draw(hostile_values(in_process))
    if draw(st.booleans()) and path and isinstance(value, dict):
        # sometimes add a sibling key instead of replacing
        return _replace(value, path[:-1], {**_get(value, path[:-1]), draw(st.sampled_from(["v", "value", "key", "fields", "date_format", "x"])): hostile}) if isinstance(_get(value, path[:-1]), dict) else value
    return _replace(value, path, hostile)


def _get(value: Any, path: tuple) -> Any:
    for p in path:
        value = value[p]
    return value


@contextmanager
def time_cap(seconds: int = CALL_CAP_SECONDS) -> Iterator[None]:
    """Stop a call that runs away (SIGALRM, main thread only; elsewhere no cap)."""

    def stop(signum: int, frame: Any) -> None:
        raise TimeoutError(f"call did not finish within {seconds} s")

    try:
        old = signal.signal(signal.SIGALRM, stop)
    except ValueError:  # not the main thread
        yield
        return
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
