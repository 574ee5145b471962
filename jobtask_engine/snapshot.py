"""Snapshots: a store's columns in one versioned, checksummed file.

Loading JSON costs seconds at a million records (parsing, validating,
normalising every value); a snapshot holds the columns already normalised,
so opening one is a few C-level passes.  Layout, little-endian::

    magic     8 bytes   MAGIC
    version   u32       FORMAT_VERSION
    length    u64       bytes of the body
    checksum  u32       CRC-32 of the body
    body      msgpack   ``Body``: ids, then the columns by kind

String columns other than ``job_task_id`` are the store's ``CodeColumn`` as it
is (its value table after the two reserved codes, and its 1-, 2- or 4-byte
codes raw, read back with ``frombytes``),
integers and datetimes are raw ``array('q')`` bytes (datetimes with a byte per
row marking the absent ones when any row is), ``errors`` the JSON of its
distinct lists with a code per row; then the sorted indexes the store had
built and settled (each a sort at open otherwise), and where each integer and datetime column
steps down in row order (``storage/arrival.py``: a pass a column at open otherwise; a
trailing field, so files without it read as before and older readers skip it).  An absent value is null or 'not stored'
as the schema says for the field, so no file can store the wrong one.  Deleted rows are left out; row
order (the natural order answers use) is kept.

A file is written whole to a temporary file beside the target, flushed to
disk, and renamed over it, so a crash at any moment leaves either the old
snapshot or the new one.  Reading checks everything (magic, version, length,
checksum, then every column against the schema) before a store is built, so a
damaged or foreign file is refused with an ``EngineError`` and never half-read.
"""

from __future__ import annotations

import os
import struct
import sys
import zlib
from array import array
from itertools import accumulate, compress
from pathlib import Path
from typing import Any

import msgspec

from . import errors as E
from .columns import CODE_MISSING, CODE_NULL, MISSING_MS, NULL_MS, CodeColumn, TimeColumn, code_typecode
from .records import NO_ERRORS, pooled, shared_errors
from .schema import DATETIME, ERROR_FIELDS, FIELDS, INT, STATUSES, STR
from .storage import Table
from .storage.sorted_index import ROW_TYPECODE, SMALL_KEY_TYPECODE
from .thresholds import RUN_STEPS
from .timeutil import MAX_MS, MIN_MS

__all__ = ["MAGIC", "FORMAT_VERSION", "write_snapshot", "read_snapshot", "is_snapshot"]

#: First bytes of every snapshot: a non-ASCII byte and a line break, so that no JSON
#: or text file starts this way and a text-mode transfer that mangles bytes is caught.
MAGIC = b"\x89JTSNAP\n"
#: 3: string columns hold the store's own codes (0 not stored, 1 null, 2... the value table);
#: 2: sorted index permutations hold 4-byte row ids, and keys say their width (1: 8 bytes both).
#: Earlier versions are refused (``_checked_body``): saving again from the files they came from
#: is the way forward.
FORMAT_VERSION = 3
_HEADER = struct.Struct("<8sIQI")

_WIDTHS = {1: "B", 2: "H", 4: "I"}


class StrColumn(msgspec.Struct, array_like=True):
    """A ``columns.CodeColumn``: value ``i`` of ``values`` has code ``i + 2`` (0 not stored, 1
    null; only the field's own absent code may occur, as the schema says: no file stores the
    wrong one)."""

    values: list[str]
    width: int
    codes: bytes


class TimeParts(msgspec.Struct, array_like=True):
    values: bytes
    #: empty when no row is absent; else one byte per row: 1 absent (null or not stored, per the schema)
    nulls: bytes


class ErrorsColumn(msgspec.Struct, array_like=True):
    lists: bytes  # JSON: the distinct stored lists of error documents
    width: int
    codes: bytes  # per row: 0 no errors, i + 1 the i-th list


class SortedParts(msgspec.Struct, array_like=True):
    """A settled sorted index of an integer or datetime column (see ``storage.SortedIndex``)."""

    perm: bytes  # int32 row ids (``table.ROW_TYPECODE``) by (value, row id)
    key_typecode: str  # "q", or "i" (``table.SMALL_KEY_TYPECODE``) when every key fits 4 bytes
    keys: bytes  # their sort keys
    bounds: list[int]
    codes: bytes  # range code per row


