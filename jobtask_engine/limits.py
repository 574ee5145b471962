"""The limits that keep one request's work bounded, in one table.

Every request on a 100k-record store must finish in well under a second of
CPU or be refused up front.  The request layer calls the ``check_*``
functions below while it parses, so a request over a limit is refused with an
``EngineError`` naming the limit (``ERROR_LIMIT_EXCEEDED``) before it is
planned, and never reaches the store.

Each limit has a name, a default, and the measurement that chose it (see
``LIMITS_TABLE``; the README prints it).  An embedder sets them per store,
``JobTaskStore(limits=Limits(max_in_values=50_000))``, or for every store made
afterwards with ``set_default_limits``.  The store makes its limits the active
ones for the duration of each call (a context variable: threads and tasks see
their own), so parsing code needs no extra argument.
"""

from __future__ import annotations

import contextvars
import dataclasses
import re
import sys
from contextlib import contextmanager
from typing import Any, Iterable, Iterator

# The regex parser (the regex safety check here, stat's match patterns): one import for both.
if sys.version_info >= (3, 11):  # where it moved (the old names warn there)
    import re._constants as _sre
    import re._parser as sre_parser
else:  # pragma: no cover - older Pythons
    import sre_constants as _sre
    import sre_parse as sre_parser

from .errors import EngineError

__all__ = [
    "Limits",
    "LimitError",
    "sre_parser",
    "LIMITS_TABLE",
    "active_limits",
    "set_default_limits",
    "using_limits",
    "limit_exceeded",
    "check_request",
    "check_condition",
    "check_keyword",
    "check_pattern",
    "check_date_format",
    "check_operands",
    "check_rows",
    "check_pipeline",
    "pipeline_terms",
    "nesting_depth",
    "backtracking_degree",
]


@dataclasses.dataclass(frozen=True)
class Limits:
    """Per-request bounds; see ``LIMITS_TABLE`` for why each default is what it is."""

    max_depth: int = 32
    max_string_length: int = 65_536
    max_list_items: int = 10_000
    max_in_values: int = 10_000
    max_contain_values: int = 32
    max_keyword_words: int = 16
    max_pattern_length: int = 1_024
    max_regex_repeat: int = 1_000
    max_operands: int = 16
    max_date_format_length: int = 32
    max_pipeline_rows: int = 1_000_000
    max_pipeline_stages: int = 16
    max_pipeline_terms: int = 32
    max_pipeline_work: int = 500_000_000
    plan_cache_bytes: int = 64 * 1024 * 1024

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if type(value) is not int or value < 1:
                raise EngineError("ERROR_INVALID_PARAMETER", f"Limit {field.name} must be a positive integer, not {value!r}")


