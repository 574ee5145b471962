"""Hypothesis strategies: JobTask records and ``list`` requests that actually hit.

Random strings almost never match a filter, so a differential test built on
them only ever compares empty answers.  These strategies draw every field from
small shared pools (mixed case, shared prefixes, regex metacharacters, nulls,
missing fields, empty and multi-element ``errors``) and draw request values
from the same pools, or from the very records under test, so that filters,
sorts and pages select real, non-trivial subsets.  Most conditions use an
operator that suits the key's kind; a minority deliberately mismatch, so the
error paths are exercised too.

Known differences between the engine and the executed reference (see
tests/conformance/KNOWN_DIFFERENCES.md) that can be avoided by construction are
avoided here: no booleans inside ``errors[].additional`` nor as query values on
those paths, dict values copied with their key order, no ``$``-keyed dict
values, no numeric or operator-named key segments, datetime strings only in the
forms both sides read, job_task_ids unique after trimming.

Draws pick from plain sequences by index (``_pick``) instead of building a new
strategy per draw: strategy construction dominates generation time otherwise.
"""

from __future__ import annotations

import datetime as _dt
import re
from functools import partial
from typing import Any, Callable, Iterable, Sequence

from hypothesis import strategies as st

__all__ = [
    "DEFAULT_DOMAINS",
    "FILTER_OPERATORS",
    "FIELD_KIND",
    "records",
    "record_lists",
    "list_requests",
    "conditions",
    "sorts",
    "pages",
    "iso_datetime",
    "path_values",
    "match_operator_document",
]

DEFAULT_DOMAINS: tuple[str, ...] = ("domain-a", "domain-b", "Domain-C")

FILTER_OPERATORS: tuple[str, ...] = (
    "lt", "lte", "gt", "gte", "eq", "not", "exists", "contain", "not_contain",
    "in", "not_in", "contain_in", "not_contain_in", "match", "regex", "regex_in",
    "datetime_lt", "datetime_lte", "datetime_gt", "datetime_gte",
    "timediff_lt", "timediff_lte", "timediff_gt", "timediff_gte",
)
MULTI_OPERATORS = frozenset({"in", "not_in", "contain_in", "not_contain_in", "regex_in"})
_COMMON_OPS = ("eq", "not", "in", "not_in", "exists", "lt", "lte", "gt", "gte")
#: Operators that suit each key kind (drawn most of the time).
SUITED_OPERATORS: dict[str, tuple[str, ...]] = {
    "str": _COMMON_OPS + ("contain", "not_contain", "contain_in", "not_contain_in", "regex", "regex_in") * 2,
    "int": _COMMON_OPS * 2 + ("contain", "contain_in"),
    "datetime": _COMMON_OPS + ("datetime_lt", "datetime_lte", "datetime_gt", "datetime_gte") * 2
    + ("timediff_lt", "timediff_lte", "timediff_gt", "timediff_gte"),
    "errors": ("match",) * 6 + ("exists", "in", "not_in", "eq", "regex"),
    "any": _COMMON_OPS + ("contain", "not_contain", "contain_in", "regex"),
}

STATUSES = ("PENDING", "CANCELED", "IN_PROGRESS", "SUCCESS", "FAILURE")
PROVIDERS = ("aws", "AWS", "aws-prod", "Aws-Dev", "google_cloud", "azure", "a.w*s", "")
ID_STEMS = ("job-task-", "Job-Task-", "jt-", "jt.")
ID_TAILS = ("a1", "A1", "b2", "ab", "x", "0", "00", "1a2b", "ff")
ID_CHARS = "abfAB0129"
JOB_IDS = ("job-1", "job-2", "JOB-1", "job-10", "job.x")
SECRET_IDS = ("secret-1", "secret-2", "Secret-1")
SERVICE_ACCOUNT_IDS = ("sa-1", "sa-2", "SA-1")
PROJECT_IDS = ("project-1", "project-2", "Project-10", "p")
WORKSPACE_IDS = ("ws-1", "ws-2", "WS-1")
ERROR_CODES = ("ERROR_TIMEOUT", "ERROR_AUTH", "error_timeout", "E.1", "E-1", "")
MESSAGES = ("Timeout while collecting", "timeout", "auth failed (401)", "a.b*c", "[x]", "")
ADDITIONAL_KEYS = ("x", "s", "n")
ADDITIONAL_SCALARS = (-3, 0, 1, 2, 5, 12, 1.5, 2.0, -0.5, "str", "STR", "s.t", "", "x1", None)
PADDING = ("", "", "", "", " ", "  ")
SPECIAL_SUBSTRINGS = (".", "*", "a.b", "(", "[x]", " ", "-", "_")

