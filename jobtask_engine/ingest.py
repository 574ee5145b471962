"""Record files decoded into validated records, batch by batch.

A JSON Lines file (plain or gzip-compressed) is read as a stream, a quarter
megabyte at a time cut at line breaks (``CHUNK_BYTES``), each piece decoded by
msgspec in C straight into ``JobTask`` structs (types, the status enum and ISO
datetimes checked there, no intermediate dicts), so a big file is never held
whole in memory besides its columns.  A JSON array is one document and is
decoded in one call; so is a saved list response (``{"results": [...]}``), told
from JSON Lines by its first line; their records are then normalised
``BATCH_RECORDS`` at a time.  A load that lasts more than a moment shows a
progress line on stderr when stderr is a terminal.
"""

from __future__ import annotations

import gzip
import io
import os
import sys
import time
import zlib
from typing import BinaryIO, Callable, Iterator, TextIO, TypeVar

import msgspec

from . import errors as E
from .records import JobTask, decode_records, shift_positions

__all__ = ["read_record_batches", "plain_record_batches", "Progress", "CHUNK_BYTES", "BATCH_RECORDS", "PROGRESS_AFTER"]

T = TypeVar("T")

#: Bytes decoded per piece of a JSON Lines file (~490 workload records): small enough that a
#: piece's structs stay in the CPU caches while their 18 fields are read column by column,
#: large enough that the per-batch calls vanish.  Decode, normalise and free of 200k
#: workload records (best of 3, ``/tmp`` timing): 64 KB 0.79 s, 128 KB 0.73, 256 KB 0.68,
#: 512 KB 0.73, 1 MB 0.93, 8 MB 1.10.
CHUNK_BYTES = 1 << 18
#: Records normalised per batch where they come as one list (a JSON array, a saved list
#: response, ``insert_many``): the same reason as ``CHUNK_BYTES``.  ``insert_many`` of 200k
#: ``json.loads``-ed workload records (CPU, best and median of 5): 256 0.64/0.71 s,
#: 512 0.61/0.72, 1024 0.65/0.76, 2048 0.72/0.83; 50k (before) 1.04 best of 3.
BATCH_RECORDS = 512
#: Seconds a load runs before it shows progress (a shorter one just finishes).
PROGRESS_AFTER = 0.5

_GZIP_MAGIC = b"\x1f\x8b"
_BOM = b"\xef\xbb\xbf"
_ARRAY = msgspec.json.Decoder(list[JobTask])
_LINES = msgspec.json.Decoder(JobTask)