class Body(msgspec.Struct, array_like=True):
    rows: int
    #: every job_task_id, UTF-8, each followed by a NUL (ids never hold one: checked on writing)
    ids: bytes
    strings: dict[str, StrColumn]
    ints: dict[str, bytes]
    times: dict[str, TimeParts]
    errors: ErrorsColumn
    #: the sorted indexes the store had built (the costly ones to build: a sort each)
    sorted: dict[str, SortedParts]
    #: per integer/datetime column whose arrival order the store knew: the rows (numbered as
    #: saved) where its sort key steps down, or None when too many (``storage/arrival.py``)
    steps: dict[str, list[int] | None] = {}


_BODY = msgspec.msgpack.Decoder(Body)


def is_snapshot(path: str | os.PathLike) -> bool:
    """True when the file starts with the snapshot magic (False when it cannot be read)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


# -- writing -------------------------------------------------------------------------


def write_snapshot(table: Table, path: str | os.PathLike) -> int:
    """Write the table's live rows to ``path`` atomically; returns the number of rows."""
    try:
        body = _encode(table)
    except (TypeError, ValueError, OverflowError) as exc:  # a value no column kind holds: an engine bug
        raise E.EngineError("ERROR_INVALID_PARAMETER", f"Cannot write a snapshot of this store: {exc}") from None
    data = _HEADER.pack(MAGIC, FORMAT_VERSION, len(body), zlib.crc32(body)) + body
    _write_atomically(Path(path), data)
    return len(table)


def _live(col: list | TimeColumn | CodeColumn, mask: bytearray | None) -> list | TimeColumn | CodeColumn:
    """The column's live rows (``mask`` None: every row is live)."""
    if mask is None:
        return col
    if type(col) is TimeColumn:
        return TimeColumn.of_array(array("q", compress(col.raw, mask)))
    if type(col) is CodeColumn:
        return CodeColumn.of_parts(array(col.codes.typecode, compress(col.codes, mask)), col.values[2:])
    return list(compress(col, mask))


def _encode(table: Table) -> bytes:
    mask = table.live_mask()
    cols: dict[str, Any] = {name: _live(col, mask) for name, col in table.columns.items()}
    n = len(table)
    strings, ints, times = {}, {}, {}
    for name, f in FIELDS.items():
        col = cols[name]
        if name == "job_task_id":
            continue
        if f.kind == STR:
            strings[name] = _encode_strings(col)
        elif f.kind == INT:
            ints[name] = array("q", col).tobytes()
        elif f.kind == DATETIME:
            times[name] = _encode_times(col)
    body = Body(n, _encode_ids(cols["job_task_id"]), strings, ints, times, _encode_errors(cols["errors"]), _encode_sorted(table, mask),
                table.arrival_steps())
    try:
        return msgspec.msgpack.encode(body)
    except (msgspec.EncodeError, UnicodeEncodeError) as exc:
        raise E.EngineError("ERROR_INVALID_PARAMETER", f"Cannot write a snapshot of this store: {exc}") from None


def _encode_sorted(table: Table, mask: bytearray | None) -> dict[str, SortedParts]:
    """The settled sorted indexes, row ids renumbered as the snapshot leaves deleted rows out."""
    out: dict[str, SortedParts] = {}
    renumber: list[int] | None = None
    codes: bytes | bytearray
    for name, index in table.built_sorted_indexes().items():
        if not index.settled:
            continue  # rebuilt on first use after opening
        perm, codes = index.perm, index.codes
        if mask is not None:
            if renumber is None:
                renumber = [-1, *accumulate(mask)]  # row r -> renumber[r + 1] - 1
            perm = array(ROW_TYPECODE, [renumber[r + 1] - 1 for r in perm])
            codes = bytes(compress(codes, mask))
        out[name] = SortedParts(perm.tobytes(), index.keys.typecode, index.keys.tobytes(), index.bounds, bytes(codes))
    return out