#: Stored datetimes stay in these years: far from "now", so timediff boundaries never sit near a record.
DT_MIN = _dt.datetime(2021, 1, 1)
DT_MAX = _dt.datetime(2023, 12, 31, 23, 59, 59, 999000)
#: A few shared instants so that sorts and comparisons meet ties.
DT_POOL = (
    _dt.datetime(2022, 1, 1),
    _dt.datetime(2022, 1, 1, 0, 0, 0, 1000),
    _dt.datetime(2022, 6, 15, 12, 30, 45, 678000),
    _dt.datetime(2021, 12, 31, 23, 59, 59, 999000),
)
#: Strings neither dateutil nor the engine can read as a date (they become null on datetime fields).
UNREADABLE_DATES = ("garbage", "not a date", "abc", "2022-13-45T99")
BAD_DATETIME_OP_VALUES = ("2022-1-1", "Jan 1 2022", "", " 2022-01-01", "2022-01-01T25:00", None, 1, True, {"a": 1})
BAD_TIMEDIFFS = ("now-1y", "NOW", "now/y", "now-1.5d", "now-1", "", None, 7, "now-1d  ", "now-1|")
PLAIN_TIMEDIFFS = ("now", "now/d", "now/w", "now/m", " now ", "now+1w", "now\n", "now|1000d")
WRONG_TYPE_VALUES = (1, 0, 2.5, True, None, {"a": 1}, "abc")

FIELD_KIND: dict[str, str] = {
    "job_task_id": "str", "status": "str", "provider": "str", "job_id": "str", "secret_id": "str",
    "service_account_id": "str", "project_id": "str", "workspace_id": "str", "domain_id": "str",
    "created_count": "int", "updated_count": "int", "failure_count": "int", "deleted_count": "int",
    "disconnected_count": "int",
    "created_at": "datetime", "started_at": "datetime", "finished_at": "datetime",
    "errors": "errors",
    "errors.error_code": "str", "errors.message": "str",
    "errors.additional": "any", "errors.additional.x": "any", "errors.additional.s": "any",
    "errors.additional.n": "any",
}
COUNT_FIELDS = ("created_count", "updated_count", "failure_count", "deleted_count", "disconnected_count")
OPTIONAL_STRINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("job_id", JOB_IDS),
    ("secret_id", SECRET_IDS),
    ("service_account_id", SERVICE_ACCOUNT_IDS),
    ("project_id", PROJECT_IDS),
    ("workspace_id", WORKSPACE_IDS),
)
STRING_POOLS: dict[str, tuple[str, ...]] = {
    "status": STATUSES, "provider": PROVIDERS, "job_id": JOB_IDS, "secret_id": SECRET_IDS,
    "service_account_id": SERVICE_ACCOUNT_IDS, "project_id": PROJECT_IDS, "workspace_id": WORKSPACE_IDS,
    "domain_id": DEFAULT_DOMAINS, "errors.error_code": ERROR_CODES, "errors.message": MESSAGES,
    "job_task_id": tuple(s + t for s in ID_STEMS for t in ID_TAILS[:3]),
}
CONDITION_KEYS = tuple(k for k in FIELD_KIND if k != "domain_id")
RARE_KEYS = ("domain_id", "nosuch", "errors.nosuch")
SORT_KEYS = tuple(k for k in FIELD_KIND if k != "errors.additional")
ONLY_KEYS = tuple(FIELD_KIND)
TOP_LEVEL_KEYS = ("status", "provider", "job_id", "workspace_id", "project_id", "job_task_id", "secret_id", "service_account_id")