#: name -> (what it bounds, the measurement that chose the default).  Timings: CPython
#: 3.11 on the project's 2-core machine, 100k records (``benchmarks/limits_probe.py``).
LIMITS_TABLE: dict[str, tuple[str, str]] = {
    "max_depth": (
        "nesting of dicts and lists anywhere in a request",
        "the deepest request shapes (a nested project calculation, an elem match) nest ~10; 1,000 levels "
        "overflowed the stack",
    ),
    "max_string_length": (
        "characters of any one string in a request",
        "the longest stored field is an error message (2,048 characters); the walk checks a 64k string in 0.01 ms",
    ),
    "max_list_items": (
        "items of any one list in a request (conditions, stages, fields, values)",
        "a 10k-value list is walked in 6 ms and parsed in 10 ms; the value-list limits below are the tighter ones",
    ),
    "max_in_values": (
        "values of an in / not_in condition (and a list-valued top-level key)",
        "10k ids against 100k records: 0.05 s (was 47 s before in-lists became one set lookup a row)",
    ),
    "max_contain_values": (
        "values of contain_in / not_contain_in / regex_in",
        "each value is a scan of the column: 32 of them over 100k rows 0.3 s (256: 2.3 s)",
    ),
    "max_keyword_words": (
        "words of query.keyword (each one a contain on job_task_id)",
        "as contain_in: 16 words over 100k ids 0.34 s (64: 1.3 s); 10k words took 18 s on 5k records",
    ),
    "max_pattern_length": (
        "characters of a regex pattern",
        "a 900-character pattern is checked and compiled in 1 ms; longer ones are not written by hand",
    ),
    "max_regex_repeat": (
        "a counted repeat {m,n} in a pattern (and its nesting)",
        "re overflowed past 4294967295; nested counts multiply (their product may reach 10x this)",
    ),
    "max_operands": (
        "operands of one project calculation, and fields of one project stage",
        "16 operands over 100k rows 0.25 s (64: 0.76 s); thousands took > 20 s on 5k records",
    ),
    "max_date_format_length": (
        "characters of a date_format",
        "a 32-character format over 100k rows 0.44 s (256: 2.0 s); 20,000 %H took 40 s on 5k records",
    ),
    "max_pipeline_rows": (
        "rows a stat pipeline stage may produce (an unwind multiplies rows)",
        "an unwind's rows are counted before any is made: a Cartesian unwind of two pushed 100k-id arrays is "
        "refused in 0.07 s (0.9 s when the rows were counted as they were made); three such unwinds took 2 GB",
    ),
    "max_pipeline_stages": (
        "stages of a stat pipeline (an unwind's filter counts as one more)",
        "each stage is at least one pass over its rows: 16 sorts of 100k rows 0.2 s (64: 0.8 s), plus "
        "shaping the answer; pipelines people write have fewer than 8",
    ),
    "max_pipeline_terms": (
        "group keys and fields, project fields and calculation operands (nested ones included), sort keys, "
        "match conditions of a stat pipeline, together",
        "each term is a pass over the rows: 32 over 100k rows ~0.45 s (64: 0.87 s); 16 calculations of 16 "
        "operands took 3.8 s, a 3-level nested add (4,096 operands) 57 s",
    ),
    "max_pipeline_work": (
        "estimated work of a stat pipeline over the rows it meets, and of shaping its answer, in units of ~1 ns "
        "of CPU (rows x terms, groups x values, pushed values, sort keys, unwound rows, results x values; "
        "stat/budget.py); each piece is charged before it is done",
        "units measured at 0.7-1.4 ns of CPU each over the probe's heavy pipelines at 100k records; 500M answers a "
        "pipeline there in about half a second or refuses it before its heavy part: a group per task pushing its "
        "errors (0.52 s, 613M units), 100k groups of 12 keys (0.91 s, 792M), whole records after 16 sorts (0.78 s, "
        "652M), while a 15-field project of 100k rows (0.41 s, 380M) is answered; the workload's stats at 1M records "
        "take 20-44M",
    ),
    "plan_cache_bytes": (
        "estimated bytes of the compiled requests a store keeps",
        "plans measure 3-17x their request (plans.py); 64 MiB keeps thousands of ordinary requests",
    ),
}

_default = Limits()
_active: contextvars.ContextVar[Limits | None] = contextvars.ContextVar("jobtask_limits", default=None)


def set_default_limits(limits: Limits) -> None:
    """The limits of every store made afterwards without ``limits=`` (and of bare parsing)."""
    global _default
    if not isinstance(limits, Limits):
        raise EngineError("ERROR_INVALID_PARAMETER_TYPE", "set_default_limits needs a Limits")
    _default = limits


def default_limits() -> Limits:
    return _default


def active_limits() -> Limits:
    """The limits of the store call under way (the defaults outside one)."""
    return _active.get() or _default


@contextmanager
def using_limits(limits: Limits) -> Iterator[None]:
    token = _active.set(limits)
    try:
        yield
    finally:
        _active.reset(token)


class LimitError(EngineError):
    """A request over one of the limits (``code`` ERROR_LIMIT_EXCEEDED, ``details["limit"]`` its name)."""


def limit_exceeded(name: str, where: str, got: Any) -> EngineError:
    return LimitError(
        "ERROR_LIMIT_EXCEEDED",
        f"Request exceeds the {name} limit. (key = {where}, limit = {getattr(active_limits(), name)}, got = {got})",
        limit=name,
    )


