"""Aggregation expressions, evaluated a column at a time.

spaceone-core turns a StatisticsQuery into MongoDB expressions: ``"$key"``
field paths, ``$year``/``$dateToString`` for date keys, ``$cond`` over an
``$and`` of comparisons for field conditions, one-operand ``$sum``/``$max``...
for ``data_type: array``, ``$add``/``$divide``... and ``$size``,
``$arrayToObject``, ``$objectToArray`` in ``project``.  Each node here
evaluates over a whole frame and returns one value per document, so a field
path over stored rows is a column gather and operators are a ``map`` over
columns.  Semantics are MongoDB's (null/missing propagate as null, missing
compares below null, type errors are errors); errors surface as
``ERROR_DB_QUERY``, as the reference reports every database failure.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Callable, Iterable

from .. import errors as E
from ..paths import agg_get
from ..values import MISSING, bson_key, is_number, type_name
from .accumulators import fit_int64
from .dates import DateFormat, date_part_fn, format_fn
from .frames import Frame

if TYPE_CHECKING:
    from .frames import Values

__all__ = [
    "Expr",
    "PathExpr",
    "Root",
    "Const",
    "DatePart",
    "DateToString",
    "Compare",
    "AllOf",
    "Cond",
    "Arith",
    "Reduce",
    "Size",
    "ArrayToObject",
    "ObjectToArray",
    "ObjectExpr",
]


class Expr:
    """An expression node; ``column(frame)`` gives its value for every document."""

    __slots__ = ()

    def column(self, frame: Frame) -> Values:
        raise NotImplementedError


class PathExpr(Expr):
    """``"$a.b"``: a field path (arrays on the way are mapped)."""

    __slots__ = ("path", "parts")

    def __init__(self, path: str) -> None:
        self.path = path
        self.parts = tuple(path.split("."))

    def column(self, frame: Frame) -> Values:
        return frame.values(self.parts)

    def raw(self, frame: Frame) -> tuple[Values, bool]:
        return frame.raw(self.parts)

    def __repr__(self) -> str:
        return f"PathExpr({self.path!r})"


class Root(Expr):
    """``"$$ROOT"``: the whole document, optionally followed by a path."""

    __slots__ = ("parts",)

    def __init__(self, parts: tuple[str, ...] = ()) -> None:
        self.parts = parts

    def column(self, frame: Frame) -> list:
        docs = frame.docs()
        if not self.parts:
            return list(docs)
        return [agg_get(d, self.parts) for d in docs]


class Const(Expr):
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def column(self, frame: Frame) -> list:
        return [self.value] * len(frame)

    def __repr__(self) -> str:
        return f"Const({self.value!r})"


def _map(fn: Callable[..., Any], *cols: Iterable[Any]) -> list:
    return list(map(fn, *cols))


class _DateExpr(Expr):
    """A date operator over one argument, with a fast path for stored datetime columns.

    ``on_value`` applies to a pipeline value, ``on_ms`` to a stored epoch-ms value.
    """

    __slots__ = ("arg", "on_value", "on_ms")

    arg: Expr
    #: the operator on a pipeline value, and on a stored epoch-ms value
    on_value: Callable[[Any], Any]
    on_ms: Callable[[Any], Any]

    def column(self, frame: Frame) -> list:
        arg = self.arg
        if type(arg) is PathExpr:
            vals, is_ms = arg.raw(frame)
            if is_ms:
                return _map(self.on_ms, vals)
            return _map(self.on_value, vals)
        return _map(self.on_value, arg.column(frame))


class DatePart(_DateExpr):
    """``$year`` / ``$month`` / ``$dayOfMonth``."""

    __slots__ = ("unit",)

    def __init__(self, unit: str, arg: Expr) -> None:
        self.unit = unit
        self.arg = arg
        self.on_value, self.on_ms = date_part_fn(unit)


class DateToString(_DateExpr):
    """``$dateToString`` with a validated format."""

    __slots__ = ("fmt",)

    def __init__(self, fmt: DateFormat, arg: Expr) -> None:
        self.fmt = fmt
        self.arg = arg
        self.on_value, self.on_ms = format_fn(fmt)


# -- comparisons and conditions ----------------------------------------------------

def _cmp_key(v: Any) -> tuple:
    return bson_key(v)


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: _cmp_key(a) == _cmp_key(b),
    "not": lambda a, b: _cmp_key(a) != _cmp_key(b),
    "gt": lambda a, b: _cmp_key(a) > _cmp_key(b),
    "gte": lambda a, b: _cmp_key(a) >= _cmp_key(b),
    "lt": lambda a, b: _cmp_key(a) < _cmp_key(b),
    "lte": lambda a, b: _cmp_key(a) <= _cmp_key(b),
}


class Compare(Expr):
    """``{$eq|$ne|$gt|$gte|$lt|$lte: [a, b]}`` with BSON order across types (missing < null)."""

    __slots__ = ("op", "left", "right", "_fn")

    def __init__(self, op: str, left: Expr, right: Expr) -> None:
        self.op = op
        self.left = left
        self.right = right
        self._fn = _COMPARE[op]

    def column(self, frame: Frame) -> list:
        right = self.right
        if type(right) is Const:
            key = _cmp_key(right.value)
            op = self.op
            keys = _map(_cmp_key, self.left.column(frame))
            if op == "eq":
                return [k == key for k in keys]
            if op == "not":
                return [k != key for k in keys]
            if op == "gt":
                return [k > key for k in keys]
            if op == "gte":
                return [k >= key for k in keys]
            if op == "lt":
                return [k < key for k in keys]
            return [k <= key for k in keys]
        return _map(self._fn, self.left.column(frame), right.column(frame))


class AllOf(Expr):
    """``{$and: [...]}`` of boolean expressions."""

    __slots__ = ("items",)

    def __init__(self, items: list[Expr]) -> None:
        self.items = items

    def column(self, frame: Frame) -> list:
        if not self.items:
            return [True] * len(frame)
        out = self.items[0].column(frame)
        for item in self.items[1:]:
            out = [a and b for a, b in zip(out, item.column(frame))]
        return [bool(x) for x in out]


class Cond(Expr):
    """``{$cond: [test, then, else]}``."""

    __slots__ = ("test", "then", "other")

    def __init__(self, test: Expr, then: Expr, other: Expr) -> None:
        self.test = test
        self.then = then
        self.other = other

    def column(self, frame: Frame) -> list:
        tests = self.test.column(frame)
        then = self.then.column(frame)
        other = self.other.column(frame)
        return [t if c else o for c, t, o in zip(tests, then, other)]


# -- arithmetic --------------------------------------------------------------------

def _nullish(v: Any) -> bool:
    return v is None or v is MISSING


def _arith_error(op: str, v: Any) -> E.EngineError:
    return E.db_query(f"${op} only supports numeric or date types, not {type_name(v)}")


def _add(*vals: Any) -> Any:
    total: Any = 0
    date = None
    for v in vals:
        if _nullish(v):
            return None
        if type(v) is _dt.datetime:
            if date is not None:
                raise E.db_query("only one date allowed in an $add expression")
            date = v
        elif is_number(v):
            total = total + v
        else:
            raise _arith_error("add", v)
    if date is not None:
        return _shift_date(date, total, "add")
    return fit_int64(total)


def _shift_date(date: _dt.datetime, ms: Any, op: str) -> _dt.datetime:
    """``date`` moved by ``ms`` milliseconds; MongoDB refuses NaN and infinities there, and the
    store refuses an instant it could not write back (outside years 1-9999)."""
    try:
        return date + _dt.timedelta(milliseconds=round(ms))
    except (OverflowError, ValueError):
        raise E.db_query(f"date overflow in ${op} (adding {ms!r} ms to {date.isoformat()})") from None


def _multiply(*vals: Any) -> Any:
    product: Any = 1
    for v in vals:
        if _nullish(v):
            return None
        if not is_number(v):
            raise E.db_query(f"$multiply only supports numeric types, not {type_name(v)}")
        product = product * v
    return fit_int64(product)


def _subtract(a: Any, b: Any) -> Any:
    if _nullish(a) or _nullish(b):
        return None
    if is_number(a) and is_number(b):
        return fit_int64(a - b)
    if type(a) is _dt.datetime:
        if type(b) is _dt.datetime:
            return (a - b) // _dt.timedelta(milliseconds=1)
        if is_number(b):
            return _shift_date(a, -b, "subtract")
    raise E.db_query(f"can't $subtract {type_name(b)} from {type_name(a)}")


def _divide(a: Any, b: Any) -> Any:
    if _nullish(a) or _nullish(b):
        return None
    if not (is_number(a) and is_number(b)):
        bad = b if is_number(a) else a
        raise E.db_query(f"$divide only supports numeric types, not {type_name(bad)}")
    if b == 0:
        raise E.db_query("can't $divide by zero")
    return a / b


_ARITH = {"add": _add, "subtract": _subtract, "multiply": _multiply, "divide": _divide}


class Arith(Expr):
    """``$add``/``$subtract``/``$multiply``/``$divide`` over field paths, numbers and nested arithmetic."""

    __slots__ = ("op", "args", "_fn")

    def __init__(self, op: str, args: list[Expr]) -> None:
        self.op = op
        self.args = args
        self._fn = _ARITH[op]

    def column(self, frame: Frame) -> list:
        if not self.args:
            return [self._fn()] * len(frame)
        return _map(self._fn, *[a.column(frame) for a in self.args])


# -- one-operand array reductions (data_type: array, project sum) ------------------

def _numbers(v: Any) -> list:
    if type(v) is list:
        return [x for x in v if is_number(x)]
    return [v] if is_number(v) else []


def _r_sum(v: Any) -> Any:
    nums = _numbers(v)
    return sum(nums) if nums else 0


def _r_avg(v: Any) -> Any:
    nums = _numbers(v)
    return sum(nums) / float(len(nums)) if nums else None


def _present(v: Any) -> list:
    items = v if type(v) is list else [v]
    return [x for x in items if x is not None and x is not MISSING]


def _r_max(v: Any) -> Any:
    items = _present(v)
    return max(items, key=bson_key) if items else None


def _r_min(v: Any) -> Any:
    items = _present(v)
    return min(items, key=bson_key) if items else None


def _array_end(op: str, index: int) -> Callable[[Any], Any]:
    def end(v: Any) -> Any:
        if _nullish(v):
            return None
        if type(v) is not list:
            raise E.db_query(f"${op}'s argument must be an array, but is {type_name(v)}")
        return v[index] if v else MISSING

    return end


_REDUCE: dict[str, Callable[[Any], Any]] = {
    "sum": _r_sum,
    "average": _r_avg,
    "max": _r_max,
    "min": _r_min,
    "first": _array_end("first", 0),
    "last": _array_end("last", -1),
}


class Reduce(Expr):
    """A one-operand ``$sum``/``$avg``/``$max``/``$min`` (over an array) or ``$first``/``$last`` of an array."""

    __slots__ = ("op", "arg", "_fn")

    def __init__(self, op: str, arg: Expr) -> None:
        self.op = op
        self.arg = arg
        self._fn = _REDUCE[op]

    def column(self, frame: Frame) -> list:
        return _map(self._fn, self.arg.column(frame))


def _size(v: Any) -> int:
    if type(v) is not list:
        raise E.db_query(f"The argument to $size must be an array. Type of argument: {type_name(v)}")
    return len(v)


class Size(Expr):
    __slots__ = ("arg",)

    def __init__(self, arg: Expr) -> None:
        self.arg = arg

    def column(self, frame: Frame) -> list:
        return _map(_size, self.arg.column(frame))


def _array_to_object(v: Any) -> Any:
    if _nullish(v):
        return None
    if type(v) is not list:
        raise E.db_query(f"$arrayToObject requires an array input, found: {type_name(v)}")
    out: dict = {}
    if not v:
        return out
    if type(v[0]) is dict:
        for item in v:
            if type(item) is not dict or len(item) != 2 or "k" not in item or "v" not in item:
                raise E.db_query("$arrayToObject requires a consistent input format: documents with exactly 'k' and 'v' fields")
            key = item["k"]
            if type(key) is not str:
                raise E.db_query(f"$arrayToObject requires the 'k' field to be a string, found: {type_name(key)}")
            out[key] = item["v"]
        return out
    if type(v[0]) is list:
        for item in v:
            if type(item) is not list or len(item) != 2:
                raise E.db_query("$arrayToObject requires a consistent input format: arrays of exactly two elements")
            key = item[0]
            if type(key) is not str:
                raise E.db_query(f"$arrayToObject requires the first element to be a string, found: {type_name(key)}")
            out[key] = item[1]
        return out
    raise E.db_query(f"Unrecognised input type format for $arrayToObject: {type_name(v[0])}")


def _object_to_array(v: Any) -> Any:
    if _nullish(v):
        return None
    if type(v) is not dict:
        raise E.db_query(f"$objectToArray requires a document input, found: {type_name(v)}")
    return [{"k": k, "v": x} for k, x in v.items()]


class ArrayToObject(Expr):
    __slots__ = ("arg",)

    def __init__(self, arg: Expr) -> None:
        self.arg = arg

    def column(self, frame: Frame) -> list:
        return _map(_array_to_object, self.arg.column(frame))


class ObjectToArray(Expr):
    __slots__ = ("arg",)

    def __init__(self, arg: Expr) -> None:
        self.arg = arg

    def column(self, frame: Frame) -> list:
        return _map(_object_to_array, self.arg.column(frame))


class ObjectExpr(Expr):
    """``{name: expr, ...}``: a document per input; fields whose value is missing are left out."""

    __slots__ = ("items",)

    def __init__(self, items: list[tuple[str, Expr]]) -> None:
        self.items = items

    def column(self, frame: Frame) -> list:
        names = [n for n, _ in self.items]
        cols = [e.column(frame) for _, e in self.items]
        out = []
        for values in zip(*cols) if cols else [()] * len(frame):
            out.append({n: v for n, v in zip(names, values) if v is not MISSING})
        return out

