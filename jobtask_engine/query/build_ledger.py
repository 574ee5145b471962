"""What passes over candidates have cost so far in place of a sorted index not yet built.

The planner answers a range or an order over a big table without building the
field's sorted index while a pass over the candidates costs less
(``query/planner.py``: ``rent_or_build``), and writes the cost of each such pass
here.  Once the passes of a field add up to a share of the cost of building its
index (``planner.COST_BUILD_ROW``), the next request builds it (the rent-or-buy
rule: the work done is never more than 4/3 of what building at once would have
cost, and a field asked about once never pays a build at all).

The ledger is the planner's, kept beside the table it is about as one kind of its
derived data (``storage/derived.py``: it goes with the table), like the rent ``stat``
pays towards bit planes.  Readers run together under the store's lock, so the sums
are read and written under the table's build lock.
"""

from __future__ import annotations

from ..storage import Table
from ..storage.derived import Kind

__all__ = ["spent", "charge"]

#: field -> the cost units its passes have paid (a ledger, read and written in place; no
#: version, no budget: a float per field asked about)
_SPENT: Kind[str, float] = Kind("rent towards sorted indexes")


def spent(table: Table, field: str) -> float:
    """Cost units the passes of ``field`` in place of its sorted index have cost so far."""
    with table.build_lock:
        return _SPENT[table].get(field, 0.0)


def charge(table: Table, field: str, cost: float) -> None:
    """Record a pass over candidates that ``field``'s sorted index would have spared."""
    if cost <= 0:
        return
    with table.build_lock:
        ledger = _SPENT[table]
        ledger[field] = ledger.get(field, 0.0) + cost
