"""Re-measure the storage thresholds of ``jobtask_engine/thresholds.py`` marked *(probe)*.

    nice .venv/bin/python benchmarks/thresholds_probe.py [--rows 100000] [--repeat 5]

Prints, for ``--rows`` rows (least of ``--repeat`` runs, ms):

- ``DENSE_FRACTION``: a value's rows as a ``SortedList`` against a 0/1 vector at 1/8 ..
  1/128 of the rows: bytes held, and the AND with a half-the-rows posting (the list through a
  set intersection, the vector through ``int.from_bytes``), the way ``Selection`` combines them;
- ``BYTE_CODES``: a pass reading one code per row from ``array('B')``, ``array('H')`` and a list
  of the strings, and through ``CodeColumn.__getitem__``;
- ``CATCH_UP_SHARE``: stat group codes of a two-key plan rebuilt, against caught up row by row
  after 256 .. 2,048 single-row writes (per row: the rebuild's share against a catch-up step);
- ``POSTED_GROUPS``: a group (count and sum) over one domain on a field of 8 .. 512 distinct
  values through its postings, against the codes strategy.
"""

from __future__ import annotations

import argparse
import sys
import time
from array import array
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sortedcontainers import SortedList  # noqa: E402

from jobtask_engine import JobTaskStore  # noqa: E402
from jobtask_engine.columns import CodeColumn  # noqa: E402
from jobtask_engine.selection import mask_of  # noqa: E402
from jobtask_engine.testing.factories import make_job_tasks  # noqa: E402


def least_ms(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best * 1000


def dense_fraction(n: int, repeat: int) -> None:
    print(f"DENSE_FRACTION ({n:,} rows): share, list bytes, vector bytes, list AND ms, vector AND ms")
    half = list(range(0, n, 2))
    half_set, half_bits = set(half), int.from_bytes(mask_of(half, n), "little")
    for share in (8, 16, 32, 64, 128):
        rows = list(range(0, n, share))
        posting = SortedList(rows)
        list_bytes = sys.getsizeof(posting._lists[0]) * len(posting._lists) + 28 * len(rows)
        vec = mask_of(rows, n)
        list_ms = least_ms(lambda: half_set.intersection(posting), repeat)
        vec_ms = least_ms(lambda: (int.from_bytes(vec, "little") & half_bits).to_bytes(n, "little").count(1), repeat)
        print(f"  1/{share:<4} {list_bytes:>10,} {len(vec):>10,} {list_ms:8.2f} {vec_ms:8.2f}")


def byte_codes(n: int, repeat: int) -> None:
    values = [f"value-{i % 50}" for i in range(n)]
    col = CodeColumn(values)
    wide = array("H", col.codes)
    rows = range(n)
    b, plain = col.codes, values
    print(f"BYTE_CODES ({n:,} rows): a read per row, ms")
    for name, fn in (
        ("array('B') codes", lambda: [b[r] for r in rows]),
        ("array('H') codes", lambda: [wide[r] for r in rows]),
        ("list of strings", lambda: [plain[r] for r in rows]),
        ("values[codes[r]]", lambda: [col.values[b[r]] for r in rows]),
        ("CodeColumn[r]", lambda: [col[r] for r in rows]),
    ):
        print(f"  {name:<18} {least_ms(fn, repeat):8.2f}")


def catch_up_share(n: int, repeat: int) -> None:
    from jobtask_engine.stat import fast

    plan = (("provider", "plain"), ("created_at", "day"))
    print(f"CATCH_UP_SHARE ({n:,} rows): rebuild ms (per row µs), then catch-up after k single-row writes")
    store = JobTaskStore(make_job_tasks(n, seed=4))
    table = store._table
    rebuild = least_ms(lambda: fast._build_codes(table, plan), repeat)
    print(f"  rebuild {rebuild:8.2f} ms ({rebuild * 1000 / n:.2f} µs a row)")
    infos = list(store)
    for writes in (256, 1024, 2048):
        got = fast._build_codes(table, plan)
        for info in infos[:writes]:
            store.update(info["job_task_id"], info["domain_id"], {"provider": f"probe-{writes}"})
        t = time.perf_counter()
        fast._catch_up(table, plan, got)
        ms = (time.perf_counter() - t) * 1000
        print(f"  {writes:<6} writes: catch-up {ms:8.2f} ms ({ms * 1000 / writes:.2f} µs a row)")


def posted_groups(n: int, repeat: int) -> None:
    from jobtask_engine.stat import partition as part

    print(f"POSTED_GROUPS ({n:,} rows): distinct values, a group (count, sum) through postings ms, through codes ms")
    records = make_job_tasks(n, seed=5)
    request = {"domain_id": records[0]["domain_id"], "query": {"aggregate": [
        {"group": {"keys": [{"key": "project_id", "name": "p"}],
                   "fields": [{"name": "n", "operator": "count"},
                              {"key": "updated_count", "name": "u", "operator": "sum"}]}}]}}
    kept = part.POSTED_GROUPS
    try:
        for distinct in (8, 32, 64, 128, 512):
            for i, rec in enumerate(records):
                rec["project_id"] = f"project-{i % distinct}"
            store = JobTaskStore(records)
            store.stat(request)  # postings built once, not timed
            part.POSTED_GROUPS = 1 << 30  # every field through its postings
            posted = least_ms(lambda: store.stat(request), repeat)
            part.POSTED_GROUPS = -1  # every field through codes
            coded = least_ms(lambda: store.stat(request), repeat)
            print(f"  {distinct:<6} {posted:8.2f} {coded:8.2f}")
    finally:
        part.POSTED_GROUPS = kept


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    dense_fraction(args.rows, args.repeat)
    byte_codes(args.rows, args.repeat)
    catch_up_share(args.rows, args.repeat)
    posted_groups(args.rows, args.repeat)


if __name__ == "__main__":
    main()
