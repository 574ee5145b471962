"""What a SQL engine cannot answer exactly, refused by name instead of answered differently.

Every refusal is an ``EngineError`` with code ``ERROR_NOT_SUPPORTED`` whose
message names the operator (or stage, option) and the engine.  ``REFUSALS``
is the table the README shows and the differential tests accept: a request
refused for a reason not listed there is a test failure.
"""

from __future__ import annotations

from typing import Final, NamedTuple

from ..errors import EngineError

__all__ = ["NOT_SUPPORTED", "Refusal", "REFUSALS", "refuse", "is_listed"]

NOT_SUPPORTED: Final = "ERROR_NOT_SUPPORTED"


class Refusal(NamedTuple):
    operator: str  # what the message names, e.g. "regex" or "aggregate.group.fields.push"
    engines: tuple[str, ...]
    reason: str


REFUSALS: Final[tuple[Refusal, ...]] = (
    Refusal("match", ("duckdb", "spark"), "element match on errors (MongoDB $elemMatch) is not compiled"),
    Refusal("errors.additional", ("duckdb", "spark"),
            "conditions on errors.additional (untyped JSON: MongoDB's cross-type comparison of arbitrary documents)"),
    Refusal("errors whole-element value", ("duckdb", "spark"),
            "comparing whole errors elements with a document whose additional is not empty"),
    Refusal("regex", ("duckdb", "spark"),
            "patterns outside the subset the three regex dialects read alike (Python re, RE2, java.util.regex): "
            "non-ASCII text, class escapes (\\d \\w \\s \\b ...), look-around and other (?...) groups, "
            "backreferences, possessive quantifiers, nested or '&&' classes, braces that are not a quantifier, "
            "'$' before more pattern"),
    Refusal("contain", ("duckdb", "spark"), "case-insensitive search for non-ASCII text (case folding differs per engine)"),
    Refusal("sort", ("duckdb", "spark"), "sorting by errors or errors.* (MongoDB sorts arrays by their least/greatest element)"),
    Refusal("aggregate.unwind", ("duckdb", "spark"), "unwind of a path other than errors"),
    Refusal("aggregate (stored documents)", ("duckdb", "spark"),
            "stages other than unwind errors before the first group or count (they return stored documents)"),
    Refusal("aggregate.match", ("duckdb", "spark"),
            "match conditions (before the first group, or unwind filters) of the contain family (an unescaped, "
            "case-sensitive MongoDB regex of the caller's text), or on errors paths that are not unwound"),
    Refusal("aggregate.group.keys", ("duckdb", "spark"),
            "group keys other than a field (top-level, or errors.error_code/errors.message after unwind errors) "
            "or a date of a datetime field"),
    Refusal("aggregate.group.keys.date_format", ("duckdb", "spark"),
            "format specifiers other than %Y %m %d %H %M %S %L %j %%"),
    Refusal("aggregate.group.fields", ("duckdb", "spark"),
            "merge_objects; conditions; data_type array; inputs other than a field; first, last, push, add_to_set "
            "of errors.* after unwind (the SQL engines keep no order among one document's elements)"),
    Refusal("distinct", ("duckdb", "spark"), "distinct of errors, errors.additional(.*) or _id"),
)


def refuse(operator: str, engine: str, detail: str = "") -> EngineError:
    """The error for something ``engine`` cannot answer exactly (``operator`` as listed in REFUSALS)."""
    tail = f"; {detail}" if detail else ""
    return EngineError(
        NOT_SUPPORTED,
        f"Not supported by the {engine} backend. (operator = {operator}, engine = {engine}{tail})",
        operator=operator,
        engine=engine,
    )


def is_listed(error: EngineError) -> bool:
    """True for a refusal of this module naming a listed operator for that engine."""
    if error.code != NOT_SUPPORTED:
        return False
    operator, engine = error.details.get("operator"), error.details.get("engine")
    return any(r.operator == operator and engine in r.engines for r in REFUSALS)
