"""JobTask records: validation on the way in, JobTaskInfo on the way out.

Input is checked by msgspec in one C-level pass (types, the status enum,
nested errors) and then normalised the way the production model stores it:
strings trimmed, absent values stored as null or not at all per field,
datetimes reduced to UTC milliseconds.  Keys the model does not know are
ignored, as the reference's ``create`` ignores them.

What comes out is the store's own: strings copied (repeated ones once per
distinct value, through the table's pools), integers re-made, lists of errors
shared per distinct value — never an object of the caller's records, so that
every ingest path builds the same store and a caller dropping its records
gets their memory back.
"""

from __future__ import annotations

import datetime as _dt
import re
import secrets
from array import array
from functools import partial
from itertools import chain, compress, repeat
from operator import floordiv, not_, sub
from typing import Any, Callable, Iterable, Sequence, TypeGuard, TypeVar, Union

import msgspec
from msgspec import UNSET, UnsetType

from . import errors as E
from .columns import MISSING_MS, NULL_MS, CodeColumn, CodeStage, StagedCodes, TimeColumn
from .schema import DATETIME, FIELDS, INT, MISSING, STATUSES, STR, Field
from .limits import nesting_depth
from .thresholds import INT_POOL_LIMIT
from .timeutil import EPOCH_UTC, MAX_MS, MIN_MS, ONE_MS, first_unrepresentable, now_ms, to_ms

__all__ = [
    "ErrorInfo",
    "JobTask",
    "decode_records",
    "decode_one",
    "normalize_columns",
    "normalize_changes",
    "LoadStage",
    "new_job_task_id",
    "own_str",
    "own_strs",
    "pooled",
    "pooled_ints",
    "shared_errors",
]

OptStr = Union[str, None, UnsetType]
OptInt = Union[int, None, UnsetType]
OptTime = Union[_dt.datetime, None, UnsetType]

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


class ErrorInfo(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True):
    """One element of ``errors``."""

    error_code: OptStr = UNSET
    message: OptStr = UNSET
    additional: Union[dict[str, Any], None, UnsetType] = UNSET


class JobTask(msgspec.Struct, omit_defaults=True):
    """A JobTask record as accepted on input: every JobTaskInfo field plus ``workspace_id``."""

    job_task_id: OptStr = UNSET
    status: OptStr = UNSET  # one of STATUSES, checked after trimming as the production model does
    provider: OptStr = UNSET
    created_count: OptInt = UNSET
    updated_count: OptInt = UNSET
    failure_count: OptInt = UNSET
    deleted_count: OptInt = UNSET
    disconnected_count: OptInt = UNSET
    errors: Union[list[ErrorInfo], None, UnsetType] = UNSET
    job_id: OptStr = UNSET
    secret_id: OptStr = UNSET
    service_account_id: OptStr = UNSET
    project_id: OptStr = UNSET
    workspace_id: OptStr = UNSET
    domain_id: OptStr = UNSET
    created_at: OptTime = UNSET
    started_at: OptTime = UNSET
    finished_at: OptTime = UNSET


def new_job_task_id() -> str:
    return f"job-task-{secrets.token_hex(6)}"


def _validation_error(exc: msgspec.ValidationError, where: str = "record") -> E.EngineError:
    return E.EngineError("ERROR_INVALID_PARAMETER", f"Invalid {where}: {exc}")


def decode_records(items: Any, offset: int = 0) -> list[JobTask]:
    """Validate a batch of plain records (dicts) in one pass; errors name ``$[i].field``.

    ``offset`` is the batch's position in a longer input, so the index named is the caller's.
    """
    try:
        tasks = msgspec.convert(items, list[JobTask], str_keys=True)
    except msgspec.ValidationError as exc:
        raise _validation_error(shift_positions(exc, offset)) from None
    for i, task in enumerate(tasks):
        if task.errors:
            _json_additional(task.errors, f"$[{i + offset}].")
    return tasks


_Error = TypeVar("_Error", bound=Exception)


def shift_positions(exc: _Error, offset: int) -> _Error:
    """The same error with its leading ``$[i]`` moved by ``offset``."""
    if not offset:
        return exc
    text = re.sub(r"\$\[(\d+)\]", lambda m: f"$[{int(m.group(1)) + offset}]", str(exc), count=1)
    return type(exc)(text)