def _encode_ids(ids: list[str]) -> bytes:
    if not ids:
        return b""
    text = "\x00".join(ids) + "\x00"
    if text.count("\x00") != len(ids):
        raise E.EngineError("ERROR_INVALID_PARAMETER", "Cannot write a snapshot of this store: a job_task_id holds a NUL character")
    try:
        return text.encode()
    except UnicodeEncodeError as exc:
        raise E.EngineError("ERROR_INVALID_PARAMETER", f"Cannot write a snapshot of this store: {exc}") from None


def _encode_strings(col: CodeColumn) -> StrColumn:
    return StrColumn(col.values[2:], col.codes.itemsize, col.codes.tobytes())


def _encode_errors(col: list) -> ErrorsColumn:
    """The stored lists are shared per distinct value (``records.shared_errors``): one code per row."""
    code_of: dict[int, int] = {}
    lists: list[list] = []
    for x in col:
        if x and id(x) not in code_of:
            code_of[id(x)] = len(lists) + 1
            lists.append(x)
    codes = array(code_typecode(len(lists) + 1), [code_of[id(x)] if x else 0 for x in col])
    return ErrorsColumn(msgspec.json.encode(lists), codes.itemsize, codes.tobytes())


def _encode_times(col: TimeColumn) -> TimeParts:
    raw = col.raw
    if not col.absent:
        return TimeParts(raw.tobytes(), b"")
    nulls = bytes(map(MISSING_MS.__ge__, raw))  # True (1) at both sentinels, in C
    values = array("q", map(_ZERO_AT_SENTINELS.get, raw, raw))
    return TimeParts(values.tobytes(), nulls)


#: The file stores 0 under an absent datetime (its byte in ``nulls`` says it is absent).
_ZERO_AT_SENTINELS = {NULL_MS: 0, MISSING_MS: 0}


def _write_atomically(path: Path, data: bytes) -> None:
    """Temporary file in the same directory, fsync, rename over ``path``, fsync the directory."""
    directory = path.parent
    _remove_stale_temporaries(path)
    tmp = directory / f".{path.name}.{os.getpid()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        _fsync_directory(directory)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise E.EngineError("ERROR_INVALID_PARAMETER", f"Cannot write snapshot {path}: {exc.strerror or exc}") from None


