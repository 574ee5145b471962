"""``match``: a MongoDB ``$elemMatch`` query document applied to each ``errors`` element.

Supports field equality and the query operators people write in such a
document ($eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, $exists, $regex with
$options, $not, and $and/$or/$nor); anything else is a query error.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from .. import errors as E
from ..schema import MISSING
from .values import scalar_test

__all__ = ["compile_elem_match"]

Test = Callable[[Any], bool]


def _get(doc: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(doc, dict):
            return MISSING
        doc = doc.get(part, MISSING)
    return doc


def _operand_test(spec: Any) -> Test:
    """Test of one value against ``{"$op": operand, ...}`` or a literal."""
    if not (isinstance(spec, dict) and spec and all(isinstance(k, str) and k.startswith("$") for k in spec)):
        return scalar_test("eq", spec)
    tests: list[Test] = []
    options = spec.get("$options", "")
    for op, operand in spec.items():
        if op == "$options":
            continue
        if op in ("$eq", "$gt", "$gte", "$lt", "$lte"):
            tests.append(scalar_test(op[1:], operand))
        elif op == "$ne":
            t = scalar_test("eq", operand)
            tests.append(lambda x, t=t: not t(x))
        elif op in ("$in", "$nin"):
            if not isinstance(operand, list):
                raise E.db_query(f"{op} needs an array (match)")
            t = scalar_test("in", operand)
            tests.append(t if op == "$in" else (lambda x, t=t: not t(x)))
        elif op == "$exists":
            want = bool(operand)
            tests.append(lambda x, want=want: (x is not MISSING) == want)
        elif op == "$regex":
            if not isinstance(operand, str):
                raise E.db_query("$regex has to be a string (match)")
            flags = re.IGNORECASE if "i" in str(options) else 0
            try:
                pattern = re.compile(operand, flags)
            except re.error as exc:
                raise E.db_query(f"invalid regex {operand!r} (match): {exc}") from None
            tests.append(lambda x, p=pattern: type(x) is str and p.search(x) is not None)
        elif op == "$not":
            t = _operand_test(operand)
            tests.append(lambda x, t=t: not t(x))
        else:
            raise E.db_query(f"unknown operator {op} in match")
    return lambda x: all(t(x) for t in tests)


def compile_elem_match(query: dict) -> Test:
    """Test of one array element (a dict) against an ``$elemMatch`` document."""
    tests: list[Test] = []
    for key, spec in query.items():
        if key in ("$and", "$or", "$nor"):
            if not isinstance(spec, list) or not spec or not all(isinstance(q, dict) for q in spec):
                raise E.db_query(f"{key} needs a non-empty array of objects (match)")
            subs = [compile_elem_match(q) for q in spec]
            if key == "$and":
                tests.append(lambda e, subs=subs: all(s(e) for s in subs))
            elif key == "$or":
                tests.append(lambda e, subs=subs: any(s(e) for s in subs))
            else:
                tests.append(lambda e, subs=subs: not any(s(e) for s in subs))
        elif not isinstance(key, str) or key.startswith("$"):
            raise E.db_query(f"unknown operator {key} in match")
        else:
            t = _operand_test(spec)
            tests.append(lambda e, key=key, t=t: isinstance(e, dict) and t(_get(e, key)))
    return lambda e: all(t(e) for t in tests)