class Progress:
    """``\\rloading NAME: 42% (113 of 270 MB)`` on a terminal's stderr, once a load passed
    ``PROGRESS_AFTER`` seconds; nothing at all when stderr is not a terminal."""

    def __init__(self, name: str, total: int, stream: TextIO | None = None) -> None:
        self.name = name
        self.total = total
        self.stream = sys.stderr if stream is None else stream
        self.enabled = total > 0 and _is_terminal(self.stream)
        self.start = time.monotonic()
        self.shown = False

    def update(self, done: int) -> None:
        if not self.enabled or time.monotonic() - self.start < PROGRESS_AFTER:
            return
        pct = min(100, done * 100 // self.total)
        self.stream.write(f"\rloading {self.name}: {pct:3d}% ({done >> 20} of {self.total >> 20} MB)")
        self.stream.flush()
        self.shown = True

    def finish(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def read_record_batches(path: str | os.PathLike, progress: bool = True) -> Iterator[tuple[int, list[JobTask]]]:
    """(offset, records) batches of a JSON array or JSON Lines file, gzip-compressed or not.

    Every problem (unreadable file, bad gzip, malformed JSON, invalid record) is an
    ``EngineError`` naming the file and, where known, the record.
    """
    name = str(path)
    try:
        raw = open(path, "rb")
    except (OSError, TypeError, ValueError) as exc:
        raise E.EngineError("ERROR_INVALID_PARAMETER", f"Cannot read {name}: {getattr(exc, 'strerror', None) or exc}") from None
    with raw:
        compressed = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        meter = Progress(os.path.basename(name), _size(raw) if progress else 0)
        stream: io.BufferedIOBase = gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw
        try:
            yield from _batches(stream, name, lambda: meter.update(raw.tell()))
        except (OSError, EOFError, zlib.error) as exc:
            raise E.EngineError("ERROR_INVALID_PARAMETER", f"Cannot read {name}: {exc}") from None
        finally:
            meter.finish()


def _size(fh: BinaryIO) -> int:
    try:
        return os.fstat(fh.fileno()).st_size
    except OSError:
        return 0


def _batches(stream: io.BufferedIOBase, name: str, tick: Callable[[], None]) -> Iterator[tuple[int, list[JobTask]]]:
    head = stream.read(CHUNK_BYTES).removeprefix(_BOM)
    offset = 0
    piece: bytes | memoryview = b""
    try:
        first = head.lstrip()[:1]
        if first == b"[":
            tasks = _ARRAY.decode(head + stream.read())
            del head
            yield from _slices(tasks)
            return
        if first == b"{" and _may_be_one_document(head):
            data = head + stream.read()
            results = _saved_results(data)
            if results is not None:
                del data, head
                yield from plain_record_batches(results)
                return
            head, stream = data, io.BytesIO()  # JSON Lines after all: read on from what is in hand
        for piece in _line_pieces(stream, head):
            tasks = _LINES.decode_lines(piece)
            yield offset, tasks
            offset += len(tasks)
            tick()
    except msgspec.ValidationError as exc:
        raise E.EngineError(
            "ERROR_INVALID_PARAMETER", f"Invalid record in {name}: {shift_positions(exc, offset)}"
        ) from None
    except msgspec.DecodeError as exc:
        offset += _good_lines(piece)
        raise E.EngineError(
            "ERROR_INVALID_PARAMETER", f"Malformed JSON in {name} (after record {offset}): {exc}"
        ) from None
    except RecursionError:
        raise E.EngineError(
            "ERROR_INVALID_PARAMETER", f"JSON nested too deeply in {name} (after record {offset})"
        ) from None


def plain_record_batches(items: list) -> Iterator[tuple[int, list[JobTask]]]:
    """(offset, records) batches of plain records (dicts), validated ``BATCH_RECORDS`` at a
    time as they are asked for (an error names the record's position in ``items``)."""
    for at, batch in _slices(items):
        yield at, decode_records(batch, offset=at)


def _slices(items: list[T]) -> Iterator[tuple[int, list[T]]]:
    """(offset, slice) of ``items`` in batches of ``BATCH_RECORDS``: a decoded document's
    records (normalised one batch at a time) or plain records (validated so)."""
    for at in range(0, len(items), BATCH_RECORDS):
        yield at, items[at : at + BATCH_RECORDS]


def _may_be_one_document(head: bytes) -> bool:
    """Whether a file starting with ``{`` may be one JSON document (a saved list response)
    rather than JSON Lines: its first line is not a whole JSON object by itself.  Decided on
    the first line alone, so a JSON Lines file is never read whole to find out."""
    line = head.lstrip().split(b"\n", 1)[0]
    try:
        first = msgspec.json.decode(line)
    except (msgspec.DecodeError, RecursionError):
        return True
    return isinstance(first, dict) and "results" in first


def _saved_results(data: bytes) -> list | None:
    """The records of a saved list response (one JSON object holding a ``results`` list)."""
    try:
        document = msgspec.json.decode(data)
    except (msgspec.DecodeError, RecursionError):
        return None  # JSON Lines (or malformed: the line reader says where)
    results = document.get("results") if isinstance(document, dict) else None
    return results if isinstance(results, list) else None


def _good_lines(piece: bytes | memoryview) -> int:
    """How many records a piece holds before its first malformed line (error path only)."""
    good = 0
    for line in bytes(piece).splitlines():
        if not line.strip():
            continue
        try:
            _LINES.decode(line)
        except msgspec.ValidationError:
            pass
        except (msgspec.DecodeError, RecursionError):
            break
        good += 1
    return good


def _line_pieces(stream: io.BufferedIOBase, head: bytes) -> Iterator[memoryview]:
    """Pieces of about ``CHUNK_BYTES`` that end on a line break (the last one wherever the file
    does), as views into one buffer that is read into again once the caller has the next piece.

    One buffer for the whole file, not two fresh objects a piece (``rest + more`` and its
    cut; measured with 8 MB pieces): blocks that big get pages of their own (``heap.MMAP_THRESHOLD``), and faulting in
    536 MB of new pages three times cost 0.83 s of a 1M-record load's 7.3 s; reading into the
    same buffer costs 0.10 s (``/tmp`` timing of both readers over the 1M workload file).
    """
    size = CHUNK_BYTES
    buf = bytearray(max(2 * size, len(head) + size))
    view = memoryview(buf)
    held = len(head)
    buf[:held] = head
    while True:
        got = stream.readinto(view[held : held + size])
        if not got:
            if held:
                yield view[:held]
            return
        end = held + got
        cut = buf.rfind(b"\n", 0, end) + 1
        if cut:
            yield view[:cut]
            held = end - cut
            buf[:held] = bytes(view[cut:end])  # the partial last line (a copy: the two may overlap)
        else:
            held = end  # no line break yet: a line longer than a piece
            if len(buf) - held < size:
                grown = bytearray(2 * len(buf))  # a new buffer: the caller may still hold a view of this one
                grown[:held] = view[:held]
                buf, view = grown, memoryview(grown)
