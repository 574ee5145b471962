"""Instants as integer milliseconds since the Unix epoch (UTC).

MongoDB keeps datetimes at millisecond precision in UTC; storing the same
integer keeps comparisons exact and cheap and the column compact.  Parsing
follows what the reference accepts for ``datetime_*`` (ISO 8601 as dateutil's
``isoparse`` reads it) and ``timediff_*`` (its own small grammar).
"""

from __future__ import annotations

import datetime as _dt
import re
from itertools import repeat
from operator import floordiv
from typing import TYPE_CHECKING, Sequence

from .schema import MISSING

if TYPE_CHECKING:
    from .schema import _Missing

__all__ = [
    "EPOCH",
    "to_ms",
    "from_ms",
    "ms_to_iso",
    "ms_to_iso_many",
    "parse_iso8601",
    "parse_timediff",
    "now_ms",
    "MIN_MS",
    "MAX_MS",
    "first_unrepresentable",
    "query_ms",
    "MS_PER_DAY",
    "day_number",
    "day_numbers",
]

UTC = _dt.timezone.utc
EPOCH = _dt.datetime(1970, 1, 1)
EPOCH_UTC = EPOCH.replace(tzinfo=UTC)
ONE_MS = _dt.timedelta(milliseconds=1)

#: The instants the store keeps and the API can write: UTC years 1 to 9999 (what a
#: Python datetime, and so ``ms_to_iso``, can hold).  ``0001-01-01T00:00:00+01:00`` is
#: valid RFC 3339 but lies before it: stored, every page, iteration and dump holding
#: it failed; it is refused instead.
MIN_MS = (_dt.datetime.min - EPOCH) // ONE_MS
MAX_MS = (_dt.datetime.max - EPOCH) // ONE_MS


def to_ms(value: _dt.datetime) -> int:
    """A datetime as epoch milliseconds; naive values are taken as UTC, sub-ms digits dropped.

    An aware value is subtracted from the aware epoch (never converted with
    ``astimezone``, which overflows at the range edges), so any datetime has a
    result; ``first_unrepresentable`` / ``query_ms`` say whether it can be kept.
    """
    if value.tzinfo is not None:
        return (value - EPOCH_UTC) // ONE_MS
    return (value - EPOCH) // ONE_MS


def first_unrepresentable(values: Sequence) -> int | None:
    """Index of the first epoch-ms value outside ``MIN_MS..MAX_MS`` (null and missing pass)."""
    present = [x for x in values if type(x) is int] if None in values or MISSING in values else values
    low, high = min(present, default=0), max(present, default=0)
    if MIN_MS <= low and high <= MAX_MS:
        return None
    return next(i for i, x in enumerate(values) if type(x) is int and not MIN_MS <= x <= MAX_MS)


def query_ms(value: _dt.datetime) -> int:
    """A query's datetime as epoch ms, refused (ERROR_DB_QUERY) when the store could hold no such instant."""
    ms = to_ms(value)
    if not MIN_MS <= ms <= MAX_MS:
        from .errors import db_query

        raise db_query(f"datetime {value.isoformat()} is outside years 1-9999 UTC")
    return ms


def from_ms(ms: int) -> _dt.datetime:
    """Naive UTC datetime for epoch milliseconds."""
    return EPOCH + _dt.timedelta(milliseconds=ms)


#: Milliseconds in a day: day numbers of stored instants are ``ms // MS_PER_DAY``.
MS_PER_DAY = 86_400_000


def day_number(ms: int | None | _Missing) -> int | None | _Missing:
    """The day since the epoch of an epoch-ms value; null and missing stay as they are."""
    return ms if ms is None or ms is MISSING else ms // MS_PER_DAY  # type: ignore[operator]  # an int: ``is MISSING`` does not narrow


def day_numbers(values: Sequence) -> list:
    """``day_number`` over a column (all in C while it holds no null or missing)."""
    try:
        return list(map(floordiv, values, repeat(MS_PER_DAY)))
    except TypeError:
        return list(map(day_number, values))


class _DayTexts(dict):
    """day since the epoch -> ``YYYY-MM-DDT``, each made once, when first needed (a page
    of timestamps spans few days; a plain dict lookup is the cheapest memo there is)."""

    def __missing__(self, day: int) -> str:
        text = self[day] = (EPOCH + _dt.timedelta(days=day)).date().isoformat() + "T"
        return text


class _ClockTexts(dict):
    """second of the day -> ``HH:MM:SS`` (at most 86,400 of them)."""

    def __missing__(self, second: int) -> str:
        text = self[second] = f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
        return text


_DAYS = _DayTexts()
_CLOCKS = _ClockTexts()
_MILLIS = tuple(f".{milli:03d}Z" for milli in range(1000))


def ms_to_iso(ms: int) -> str:
    """``2022-01-01T11:00:02.588Z``: the form the API writes datetimes in.

    Timestamps are mostly distinct, their days and seconds-of-day are not:
    all three parts come from tables, nothing is formatted.
    """
    return f"{_DAYS[ms // MS_PER_DAY]}{_CLOCKS[ms % MS_PER_DAY // 1000]}{_MILLIS[ms % 1000]}"


def ms_to_iso_many(values: Sequence) -> list:
    """``ms_to_iso`` over a column's values, None for null and missing."""
    days, clocks, millis = _DAYS, _CLOCKS, _MILLIS
    if None in values or MISSING in values:
        return [None if x is None or x is MISSING else f"{days[x // MS_PER_DAY]}{clocks[x % MS_PER_DAY // 1000]}{millis[x % 1000]}"
                for x in values]
    # an f-string joins the three parts in one allocation (two + would make two strings)
    return [f"{days[x // MS_PER_DAY]}{clocks[x % MS_PER_DAY // 1000]}{millis[x % 1000]}" for x in values]


