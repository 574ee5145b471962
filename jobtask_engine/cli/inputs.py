"""Reading what the user hands the CLI: record files and JSON queries.

Every problem becomes a ``UsageError`` whose message names the file, line or
option at fault; the CLI prints it and exits with status 2.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import zlib
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

import msgspec

if TYPE_CHECKING:
    from jobtask_engine import JobTaskStore

__all__ = [
    "UsageError",
    "missing_extra",
    "read_records",
    "parse_json_object",
    "read_query",
    "pick_domain",
    "query_request",
    "parse_params",
    "open_data",
    "load_store",
    "is_snapshot_path",
]


class UsageError(Exception):
    """Bad input on the command line: shown as one message, exit status 2."""


def missing_extra(what: str, extra: str, module: str | None) -> UsageError:
    """The refusal of a command whose optional extra is not installed, naming what to install."""
    return UsageError(
        f"{what} needs the {extra} extra (missing module: {module}); "
        f"install it with: pip install 'jobtask-engine[{extra}]'"
    )


def _read_bytes(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        raw = Path(path).read_bytes()
        return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    except (OSError, EOFError, zlib.error) as exc:
        raise UsageError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None


def _json_lines(path: str, raw: bytes) -> list[Any]:
    items = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(msgspec.json.decode(line))
        except msgspec.DecodeError as exc:
            raise UsageError(f"{path}:{number}: not valid JSON ({exc})") from None
    return items


def _whole_document(path: str, raw: bytes) -> Any:
    try:
        return msgspec.json.decode(raw)
    except msgspec.DecodeError as exc:
        raise UsageError(f"{path}: not valid JSON ({exc})") from None


def read_records(path: str) -> list[dict]:
    """Records from a JSON array, JSON Lines, or a saved list response (``{"results": [...]}``)."""
    raw = _read_bytes(path).removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte order mark
    head = raw.lstrip()[:1]
    if not head:
        return []
    if head == b"[":
        items = _whole_document(path, raw)
    elif head == b"{":
        try:
            document = msgspec.json.decode(raw)
        except msgspec.DecodeError:
            items = _json_lines(path, raw)
        else:
            results = document.get("results") if isinstance(document, dict) else None
            items = results if isinstance(results, list) else [document]
    else:
        raise UsageError(f"{path}: expected a JSON array or JSON Lines of JobTask records")
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise UsageError(f"{path}: record {index} is not a JSON object")
    return items


def parse_json_object(text: str, option: str) -> dict:
    try:
        value = msgspec.json.decode(text)
    except msgspec.DecodeError as exc:
        raise UsageError(f"{option}: not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise UsageError(f"{option}: expected a JSON object, got {type(value).__name__}")
    return value


def read_query(text: str | None, path: str | None) -> dict | None:
    """The ``query`` object from ``--query`` text or a ``--query-file``."""
    if text is not None:
        return parse_json_object(text, "--query")
    if path is not None:
        raw = _read_bytes(path)
        try:
            decoded = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise UsageError(f"--query-file {path}: not UTF-8 text") from None
        return parse_json_object(decoded, f"--query-file {path}")
    return None


def query_request(args: argparse.Namespace, domains: Callable[[], Mapping[str, int]]) -> dict:
    """The request of ``list`` / ``stat``: the ``--param`` keys, the domain (``--domain-id``, or
    the only one of ``domains()``, records per domain, asked only then) and the query."""
    request = parse_params(args.param)
    request["domain_id"] = args.domain_id if args.domain_id is not None else pick_domain(Counter(domains()))
    query = read_query(args.query, args.query_file)
    if query is not None:
        request["query"] = query
    elif args.command == "stat":
        raise UsageError("stat needs --query or --query-file (a StatisticsQuery with aggregate or distinct)")
    return request


def pick_domain(counts: Counter) -> str:
    """The only domain of the data, from its records per domain; more or none need ``--domain-id``."""
    if len(counts) == 1:
        return next(iter(counts))
    if not counts:
        raise UsageError("--domain-id is required (the data names no domain)")
    listed = ", ".join(f"{d} ({n})" for d, n in counts.most_common(5))
    more = f" and {len(counts) - 5} more" if len(counts) > 5 else ""
    raise UsageError(f"--domain-id is required: the data holds {len(counts)} domains: {listed}{more}")


def parse_params(pairs: Sequence[str] | None) -> dict[str, Any]:
    """``--param KEY=VALUE`` pairs as top-level request keys; a repeated key becomes a list."""
    params: dict[str, Any] = {}
    for pair in pairs or ():
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--param {pair!r}: expected KEY=VALUE")
        if key in params:
            previous = params[key]
            params[key] = (previous if isinstance(previous, list) else [previous]) + [value]
        else:
            params[key] = value
    return params


def is_snapshot_path(path: str) -> bool:
    """True for a snapshot file (told by its first bytes, whatever its name)."""
    from jobtask_engine.snapshot import is_snapshot

    return path != "-" and is_snapshot(path)


def _plain_record_file(path: str) -> bool:
    """A file ``JobTaskStore.load_file`` reads as the CLI would: a JSON array, or JSON
    Lines whose first line is not a saved list response (``{"results": ...}``)."""
    if path == "-":
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
            if head[:2] == b"\x1f\x8b":
                fh.seek(0)
                head = gzip.GzipFile(fileobj=fh).read(1 << 16)
    except (OSError, EOFError, zlib.error):
        return False
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if head[:1] == b"[":
        return True
    line = head.split(b"\n", 1)[0]
    try:
        first = msgspec.json.decode(line)
    except msgspec.DecodeError:
        return False
    return isinstance(first, dict) and "results" not in first


def open_data(path: str) -> "JobTaskStore":
    """The store a ``--data`` file holds: a snapshot opened, or records loaded.

    Plain record files go the fast way (``load_file``: decoded straight into
    columns, progress on a terminal); anything else, or a file that fails
    there, is read record by record so that the message names the line at fault.
    """
    from jobtask_engine import EngineError, JobTaskStore

    if is_snapshot_path(path):
        try:
            return JobTaskStore.open(path)
        except EngineError as exc:
            raise UsageError(f"{exc.code}: {exc.message}") from None
    if _plain_record_file(path):
        store = JobTaskStore()
        try:
            store.load_file(path)
            return store
        except EngineError:
            pass  # worded below, line by line
    return load_store(read_records(path), path)


def load_store(records: list[dict], origin: str) -> "JobTaskStore":
    """A store holding ``records``; invalid records are refused all together, naming ``origin``."""
    from jobtask_engine import EngineError, JobTaskStore

    store = JobTaskStore()
    try:
        store.insert_many(records)
    except EngineError as exc:
        raise UsageError(f"{origin}: {exc.code}: {exc.message}") from None
    return store