def _remove_stale_temporaries(path: Path) -> None:
    """Temporary files of earlier saves to ``path`` whose process is gone (killed mid-save)."""
    if os.name != "posix":  # no harmless "is it alive" probe elsewhere (os.kill ends processes on Windows)
        return
    prefix, suffix = f".{path.name}.", ".tmp"
    try:
        names = os.listdir(path.parent)
    except OSError:
        return
    for name in names:
        pid = name[len(prefix) : -len(suffix)]
        if not (name.startswith(prefix) and name.endswith(suffix) and pid.isdigit()) or _running(int(pid)):
            continue
        try:
            os.unlink(path.parent / name)
        except OSError:
            pass


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's live process, or no way to tell: leave its file alone
    return True


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (where directories can be opened, i.e. not Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- reading -------------------------------------------------------------------------


def _refused(path: Path, problem: str) -> E.EngineError:
    return E.EngineError("ERROR_INVALID_PARAMETER", f"Cannot open snapshot {path}: {problem}")


def read_snapshot(path: str | os.PathLike) -> Table:
    """The table a snapshot holds, checked through before anything is built."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _refused(path, exc.strerror or str(exc)) from None
    body = _checked_body(path, data)
    del data
    try:
        cols, error_lists = _columns(body)
    except _Corrupt as exc:
        raise _refused(path, f"corrupt column data ({exc})") from None
    pools = {name: dict(zip(column.values, column.values)) for name, column in body.strings.items()}
    pools["errors"] = {}
    _pool_errors(error_lists, pools["errors"])

    ids = cols["job_task_id"]
    if len(set(ids)) != len(ids):  # (the id index itself is built at the first call naming a record)
        raise _refused(path, "corrupt column data (job_task_id: a repeated id)")
    try:
        parts = _sorted_indexes(body)
    except _Corrupt as exc:
        raise _refused(path, f"corrupt index data ({exc})") from None
    try:
        steps = _arrival_steps(body)
    except _Corrupt as exc:
        raise _refused(path, f"corrupt index data ({exc})") from None
    return Table.of_columns(cols, pools, parts, steps)


def _arrival_steps(body: Body) -> dict[str, list[int] | None]:
    """The saved steps of each column's arrival order, their shape checked (rows ascending, none
    the first, at most ``RUN_STEPS``: what ``storage/arrival.py`` keeps)."""
    n = body.rows
    for name, steps in body.steps.items():
        _require(name in FIELDS and FIELDS[name].kind in (INT, DATETIME), f"arrival order of {name!r}")
        if steps is not None:
            _require(len(steps) <= RUN_STEPS and all(0 < r < n for r in steps), f"{name}: arrival steps")
            _require(all(a < b for a, b in zip(steps, steps[1:])), f"{name}: arrival steps")
    return dict(body.steps)


def _sorted_indexes(body: Body) -> dict[str, tuple]:
    """The saved sorted indexes, their shape checked (their content is the checksum's to vouch for:
    checking it would cost what rebuilding does)."""
    n = body.rows
    out: dict[str, tuple] = {}
    for name, parts in body.sorted.items():
        _require(name in FIELDS and FIELDS[name].kind in (INT, DATETIME), f"index of {name!r}")
        _require(parts.key_typecode in ("q", SMALL_KEY_TYPECODE), f"{name}: index key width")
        width = array(parts.key_typecode).itemsize
        _require(len(parts.perm) == array(ROW_TYPECODE).itemsize * n and len(parts.keys) == width * n and len(parts.codes) == n, f"{name}: index length")
        _require(0 < len(parts.bounds) < 256 and parts.bounds == sorted(set(parts.bounds)), f"{name}: index ranges")
        perm, keys = array(ROW_TYPECODE), array(parts.key_typecode)
        perm.frombytes(parts.perm)
        keys.frombytes(parts.keys)
        _require(not n or (min(perm) >= 0 and max(perm) < n), f"{name}: index rows")
        _require(not n or max(parts.codes) <= len(parts.bounds), f"{name}: index range codes")
        out[name] = (perm, keys, list(parts.bounds), bytearray(parts.codes))
    return out


def _checked_body(path: Path, data: bytes) -> Body:
    if len(data) < len(MAGIC) or data[: len(MAGIC)] != MAGIC:
        raise _refused(path, "not a snapshot (unknown file signature)")
    if len(data) < _HEADER.size:
        raise _refused(path, f"truncated: {len(data)} bytes, shorter than the {_HEADER.size}-byte header")
    _, version, length, checksum = _HEADER.unpack_from(data)
    if version != FORMAT_VERSION:
        raise _refused(path, f"format version {version} is not supported (this engine reads {FORMAT_VERSION})")
    if len(data) - _HEADER.size != length:
        state = "truncated" if len(data) - _HEADER.size < length else "trailing bytes after the end"
        raise _refused(path, f"{state}: body of {len(data) - _HEADER.size} bytes, the header says {length}")
    body = memoryview(data)[_HEADER.size :]
    if zlib.crc32(body) != checksum:
        raise _refused(path, "checksum mismatch (the file is corrupted)")
    try:
        return _BODY.decode(body)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise _refused(path, f"corrupt body ({exc})") from None


class _Corrupt(Exception):
    """A column that does not fit the schema (only a checksum-colliding or crafted file)."""


def _require(ok: bool, what: str) -> None:
    if not ok:
        raise _Corrupt(what)


def _columns(body: Body) -> tuple[dict[str, list | TimeColumn | CodeColumn], list[list]]:
    """The columns, and the distinct error lists the ``errors`` column shares."""
    n = body.rows
    expected = {kind: {name for name, f in FIELDS.items() if f.kind == kind} for kind in (STR, INT, DATETIME)}
    _require(set(body.strings) == expected[STR] - {"job_task_id"}, "string columns")
    _require(set(body.ints) == expected[INT], "integer columns")
    _require(set(body.times) == expected[DATETIME], "datetime columns")
    try:
        ids = body.ids.decode().split("\x00") if body.ids else [""]
    except UnicodeDecodeError:
        raise _Corrupt("job_task_id: not UTF-8") from None
    _require(ids.pop() == "", "job_task_id: not NUL-terminated")
    _require(len(ids) == n, "job_task_id: not one id per row")  # unique: checked building the id index
    _require(not n or max(map(len, ids)) <= (FIELDS["job_task_id"].max_length or 0), "job_task_id: length")
    cols: dict[str, list | TimeColumn | CodeColumn] = {}
    error_lists: list[list] = []
    for name in FIELDS:
        f = FIELDS[name]
        if name == "job_task_id":
            cols[name] = ids
        elif f.kind == STR:
            cols[name] = _decode_strings(name, body.strings[name], n)
        elif f.kind == INT:
            cols[name] = _decode_ints(name, body.ints[name], n)
        elif f.kind == DATETIME:
            cols[name] = _decode_times(name, body.times[name], n)
        else:
            cols[name], error_lists = _decode_errors(body.errors, n)
    return cols, error_lists


def _decode_strings(name: str, column: StrColumn, n: int) -> CodeColumn:
    """Read into the column's code array as it is (``frombytes``: no int object per row)."""
    f = FIELDS[name]
    _require(column.width in _WIDTHS and len(column.codes) == n * column.width, f"{name}: codes")
    values = column.values
    _require(len(set(values)) == len(values), f"{name}: repeated value")
    limit = f.max_length or 0
    _require(max(map(len, values), default=0) <= limit, f"{name}: value too long")
    if name == "status":
        _require(STATUSES.issuperset(values), "status: unknown value")
    typecode = _WIDTHS[column.width]
    _require(typecode == code_typecode(len(values) + 2), f"{name}: code width")
    codes = array(typecode)
    codes.frombytes(column.codes)
    # the absent value the schema does not store (status: neither, its absent value is PENDING)
    wrong = {CODE_MISSING, CODE_NULL} if name == "status" else {CODE_MISSING if f.nullable else CODE_NULL}
    if typecode == "B":
        valid = bytes(c for c in range(len(values) + 2) if c not in wrong)
        _require(not column.codes.translate(None, valid), f"{name}: code out of range")
    elif typecode == "H":
        _require(_two_byte_codes_valid(column.codes, len(values) + 2, wrong), f"{name}: code out of range")
    else:
        _require(not n or max(codes) < len(values) + 2, f"{name}: code out of range")
        _require(not any(c in codes for c in wrong), f"{name}: code out of range")
    return CodeColumn.of_parts(codes, values)


