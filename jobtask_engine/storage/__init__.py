"""The store's storage: columns and the indexes over them, one module per part (see ``table``)."""

from .postings import DensePosting, Postings
from .sorted_index import NULL_KEY, SortedIndex
from .table import NEG_INF, Table

__all__ = ["Table", "SortedIndex", "DensePosting", "Postings", "NEG_INF", "NULL_KEY"]
