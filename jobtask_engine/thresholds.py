"""The storage's thresholds and cache limits, each with one name and the measurement that chose it.

Figures are from the project's 2-core machine (CPython 3.11) unless a line says
otherwise; ``benchmarks/thresholds_probe.py`` re-measures the ones marked
*(probe)*: ``nice .venv/bin/python benchmarks/thresholds_probe.py``.
The query planner's cost weights (``query/planner.py``) and the request limits
(``limits.py``) keep their own homes: they are the planner's and the door's.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "DENSE_FRACTION",
    "SETTLE_SLACK",
    "BYTE_CODES",
    "RANGE_BUCKETS",
    "DESC_PART",
    "FEW_VALUES_SHARE",
    "WRITE_LOG_SIZE",
    "CATCH_UP_SHARE",
    "TRIM_AFTER",
    "MMAP_THRESHOLD",
    "KEPT_KEY_PLANS",
    "FEW_GROUPS",
    "POSTED_GROUPS",
    "KEPT_SHAPERS",
    "INT_POOL_LIMIT",
    "RUN_STEPS",
    "RUN_STEP_ROWS",
    "RUN_WINDOW_SHARE",
    "STEP_SCAN_CHUNK",
    "KEPT_PAIR_INDEXES",
    "BIT_PLANES_KEPT",
    "SLICED_GROUPS",
    "DAY_RUN_MIN",
    "DAY_RUN_STRIKES",
    "DAY_RUN_STRETCH",
    "DAY_RUN_LANES",
    "KEY_SPACE_SHARE",
    "KEY_SPACE_FLOOR",
    "LEADERS_KEPT",
    "COUNT_SORT_SHARE",
]

# -- postings and sorted indexes ----------------------------------------------------------

#: A value whose rows are at least 1/DENSE_FRACTION of the table's row ids gets a 0/1 byte
#: vector instead of a ``SortedList`` of row ids.  A listed row costs ~38 bytes (a pointer, a
#: 28-byte int, the list's slack), a vector 1 byte per row id of the table.  *(probe, 100k
#: rows, machine loaded)*: at 1/32 the list holds 120 kB against the vector's 100 kB and their
#: AND with a half-the-rows posting costs 0.12 ms (set intersection) against 0.17 ms (one
#: ``int.from_bytes``); at 1/16 the list is 231 kB and 0.21 ms, at 1/8 455 kB and 0.39 ms,
#: while the vector stays 100 kB and 0.17 ms at every share.
DENSE_FRACTION: Final = 32

#: Side entries (pending + stale) a sorted index tolerates beyond ``len / DENSE_FRACTION``
#: before folding them in by a rebuild (not measured on its own: it keeps an index of a few
#: hundred rows from rebuilding at every write, where ``len / 32`` would be a handful; 64
#: entries in a ``SortedList`` are one of its sublists).
SETTLE_SLACK: Final = 64

#: Distinct codes one byte holds: a code column keeps 1-byte codes up to this many (then
#: 2, then 4 bytes), postings and contain read 1-byte codes with one ``bytes.translate``, and
#: a sorted index's range codes (at most 255 ranges, code 0 for null) are bytes for the same
#: reason.  Reading a code per row costs about the same at 1 or 2 bytes while codes are below
#: 257 (100k reads, machine quiet: 2.08 / 2.12 ms from ``array('B')`` / ``array('H')``, 1.11
#: from a list of the strings, 2.43 as ``values[codes[r]]``, 5.21 through
#: ``CodeColumn.__getitem__``; the probe re-measures them), so the width is chosen for memory
#: and for ``translate``, and hot loops read ``codes`` themselves.  A 2-byte code above 256 is
#: boxed as a new int when read: the distinct of 2,519 job ids over 55k rows took 2.8 ms from
#: the codes against 2.1 ms from a list of the strings.
BYTE_CODES: Final = 256

#: Value ranges a sorted index cuts its column into (``SortedIndex._bucket``): each range
#: holds about 1/120 of the rows, so a range answer reads at most ~1/120 of the rows off the
#: sorted keys and the rest with one ``translate``; under the 255 a byte code allows, with room
#: for the ranges a frequent value gets to itself (a frequent value can add one range per
#: range it fills: 120 + 120 < 255).
RANGE_BUCKETS: Final = 120

#: Rows of a sorted index put in descending order at a time (``SortedIndex._main_descending``):
#: 128k rows (512 KiB) cover the deep page of the workload's q4 at 1M rows (about 9k rows
#: walked) with one part, where the whole order cost 8 MB at 1M rows (8.5 B/record); up to
#: 128k rows one part holds all, read as a plain array (chaining parts cost q4 8 % at 100k).
DESC_PART: Final = 1 << 17

#: ``_descending`` copies run by run when the values are fewer than 1/FEW_VALUES_SHARE of the
#: rows (one slice per value, the counts' case), else reverses the whole permutation and
#: puts each tie back in row order (the datetimes' case, nearly all values distinct).  Not
#: measured on its own: either way is right; it splits the workload's two kinds, counts (a
#: few thousand values per 100k rows) and datetimes (nearly one value a row).
FEW_VALUES_SHARE: Final = 64

# -- caches that catch up with writes ------------------------------------------------------

#: Writes remembered by ``Table.rows_written_since`` (the older half is forgotten at once):
#: 4,096 single-row writes are ~150 KiB of log (a pointer and an int each); past it a cache
#: rebuilds, which at 100k rows costs what ~15k catch-up steps do (``CATCH_UP_SHARE``'s probe),
#: so a longer log would rarely be read.
WRITE_LOG_SIZE: Final = 4096

#: A cache catches up row by row when the rows written since are under 1/CATCH_UP_SHARE of
#: its rows; beyond, one rebuild is cheaper.  *(probe, 100k rows, machine loaded)*: a two-key
#: plan's group codes rebuild in 19.8-37.8 ms (0.20-0.38 µs a row) and catch up 1.1 µs a
#: written row (256 and 1,024 writes; 2.6-4 µs in noisier runs), a ratio of 5-7: at 1/8 the
#: catch-up is chosen only where it is clearly the cheaper.
CATCH_UP_SHARE: Final = 8

# -- the heap ------------------------------------------------------------------------------

#: Rows a load or index build must reach before its freed temporaries are handed back (a
#: trim costs 1-7 ms on a 1M-record heap; after the nine workload queries at 1M it left 397
#: B/record resident, not 407).
TRIM_AFTER: Final = 100_000

#: Blocks at least this big get pages of their own from the system, handed back when freed.
#: glibc starts so (128 KiB) but raises the bar to the size of any such block freed, up to
#: 32 MiB; after that the 8 MB temporaries of a query over 1M rows (a pointer per row) stay in
#: the heap once freed.  Held fixed, the nine workload queries at 1M left 397 B/record resident
#: instead of 438 (``benchmarks/memory_probe.py engine-indexed``), their steady CPU times the
#: same within the noise (q1-q9 medians of 7, two runs each way).
MMAP_THRESHOLD: Final = 1 << 20

# -- caches of the stat and list paths -------------------------------------------------------

#: Group key plans whose row codes a table keeps (``stat/fast.key_codes``), oldest dropped
#: first: a code list is a pointer per row (8 B/record), and the workload uses one plan
#: (q7), which the 1M memory figures count (README: stat group codes 8 B/record); four plans
#: at most add 24 B/record more, inside the 400 B/record bound's margin.
KEPT_KEY_PLANS: Final = 4

#: Up to this many groups, a column is split with one C pass (``translate`` + ``compress``)
#: per group (``stat/partition``); past it, one Python pass placing each row (~50 ns a row)
#: beats that many C passes over every row (~6 ns a row each, PERFORMANCE-NOTES' compress).
FEW_GROUPS: Final = 8

#: Above this many distinct values, a group on an indexed field takes the codes strategy
#: instead of reading each value's posting.  Measured both ways (100k rows, one domain's 55 %,
#: machine loaded): the workload's q6 (status, 7 values; count, sum, average) took 2.7-3.5 ms
#: through postings and 9.5-13 ms through codes; the probe's group of project_id (count and
#: sum) took 6-25 ms through postings and 2.7-4.7 ms through codes at 8-512 values.  Which wins
#: depends on the reducers more than on the number of values: the limit is kept as it was
#: (64: the postings' per-value frames stay a small cost), pending a rule on the reducers.
POSTED_GROUPS: Final = 64

#: Page shapers a store keeps, one per projection asked (``store._shaper``); beyond, the cache
#: starts over.  Not a measured figure: a shaper is a few column references (~1 KiB), and
#: clients ask a handful of projections; the bound only stops a client cycling through many.
KEPT_SHAPERS: Final = 64

# -- ingest ----------------------------------------------------------------------------------

#: Distinct values an integer field's pool holds at most (beyond, new values are not shared):
#: the counts repeat (loads of 1M workload records kept 3 B/record less, 294.6 -> 291.6 with
#: ``load_file``), a pool past 65,536 values is unique data, whose dict would cost more than it
#: shares.
INT_POOL_LIMIT: Final = 1 << 16

# -- columns that arrive in order --------------------------------------------------------------

#: Steps down (a key below the previous live row's) a column may take in row-id order and still
#: count as arriving in order: its sorted index is then its runs merged, not a sort
#: (``storage/sorted_index._merged_runs``), and the table keeps the steps of every
#: integer/datetime column under its writes (``storage/arrival.py``: a list of at most this
#: many row ids, 2 KiB).  The workload's 1M records have 10 in ``created_at``; a merge costs a
#: few bisections a run beyond the overlap it sorts, so 256 runs still build in a few ms more.
RUN_STEPS: Final = 256

#: ... and at most one step per this many live rows: a table of a few hundred rows in no order
#: at all has fewer than ``RUN_STEPS`` steps, and is sorted (as before; it costs no more).  Not
#: measured on its own: a step costs a few bisections and a small sort (~10 us), sorting 1,024
#: rows ~300 us; the workload has one step per 100k rows.
RUN_STEP_ROWS: Final = 1024

#: A merge gives up (the index is sorted instead) once the rows it has had to reorder across
#: the steps pass 1/RUN_WINDOW_SHARE of the rows: a window is sorted as (key, row) tuples,
#: ~3x dearer a row than the plain sort, so past an eighth the merge would stop paying.  The
#: workload's ``created_at`` reorders 0.2 % (10 windows, ~2k rows at 1M).
RUN_WINDOW_SHARE: Final = 8

#: Keys looked at per C pass when finding the steps (``find_steps``): a chunk in order is passed
#: over after one ``sorted`` (the workload's 1M ``created_at``: 245 chunks, 10 with a step), and
#: a column that does not arrive in order (a count: a step every other row) is given up a chunk
#: in.  1M ``created_at`` keys, min of 5, machine shared: 30.4 ms at 1,024 and at 4,096 keys a
#: chunk, 33.1 at 16,384; 54 comparing every pair in 64k chunks.
STEP_SCAN_CHUNK: Final = 1 << 12

# -- scans answered from small kept structures (unwind errors, distinct beside a key) ------

#: (key field, value field) pair-count indexes a table keeps (``storage/pair_counts``, for a
#: ``distinct`` over one domain's rows); beyond, the least recently used is dropped.  Each
#: costs its two code-array copies and its pairs: 4.1 B/record for domain_id x job_id at 1M
#: workload rows with every domain counted (tracemalloc): two keep a client's two favourite
#: distincts inside ~10 B/record.  Not a timing: a memory bound.
KEPT_PAIR_INDEXES: Final = 2

# -- bit-sliced indexes (``storage/bitsliced.py``, the stat group strategy ``stat/sliced.py``) --

#: Non-zero bit planes a table keeps over its bit-sliced columns (least recently used field
#: dropped first, one always kept).  A plane is one bit a row id: 128 planes are 16 B/record.
#: The workload's q6 keeps 14 (``updated_count``'s 11 for values up to 1,081, ``status``'s
#: 3 codes), 1.75 B/record at 1M rows; a column of negative values fills all 64 planes.
BIT_PLANES_KEPT: Final = 128

#: Most values (codes, 'not stored' and null among them) a code column may have for a group on
#: it to take the bit-sliced strategy (``stat/sliced.py``).  Per value present its rows cost an
#: AND per code plane (~10 µs at 1M rows) and, per field, a popcount per plane (~0.1 ms), where
#: the postings strategy reads each field over every row id once per group (``compress``,
#: ~6 ms at 1M rows); the same bound as ``POSTED_GROUPS`` keeps both strategies' per-value
#: costs small beside one pass over the rows.
SLICED_GROUPS: Final = 64

# -- stat key codes: day runs (``stat/day_runs``, ``stat/fast``) ------------------------------

#: A run of rows sharing a day shorter than this counts as a strike; after ``DAY_RUN_STRIKES``
#: strikes in a row (rows out of time order) the next ``DAY_RUN_STRETCH`` rows are read one by
#: one (``floordiv`` in C, ~55 ns a row at 1M) instead of run by run (a galloping search, a few
#: microseconds a run): on shuffled rows the runs cost at most ~8 searches per 4,096 rows (< 10 %
#: more than ``timeutil.day_numbers``), on rows in time order (the workload: runs of ~2,700 rows
#: at 1M) one search a day.  Isolated short runs (a deleted row, a null instant) stay runs.
DAY_RUN_MIN: Final = 16
DAY_RUN_STRIKES: Final = 8
DAY_RUN_STRETCH: Final = 4096
#: Runs at least this long are checked through byte views of the column (``day_runs._Lanes``,
#: ~9 ns a row of the whole column to make, once) rather than ``min``/``max`` of the whole run
#: (~25 ns a row each): a day of the workload at 100k rows is ~270 rows.
DAY_RUN_LANES: Final = 256
#: Codes of a day key combined with a string key are numbered day index x value count, every
#: pair a code whether rows hold it or not; past ``rows / KEY_SPACE_SHARE + KEY_SPACE_FLOOR``
#: such codes (many days x many values) the pairs are numbered by hashing instead.  At 1M
#: workload rows q7 has 366 days x 5 provider codes = 1,830 codes (1,464 held).
KEY_SPACE_SHARE: Final = 8
KEY_SPACE_FLOOR: Final = 4096
#: Rows a group keeps in its list of leaders by an integer field (``stat/leaders``): a
#: selection's max for the group is read off the list unless it holds none of them (then the
#: plan loops over the selection), which for a selection of a share ``s`` of the rows taken at
#: random happens to a group with probability (1 - s) ** 32: 8e-12 for one domain's 55 % (q7),
#: 1e-4 for a quarter.  At 1M workload rows (q7: 1,830 codes) the lists hold ~47k rows, 2 MB
#: with their int objects (tracemalloc), 2 B/record.
LEADERS_KEPT: Final = 32

# -- sorted indexes of few-valued columns --------------------------------------------------------

#: A sorted index is built by counting (``storage/sorted_index._counted``: each value's rows
#: appended to an array of their own in row order, the arrays joined in value order) rather
#: than sorted when the column holds at most 1/COUNT_SORT_SHARE as many distinct values as rows
#: (judged on a sample, ``sorted_index.builds_by_counting``).  Measured on uniform random
#: columns of pooled ints (perm and keys by counting against the whole sorted build, min of 3,
#: shared 2-core machine): at 1M rows 101-126 ms against 630-860 up to 4,096 values, 210
#: against 805 at 16,384, 684 against 905 at 65,536, 2,240 against 1,318 at one value a row;
#: at 100k rows 7-12 ms against 42-55 up to 4,096 values, 28 against 58 at 16,384, 99
#: against 64 at 65,536.  Counting wins up to about a value per 4-6 rows; at 1/64 (15,625
#: values at 1M, 1,562 at 100k) it is 3-5x the quicker with room for the noise.  The
#: workload's ``updated_count`` (544 values at 1M) is counted.
COUNT_SORT_SHARE: Final = 64