def _two_byte_codes_valid(raw: bytes, limit: int, wrong: set[int]) -> bool:
    """Whether every 2-byte code of ``raw`` (native order, as ``array('H')`` writes) is below
    ``limit`` and none is in ``wrong`` (a subset of the reserved codes 0 and 1).

    Read as the codes' high and low bytes (two strided slices) tested with ``translate`` and
    one AND of 0/1 vectors, all C passes: ``max`` and ``in`` over the array box every code
    (1M codes: ~60 ms a column against ~8 ms here; an opened 1M snapshot has four such columns).
    """
    high, low = (raw[1::2], raw[0::2]) if sys.byteorder == "little" else (raw[0::2], raw[1::2])
    top_high, top_low = divmod(limit - 1, 256)
    if high.translate(None, bytes(range(top_high + 1))):
        return False  # a high byte above the top code's
    # At the top code's high byte, no low byte above its; at high byte 0, none of ``wrong``.
    if _rows_where(high, {top_high}) & _rows_where(low, range(top_low + 1, 256)):
        return False
    return not (wrong and _rows_where(high, {0}) & _rows_where(low, wrong))


def _rows_where(lane: bytes, values: range | set[int]) -> int:
    """The rows whose byte of ``lane`` is among ``values``, as a 0/1 byte per row read into an int."""
    table = bytearray(256)
    for v in values:
        table[v] = 1
    return int.from_bytes(lane.translate(table), "little")


def _decode_ints(name: str, raw: bytes, n: int) -> list:
    _require(len(raw) == 8 * n, f"{name}: length")
    values = array("q")
    values.frombytes(raw)
    return values.tolist()