Draw = Callable[[st.SearchStrategy], Any]


# --------------------------------------------------------------------------- drawing helpers
def _pick(draw: Draw, seq: Sequence[Any]) -> Any:
    """One element of ``seq`` (shrinks towards the first)."""
    return seq[draw(st.integers(0, len(seq) - 1))]


def _chance(draw: Draw, one_in: int) -> bool:
    """True with probability about 1/one_in (hypothesis over-draws the bounds 0 and max, so test a middle value)."""
    return draw(st.integers(0, one_in - 1)) == one_in // 2


def _ms(value: _dt.datetime) -> _dt.datetime:
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def iso_datetime(value: _dt.datetime, style: str = "ms") -> str:
    """An ISO 8601 string for a naive UTC datetime, in one of the forms both sides read."""
    if style == "offset":
        return (value + _dt.timedelta(hours=9)).isoformat(timespec="milliseconds") + "+09:00"
    if style == "seconds":
        return value.isoformat(timespec="seconds") + "Z"
    if style == "micro":
        return value.isoformat(timespec="microseconds") + "Z"
    return value.isoformat(timespec="milliseconds") + "Z"


_FREE_DATETIMES = st.datetimes(min_value=DT_MIN, max_value=DT_MAX)


def _datetime(draw: Draw) -> _dt.datetime:
    """A naive UTC datetime at millisecond precision in 2021-2023, often one of a few shared instants."""
    if _chance(draw, 3):
        return _pick(draw, DT_POOL)
    return _ms(draw(_FREE_DATETIMES))


def _datetime_input(draw: Draw) -> Any:
    """A datetime as a caller may pass it: ISO strings (Z, offset, seconds, microseconds) or datetime objects."""
    value = _datetime(draw)
    style = _pick(draw, ("ms", "ms", "ms", "offset", "seconds", "micro", "object", "aware"))
    if style == "object":
        return value
    if style == "aware":
        return value.replace(tzinfo=_dt.timezone.utc)
    if style == "micro":
        value = value + _dt.timedelta(microseconds=draw(st.integers(0, 999)))
    return iso_datetime(value, style)


def _padded(draw: Draw, pool: Sequence[str]) -> str:
    return _pick(draw, PADDING) + _pick(draw, pool) + _pick(draw, PADDING)


# --------------------------------------------------------------------------- records
def _additional_value(draw: Draw) -> Any:
    roll = draw(st.integers(0, 9))
    if roll == 0:
        return [_pick(draw, (0, 1, 5, "a", "B")) for _ in range(draw(st.integers(0, 3)))]
    if roll == 1:
        return {k: _pick(draw, (0, 3, "v", "V")) for k in ("k", "m")[: draw(st.integers(0, 2))]}
    return _pick(draw, ADDITIONAL_SCALARS)


def _error_info(draw: Draw) -> dict:
    """One ``errors`` element; every key optional (additional None/absent is stored as {})."""
    err: dict[str, Any] = {}
    if not _chance(draw, 5):
        err["error_code"] = _pick(draw, ERROR_CODES)
    if draw(st.booleans()):
        err["message"] = _pick(draw, MESSAGES)
    choice = draw(st.integers(0, 3))
    if choice == 1:
        err["additional"] = None
    elif choice >= 2:
        keys = [k for k in ADDITIONAL_KEYS if draw(st.booleans())]
        err["additional"] = {k: _additional_value(draw) for k in keys}
    return err


def _job_task_id(draw: Draw) -> str:
    if _chance(draw, 3):
        tail = "".join(_pick(draw, ID_CHARS) for _ in range(draw(st.integers(1, 6))))
    else:
        tail = _pick(draw, ID_TAILS)
    return _pick(draw, PADDING) + _pick(draw, ID_STEMS) + tail + _pick(draw, PADDING)


