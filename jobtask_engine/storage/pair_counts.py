"""Which codes of one code column occur beside each code of another: an index-only ``distinct``.

``stat distinct job_id`` over one domain reads the job code of every row of the
domain (550k of 1M rows in the workload: 15-18 ms for ``set(compress(codes,
mask))``) to find 13.7k distinct codes.  A database answers it from a composite
(domain_id, job_id) index without touching the rows; this is that index, kept
as counts so that deletes can take a row out again: per code of the key column,
a ``Counter`` of the value column's codes over the live rows holding it.

- A key's counts are made the first time that key is asked about, from the rows
  holding it (``Counter(compress(...))`` of the code array over its 0/1 posting:
  40-69 ms CPU for the 550k-row domain on the loaded machine, where the scan it
  replaces first boxed the column's codes, 55 ms, then read them, 18 ms), so a
  first call pays no more than the scan did, and keys never asked cost nothing.
- Writes are caught up row by row at the next read (``Table.rows_written_since``):
  a written row's old pair is read from copies of the two code arrays (a deleted
  row's codes are gone from the columns: every field reads MISSING), its new pair
  from the columns; past 1/``CATCH_UP_SHARE`` of the rows, everything starts over.
  A row whose key is MISSING (every deleted row) is never counted under a key
  asked about: the MISSING key is refused.
- Memory at 1M workload rows (tracemalloc): 4.0 B/record for domain_id x job_id
  with one domain's counts, 4.1 with all six: the copies, 1 B/record (domain
  codes) + 2 B/record (job codes), and the 25k pairs.  The scan it replaces kept
  the job codes boxed as a list (``CodeColumn.code_list``: 8 B/record), which
  nothing in the workload makes any more.
"""

from __future__ import annotations

from array import array
from collections import Counter
from itertools import compress
from typing import Callable

from ..columns import CODE_MISSING, CodeColumn, code_typecode
from ..selection import Selection
from ..thresholds import KEPT_PAIR_INDEXES
from .derived import Kind, within_share

__all__ = ["PairCounts", "PAIR_COUNTS"]


class PairCounts:
    """Per key code, the value codes of the live rows holding it, with their row counts."""

    __slots__ = ("version", "keys", "values", "by_key")

    def __init__(self, key_col: CodeColumn, value_col: CodeColumn, version: int) -> None:
        self.version = version
        # Copies (a memcpy each), so that a written row's old pair is still known.
        self.keys = array(key_col.codes.typecode, key_col.codes)
        self.values = array(value_col.codes.typecode, value_col.codes)
        self.by_key: dict[int, Counter] = {}

    def catch_up(self, key_col: CodeColumn, value_col: CodeColumn, version: int, written: list[int] | None) -> bool:
        """Apply the rows written since ``self.version``; False when starting over is due instead."""
        if version == self.version:
            return True
        if not within_share(written, len(key_col)):
            return False
        keys, values, by_key = self.keys, self.values, self.by_key
        new_keys, new_values = key_col.codes, value_col.codes
        for r in dict.fromkeys(written):
            k, v = new_keys[r], new_values[r]
            if r < len(keys):
                old_k, old_v = keys[r], values[r]
                if old_k == k and old_v == v:
                    continue
                counts = by_key.get(old_k)
                if counts is not None:
                    left = counts[old_v] - 1
                    if left:
                        counts[old_v] = left
                    else:
                        del counts[old_v]
            counts = by_key.get(k)
            if counts is not None:
                counts[v] += 1
            self.keys = keys = _put(keys, r, k)
            self.values = values = _put(values, r, v)
        self.version = version
        return True

    def value_codes(self, key: int, value_col: CodeColumn, key_rows: Callable[[], Selection]) -> list[int]:
        """The value codes beside ``key`` (not MISSING: see the module doc); ``key_rows()``, the
        live rows holding it, is read only the first time the key is asked about."""
        assert key != CODE_MISSING
        counts = self.by_key.get(key)
        if counts is None:
            rows = key_rows()
            # The code array itself, not ``code_list()``: boxing the whole column first (8 B/record
            # kept) costs more than the ints this read makes (550k of 1M rows, CPU: 40-69 ms
            # against 64-85).
            codes = value_col.codes
            if rows.is_dense:
                counts = Counter(compress(codes, rows.mask()))
            else:
                counts = Counter(map(codes.__getitem__, rows.members()))
            self.by_key[key] = counts
        return list(counts)


#: (key field, field) -> their counts; at most ``KEPT_PAIR_INDEXES`` a table, the least
#: recently used dropped first; read under the table's build lock (``Table.codes_beside``)
PAIR_COUNTS: Kind[tuple[str, str], PairCounts] = Kind("pair counts", lambda: KEPT_PAIR_INDEXES)


def _put(codes: array, r: int, code: int) -> array:
    """``codes[r] = code`` (past the end: appended, rows being appended in order), in a wider
    array when the code does not fit (the column widened: it has more values now)."""
    try:
        if r >= len(codes):
            codes.extend([CODE_MISSING] * (r - len(codes)))
            codes.append(code)
        else:
            codes[r] = code
        return codes
    except OverflowError:
        wider = array(code_typecode(code + 1), codes)
        return _put(wider, r, code)