def _decode_times(name: str, column: TimeParts, n: int) -> TimeColumn:
    """Read into the column's array as it is (``frombytes``: no int object per row)."""
    _require(len(column.values) == 8 * n, f"{name}: length")
    raw = array("q")
    raw.frombytes(column.values)
    _require(_all_in_datetime_range(column.values, raw), f"{name}: value out of the datetime range")
    if column.nulls:
        nulls = column.nulls
        _require(len(nulls) == n and not nulls.translate(None, b"\x00\x01"), f"{name}: absent marks")
        sentinel = NULL_MS if FIELDS[name].nullable else MISSING_MS
        for r in compress(range(n), nulls):
            raw[r] = sentinel
    return TimeColumn.of_array(raw, column.nulls.count(1))


#: Bytes of a little-endian int64 telling a sure in-range instant: the top two bytes both 0x00
#: (then byte 5 below ``_TOP_POSITIVE``) or both 0xFF (then byte 5 from ``_LOW_NEGATIVE``), so
#: ``0 <= v < 0xE6 << 40`` or ``-(0x38 << 40) <= v < 0``, both inside ``MIN_MS..MAX_MS``.
_TOP_POSITIVE, _LOW_NEGATIVE = 0xE6, 0xC8
assert _TOP_POSITIVE << 40 <= MAX_MS and -((0x100 - _LOW_NEGATIVE) << 40) >= MIN_MS
_SIGN = bytes(255) + b"\x01"  # translate: 0xFF -> 1, else 0
_HIGH = bytes(_TOP_POSITIVE) + b"\x01" * (256 - _TOP_POSITIVE)
_LOW = b"\x01" * _LOW_NEGATIVE + bytes(256 - _LOW_NEGATIVE)


def _all_in_datetime_range(values: bytes, raw: array) -> bool:
    """Every int64 of ``values`` (``raw``) within ``MIN_MS..MAX_MS``.  Decided on their high bytes
    with a few C passes (``min`` and ``max`` box every element: 50 ms a column at 1M rows); only
    values near either end are compared one by one."""
    n = len(raw)
    if not n:
        return True
    top, second, third = values[7::8], values[6::8], values[5::8]
    if top == second and not top.translate(None, b"\x00\xff"):
        signs = int.from_bytes(top.translate(_SIGN), "little")
        ones = int.from_bytes(b"\x01" * n, "little")
        high = int.from_bytes(third.translate(_HIGH), "little")
        low = int.from_bytes(third.translate(_LOW), "little")
        if not ((high & (signs ^ ones)) | (low & signs)):
            return True
    return min(raw) >= MIN_MS and max(raw) <= MAX_MS


_ERROR_LISTS = msgspec.json.Decoder(list[list[dict[str, Any]]])


def _decode_errors(column: ErrorsColumn, n: int) -> tuple[list, list[list]]:
    try:
        lists = _ERROR_LISTS.decode(column.lists)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise _Corrupt(f"errors: {exc}") from None
    _require(all(errs and all(map(_valid_error, errs)) for errs in lists), "errors: a document")
    _require(column.width in _WIDTHS and len(column.codes) == n * column.width, "errors: codes")
    codes = array(_WIDTHS[column.width])
    codes.frombytes(column.codes)
    table: list = [NO_ERRORS, *lists]
    try:
        return list(map(table.__getitem__, codes)), lists
    except IndexError:
        raise _Corrupt("errors: code out of range") from None


def _valid_error(doc: dict) -> bool:
    if not set(doc) <= set(ERROR_FIELDS) or type(doc.get("additional")) is not dict:
        return False
    return all(
        type(doc[key]) is str and len(doc[key]) <= limit
        for key, (_, limit) in ERROR_FIELDS.items()
        if key in doc and limit is not None
    )


def _pool_errors(lists: list[list], pool: dict) -> None:
    """The table's errors pool as inserts leave it: each distinct list (the file's table of
    them, in first-use order: no pass over the rows), its codes and messages."""
    for errs in lists:
        for doc in errs:
            for key in ("error_code", "message"):
                if key in doc:
                    doc[key] = pooled(pool, doc[key])
        shared_errors(pool, errs)