def decode_one(item: Any, *, partial: bool = False) -> JobTask:
    try:
        task = msgspec.convert(item, JobTask, str_keys=True)
    except msgspec.ValidationError as exc:
        raise _validation_error(exc, "changes" if partial else "record") from None
    if task.errors:
        _json_additional(task.errors, "")
    return task


def _json_additional(errors: list[ErrorInfo], where: str) -> None:
    """Keep ``additional`` as JSON, the only form it has in the API, so that what is stored
    is what is returned: Python-only values become their JSON form (a datetime its ISO
    string, a tuple or set an array); a value JSON cannot hold is refused."""
    for j, err in enumerate(errors):
        if err.additional:
            try:
                err.additional = _JSON_DECODE(_JSON_ENCODE(err.additional))
            except (TypeError, ValueError, msgspec.EncodeError, RecursionError) as exc:
                raise E.EngineError(
                    "ERROR_INVALID_PARAMETER", f"Invalid record: {exc} - at `{where}errors[{j}].additional`"
                ) from None


_JSON_ENCODE = msgspec.json.Encoder().encode
_JSON_DECODE = msgspec.json.Decoder().decode




def _too_long(name: str, values: list, limit: int, where: Callable[[int], str]) -> E.EngineError:
    i = next(i for i, x in enumerate(values) if type(x) is str and len(x) > limit)
    return E.EngineError(
        "ERROR_INVALID_PARAMETER", f"String value is too long: {where(i)}{name} (max_length = {limit})"
    )


def own_str(x: str) -> str:
    """A new string equal to ``x`` that the store alone references.

    Keeping the caller's own string would pin the memory around it (its
    decoded record, freed by the caller, cannot go back to the system while
    one string of it lives), so the store keeps copies allocated by itself.
    """
    return (x + "\x00")[:-1]


def own_strs(values: list[str]) -> list[str]:
    """Fresh copies of many strings at C speed, allocated one after the other (see ``own_str``)."""
    if not values:
        return []
    blob = "\x00".join(values)
    if blob.count("\x00") == len(values) - 1:
        return blob.split("\x00")
    return [own_str(x) for x in values]


def pooled(pool: dict[str, str], x: str) -> str:
    """The pool's copy of ``x``, made on first sight (one object per distinct value, the store's own)."""
    got = pool.get(x)
    if got is None:
        got = own_str(x)
        pool[got] = got
    return got


def _own_stripped(raw: Sequence, absent: Any) -> list:
    """Each value stripped and copied as the store's own (``own_strs``), ``absent`` for a
    null or unset one: the way of a field without a pool (the unique ids)."""
    if all(raw):
        # Every value given: stripped and copied in C.  ``all`` tells in one C pass (null and
        # unset are false) where ``UNSET in raw`` compares each string twice (1M ids: ~5 ms
        # against ~100).
        return own_strs(list(map(str.strip, raw)))
    values = [absent if x is UNSET or x is None else x.strip() for x in raw]
    if type(absent) is str:  # (status's 'PENDING')
        return own_strs(values)
    given = own_strs([x for x in values if type(x) is str])
    if len(given) == len(values):  # (empty strings, which ``all`` counts false)
        return given
    it = iter(given)
    return [next(it) if type(x) is str else x for x in values]


def _absent_str(f: Field) -> Any:
    """What a string field stores for a null or unset value: status its default, a nullable
    field null, any other 'not stored'."""
    return "PENDING" if f.name == "status" else (None if f.nullable else MISSING)


def _str_column(f: Field, raw: Sequence[Any], where: Callable[[int], str], pool: dict | None) -> list:
    absent = _absent_str(f)
    if pool is None:
        values = _own_stripped(raw, absent)
        distinct: Iterable = values
    else:
        # Few distinct values: normalise each once, then map the column through a dict at C speed.
        mapping = {x: absent if x is UNSET or x is None else pooled(pool, x.strip()) for x in set(raw)}
        values = list(map(mapping.__getitem__, raw))
        distinct = mapping.values()
    if f.max_length is not None and max(map(len, filter(None, distinct)), default=0) > f.max_length:
        raise _too_long(f.name, values, f.max_length, where)
    if f.name == "status" and not STATUSES.issuperset(distinct):
        i = next(i for i, x in enumerate(values) if x not in STATUSES)
        raise E.EngineError(
            "ERROR_INVALID_PARAMETER",
            f"Invalid status {values[i]!r} at {where(i)}status (choices: {sorted(STATUSES)})",
        )
    return values


