"""Regular expressions the three dialects read alike, and their per-engine spelling.

The in-memory engine searches with Python's ``re`` (case-insensitive,
``search`` semantics); DuckDB uses RE2, Spark ``java.util.regex``.  They agree
on a common core: ASCII literals and escaped punctuation, ``.``, ``^``,
anchors, alternation, plain and non-capturing groups, greedy and lazy
quantifiers (``* + ? {m} {m,} {m,n}``) and simple character classes.  They
disagree on class escapes (``\\d`` is Unicode in Python, ASCII elsewhere),
look-around (RE2 has none), possessive quantifiers, nested classes (a union in
Java), and on ``$`` (Python and Java also match before a final newline; RE2
does not).  Patterns outside the core are refused; inside it the pattern is
passed unchanged, with the flags that make each engine behave as Python:
``(?i)`` for RE2, ``(?idu)`` for Java (Unicode case, only ``\\n`` ends a line),
and a final ``$`` spelled ``(?:\\n?\\z)`` for RE2.
"""

from __future__ import annotations

__all__ = ["check_portable", "spell"]

_PUNCT = set("\\.^$|?*+()[]{}-/!\"#%&',:;<=>@_`~ ")
_SAFE_LETTER_ESCAPES = set("ntr")


class NotPortable(ValueError):
    """A pattern outside the common core (the message says what)."""


def check_portable(pattern: str) -> None:
    """Raise NotPortable unless every engine reads ``pattern`` as Python does."""
    if not pattern.isascii():
        raise NotPortable("non-ASCII text")
    i, n = 0, len(pattern)
    after_atom = False  # a quantifier may follow
    after_quant = False
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= n:
                raise NotPortable("trailing backslash")
            nxt = pattern[i + 1]
            if nxt.isalnum() and nxt not in _SAFE_LETTER_ESCAPES:
                raise NotPortable(f"escape \\{nxt}")
            i += 2
            after_atom, after_quant = True, False
            continue
        if ch == "[":
            i = _class_end(pattern, i)
            after_atom, after_quant = True, False
            continue
        if ch == "(":
            if pattern.startswith("(?", i) and not pattern.startswith("(?:", i):
                raise NotPortable("(?...) group")
            i += 3 if pattern.startswith("(?:", i) else 1
            after_atom = after_quant = False
            continue
        if ch in "*+?":
            if ch == "?" and after_quant:
                after_quant = False  # lazy
                i += 1
                continue
            if not after_atom:
                raise NotPortable("quantifier without an atom, or possessive")
            after_atom, after_quant = False, True
            i += 1
            continue
        if ch == "{":
            j = pattern.find("}", i)
            body = pattern[i + 1 : j] if j > 0 else ""
            lo, comma, hi = body.partition(",")
            if j < 0 or not lo.isdigit() or (hi and not hi.isdigit()) or not after_atom:
                raise NotPortable("braces that are not a quantifier")
            after_atom, after_quant = False, True
            i = j + 1
            continue
        if ch == "$":
            rest = pattern[i + 1 :]
            if rest and rest[0] not in "|)":
                raise NotPortable("'$' before more pattern")
            after_atom = after_quant = False
            i += 1
            continue
        if ch in "|^":
            after_atom = after_quant = False
            i += 1
            continue
        after_atom, after_quant = True, False  # a literal, ')' or '.'
        i += 1


def _class_end(pattern: str, i: int) -> int:
    """Index after the character class starting at ``i`` (refusing what the dialects read apart)."""
    j = i + 1
    if j < len(pattern) and pattern[j] == "^":
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        raise NotPortable("']' first in a class")
    while j < len(pattern):
        ch = pattern[j]
        if ch == "]":
            return j + 1
        if ch == "[" or pattern.startswith("&&", j) or pattern.startswith("--", j) or pattern.startswith("||", j) \
                or pattern.startswith("~~", j):
            raise NotPortable("nested class or class operator")
        if ch == "\\":
            if j + 1 >= len(pattern):
                raise NotPortable("trailing backslash")
            if pattern[j + 1].isalnum() and pattern[j + 1] not in _SAFE_LETTER_ESCAPES:
                raise NotPortable(f"escape \\{pattern[j + 1]} in a class")
            j += 2
            continue
        j += 1
    raise NotPortable("unterminated class")


def spell(pattern: str, engine: str) -> str:
    """The pattern for ``engine`` ("duckdb": RE2, "spark": Java), case-insensitive as Python's search."""
    if engine == "spark":
        return "(?idu)" + pattern
    return "(?i)" + _final_dollar_for_re2(pattern)


def _final_dollar_for_re2(pattern: str) -> str:
    """Python's ``$`` (end, or before a final newline) in RE2: every unescaped ``$`` outside a class."""
    out, i, n = [], 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i : i + 2])
            i += 2
        elif ch == "[":
            j = _class_end(pattern, i)
            out.append(pattern[i:j])
            i = j
        elif ch == "$":
            out.append("(?:\\n?\\z)")
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)
