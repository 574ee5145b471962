"""Hypothesis strategies: JobTask records and ``list`` requests that actually hit.

Random strings almost never match a filter, so a differential test built on
them only ever compares empty answers.  These strategies draw every field from
small shared pools (mixed case, shared prefixes, regex metacharacters, nulls,
missing fields, empty and multi-element ``errors``) and draw request values
from the same pools, or from the very records under test, so that filters,
sorts and pages select real, non-trivial subsets.

Known differences between the engine and the executed reference (see
tests/conformance/KNOWN_DIFFERENCES.md) that can be avoided by construction are
avoided here: no booleans inside ``errors[].additional``, no ``$``-keyed dict
values, no numeric or operator-named key segments, datetime strings only in the
forms both sides read, job_task_ids unique after trimming.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any, Iterable, Sequence

from hypothesis import strategies as st

__all__ = [
    "DEFAULT_DOMAINS",
    "FILTER_OPERATORS",
    "records",
    "record_lists",
    "list_requests",
    "conditions",
    "iso_datetime",
]

DEFAULT_DOMAINS: tuple[str, ...] = ("domain-a", "domain-b", "Domain-C")

FILTER_OPERATORS: tuple[str, ...] = (
    "lt", "lte", "gt", "gte", "eq", "not", "exists", "contain", "not_contain",
    "in", "not_in", "contain_in", "not_contain_in", "match", "regex", "regex_in",
    "datetime_lt", "datetime_lte", "datetime_gt", "datetime_gte",
    "timediff_lt", "timediff_lte", "timediff_gt", "timediff_gte",
)
MULTI_OPERATORS = frozenset({"in", "not_in", "contain_in", "not_contain_in", "regex_in"})

STATUSES = ("PENDING", "CANCELED", "IN_PROGRESS", "SUCCESS", "FAILURE")
PROVIDERS = ("aws", "AWS", "aws-prod", "Aws-Dev", "google_cloud", "azure", "a.w*s", "")
ID_STEMS = ("job-task-", "Job-Task-", "jt-", "jt.")
ID_TAILS = ("a1", "A1", "b2", "ab", "x", "0", "00", "1a2b", "ff")
JOB_IDS = ("job-1", "job-2", "JOB-1", "job-10", "job.x")
SECRET_IDS = ("secret-1", "secret-2", "Secret-1")
SERVICE_ACCOUNT_IDS = ("sa-1", "sa-2", "SA-1")
PROJECT_IDS = ("project-1", "project-2", "Project-10", "p")
WORKSPACE_IDS = ("ws-1", "ws-2", "WS-1")
ERROR_CODES = ("ERROR_TIMEOUT", "ERROR_AUTH", "error_timeout", "E.1", "E-1", "")
MESSAGES = ("Timeout while collecting", "timeout", "auth failed (401)", "a.b*c", "[x]", "")
ADDITIONAL_KEYS = ("x", "s", "n")
PADDING = ("", "", "", " ", "  ")

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
UNREADABLE_DATES = ("garbage", "not a date", "abc", "2022-13-45T99")

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
STRING_POOLS: dict[str, tuple[str, ...]] = {
    "status": STATUSES, "provider": PROVIDERS, "job_id": JOB_IDS, "secret_id": SECRET_IDS,
    "service_account_id": SERVICE_ACCOUNT_IDS, "project_id": PROJECT_IDS, "workspace_id": WORKSPACE_IDS,
    "domain_id": DEFAULT_DOMAINS, "errors.error_code": ERROR_CODES, "errors.message": MESSAGES,
    "job_task_id": tuple(s + t for s in ID_STEMS for t in ID_TAILS[:3]),
}
SORT_KEYS = tuple(k for k in FIELD_KIND if k not in ("errors.additional",)) + ("errors.additional.x",)
ONLY_KEYS = tuple(k for k in FIELD_KIND) + ("errors.additional.x",)


# --------------------------------------------------------------------------- records
def _ms(value: _dt.datetime) -> _dt.datetime:
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def iso_datetime(value: _dt.datetime, style: str = "ms") -> str:
    """An ISO 8601 string for a naive UTC datetime, in one of the forms both sides read."""
    if style == "offset":
        local = value + _dt.timedelta(hours=9)
        return local.isoformat(timespec="milliseconds") + "+09:00"
    if style == "seconds":
        return value.isoformat(timespec="seconds") + "Z"
    if style == "micro":
        return value.isoformat(timespec="microseconds") + "Z"
    return value.isoformat(timespec="milliseconds") + "Z"


def datetimes_utc() -> st.SearchStrategy[_dt.datetime]:
    """Naive UTC datetimes at millisecond precision in 2021-2023, with frequent ties."""
    free = st.datetimes(min_value=DT_MIN, max_value=DT_MAX).map(_ms)
    return st.one_of(st.sampled_from(DT_POOL), free, free)


@st.composite
def _datetime_input(draw) -> Any:
    value = draw(datetimes_utc())
    style = draw(st.sampled_from(("ms", "ms", "ms", "offset", "seconds", "micro", "object", "aware")))
    if style == "object":
        return value
    if style == "aware":
        return value.replace(tzinfo=_dt.timezone.utc)
    if style == "micro":
        value = value + _dt.timedelta(microseconds=draw(st.integers(0, 999)))
    return iso_datetime(value, style)


def _padded(pool: Sequence[str]) -> st.SearchStrategy[str]:
    return st.builds(lambda p, s, q: p + s + q, st.sampled_from(PADDING), st.sampled_from(pool), st.sampled_from(PADDING))


def _scalar_additional() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.integers(-3, 12),
        st.sampled_from((1.5, 2.0, -0.5)),
        st.sampled_from(("str", "STR", "s.t", "", "x1")),
        st.none(),
    )


def _additional_value() -> st.SearchStrategy[Any]:
    return st.one_of(
        _scalar_additional(),
        _scalar_additional(),
        _scalar_additional(),
        st.lists(st.one_of(st.integers(0, 5), st.sampled_from(("a", "B"))), max_size=3),
        st.dictionaries(st.sampled_from(("k", "m")), st.one_of(st.integers(0, 3), st.sampled_from(("v", "V"))), max_size=2),
    )


@st.composite
def error_infos(draw) -> dict:
    """One ``errors`` element; every key optional."""
    err: dict[str, Any] = {}
    if draw(st.integers(0, 4)):
        err["error_code"] = draw(st.sampled_from(ERROR_CODES))
    if draw(st.booleans()):
        err["message"] = draw(st.sampled_from(MESSAGES))
    choice = draw(st.integers(0, 3))
    if choice == 1:
        err["additional"] = None
    elif choice >= 2:
        err["additional"] = draw(st.dictionaries(st.sampled_from(ADDITIONAL_KEYS), _additional_value(), max_size=3))
    return err


def _job_task_id() -> st.SearchStrategy[str]:
    return st.builds(
        lambda pad, stem, tail, pad2: pad + stem + tail + pad2,
        st.sampled_from(PADDING),
        st.sampled_from(ID_STEMS),
        st.one_of(st.sampled_from(ID_TAILS), st.text("abcdefAB0123456789", min_size=1, max_size=6)),
        st.sampled_from(PADDING),
    )


def _optional(draw, record: dict, key: str, strategy, *, none_ok: bool = True) -> None:
    """Leave ``key`` absent, set it to None, or draw a value (how absence is stored differs by field)."""
    mode = draw(st.integers(0, 5))
    if mode == 0:
        return
    if mode == 1 and none_ok:
        record[key] = None
        return
    record[key] = draw(strategy)


@st.composite
def records(draw, domain_ids: Sequence[str] = DEFAULT_DOMAINS) -> dict:
    """One valid JobTask record as a caller would create it (always with a job_task_id)."""
    rec: dict[str, Any] = {
        "job_task_id": draw(_job_task_id()),
        "domain_id": draw(st.sampled_from(tuple(domain_ids))),
    }
    _optional(draw, rec, "status", _padded(STATUSES))
    _optional(draw, rec, "provider", _padded(PROVIDERS))
    for field in COUNT_FIELDS:
        _optional(draw, rec, field, st.one_of(st.integers(0, 12), st.integers(-5, 10**6)))
    _optional(draw, rec, "errors", st.lists(error_infos(), max_size=3))
    for field, pool in (
        ("job_id", JOB_IDS),
        ("secret_id", SECRET_IDS),
        ("service_account_id", SERVICE_ACCOUNT_IDS),
        ("project_id", PROJECT_IDS),
        ("workspace_id", WORKSPACE_IDS),
    ):
        _optional(draw, rec, field, _padded(pool))
    # created_at absent would be "now" on each side at a different instant: always give it (None = not stored).
    rec["created_at"] = draw(st.one_of(_datetime_input(), _datetime_input(), _datetime_input(), st.none()))
    _optional(draw, rec, "started_at", _datetime_input())
    _optional(draw, rec, "finished_at", _datetime_input())
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
            parsed = _dt.datetime.fromisoformat(text)
        except ValueError:
            return None
        return _as_datetime(parsed)
    return None


def path_values(records_: Iterable[dict], key: str) -> list[Any]:
    """Every value stored at ``key`` in the records (input form, top-level strings trimmed)."""
    out: list[Any] = []
    head, _, rest = key.partition(".")
    for rec in records_:
        if head != "errors" or not rest:
            if head in rec and rec[head] is not None:
                out.append(_stored_string(rec[head]) if FIELD_KIND.get(head) == "str" else rec[head])
            continue
        for err in rec.get("errors") or []:
            node: Any = err
            for part in rest.split("."):
                node = node.get(part) if isinstance(node, dict) else None
                if node is None:
                    break
            if node is not None:
                out.append(node)
    return out


# --------------------------------------------------------------------------- condition values
def _case_variant(text: str) -> st.SearchStrategy[str]:
    return st.sampled_from((text, text.upper(), text.lower(), text.swapcase()))


@st.composite
def _substring(draw, texts: Sequence[str]) -> str:
    text = draw(st.sampled_from(tuple(texts))) if texts else ""
    if not text:
        return text
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start, len(text)))
    return draw(_case_variant(text[start:end]))


def _string_pool(key: str, seen: Sequence[Any]) -> tuple[str, ...]:
    values = [v for v in seen if isinstance(v, str)]
    values.extend(STRING_POOLS.get(key, ()))
    if key.startswith("errors.additional"):
        values.extend(("str", "STR", "s.t", "x1", ""))
    return tuple(dict.fromkeys(values)) or ("",)


def _wrong_type_values() -> st.SearchStrategy[Any]:
    return st.sampled_from((1, 0, 2.5, True, None, {"a": 1}, "abc"))


@st.composite
def _datetime_query_string(draw, seen: Sequence[Any]) -> str:
    """A datetime string for plain operators on datetime fields: full ISO forms only (see KNOWN_DIFFERENCES KD9)."""
    base = draw(st.one_of(st.sampled_from(tuple(d for d in (_as_datetime(v) for v in seen) if d) or DT_POOL), datetimes_utc()))
    return iso_datetime(base, draw(st.sampled_from(("ms", "offset", "seconds"))))


def _plain_value(draw, key: str, kind: str, seen: Sequence[Any]) -> Any:
    """A value for eq/not/lt/lte/gt/gte (and an element of in/not_in)."""
    roll = draw(st.integers(0, 19))
    if roll == 0:
        return None
    if roll == 1:
        return draw(_wrong_type_values()) if kind != "any" else draw(st.sampled_from((None, "abc", 2.5)))
    if kind == "str":
        return draw(st.one_of(st.sampled_from(_string_pool(key, seen)), _substring(_string_pool(key, seen)),
                              _case_variant(draw(st.sampled_from(_string_pool(key, seen))))))
    if kind == "int":
        ints = [v for v in seen if isinstance(v, int) and not isinstance(v, bool)] or [0, 1, 5]
        return draw(st.one_of(
            st.sampled_from(tuple(ints)),
            st.sampled_from(tuple(ints)),
            st.integers(-2, 15),
            st.sampled_from(tuple(str(i) for i in ints[:3]) + (" 3 ", "1.0", 1.5, True, False)),
        ))
    if kind == "datetime":
        return draw(st.one_of(_datetime_query_string(seen), _datetime_query_string(seen),
                              st.sampled_from(UNREADABLE_DATES), st.sampled_from((12345, 1.5))))
    if kind == "errors":
        return draw(st.sampled_from((None, "ERROR_AUTH", 1, {"error_code": "ERROR_AUTH"})))
    # "any": untyped additional values; never booleans (KD6), dicts copied verbatim (KD5)
    pool = [v for v in seen if not isinstance(v, bool) and not _has_bool(v)]
    return draw(st.one_of(st.sampled_from(tuple(pool) or (1,)), _scalar_additional()))


def _has_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, dict):
        return any(_has_bool(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_bool(v) for v in value)
    return False


def _contain_value(draw, key: str, kind: str, seen: Sequence[Any]) -> Any:
    if draw(st.integers(0, 14)) == 0:
        return draw(_wrong_type_values())
    if kind in ("str", "any"):
        return draw(st.one_of(_substring(_string_pool(key, seen)), st.sampled_from((".", "*", "a.b", "(", "[x]", " "))))
    return _plain_value(draw, key, kind, seen)


@st.composite
def _regex_pattern(draw, key: str, seen: Sequence[Any]) -> Any:
    if draw(st.integers(0, 24)) == 0:
        return draw(st.sampled_from(("[", "(?", None, 1)))
    piece = draw(_substring(_string_pool(key, seen)))
    pattern = re.escape(piece) if draw(st.booleans()) else piece.replace("(", "").replace("[", "").replace("*", "")
    if draw(st.booleans()):
        pattern = "^" + pattern
    if draw(st.integers(0, 3)) == 0:
        pattern += "$"
    if draw(st.integers(0, 4)) == 0:
        pattern = pattern + "|" + draw(st.sampled_from(("aws", "ERROR", "job", "x")))
    if draw(st.integers(0, 5)) == 0:
        pattern = pattern.replace("a", ".", 1)
    return pattern


@st.composite
def _iso_for_datetime_op(draw, seen: Sequence[Any]) -> Any:
    """Strings for datetime_* (dateutil's isoparse forms) plus the failure cases."""
    roll = draw(st.integers(0, 19))
    if roll == 0:
        return draw(st.sampled_from(("2022-1-1", "Jan 1 2022", "", " 2022-01-01", "2022-01-01T25:00")))
    if roll == 1:
        return draw(st.sampled_from((None, 1, True, {"a": 1})))
    known = [d for d in (_as_datetime(v) for v in seen) if d]
    base = draw(st.one_of(st.sampled_from(tuple(known) or DT_POOL), datetimes_utc()))
    form = draw(st.sampled_from(("ms", "ms", "offset", "seconds", "micro", "date", "month", "year", "basic", "space", "week", "ordinal", "hour")))
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


@st.composite
def _timediff_value(draw) -> Any:
    """Relative times whose boundary lands inside 2021-2023 (or far outside): never near a stored value or 'now'."""
    roll = draw(st.integers(0, 19))
    if roll == 0:
        return draw(st.sampled_from(("now-1y", "NOW", "now/y", "now-1.5d", "now-1", "", None, 7, "now-1d  ")))
    if roll <= 2:
        return draw(st.sampled_from(("now", "now/d", "now/w", "now/m", " now ", "now+1w")))
    now = _dt.datetime.utcnow()
    target = draw(datetimes_utc())
    days = max((now - target).days, 1)
    unit, amount = draw(st.sampled_from((("d", days), ("w", max(days // 7, 1)), ("h", days * 24))))
    base = draw(st.sampled_from(("now", "now", "now/d", "now/m")))
    sep = draw(st.sampled_from(("", "", " ")))
    return f"{base}{sep}-{sep}{amount}{unit}"


@st.composite
def _match_value(draw, key: str, seen_codes: Sequence[Any], seen_messages: Sequence[Any]) -> Any:
    roll = draw(st.integers(0, 14))
    if roll == 0:
        return draw(st.sampled_from(("ERROR_AUTH", None, ["x"], 1)))
    if key != "errors":
        return {"k": draw(st.sampled_from(("v", 1)))}
    codes = tuple(dict.fromkeys([c for c in seen_codes if isinstance(c, str)] + list(ERROR_CODES)))
    messages = tuple(dict.fromkeys([m for m in seen_messages if isinstance(m, str)] + list(MESSAGES)))
    shape = draw(st.sampled_from(("code", "message", "both", "empty", "null_code", "icontains", "additional", "in")))
    if shape == "code":
        return {"error_code": draw(st.sampled_from(codes))}
    if shape == "message":
        return {"message": draw(st.sampled_from(messages))}
    if shape == "both":
        return {"error_code": draw(st.sampled_from(codes)), "message": draw(st.sampled_from(messages))}
    if shape == "empty":
        return {}
    if shape == "null_code":
        return {draw(st.sampled_from(("error_code", "message"))): None}
    if shape == "icontains":
        return {"error_code__icontains": draw(_substring(codes))}
    if shape == "additional":
        return {"additional__x": draw(st.one_of(st.integers(-3, 12), st.sampled_from(("str", 1.5))))}
    return {"error_code__in": draw(st.lists(st.sampled_from(codes), max_size=3))}


def _condition_keys() -> st.SearchStrategy[str]:
    common = st.sampled_from(tuple(k for k in FIELD_KIND if k != "domain_id"))
    rare = st.sampled_from(("nosuch", "errors.nosuch", "domain_id"))
    return st.one_of(common, common, common, common, common, common, common, rare)


@st.composite
def conditions(draw, records_: Sequence[dict] = ()) -> dict:
    """One filter condition over any operator, with a value shaped (mostly) for the key's kind."""
    key = draw(_condition_keys())
    operator = draw(st.sampled_from(FILTER_OPERATORS))
    kind = FIELD_KIND.get(key, "str")
    seen = path_values(records_, key)
    value = _condition_value(draw, key, kind, operator, seen, records_)
    form = draw(st.sampled_from(("short", "short", "long", "mixed")))
    if form == "short":
        return {"k": key, "v": value, "o": operator}
    if form == "long":
        return {"key": key, "value": value, "operator": operator}
    return {"key": key, "v": value, "o": operator}


def _condition_value(draw, key: str, kind: str, operator: str, seen: Sequence[Any], records_: Sequence[dict]) -> Any:
    if operator in MULTI_OPERATORS and draw(st.integers(0, 19)) == 0:
        return draw(_wrong_type_values())  # not a list
    if operator not in MULTI_OPERATORS and draw(st.integers(0, 29)) == 0:
        return ["x"]  # a list where one value is expected
    if operator in ("eq", "not", "lt", "lte", "gt", "gte"):
        return _plain_value(draw, key, kind, seen)
    if operator == "exists":
        return draw(st.one_of(st.booleans(), st.booleans(), st.booleans(), st.sampled_from((1, 0, "true", None))))
    if operator in ("in", "not_in"):
        return [_plain_value(draw, key, kind, seen) for _ in range(draw(st.integers(0, 3)))]
    if operator in ("contain", "not_contain"):
        return _contain_value(draw, key, kind, seen)
    if operator in ("contain_in", "not_contain_in"):
        size = draw(st.sampled_from((1, 1, 2, 3, 0)))
        return [_contain_value(draw, key, kind, seen) for _ in range(size)]
    if operator == "match":
        return draw(_match_value(key, path_values(records_, "errors.error_code"), path_values(records_, "errors.message")))
    if operator == "regex":
        return draw(_regex_pattern(key, seen))
    if operator == "regex_in":
        return [draw(_regex_pattern(key, seen)) for _ in range(draw(st.sampled_from((1, 1, 2, 3, 0))))]
    if operator.startswith("datetime_"):
        return draw(_iso_for_datetime_op(seen))
    return draw(_timediff_value())


# --------------------------------------------------------------------------- request options
@st.composite
def _sort_item(draw) -> dict:
    item: dict[str, Any] = {"key": draw(st.one_of(st.sampled_from(SORT_KEYS), st.sampled_from(SORT_KEYS),
                                                   st.sampled_from(SORT_KEYS), st.just("nosuch")))}
    desc = draw(st.sampled_from((None, True, False)))
    if desc is not None:
        item["desc"] = desc
    return item


@st.composite
def sorts(draw) -> Any:
    """The three sort shapes: v1 {key, desc}, v1 {keys: [...]}, and today's list."""
    shape = draw(st.sampled_from(("single", "keys", "list", "list")))
    if shape == "single":
        return draw(_sort_item())
    items = draw(st.lists(_sort_item(), max_size=3, unique_by=lambda i: i["key"]))
    return {"keys": items} if shape == "keys" else items


@st.composite
def pages(draw) -> dict:
    page: dict[str, Any] = {}
    if draw(st.booleans()):
        page["start"] = draw(st.one_of(st.integers(-1, 6), st.integers(1, 3)))
    if draw(st.integers(0, 3)):
        page["limit"] = draw(st.one_of(st.integers(-1, 5), st.integers(1, 3), st.just(1001)))
    return page


@st.composite
def _keyword(draw, records_: Sequence[dict]) -> str:
    ids = tuple(r["job_task_id"].strip() for r in records_) or tuple(s + t for s in ID_STEMS for t in ID_TAILS)
    tokens = draw(st.lists(_substring(ids), min_size=0, max_size=3))
    sep = draw(st.sampled_from((" ", "  ")))
    return draw(st.sampled_from(PADDING)) + sep.join(tokens) + draw(st.sampled_from(PADDING))


@st.composite
def _top_level(draw, records_: Sequence[dict]) -> dict:
    out: dict[str, Any] = {}
    for key in ("status", "provider", "job_id", "workspace_id", "project_id", "job_task_id", "secret_id", "service_account_id"):
        if draw(st.integers(0, 11)) == 0:
            pool = _string_pool(key, path_values(records_, key))
            if draw(st.integers(0, 2)) == 0:
                out[key] = draw(st.lists(st.sampled_from(pool), max_size=3))
            else:
                out[key] = draw(st.one_of(st.sampled_from(pool), st.none()))
    return out


@st.composite
def list_requests(draw, domain_ids: Sequence[str] = DEFAULT_DOMAINS, records: Sequence[dict] = ()) -> dict:
    """A JobTaskQuery request dict: top-level keys plus a core Query with filters, sort, page and projection.

    ``records``, when given, are the records the request will run against: condition values are then
    drawn from them too, so that filters hit.
    """
    records_ = tuple(records)
    params: dict[str, Any] = {}
    domains = tuple(domain_ids)
    params["domain_id"] = draw(st.one_of(
        st.sampled_from(domains), st.sampled_from(domains), st.sampled_from(domains),
        st.lists(st.sampled_from(domains), min_size=1, max_size=len(domains), unique=True),
    ))
    params.update(draw(_top_level(records_)))
    query: dict[str, Any] = {}
    if draw(st.integers(0, 3)):
        query["filter"] = draw(st.lists(conditions(records_), max_size=3))
    if draw(st.integers(0, 3)) == 0:
        query["filter_or"] = draw(st.lists(conditions(records_), max_size=3))
    if draw(st.integers(0, 5)) == 0:
        query["keyword"] = draw(_keyword(records_))
    if draw(st.booleans()):
        query["sort"] = draw(sorts())
    if draw(st.booleans()):
        query["page"] = draw(pages())
    projection = draw(st.integers(0, 9))
    if projection == 0:
        query["minimal"] = True
    elif projection <= 2:
        keys = st.one_of(st.sampled_from(ONLY_KEYS), st.sampled_from(ONLY_KEYS), st.sampled_from(ONLY_KEYS),
                         st.sampled_from(ONLY_KEYS), st.sampled_from(ONLY_KEYS), st.just("nosuch"))
        query["only"] = draw(st.lists(keys, min_size=1, max_size=4))
    if draw(st.integers(0, 11)) == 0:
        query["count_only"] = True
    if query or draw(st.booleans()):
        params["query"] = query
    return params