def _check_max(name: str, where: str, got: int) -> None:
    if got > getattr(active_limits(), name):
        raise limit_exceeded(name, where, got)


# -- the whole request ---------------------------------------------------------------

def check_request(request: Any, where: str = "params") -> None:
    """Depth, string lengths and list lengths of a plain request, walked without recursion.

    Also refuses what is not JSON-like (other objects, non-string keys), which
    later layers would otherwise trip over with a Python error.
    """
    limits = active_limits()
    max_depth, max_str, max_items = limits.max_depth, limits.max_string_length, limits.max_list_items
    stack: list[tuple[Any, int, str]] = [(request, 1, where)]
    while stack:
        value, depth, path = stack.pop()
        kind = type(value)
        if kind is str:
            if len(value) > max_str:
                raise limit_exceeded("max_string_length", path, len(value))
            continue
        if kind is dict or kind is list:
            if depth > max_depth:
                raise limit_exceeded("max_depth", path, depth)
            if kind is dict:
                for k, v in value.items():
                    if type(k) is not str:
                        raise EngineError(
                            "ERROR_INVALID_PARAMETER_TYPE",
                            f"Parameter type is invalid. (key = {path}.{k!r}, type = str key)",
                        )
                    if len(k) > max_str:
                        raise limit_exceeded("max_string_length", path, len(k))
                    if type(v) not in _PLAIN:
                        stack.append((v, depth + 1, f"{path}.{k}"))
            else:
                if len(value) > max_items:
                    raise limit_exceeded("max_list_items", path, len(value))
                stack.extend((v, depth + 1, f"{path}[{i}]") for i, v in enumerate(value) if type(v) not in _PLAIN)
            continue
        if kind in _CONTAINERS:  # a subclass or tuple: not JSON, may hide anything
            raise EngineError(
                "ERROR_INVALID_PARAMETER_TYPE", f"Parameter type is invalid. (key = {path}, type = JSON value)"
            )
        if value is not None and kind not in _SCALARS and not _is_time(value):
            raise EngineError(
                "ERROR_INVALID_PARAMETER_TYPE",
                f"Parameter type is invalid. (key = {path}, type = JSON value, got {kind.__name__})",
            )


def nesting_depth(value: Any) -> int:
    """Levels of dicts and lists in a JSON value (1 for a flat dict), walked without recursion."""
    deepest = 0
    stack = [(value, 1)]
    children: Iterable[Any]
    while stack:
        item, depth = stack.pop()
        if type(item) is dict:
            children = item.values()
        elif type(item) is list:
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children if type(child) is dict or type(child) is list)
    return deepest


_CONTAINERS = frozenset((dict, list, tuple, set, frozenset))
_SCALARS = frozenset((str, int, float, bool))
#: Values needing no look (the walk skips them without pushing).
_PLAIN = frozenset((int, float, bool, type(None)))


def _is_time(value: Any) -> bool:
    import datetime as _dt

    return isinstance(value, (_dt.datetime, _dt.date))


# -- conditions ------------------------------------------------------------------------

_IN_OPERATORS = frozenset({"in", "not_in"})
_CONTAIN_OPERATORS = frozenset({"contain_in", "not_contain_in", "regex_in"})


def check_condition(operator: str, value: Any, where: str) -> None:
    """Value-list sizes of one filter condition, and its patterns."""
    if type(value) is list:
        if operator in _IN_OPERATORS:
            _check_max("max_in_values", where, len(value))
        elif operator in _CONTAIN_OPERATORS:
            _check_max("max_contain_values", where, len(value))
    if operator == "regex":
        check_pattern(value, where)
    elif operator == "regex_in" and type(value) is list:
        for i, p in enumerate(value):
            check_pattern(p, f"{where}[{i}]")


def check_keyword(words: list[str], where: str = "query.keyword") -> None:
    _check_max("max_keyword_words", where, len(words))