def _set_optional(draw: Draw, record: dict, key: str, make: Callable[[], Any]) -> None:
    """Leave ``key`` absent (1/6), set it to None (1/6), or give it a value — absence is stored differently per field."""
    mode = draw(st.integers(0, 5))
    if mode == 0:
        return
    record[key] = None if mode == 1 else make()


@st.composite
def records(draw: Draw, domain_ids: Sequence[str] = DEFAULT_DOMAINS) -> dict:
    """One valid JobTask record as a caller would create it (always with a job_task_id and created_at key)."""
    rec: dict[str, Any] = {"job_task_id": _job_task_id(draw), "domain_id": _pick(draw, tuple(domain_ids))}
    _set_optional(draw, rec, "status", lambda: _padded(draw, STATUSES))
    _set_optional(draw, rec, "provider", lambda: _padded(draw, PROVIDERS))
    for field in COUNT_FIELDS:
        _set_optional(draw, rec, field, lambda: draw(st.integers(0, 12)) if draw(st.integers(0, 4)) else draw(st.integers(-5, 10**6)))
    _set_optional(draw, rec, "errors", lambda: [_error_info(draw) for _ in range(draw(st.integers(0, 3)))])
    for field, pool in OPTIONAL_STRINGS:
        _set_optional(draw, rec, field, partial(_padded, draw, pool))
    # An absent created_at would be "now" on each side at a different instant: always give it (None = not stored).
    rec["created_at"] = None if _chance(draw, 8) else _datetime_input(draw)
    _set_optional(draw, rec, "started_at", lambda: _datetime_input(draw))
    _set_optional(draw, rec, "finished_at", lambda: _datetime_input(draw))
    return rec


def record_lists(domain_ids: Sequence[str] = DEFAULT_DOMAINS, max_size: int = 12) -> st.SearchStrategy[list[dict]]:
    """Lists of records whose job_task_ids are unique once trimmed (the store's identity)."""
    return st.lists(records(domain_ids), max_size=max_size, unique_by=lambda r: r["job_task_id"].strip())