def _int_column(f: Field, raw: Sequence, where: Callable[[int], str], pool: dict | None = None) -> list:
    try:
        small = _SMALL_INT_LOW <= min(raw, default=0) and max(raw, default=0) <= _SMALL_INT_HIGH
    except TypeError:  # a null or unset among them
        small = False
    if small:
        # Only CPython's shared small ints (most counts): the batch's objects are already the
        # store's own, so no copy and no pool lookup a row (1M workload records, five count
        # columns: ~0.3 s); the pool gets what ``pooled_ints`` would give it.
        if _pools(pool):
            for v in dict.fromkeys(raw):
                pool.setdefault(v, v)
        return list(raw)
    try:
        # Every value given and within 64 bits: the array refuses anything else (a null or
        # unset: TypeError, past 64 bits: OverflowError) in the pass that copies them.
        fresh = array("q", raw).tolist()
    except (TypeError, OverflowError):
        pass
    else:
        return pooled_ints(pool, fresh)
    values: Sequence[Any]
    if UNSET in raw or None in raw:
        values = [0 if x is UNSET or x is None else x for x in raw]
    else:
        values = raw
    if values and (min(values) < INT64_MIN or max(values) > INT64_MAX):
        i = next(i for i, x in enumerate(values) if not INT64_MIN <= x <= INT64_MAX)
        raise E.EngineError("ERROR_INVALID_PARAMETER", f"Integer out of 64-bit range: {where(i)}{f.name}")
    # The store's own int objects, allocated in row order (not the caller's, see ``own_str``).
    return pooled_ints(pool, array("q", values).tolist())


#: The ints CPython shares (made once, handed out for every such value): what ``int`` makes
#: of them is always the same object.
_SMALL_INT_LOW, _SMALL_INT_HIGH = -5, 256


def pooled_ints(pool: dict | None, fresh: list[int]) -> list[int]:
    """Repeated integers shared through the field's pool, one object per distinct value
    (counts repeat: loads of 1M workload records kept 3 B/record less, 294.6 -> 291.6 with
    ``load_file``).  An opened snapshot does not pool its integers: the pass cost 130 ms at 1M."""
    if not _pools(pool):
        return fresh
    return list(map(pool.setdefault, fresh, fresh))


def _pools(pool: dict | None) -> TypeGuard[dict]:
    """Whether an integer field's pool still takes values: past ``INT_POOL_LIMIT`` distinct
    ones the field is not repetitive enough for sharing to pay."""
    return pool is not None and len(pool) <= INT_POOL_LIMIT


