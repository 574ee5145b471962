"""Date parts and ``$dateToString`` formats, as MongoDB computes them (UTC).

A group key with ``date_format`` is the commonest stat request ("tasks per
day"), so the formatters work on epoch milliseconds straight from the stored
column and cache per calendar day: a column of 100k timestamps touches a few
hundred distinct days.  A format with time specifiers renders each value with
one ``str.format`` call (``DateFormat``).

MongoDB's format specifiers (``%Y %m %d %H %M %S %L %j %w %u %U %V %G %z %Z
%b %B %%``) are not Python's: ``%w`` is 1 (Sunday) to 7, ``%L`` is
milliseconds, ``%z`` is ``+0000`` in UTC, any other ``%x`` is an error.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Callable

from .. import errors as E
from ..timeutil import EPOCH, MS_PER_DAY
from ..values import MISSING, type_name

__all__ = ["compile_format", "date_part_fn", "format_fn", "PUSH_DATE_FORMAT"]

#: The format spaceone-core uses for datetime sub-fields of ``push``.
PUSH_DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


def _week_sunday(d: _dt.date) -> int:
    """Week of the year, weeks starting on Sunday, days before the first Sunday in week 0."""
    yday = d.timetuple().tm_yday - 1
    sunday_based = (d.weekday() + 1) % 7
    return (yday + 7 - sunday_based) // 7


# Specifier -> rendering of a datetime; the first set only needs the calendar day.
_DAY_SPECS: dict[str, Callable[[_dt.datetime], str]] = {
    "Y": lambda t: f"{t.year:04d}",
    "m": lambda t: f"{t.month:02d}",
    "d": lambda t: f"{t.day:02d}",
    "j": lambda t: f"{t.timetuple().tm_yday:03d}",
    "w": lambda t: str((t.weekday() + 1) % 7 + 1),
    "u": lambda t: str(t.isoweekday()),
    "U": lambda t: f"{_week_sunday(t):02d}",
    "V": lambda t: f"{t.isocalendar()[1]:02d}",
    "G": lambda t: f"{t.isocalendar()[0]:04d}",
    "b": lambda t: _MONTHS[t.month - 1][:3],
    "B": lambda t: _MONTHS[t.month - 1],
    "z": lambda t: "+0000",
    "Z": lambda t: "+0",
}
_TIME_SPECS: dict[str, Callable[[_dt.datetime], str]] = {
    "H": lambda t: f"{t.hour:02d}",
    "M": lambda t: f"{t.minute:02d}",
    "S": lambda t: f"{t.second:02d}",
    "L": lambda t: f"{t.microsecond // 1000:03d}",
}


#: Time specifiers -> their field in ``DateFormat.template`` (arguments 0-3: hour, minute,
#: second, millisecond, as their texts; the day specifiers' strings follow).
_TIME_FIELDS = {_TIME_SPECS["H"]: "{0}", _TIME_SPECS["M"]: "{1}", _TIME_SPECS["S"]: "{2}", _TIME_SPECS["L"]: "{3}"}
_MS_PER_HOUR, _MS_PER_MINUTE = 3_600_000, 60_000
#: The texts of hours (and minutes, seconds: ``_SIXTY``) and milliseconds, looked up rather than
#: formatted: a template of plain fields is filled in half the time of one with ``:02d`` specs.
_SIXTY = tuple(f"{i:02d}" for i in range(60))
_THOUSAND = tuple(f"{i:03d}" for i in range(1000))


class DateFormat:
    """A validated ``$dateToString`` format: literal pieces and specifier functions.

    ``pieces`` is the parsed form (the SQL backends translate it); rendering goes through
    ``template``, one ``str.format`` call in C per value, the time fields looked up by their
    integers (``_SIXTY``, ``_THOUSAND``) and the day fields rendered once per distinct day
    (``day_fns``, each specifier once however often the format repeats it).  Calling each
    piece per value cost 0.65 s for a 32-character format over 100k rows, and 1.6 s for three
    ``%Y-%m-%dT%H:%M:%S.%L`` keys; ``:02d`` fields formatted from the integers 0.86 s, looked-up
    texts 0.13 s less per 100k values (``benchmarks/limits_probe.py``).
    """

    __slots__ = ("source", "pieces", "needs_time", "template", "day_fns")

    def __init__(self, source: str, pieces: list, needs_time: bool) -> None:
        self.source = source
        self.pieces = pieces
        self.needs_time = needs_time
        parts: list[str] = []
        day_fns: list[Callable[[_dt.datetime], str]] = []
        for p in pieces:
            if type(p) is str:
                parts.append(p.replace("{", "{{").replace("}", "}}"))
            elif p in _TIME_FIELDS:
                parts.append(_TIME_FIELDS[p])
            else:
                if p not in day_fns:
                    day_fns.append(p)
                parts.append(f"{{{4 + day_fns.index(p)}}}")
        self.template = "".join(parts)
        self.day_fns = tuple(day_fns)

    def day_strings(self, t: _dt.datetime) -> tuple[str, ...]:
        """The day specifiers' renderings of ``t`` (arguments 4... of ``template``)."""
        return tuple(fn(t) for fn in self.day_fns)

    def render(self, t: _dt.datetime) -> str:
        return self.template.format(_SIXTY[t.hour], _SIXTY[t.minute], _SIXTY[t.second], _THOUSAND[t.microsecond // 1000],
                                    *self.day_strings(t))

    def ms_renderer(self) -> Callable[[int], str]:
        """A renderer of epoch milliseconds (ints) keeping the day strings of the days it met."""
        fmt = self.template.format
        day_strings = self.day_strings
        days: dict[int, tuple[str, ...]] = {}
        sixty, thousand = _SIXTY, _THOUSAND

        def render_ms(ms: int) -> str:
            day, rest = divmod(ms, MS_PER_DAY)
            strings = days.get(day)
            if strings is None:
                strings = days[day] = day_strings(EPOCH + _dt.timedelta(days=day))
            return fmt(sixty[rest // _MS_PER_HOUR], sixty[rest // _MS_PER_MINUTE % 60], sixty[rest // 1000 % 60],
                       thousand[rest % 1000], *strings)

        return render_ms


def compile_format(fmt: Any, where: str) -> DateFormat:
    """Parse a MongoDB date format; unknown specifiers are refused as MongoDB refuses them."""
    if not isinstance(fmt, str):
        raise E.db_query(f"{where}: $dateToString requires that 'format' be a string, found: {type_name(fmt)}")
    pieces: list = []
    literal: list[str] = []
    needs_time = False
    i, n = 0, len(fmt)
    while i < n:
        ch = fmt[i]
        if ch != "%":
            literal.append(ch)
            i += 1
            continue
        if i + 1 >= n:
            raise E.db_query(f"{where}: Unmatched '%' at end of format string: {fmt!r}")
        spec = fmt[i + 1]
        i += 2
        if spec == "%":
            literal.append("%")
            continue
        fn = _DAY_SPECS.get(spec)
        if fn is None:
            fn = _TIME_SPECS.get(spec)
            if fn is None:
                raise E.db_query(f"{where}: Invalid format character '%{spec}' in format string: {fmt!r}")
            needs_time = True
        if literal:
            pieces.append("".join(literal))
            literal = []
        pieces.append(fn)
    if literal:
        pieces.append("".join(literal))
    return DateFormat(fmt, pieces, needs_time)


def _not_a_date(op: str, value: Any) -> E.EngineError:
    return E.db_query(f"can't convert from BSON type {type_name(value)} to Date ({op})")


_PARTS = {"year": lambda t: t.year, "month": lambda t: t.month, "day": lambda t: t.day}


def date_part_fn(unit: str) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """(on datetime values, on epoch-ms values) for ``$year``/``$month``/``$dayOfMonth``.

    Null and missing give null, as MongoDB's date operators do.
    """
    part = _PARTS[unit]
    op = {"year": "$year", "month": "$month", "day": "$dayOfMonth"}[unit]

    def on_value(v: Any) -> Any:
        if v is None or v is MISSING:
            return None
        if isinstance(v, _dt.datetime):
            return part(v)
        raise _not_a_date(op, v)

    return on_value, _per_day(part)


def format_fn(fmt: DateFormat) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """(on datetime values, on epoch-ms values) for ``$dateToString``; null/missing give null."""
    render = fmt.render

    def on_value(v: Any) -> Any:
        if v is None or v is MISSING:
            return None
        if isinstance(v, _dt.datetime):
            return render(v)
        raise _not_a_date("$dateToString", v)

    if fmt.needs_time:
        render_ms = fmt.ms_renderer()

        def on_ms(ms: Any) -> Any:
            if ms is None or ms is MISSING:
                return None
            if type(ms) is int:
                return render_ms(ms)
            return render(EPOCH + _dt.timedelta(milliseconds=ms))

        return on_value, on_ms

    return on_value, _per_day(render)


def _per_day(fn: Callable[[_dt.datetime], Any]) -> Callable[[Any], Any]:
    """``fn`` of an epoch-ms value's day (its midnight), computed once per day; null/missing give null."""
    cache: dict[int, Any] = {}

    def on_ms(ms: Any) -> Any:
        if ms is None or ms is MISSING:
            return None
        day = ms // MS_PER_DAY
        out = cache.get(day)
        if out is None:
            out = cache[day] = fn(EPOCH + _dt.timedelta(days=day))
        return out

    return on_ms