def check_operands(operands: Any, where: str) -> None:
    """Operands of one expression (or fields of one stage), when given as a list."""
    if type(operands) is list:
        _check_max("max_operands", where, len(operands))


def check_date_format(fmt: Any, where: str) -> None:
    if type(fmt) is str:
        _check_max("max_date_format_length", where, len(fmt))


def check_rows(count: int, where: str) -> None:
    """Rows a pipeline stage is about to make (checked before they are made)."""
    _check_max("max_pipeline_rows", where, count)


def check_pipeline(aggregate: Any, where: str = "aggregate") -> None:
    """Stages and terms of a stat pipeline (its raw list form), before any is parsed.

    Both multiply the work: every stage passes over its rows, every term (key, field,
    operand, sort key, condition) is evaluated once per row.  ``max_operands`` bounds one
    calculation; nested calculations and many fields are bounded here, together.
    """
    if type(aggregate) is not list:
        return
    stages = sum(1 + (type(s) is dict and type(s.get("unwind")) is dict and bool(s["unwind"].get("filter")))
                 for s in aggregate)
    _check_max("max_pipeline_stages", where, stages)
    _check_max("max_pipeline_terms", where, pipeline_terms(aggregate))


#: Keys whose lists are values, not terms (an ``in`` list is one set lookup a row).
_VALUE_KEYS = frozenset(("v", "value"))


def pipeline_terms(aggregate: list) -> int:
    """Items of the lists inside the pipeline's stages (value lists left out), walked
    without recursion: each is a key, field, operand, sort key or condition."""
    terms = 0
    stack: list[Any] = [s for s in aggregate if type(s) is dict]
    while stack:
        value = stack.pop()
        if type(value) is dict:
            stack.extend(v for k, v in value.items() if k not in _VALUE_KEYS and (type(v) is dict or type(v) is list))
        elif type(value) is list:
            terms += len(value)
            stack.extend(v for v in value if type(v) is dict or type(v) is list)
    return terms


# -- patterns --------------------------------------------------------------------------

_UNBOUNDED = _sre.MAXREPEAT
_REPEATS = {_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None)} - {None}


def check_pattern(pattern: Any, where: str) -> None:
    """Refuse a pattern that could make Python's backtracking ``re`` run for long.

    ``re`` backtracks, so some patterns take exponential time on a short
    string (``(a+)+$``, ``(a|a)*b``).  Rather than run them, the pattern is
    parsed and refused when it holds what makes backtracking explode:

    - a repeat inside a repeat where either one is unbounded (``(a+)+``, ``(a*){5}``);
    - a repeated group holding an alternation (``(a|ab)*``);
    - a back-reference (``(a)\\1``), which no linear engine can run;
    - a counted repeat over ``max_regex_repeat`` or one program grown past it by nesting;
    - more than three unbounded repeats in the whole pattern;
    - a backtracking degree over 2 (``backtracking_degree``): ``.*a.*b`` searched in a
      2,048-character message took 18 s, ``x*x*y`` 20 s, while ``^.*a.*b``, ``a.*b``,
      ``.*foo.*`` and ``[a-z]+@[a-z]+\\.com`` stay at n^2 (< 0.04 s).

    Non-strings are left to the operator's own type check.
    """
    if type(pattern) is not str:
        return
    limits = active_limits()
    if len(pattern) > limits.max_pattern_length:
        raise limit_exceeded("max_pattern_length", where, len(pattern))
    depth = max_group_depth(pattern)
    if depth > limits.max_depth:
        raise limit_exceeded("max_depth", where, depth)
    try:
        tree = sre_parser.parse(pattern, re.IGNORECASE)
    except re.error:
        return  # not a pattern at all: the operator's own compile words the refusal
    except (OverflowError, RecursionError, ValueError) as exc:
        raise EngineError("ERROR_DB_QUERY", f"Database query failed. (reason = invalid regex {pattern!r}: {exc} ({where}))") from None
    state = _Scan(limits.max_regex_repeat)
    reason = state.scan(tree, 1)
    if reason is None and state.unbounded > 3:
        reason = f"{state.unbounded} unbounded repeats (at most 3)"
    if reason is None:
        degree = backtracking_degree(tree)
        if degree > MAX_DEGREE:
            reason = f"it may backtrack in time ~ n^{degree} of the text length n (at most n^{MAX_DEGREE})"
    if reason is not None:
        raise LimitError(
            "ERROR_LIMIT_EXCEEDED",
            f"Request exceeds the regex safety check. (key = {where}, pattern = {pattern[:80]!r}, reason = {reason})",
            limit="regex",
        )