def _time_column(f: Field, raw: Sequence, now: int) -> list:
    """Epoch ms (or None / MISSING) per value, one by one: the general way, for an update's
    values and for a batch ``_time_array`` does not take in C (a naive datetime, an instant
    out of range), whose refusal ``_checked_times`` then words."""
    unset = now if f.name == "created_at" else (None if f.nullable else MISSING)
    null = None if f.nullable else MISSING
    try:
        values = [unset if x is UNSET else null if x is None else (x - EPOCH_UTC) // ONE_MS for x in raw]
    except TypeError:
        values = [unset if x is UNSET else null if x is None else to_ms(x) for x in raw]
    return values


def _time_array(f: Field, raw: Sequence, now: int, where: Callable[[int], str]) -> TimeColumn:
    """A batch's datetime column straight as epoch ms in an array, the sentinels written in
    place (``NULL_MS``, ``MISSING_MS``), so that the array is filled in C instead of one
    ``columns._encode`` call per value once a null is among them (1M workload records,
    ``started_at`` and ``finished_at``: ~0.9 s in the append alone).

    The given values are converted in C (a subtraction and a division each, mapped), the
    rows without one (null and unset are false, a datetime true) put in between as slices
    of the array: no per-row Python step, and the range check reads the given values alone.
    Anything unusual (a naive datetime, an instant the store cannot write back) goes the
    general way, which also words the refusal."""
    try:
        present = list(map(floordiv, map(sub, filter(None, raw), repeat(EPOCH_UTC)), repeat(ONE_MS)))
    except TypeError:
        present = None
    if present is None or min(present, default=0) < MIN_MS or max(present, default=0) > MAX_MS:
        return TimeColumn(_checked_times(f, _time_column(f, raw, now), where))
    values = array("q", present)
    if len(present) == len(raw):
        return TimeColumn.of_array(values, 0)
    unset = now if f.name == "created_at" else (NULL_MS if f.nullable else MISSING_MS)
    null = NULL_MS if f.nullable else MISSING_MS
    out = array("q")
    at = 0  # given values written so far
    absent = 0
    for i, r in enumerate(compress(range(len(raw)), map(not_, raw))):
        out.extend(values[at : r - i])
        at = r - i
        ms = unset if raw[r] is UNSET else null
        out.append(ms)
        absent += ms <= MISSING_MS
    out.extend(values[at:])
    return TimeColumn.of_array(out, absent)


def _checked_times(f: Field, values: list, where: Callable[[int], str]) -> list:
    """Refuse an instant the store cannot write back (outside UTC years 1-9999)."""
    i = first_unrepresentable(values)
    if i is not None:
        raise E.EngineError(
            "ERROR_INVALID_PARAMETER", f"Datetime out of range (UTC years 1-9999): {where(i)}{f.name}"
        )
    return values


def _errors_column(
    raw: Sequence, where: Callable[[int], str], pool: dict | None = None, done: dict[bytes, list] | None = None
) -> list:
    """``done``: input JSON -> stored list, kept over the batches of one load (``LoadStage``)
    when given, so that a list repeated across batches is normalised once per load."""
    values: list = [NO_ERRORS] * len(raw)
    rows = list(compress(range(len(raw)), map(bool, raw)))
    pool = pool if pool is not None else {}
    keep = partial(pooled, pool)
    # Rows repeat a few lists of errors: each distinct input (its JSON, encoded in C) is
    # normalised once, the first row holding it naming the position of any refusal.
    if done is None:
        done = {}
    for r, key in zip(rows, map(_JSON_ENCODE, map(raw.__getitem__, rows))):
        stored = done.get(key)
        if stored is None:
            # msgspec turns the Error structs into dicts in C, leaving out the fields never given.
            errs = msgspec.to_builtins(raw[r])
            stored = done[key] = shared_errors(pool, _stored_errors(errs, where(r), keep))
        values[r] = stored
    return values


#: MongoDB refuses documents nested more than 100 levels; a record's ``additional`` sits
#: 3 below the top (record, errors, error).  Deeper values also overflowed the stack
#: when a page holding them was copied out.
MAX_ADDITIONAL_DEPTH = 97


def shared_errors(pool: dict, errs: list[dict]) -> list[dict]:
    """One stored list for every row with the same errors (column values are read-only, and
    responses copy them), keyed in the field's pool by its JSON text (bytes keys, apart from
    the pooled code and message strings): memory per distinct list, not per row."""
    key = _JSON_ENCODE(errs)
    got = pool.get(key)
    if got is None:
        got = pool[key] = errs
    return got


#: The stored value of an empty ``errors``: one shared immutable object, not a list per row.
NO_ERRORS: tuple = ()


def _stored_errors(errs: list[dict], where: str, keep: Callable[[str], str]) -> list[dict]:
    """Error documents as the production model stores them: no nulls, ``additional`` defaulted.

    ``keep`` shares repeated code and message strings (one object per distinct value).
    """
    for i, doc in enumerate(errs):
        for name, limit in (("error_code", 128), ("message", 2048)):
            value = doc.get(name)
            if value is None:
                doc.pop(name, None)
            elif len(value) > limit:
                raise E.EngineError(
                    "ERROR_INVALID_PARAMETER",
                    f"String value is too long: {where}errors[{i}].{name} (max_length = {limit})",
                )
            else:
                doc[name] = keep(value)
        if doc.get("additional") is None:
            doc["additional"] = {}
        elif nesting_depth(doc["additional"]) > MAX_ADDITIONAL_DEPTH:
            raise E.EngineError(
                "ERROR_INVALID_PARAMETER",
                f"Document nested too deeply: {where}errors[{i}].additional (max depth = {MAX_ADDITIONAL_DEPTH})",
            )
    return errs


class _Refused(Exception):
    """A value a ``RawCodes`` will not code (the general way words the refusal)."""


class RawCodes(dict):
    """Input value -> code for one code column over one load (``LoadStage``).

    The batch's codes are ``map(codes.__getitem__, raw)``: one C lookup a row;
    a value not seen yet in the load (``__missing__``, once per distinct input)
    is normalised as ``_str_column`` does (trimmed, absent as the field stores
    it, pooled), checked, and coded by the stage.  The path it replaces hashed
    every value five times (a set, a dict, then the column's set, dict and
    lookups: ~2.8 s of the 1M workload load's ~9 s CPU)."""

    __slots__ = ("field", "pool", "stage", "absent")

    def __init__(self, field: Field, pool: dict, stage: CodeStage) -> None:
        super().__init__()
        self.field = field
        self.pool = pool
        self.stage = stage
        self.absent = _absent_str(field)

    def __missing__(self, x: Any) -> int:
        value = self.absent if x is UNSET or x is None else pooled(self.pool, x.strip())
        if type(value) is str:
            limit = self.field.max_length
            if (limit is not None and len(value) > limit) or (self.field.name == "status" and value not in STATUSES):
                raise _Refused
        code = self[x] = self.stage.code(value)
        return code

    def codes(self, raw: Sequence, where: Callable[[int], str]) -> StagedCodes:
        try:
            codes = list(map(self.__getitem__, raw))
        except _Refused:
            _str_column(self.field, raw, where, self.pool)  # raises, naming the first bad row
            raise AssertionError("a value refused by RawCodes passed _str_column") from None
        # A list first, then the array at its final width: an array filled from an iterator
        # converts and regrows item by item (200k codes: ~80 ns a code against ~20 from a
        # list, ~8 for bytes through ``bytes``).
        typecode = self.stage.typecode()
        return StagedCodes(array(typecode, bytes(codes) if typecode == "B" else codes), self.stage)


class LoadStage:
    """What the batches of one load of a table share while none of them is appended.

    ``codes``: per code column, what its values are coded by (``RawCodes`` over a
    ``columns.CodeStage``: the table is not touched until the append); ``errors``:
    input ``errors`` JSON -> stored list (``_errors_column``)."""

    __slots__ = ("codes", "errors")

    def __init__(self, columns: dict[str, Any], pools: dict[str, dict]) -> None:
        self.codes: dict[str, RawCodes] = {
            name: RawCodes(FIELDS[name], pools[name], CodeStage(col))
            for name, col in columns.items()
            if type(col) is CodeColumn
        }
        self.errors: dict[bytes, list] = {}


_FIELD_ORDER = JobTask.__struct_fields__
_as_tuple = msgspec.structs.astuple


def normalize_columns(
    tasks: list[JobTask],
    pools: dict[str, dict] | None = None,
    positions: bool = True,
    offset: int = 0,
    stage: LoadStage | None = None,
) -> dict[str, Any]:
    """Column values for a batch of validated records, as the production model would store them.

    ``pools`` maps a string field to the dict its repeated values are shared
    through (memory: one object per distinct value, not per row).  With
    ``stage`` (the table's, one for the whole load), the code columns come as
    ``StagedCodes`` rather than lists of values.
    """
    where = (lambda i: f"$[{i + offset}].") if positions else (lambda i: "")
    now = now_ms()
    # One transpose in C: a tuple per record, then a tuple per field (18 ``attrgetter``
    # maps read the same structs once per field: 1M records ~1.3 s, this ~0.8 s).
    raws = dict(zip(_FIELD_ORDER, zip(*map(_as_tuple, tasks)))) if tasks else dict.fromkeys(_FIELD_ORDER, ())
    cols: dict[str, Any] = {}
    for name, f in FIELDS.items():
        raw = raws.pop(name)
        if f.kind == STR:
            coder = None if stage is None else stage.codes.get(name)
            if coder is not None:
                cols[name] = coder.codes(raw, where)
            else:
                cols[name] = _str_column(f, raw, where, None if pools is None else pools.get(name))
        elif f.kind == INT:
            cols[name] = _int_column(f, raw, where, None if pools is None else pools.get(name))
        elif f.kind == DATETIME:
            # Straight into the column's array: the batch's int objects are temporaries.
            cols[name] = _time_array(f, raw, now, where)
        else:
            done = None if stage is None else stage.errors
            cols[name] = _errors_column(raw, where, None if pools is None else pools.get(name), done)
        del raw
    ids = cols["job_task_id"]
    if not all(ids) and MISSING in ids:  # (``all``: the usual check in C, see ``_own_stripped``)
        cols["job_task_id"] = [new_job_task_id() if x is MISSING else x for x in ids]
    return cols


def normalize_changes(
    changes: Any, allowed: Iterable[str], pools: dict[str, dict] | None = None
) -> dict[str, Any]:
    """Column values for an update: only the updatable fields, each validated like on create.

    Strings come back as the store's own objects: through ``pools`` (the
    table's, when given) for the fields it shares, otherwise fresh copies.
    """
    if not isinstance(changes, dict):
        raise E.invalid_parameter_type("changes", "dict")
    allowed = frozenset(allowed)
    refused = sorted(str(k) for k in changes if k not in allowed)
    if refused:
        raise E.invalid_parameter(refused[0], f"field is not updatable (updatable: {sorted(allowed)})")
    out: dict[str, Any] = {}
    for name, value in changes.items():
        stored = _plain_change(FIELDS[name], value)
        if stored is _NOT_PLAIN:
            return _normalized_changes(changes, pools)
        out[name] = stored
    return _owned_changes(out, pools or {})


def _owned_changes(values: dict[str, Any], pools: dict[str, dict]) -> dict[str, Any]:
    """Plain int/str changes made the store's own (strings pooled where the field has a pool)."""
    for name, value in values.items():
        if type(value) is str:
            pool = pools.get(name)
            values[name] = own_str(value) if pool is None else pooled(pool, value)
    return values


_NOT_PLAIN = object()


def _plain_change(f: Field, value: Any) -> Any:
    """The stored value of a valid int or string change, checked directly (the common
    update, a few times quicker than validating a partial record); anything else is
    ``_NOT_PLAIN`` and goes the full way, which also words any refusal."""
    if f.kind == INT and type(value) is int and INT64_MIN <= value <= INT64_MAX:
        return value
    if f.kind == STR and type(value) is str:
        stripped = value.strip()
        if f.max_length is not None and len(stripped) > f.max_length:
            return _NOT_PLAIN
        if f.name == "status" and stripped not in STATUSES:
            return _NOT_PLAIN
        return stripped
    return _NOT_PLAIN


def _normalized_changes(changes: dict, pools: dict[str, dict] | None = None) -> dict[str, Any]:
    """An update's values validated as a partial record and normalised column by column,
    into the store's own objects (through the field's pool, where it has one)."""
    pools = pools or {}
    task = decode_one(changes, partial=True)
    out: dict[str, Any] = {}
    for name in changes:
        f = FIELDS[name]
        raw = [getattr(task, name)]
        if f.kind == STR:
            out[name] = _str_column(f, raw, _NOWHERE, pools.get(name))[0]
        elif f.kind == INT:
            out[name] = _int_column(f, raw, _NOWHERE)[0]
        elif f.kind == DATETIME:
            out[name] = _checked_times(f, _time_column(f, raw, 0), _NOWHERE)[0]
        else:
            out[name] = _errors_column(raw, _NOWHERE, pools.get(name))[0]
    return out


def _NOWHERE(i: int) -> str:
    return ""


def errors_out(values: Sequence) -> list:
    """Stored ``errors`` of many rows as the API writes them: every element with all three
    keys, and fresh objects throughout (a caller changing a response never changes the store).

    ``to_builtins`` deep-copies the page in C; only elements stored without a code or a
    message (not stored when null) are completed one by one.
    """
    # Stored non-empty errors are lists; the empty ones share one tuple (a fresh [] each here).
    copied = iter(msgspec.to_builtins([x for x in values if type(x) is list]))
    out = [next(copied) if type(x) is list else (None if x is None or x is MISSING else []) for x in values]
    if min(map(len, chain.from_iterable(filter(None, out))), default=3) < 3:
        out = [None if x is None else [_complete(e) for e in x] for x in out]
    return out


def _complete(err: dict) -> dict:
    return {"error_code": err.get("error_code"), "message": err.get("message"), "additional": err["additional"]}