# --------------------------------------------------------------------------- record facts
def _stored_string(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _as_datetime(value: Any) -> _dt.datetime | None:
    if isinstance(value, _dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
        return _ms(value)
    if isinstance(value, str):
        text = value[:-1] + "+00:00" if value.endswith("Z") else value
        try:
            return _as_datetime(_dt.datetime.fromisoformat(text))
        except ValueError:
            return None
    return None


def path_values(records_: Iterable[dict], key: str) -> list[Any]:
    """Every non-null value stored at ``key`` in the records (input form; top-level strings trimmed)."""
    out: list[Any] = []
    head, _, rest = key.partition(".")
    for rec in records_:
        if head != "errors" or not rest:
            if rec.get(head) is not None:
                out.append(_stored_string(rec[head]) if FIELD_KIND.get(head) == "str" else rec[head])
            continue
        for err in rec.get("errors") or []:
            node: Any = err
            for part in rest.split("."):
                node = node.get(part) if isinstance(node, dict) else None
            if node is not None:
                out.append(node)
    return out


# --------------------------------------------------------------------------- condition values
def _case_variant(draw: Draw, text: str) -> str:
    return _pick(draw, (text, text.upper(), text.lower(), text.swapcase()))


def _substring(draw: Draw, texts: Sequence[str]) -> str:
    text = _pick(draw, texts) if texts else ""
    if text:
        start = draw(st.integers(0, len(text) - 1))
        text = text[start:draw(st.integers(start, len(text)))]
    return _case_variant(draw, text)


def _string_pool(key: str, seen: Sequence[Any]) -> tuple[str, ...]:
    values = [v for v in seen if isinstance(v, str)]
    values.extend(STRING_POOLS.get(key, ()))
    if key.startswith("errors.additional"):
        values.extend(("str", "STR", "s.t", "x1", ""))
    return tuple(dict.fromkeys(values)) or ("",)


def _has_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, dict):
        return any(_has_bool(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_bool(v) for v in value)
    return False


def _known_datetimes(seen: Sequence[Any]) -> tuple[_dt.datetime, ...]:
    return tuple(d for d in (_as_datetime(v) for v in seen) if d) or DT_POOL


def _datetime_query_string(draw: Draw, seen: Sequence[Any]) -> str:
    """A datetime string for plain operators on datetime fields: full ISO forms only (KNOWN_DIFFERENCES KD9)."""
    base = _pick(draw, _known_datetimes(seen)) if draw(st.booleans()) else _datetime(draw)
    return iso_datetime(base, _pick(draw, ("ms", "ms", "offset", "seconds")))


def _plain_value(draw: Draw, key: str, kind: str, seen: Sequence[Any]) -> Any:
    """A value for eq/not/lt/lte/gt/gte (and each element of in/not_in)."""
    roll = draw(st.integers(0, 19))
    if roll == 0:
        return None
    if roll == 1:
        return _pick(draw, (None, "abc", 2.5)) if kind == "any" else _pick(draw, WRONG_TYPE_VALUES)
    if kind == "str":
        stored = tuple(v for v in seen if isinstance(v, str))
        if stored and not _chance(draw, 3):
            return _pick(draw, stored)
        pool = _string_pool(key, seen)
        return _pick(draw, pool) if draw(st.booleans()) else _case_variant(draw, _pick(draw, pool))
    if kind == "int":
        ints = tuple(v for v in seen if isinstance(v, int) and not isinstance(v, bool)) or (0, 1, 5)
        style = draw(st.integers(0, 5))
        if style <= 2:
            return _pick(draw, ints)
        if style == 3:
            return draw(st.integers(-2, 15))
        return _pick(draw, (str(ints[0]), " 3 ", "1.0", 1.5, True, False, float(ints[-1])))
    if kind == "datetime":
        style = draw(st.integers(0, 5))
        if style <= 3:
            return _datetime_query_string(draw, seen)
        return _pick(draw, UNREADABLE_DATES + (12345, 1.5))
    if kind == "errors":
        return _pick(draw, (None, "ERROR_AUTH", 1, {"error_code": "ERROR_AUTH"}))
    # "any": untyped additional values, never booleans (KD6); dicts copied verbatim, key order kept (KD5)
    pool = tuple(v for v in seen if not _has_bool(v) and not isinstance(v, list))
    return _pick(draw, pool) if pool and draw(st.booleans()) else _pick(draw, ADDITIONAL_SCALARS)


def _contain_value(draw: Draw, key: str, kind: str, seen: Sequence[Any]) -> Any:
    if _chance(draw, 15):
        return _pick(draw, WRONG_TYPE_VALUES)
    if kind in ("str", "any"):
        if _chance(draw, 5):
            return _pick(draw, SPECIAL_SUBSTRINGS)
        stored = tuple(v for v in seen if isinstance(v, str))
        return _substring(draw, stored if stored and not _chance(draw, 3) else _string_pool(key, seen))
    return _plain_value(draw, key, kind, seen)


def _regex_pattern(draw: Draw, key: str, seen: Sequence[Any]) -> Any:
    if _chance(draw, 25):
        return _pick(draw, ("[", "(?", None, 1))
    stored = tuple(v for v in seen if isinstance(v, str))
    piece = _substring(draw, stored if stored and not _chance(draw, 3) else _string_pool(key, seen))
    pattern = re.escape(piece) if draw(st.booleans()) else re.sub(r"[()\[\]*+?{}\\|]", "", piece)
    if draw(st.booleans()):
        pattern = "^" + pattern
    if _chance(draw, 4):
        pattern += "$"
    if _chance(draw, 5):
        pattern += "|" + _pick(draw, ("aws", "ERROR", "job", "x"))
    if _chance(draw, 6):
        pattern = pattern.replace("a", ".", 1)
    return pattern


def _datetime_op_value(draw: Draw, seen: Sequence[Any]) -> Any:
    """A value for datetime_*: the ISO 8601 forms dateutil's isoparse reads, plus failures."""
    if _chance(draw, 10):
        return _pick(draw, BAD_DATETIME_OP_VALUES)
    base = _pick(draw, _known_datetimes(seen)) if draw(st.booleans()) else _datetime(draw)
    form = _pick(draw, ("ms", "ms", "offset", "seconds", "micro", "date", "month", "year", "basic", "space", "week", "ordinal", "hour"))
    if form == "micro":
        return iso_datetime(base + _dt.timedelta(microseconds=draw(st.integers(0, 999))), "micro")
    if form == "date":
        return base.strftime("%Y-%m-%d")
    if form == "month":
        return base.strftime("%Y-%m")
    if form == "year":
        return base.strftime("%Y")
    if form == "basic":
        return base.strftime("%Y%m%dT%H%M%S") + "Z"
    if form == "space":
        return base.strftime("%Y-%m-%d %H:%M:%S")
    if form == "week":
        year, week, weekday = base.isocalendar()
        return f"{year:04d}-W{week:02d}-{weekday}"
    if form == "ordinal":
        return f"{base.year:04d}-{base.timetuple().tm_yday:03d}"
    if form == "hour":
        return base.strftime("%Y-%m-%dT%H")
    return iso_datetime(base, form)


def _timediff_value(draw: Draw) -> Any:
    """Relative times whose boundary lands among the 2021-2023 records, never near a stored value or 'now'."""
    roll = draw(st.integers(0, 9))
    if roll == 0:
        return _pick(draw, BAD_TIMEDIFFS)
    if roll == 1:
        return _pick(draw, PLAIN_TIMEDIFFS)
    days = max((_dt.datetime.utcnow() - _datetime(draw)).days, 1)
    unit, amount = _pick(draw, (("d", days), ("w", max(days // 7, 1)), ("h", days * 24)))
    sep = _pick(draw, ("", "", " "))
    return f"{_pick(draw, ('now', 'now', 'now/d', 'now/m'))}{sep}-{sep}{amount}{unit}"


def _match_value(draw: Draw, key: str, records_: Sequence[dict]) -> Any:
    if _chance(draw, 15):
        return _pick(draw, ("ERROR_AUTH", None, ["x"], 1))
    if key != "errors":
        return {"k": _pick(draw, ("v", 1))}
    codes = _string_pool("errors.error_code", path_values(records_, "errors.error_code"))
    messages = _string_pool("errors.message", path_values(records_, "errors.message"))
    shape = _pick(draw, ("code", "code", "message", "both", "empty", "null", "icontains", "additional", "in", "operators"))
    if shape == "code":
        return {"error_code": _pick(draw, codes)}
    if shape == "message":
        return {"message": _pick(draw, messages)}
    if shape == "both":
        return {"error_code": _pick(draw, codes), "message": _pick(draw, messages)}
    if shape == "empty":
        return {}
    if shape == "null":
        return {_pick(draw, ("error_code", "message")): None}
    if shape == "icontains":
        return {"error_code__icontains": _substring(draw, codes)}
    if shape == "additional":
        return {"additional__x": _pick(draw, (-3, 0, 1, 2, 5, 12, 1.5, "str"))}
    if shape == "operators":
        return match_operator_document(draw, codes, messages)
    return {"error_code__in": [_pick(draw, codes) for _ in range(draw(st.integers(0, 3)))]}


def match_operator_document(draw: Draw, codes: Sequence[str], messages: Sequence[str]) -> dict:
    """A ``match`` value holding MongoDB operator documents, of the operators mongomock reads as
    MongoDB does (never an unknown operator or a malformed argument: KNOWN_DIFFERENCES KD20)."""
    field, pool = _pick(draw, (("error_code", codes), ("message", messages)))
    op = _pick(draw, ("$eq", "$ne", "$in", "$nin", "$gt", "$lte", "$exists", "$regex", "$not", "$all", "$type"))
    if op in ("$in", "$nin", "$all"):
        # mongomock's `$all: []` matches, its `$all: [null]` misses a missing field (KD20)
        least, choices = (1, tuple(pool)) if op == "$all" else (0, (*pool, None))
        doc: dict[str, Any] = {op: [_pick(draw, choices) for _ in range(draw(st.integers(least, 3)))]}
    elif op == "$exists":
        doc = {op: draw(st.booleans())}
    elif op == "$regex":
        doc = {op: "^" + re.escape(_substring(draw, pool)), **({"$options": "i"} if draw(st.booleans()) else {})}
    elif op == "$not":
        doc = {op: {"$in": [_pick(draw, pool)]}}
    elif op == "$type":
        doc = {op: _pick(draw, ("string", "object", "number", "double"))}  # aliases mongomock knows (KD20)
    elif op in ("$gt", "$lte"):
        doc = {op: _pick(draw, pool)}  # a null bound departs in mongomock (KD1)
    else:
        doc = {op: _pick(draw, (*pool, None))}
    out = {field: doc}
    if draw(st.booleans()):
        out["error_code" if field == "message" else "message"] = {"$exists": draw(st.booleans())}
    return out


def _condition_value(draw: Draw, key: str, kind: str, operator: str, records_: Sequence[dict]) -> Any:
    seen = path_values(records_, key)
    if operator in MULTI_OPERATORS and _chance(draw, 20):
        return _pick(draw, WRONG_TYPE_VALUES)  # not a list
    if operator not in MULTI_OPERATORS and _chance(draw, 60):
        return ["x"]  # a list where one value is expected
    if operator in ("eq", "not", "lt", "lte", "gt", "gte"):
        return _plain_value(draw, key, kind, seen)
    if operator == "exists":
        return draw(st.booleans()) if not _chance(draw, 8) else _pick(draw, (1, 0, "true", None))
    if operator in ("in", "not_in"):
        return [_plain_value(draw, key, kind, seen) for _ in range(draw(st.integers(0, 3)))]
    if operator in ("contain", "not_contain"):
        return _contain_value(draw, key, kind, seen)
    if operator in ("contain_in", "not_contain_in"):
        return [_contain_value(draw, key, kind, seen) for _ in range(_pick(draw, (1, 1, 2, 3, 1, 2, 0)))]
    if operator == "match":
        return _match_value(draw, key, records_)
    if operator == "regex":
        return _regex_pattern(draw, key, seen)
    if operator == "regex_in":
        return [_regex_pattern(draw, key, seen) for _ in range(_pick(draw, (1, 1, 2, 3, 1, 2, 0)))]
    if operator.startswith("datetime_"):
        return _datetime_op_value(draw, seen)
    return _timediff_value(draw)


def _condition(draw: Draw, records_: Sequence[dict]) -> dict:
    key = _pick(draw, RARE_KEYS) if _chance(draw, 25) else _pick(draw, CONDITION_KEYS)
    kind = FIELD_KIND.get(key, "str")
    operator = _pick(draw, FILTER_OPERATORS) if _chance(draw, 6) else _pick(draw, SUITED_OPERATORS[kind])
    value = _condition_value(draw, key, kind, operator, records_)
    form = _pick(draw, ("short", "short", "short", "long", "mixed"))
    if form == "short":
        return {"k": key, "v": value, "o": operator}
    if form == "long":
        return {"key": key, "value": value, "operator": operator}
    return {"key": key, "v": value, "o": operator}


@st.composite
def conditions(draw: Draw, records: Sequence[dict] = ()) -> dict:
    """One filter condition over any of the 24 operators, its value shaped (mostly) for the key's kind."""
    return _condition(draw, tuple(records))


# --------------------------------------------------------------------------- request options
def _sort_item(draw: Draw) -> dict:
    item: dict[str, Any] = {"key": "nosuch" if _chance(draw, 20) else _pick(draw, SORT_KEYS)}
    desc = _pick(draw, (None, True, False))
    if desc is not None:
        item["desc"] = desc
    return item


def _sort(draw: Draw) -> Any:
    shape = _pick(draw, ("single", "keys", "list", "list"))
    if shape == "single":
        return _sort_item(draw)
    items: list[dict] = []
    for _ in range(draw(st.integers(0, 3))):
        item = _sort_item(draw)
        if all(i["key"] != item["key"] for i in items):
            items.append(item)
    return {"keys": items} if shape == "keys" else items


@st.composite
def sorts(draw: Draw) -> Any:
    """The three sort shapes: v1 {key, desc}, v1 {keys: [...]}, and today's list of {key, desc}."""
    return _sort(draw)


def _page(draw: Draw) -> dict:
    page: dict[str, Any] = {}
    if draw(st.booleans()):
        page["start"] = draw(st.integers(-1, 6))
    if not _chance(draw, 4):
        page["limit"] = 1001 if _chance(draw, 10) else draw(st.integers(-1, 5))
    return page


@st.composite
def pages(draw: Draw) -> dict:
    """``page`` with 1-based start (below 1 allowed), limit (0/negative = everything, > 1000 capped)."""
    return _page(draw)


def _keyword(draw: Draw, records_: Sequence[dict]) -> str:
    ids = tuple(r["job_task_id"].strip() for r in records_) or STRING_POOLS["job_task_id"]
    tokens = [_substring(draw, ids) for _ in range(draw(st.integers(0, 3)))]
    return _pick(draw, PADDING) + _pick(draw, (" ", "  ")).join(tokens) + _pick(draw, PADDING)


def _top_level(draw: Draw, records_: Sequence[dict]) -> dict:
    out: dict[str, Any] = {}
    for key in TOP_LEVEL_KEYS:
        if _chance(draw, 14):
            pool = _string_pool(key, path_values(records_, key))
            if _chance(draw, 3):
                out[key] = [_pick(draw, pool) for _ in range(draw(st.integers(0, 3)))]
            else:
                out[key] = None if _chance(draw, 5) else _pick(draw, pool)
    return out


def _only(draw: Draw) -> list[str]:
    return ["nosuch" if _chance(draw, 20) else _pick(draw, ONLY_KEYS) for _ in range(draw(st.integers(1, 4)))]


@st.composite
def list_requests(draw: Draw, domain_ids: Sequence[str] = DEFAULT_DOMAINS, records: Sequence[dict] = ()) -> dict:
    """A JobTaskQuery request dict: domain_id, optional top-level keys, and a core Query.

    ``records``, when given, are the records the request will run against: condition
    values are then drawn from them too, so that filters hit.
    """
    records_ = tuple(records)
    domains = tuple(domain_ids)
    params: dict[str, Any] = {}
    if _chance(draw, 6):
        params["domain_id"] = [d for d in domains if draw(st.booleans())] or [domains[0]]
    else:
        params["domain_id"] = _pick(draw, domains)
    params.update(_top_level(draw, records_))
    query: dict[str, Any] = {}
    if not _chance(draw, 4):
        query["filter"] = [_condition(draw, records_) for _ in range(_pick(draw, (1, 1, 1, 2, 2, 3, 0)))]
    if _chance(draw, 5):
        query["filter_or"] = [_condition(draw, records_) for _ in range(_pick(draw, (1, 2, 2, 3, 0)))]
    if _chance(draw, 6):
        query["keyword"] = _keyword(draw, records_)
    if draw(st.booleans()):
        query["sort"] = _sort(draw)
    if draw(st.booleans()):
        query["page"] = _page(draw)
    projection = draw(st.integers(0, 9))
    if projection == 0:
        query["minimal"] = True
    elif projection <= 2:
        query["only"] = _only(draw)
    if _chance(draw, 12):
        query["count_only"] = True
    if query or draw(st.booleans()):
        params["query"] = query
    return params