def max_group_depth(pattern: str) -> int:
    """How deep parentheses nest (escapes and classes skipped), without parsing."""
    depth = deepest = 0
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif c == ")":
            depth -= 1
        i += 1
    return deepest


class _Scan:
    """A walk over ``re``'s parse tree, noting what makes backtracking explode."""

    def __init__(self, max_repeat: int) -> None:
        self.max_repeat = max_repeat
        self.unbounded = 0

    def scan(self, items: Any, weight: int) -> str | None:
        """``weight``: the product of the enclosing repeat counts."""
        for op, arg in items:
            if op in _REPEATS:
                low, high, sub = arg
                unbounded = high == _UNBOUNDED
                count = low if unbounded else high
                if count > self.max_repeat or weight * max(count, 1) > self.max_repeat * 10:
                    return f"repeat count {count} over {self.max_repeat}"
                if unbounded:
                    self.unbounded += 1
                inner = _inner_repeats(sub)
                if inner is not None and (unbounded or inner):
                    return "a repeat inside a repeat"
                if _overlapping_branches(sub):
                    return "a repeated alternation whose branches can overlap"
                reason = self.scan(sub, weight * max(count, 1))
                if reason:
                    return reason
            elif op is _sre.GROUPREF or op is _sre.GROUPREF_EXISTS:
                return "a back-reference"
            elif op is _sre.SUBPATTERN:
                reason = self.scan(arg[-1], weight)
                if reason:
                    return reason
            elif op is _sre.BRANCH:
                for branch in arg[1]:
                    reason = self.scan(branch, weight)
                    if reason:
                        return reason
            elif op in (_sre.ASSERT, _sre.ASSERT_NOT):
                reason = self.scan(arg[1], weight)
                if reason:
                    return reason
            elif op is getattr(_sre, "ATOMIC_GROUP", None):
                reason = self.scan(arg, weight)
                if reason:
                    return reason
        return None


def _inner_repeats(items: Any) -> bool | None:
    """None when a repeated body holds no repeat; else whether one of them is unbounded
    (then the two can split one run of text in exponentially many ways)."""
    found: bool | None = None
    for op, arg in items:
        if op in _REPEATS:
            found = bool(found) or arg[1] == _UNBOUNDED or bool(_inner_repeats(arg[2]))
        elif op is _sre.SUBPATTERN:
            sub = _inner_repeats(arg[-1])
            found = found if sub is None else bool(found) or sub
        elif op is _sre.BRANCH:
            for branch in arg[1]:
                sub = _inner_repeats(branch)
                found = found if sub is None else bool(found) or sub
    return found


def _overlapping_branches(items: Any) -> bool:
    """Whether an alternation inside holds branches that may start alike (or be empty).

    Branches all starting with different literal characters never compete for
    the same text, so ``(get|put)*`` passes and ``(a|ab)*`` does not.
    """
    for op, arg in items:
        if op is _sre.SUBPATTERN and _overlapping_branches(arg[-1]):
            return True
        if op is _sre.BRANCH:
            firsts = set()
            for branch in arg[1]:
                if not branch or branch[0][0] is not _sre.LITERAL:
                    return True
                first = chr(branch[0][1]).lower()
                if first in firsts:
                    return True
                firsts.add(first)
    return False


# -- backtracking degree -----------------------------------------------------------------

#: Patterns whose search may cost more than n^2 steps in the text length are refused.
MAX_DEGREE = 2
#: A counted repeat allowing more than this many items backtracks like an unbounded one.
_WIDE_REPEAT = 16
_ALL = None  # "any character" in a first-character set