def now_ms() -> int:
    return to_ms(_dt.datetime.now(UTC))


# ISO 8601 as dateutil.parser.isoparse reads it: a date (YYYY, YYYY-MM, YYYY-MM-DD,
# YYYYMMDD, week dates), optionally a one-character separator and a time
# (hh, hh:mm, hh:mm:ss, hhmm, hhmmss, fractions with . or ,), optionally a zone.
_DATE = re.compile(
    r"(?P<Y>\d{4})(?:"
    r"(?P<sep>-?)W(?P<W>\d{2})(?:(?P=sep)(?P<wd>\d))?"
    r"|-?(?P<o>\d{3})(?!\d)"
    r"|-(?P<m>\d{2})(?:-(?P<d>\d{2}))?"
    r"|(?P<bm>\d{2})(?P<bd>\d{2})"
    r")?"
)
_TIME = re.compile(
    r"(?P<H>\d{2})(?:(?P<c>:?)(?P<M>\d{2})(?:(?P=c)(?P<S>\d{2})(?:[.,](?P<f>\d+))?)?)?"
    r"(?P<tz>[Zz]|[+-]\d{2}(?::?\d{2})?)?$"
)


def parse_iso8601(text: str) -> _dt.datetime:
    """Parse an ISO 8601 string into a datetime (aware when it names a zone).

    Raises ``ValueError`` on anything dateutil's ``isoparse`` would refuse.
    """
    if not isinstance(text, str):
        raise ValueError(f"not a string: {text!r}")
    dm = _DATE.match(text)
    if dm is None:
        raise ValueError(f"invalid ISO 8601 date: {text!r}")
    year = int(dm["Y"])
    if dm["W"] is not None:
        week = int(dm["W"])
        weekday = int(dm["wd"]) if dm["wd"] is not None else 1
        if not (1 <= week <= 53 and 1 <= weekday <= 7):
            raise ValueError(f"invalid ISO week date: {text!r}")
        day = _dt.date.fromisocalendar(year, week, weekday)
    elif dm["o"] is not None:
        ordinal = int(dm["o"])
        if not 1 <= ordinal <= (366 if _dt.date(year, 12, 31).timetuple().tm_yday == 366 else 365):
            raise ValueError(f"invalid ordinal date: {text!r}")
        day = _dt.date(year, 1, 1) + _dt.timedelta(days=ordinal - 1)
    elif dm["bm"] is not None:
        day = _dt.date(year, int(dm["bm"]), int(dm["bd"]))
    else:
        day = _dt.date(year, int(dm["m"] or 1), int(dm["d"] or 1))
    rest = text[dm.end():]
    if not rest:
        return _dt.datetime(day.year, day.month, day.day)
    if len(rest) < 2:
        raise ValueError(f"invalid ISO 8601 string: {text!r}")
    if (dm["m"] is not None and dm["d"] is None) or (dm["W"] is not None and dm["wd"] is None):
        raise ValueError(f"a time needs a full date: {text!r}")
    tm = _TIME.match(rest, 1)
    if tm is None:
        raise ValueError(f"invalid ISO 8601 time: {text!r}")
    hour = int(tm["H"])
    minute = int(tm["M"] or 0)
    second = int(tm["S"] or 0)
    frac = tm["f"]
    micro = int((frac + "000000")[:6]) if frac else 0
    extra = _dt.timedelta(0)
    if hour == 24:
        if minute or second or micro:
            raise ValueError(f"invalid hour 24: {text!r}")
        hour, extra = 0, _dt.timedelta(days=1)
    tz = None
    zone = tm["tz"]
    if zone in ("Z", "z"):
        tz = UTC
    elif zone:
        digits = zone[1:].replace(":", "")
        offset = _dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
        if offset >= _dt.timedelta(hours=24):
            raise ValueError(f"invalid offset: {text!r}")
        tz = _dt.timezone(-offset if zone[0] == "-" else offset)
    return _dt.datetime(day.year, day.month, day.day, hour, minute, second, micro, tzinfo=tz) + extra


# The reference's grammar, quirks included: ``[+|-]`` and ``[s|m|h|d|w]`` are
# character classes that also admit ``|`` (an operator ``|`` subtracts; a unit
# ``|`` is an error).
_TIMEDIFF = re.compile(
    r"^\s?(?P<base>now(\/[dwm])?)\s?(?P<op>[+|-])\s?(?P<num>\d+)(?P<unit>[s|m|h|d|w])\s?$"
)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def _base_time(base: str, now: _dt.datetime) -> _dt.datetime:
    today = _dt.datetime.combine(now.date(), _dt.time(0))
    if base == "now":
        return now
    if base == "now/d":
        return today
    if base == "now/w":
        return today - _dt.timedelta(days=now.date().weekday())
    return today.replace(day=1)


def parse_timediff(text: str, now: _dt.datetime | None = None) -> _dt.datetime:
    """``now``, ``now/d``, ``now/w``, ``now/m`` and an optional ``+``/``-`` N unit, as naive UTC."""
    if not isinstance(text, str):
        raise ValueError(f"not a string: {text!r}")
    if now is None:
        now = _dt.datetime.now(UTC).replace(tzinfo=None)
    m = _TIMEDIFF.match(text)
    if m is None:
        base = text.strip()
        if base not in ("now", "now/d", "now/w", "now/m"):
            raise ValueError(f"invalid timediff: {text!r}")
        return _base_time(base, now)
    unit = _UNITS.get(m["unit"])
    if unit is None:
        raise ValueError(f"invalid timediff unit: {text!r}")
    delta = _dt.timedelta(**{unit: int(m["num"])})
    base_dt = _base_time(m["base"], now)
    return base_dt + delta if m["op"] == "+" else base_dt - delta
