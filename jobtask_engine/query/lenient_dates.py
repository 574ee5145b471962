"""Strings compared against datetime fields with the plain operators.

The production model converts such a string with dateutil's general parser and
turns anything it cannot read into null.  The core may not depend on dateutil,
so this reads the forms people actually send — ISO 8601 and the common
``YYYY-MM-DD HH:MM:SS`` / ``YYYY/MM/DD`` variants — the way that parser reads
them (missing month/day taken from today), and treats the rest as unreadable.
The gap is listed in tests/conformance/KNOWN_DIFFERENCES.md.
"""

from __future__ import annotations

import datetime as _dt
import re

from ..timeutil import parse_iso8601

__all__ = ["parse_lenient"]

_SLASHED = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?$")


def parse_lenient(text: str) -> _dt.datetime | None:
    s = text.strip()
    if not s:
        return None
    today = _dt.date.today()
    short = re.fullmatch(r"(\d{4})(?:-(\d{2}))?", s)
    if short:
        try:
            return _dt.datetime(int(short[1]), int(short[2] or today.month), today.day)
        except ValueError:
            return None
    m = _SLASHED.match(s)
    if m:
        y, mo, d, hh, mm, ss, frac = m.groups()
        try:
            micro = int((frac + "000000")[:6]) if frac else 0
            return _dt.datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0), micro)
        except ValueError:
            return None
    try:
        return parse_iso8601(s)
    except (ValueError, OverflowError):
        return None