def backtracking_degree(tree: Any) -> int:
    """The exponent d of the worst-case search time ~ n^d of a parsed pattern (no nested
    repeats: the walk above refused those).

    Each repeat that can give characters back costs a factor n; when what follows it can
    start with a character the repeat also matches, every give-back retries the rest of
    the pattern, so the factors multiply; when it cannot, a give-back fails at once and
    the costs only add.  An unanchored search tries every start: one factor more.  A
    repeat the pattern ends with never backtracks (it ends a match).
    """
    items = _flat(list(tree))
    degree = _sequence_degree(items, at_end=True)
    anchored = bool(items) and items[0][0] is _sre.AT and items[0][1] in (_sre.AT_BEGINNING, _sre.AT_BEGINNING_STRING)
    return degree + (0 if anchored else 1)


def _flat(items: list) -> list:
    """Groups that are not repeated are transparent: their items inline."""
    out: list = []
    for op, arg in items:
        if op is _sre.SUBPATTERN:
            out.extend(_flat(list(arg[-1])))
        elif op is getattr(_sre, "ATOMIC_GROUP", None):
            out.extend(_flat(list(arg)))
        else:
            out.append((op, arg))
    return out


def _wide(op: Any, arg: Any) -> bool:
    return op in _REPEATS and (arg[1] == _UNBOUNDED or arg[1] > _WIDE_REPEAT)


def _sequence_degree(items: list, at_end: bool) -> int:
    degree = 0
    for i in range(len(items) - 1, -1, -1):
        op, arg = items[i]
        if _wide(op, arg):
            follower = _first_chars(items, i + 1, at_end)
            if follower is _END:
                degree = max(degree, 0)
            elif _overlap(_first_chars(_flat(list(arg[2])), 0, False), follower):
                degree = 1 + degree
            else:
                degree = max(1, degree)
        elif op is _sre.BRANCH:
            degree += max(_sequence_degree(_flat(list(b)), at_end=False) for b in arg[1])
    return degree


_END = "end"


def _first_chars(items: list, i: int, at_end: bool) -> Any:
    """The characters the items from ``i`` can start with (``_ALL``: any; ``_END``: the
    pattern ends here), looking through zero-width and optional items."""
    chars: set[str] = set()
    while i < len(items):
        op, arg = items[i]
        if op is _sre.AT:
            if arg in (_sre.AT_END, _sre.AT_END_STRING):
                return chars  # must hold here and matches no character: a give-back fails at once
            i += 1
            continue
        if op in _REPEATS:
            inner = _first_chars(_flat(list(arg[2])), 0, False)
            if inner is _ALL or inner is _END:
                return _ALL
            chars |= inner
            if arg[0] == 0:
                i += 1
                continue
            return chars
        one = _chars_of(op, arg)
        if one is _ALL:
            return _ALL
        return chars | one
    if at_end and not chars:
        return _END
    return _ALL if not at_end else chars


def _chars_of(op: Any, arg: Any) -> Any:
    if op is _sre.LITERAL:
        return {chr(arg).lower(), chr(arg).upper()}
    if op is _sre.IN:
        out: set[str] = set()
        for kind, value in arg:
            if kind is _sre.LITERAL:
                out |= {chr(value).lower(), chr(value).upper()}
            elif kind is _sre.RANGE and value[1] - value[0] <= 256:
                out |= {c for v in range(value[0], value[1] + 1) for c in (chr(v).lower(), chr(v).upper())}
            else:  # a category, a negation or a wide range
                return _ALL
        return out
    if op is _sre.NOT_LITERAL or op is _sre.ANY:
        return _ALL
    if op is _sre.BRANCH:
        out = set()
        for branch in arg[1]:
            first = _first_chars(_flat(list(branch)), 0, False)
            if first is _ALL or first is _END:
                return _ALL
            out |= first
        return out
    return _ALL


def _overlap(a: Any, b: Any) -> bool:
    if a is _ALL or b is _ALL:
        return True
    if a is _END or b is _END:
        return False
    return bool(a & b)
