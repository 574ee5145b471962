"""StatisticsQuery -> validated plan, before any row is touched.

This follows spaceone-core's ``MongoModel._make_aggregate_rules`` step by
step, so that every request the reference refuses is refused here, and with
the same code.  The reference builds the pipeline inside ``stat``'s ``try``,
which turns *every* failure (its own typed errors, Python errors on malformed
input, MongoDB's own refusals) into ``ERROR_DB_QUERY``; so does this module.
Only a query with neither ``aggregate`` nor ``distinct`` is
``ERROR_REQUIRED_PARAMETER`` (key ``aggregate``).

Group keys are tracked as the reference tracks them: a later stage naming a
key of an earlier ``group`` refers to ``_id.<name>`` (until a ``project``
with ``exclude_keys``).  Where MongoDB itself refuses a pipeline that the
reference builds (``$not`` with two arguments, an empty ``$sort``, a zero
``$limit``, a dotted group field name, an unknown ``$dateToString``
specifier...), the plan refuses it too.
"""

from __future__ import annotations

import copy
import re
from typing import Any, NamedTuple, NoReturn

from .. import errors as E
from ..limits import LimitError, check_date_format, check_operands, check_pattern, check_pipeline
from .dates import PUSH_DATE_FORMAT, compile_format
from .expressions import (
    AllOf,
    ArrayToObject,
    Arith,
    Compare,
    Cond,
    Const,
    DatePart,
    DateToString,
    Expr,
    PathExpr,
    ObjectExpr,
    ObjectToArray,
    Reduce,
    Root,
    Size,
)
from .group import GroupField, GroupKey, GroupStage
from .match import MatchCondition, MatchStage, search_patterns
from .project import EXCLUDE, INCLUDE, ProjectStage
from .stages import CountStage, LimitStage, SkipStage, SortStage, UnwindStage

__all__ = ["StatPlan", "Page", "parse_statistics_query"]

GROUP_OPERATORS = ("count", "sum", "average", "max", "min", "first", "last", "push", "add_to_set", "merge_objects")
PROJECT_OPERATORS = ("size", "sum", "array_to_object", "object_to_array", "add", "subtract", "multiply", "divide")
CALC_OPERATORS = ("add", "subtract", "multiply", "divide")
CONDITION_OPERATORS = ("eq", "not", "gt", "gte", "lt", "lte")
DATETIME_FIELDS = ("created_at", "started_at", "finished_at")
STAGE_NAMES = ("unwind", "group", "count", "sort", "project", "limit", "skip", "match", "lookup", "add_fields")


class Page(NamedTuple):
    """``page`` with a positive limit: 1-based ``start`` (>= 1) and ``limit``."""

    start: int
    limit: int

    @property
    def stop(self) -> int:
        """Where the page ends, 0-based (it starts at ``start - 1``)."""
        return self.start - 1 + self.limit

    def rows_of(self, n: int) -> int:
        """How many of ``n`` documents the page answers (the length of its slice of them)."""
        return max(0, min(n - (self.start - 1), self.limit))


class StatPlan(NamedTuple):
    """A validated stat request: a pipeline of stages, or a distinct path; plus the page."""

    stages: tuple | None
    distinct: str | None
    page: Page | None


class _Refused(Exception):
    """A reason the reference gives; becomes ERROR_DB_QUERY."""


def _fail(reason: str) -> NoReturn:
    raise _Refused(reason)


def parse_statistics_query(query: dict) -> StatPlan:
    """Validate ``aggregate`` / ``distinct`` / ``page`` of a StatisticsQuery.

    ``filter``, ``filter_or`` and ``keyword`` are the request layer's; they are
    not looked at here.  Raises ``EngineError``.
    """
    if not isinstance(query, dict):
        raise E.invalid_parameter_type("query", "dict")
    aggregate = query.get("aggregate")
    distinct = query.get("distinct")
    try:
        if aggregate and isinstance(aggregate, dict):
            aggregate = dict_form_pipeline(query)
    except (TypeError, AttributeError, KeyError, ValueError) as exc:
        raise E.db_query(f"aggregate (dict form): {type(exc).__name__}: {exc}") from None
    if not (aggregate or distinct):
        raise E.required_parameter("aggregate")
    try:
        if aggregate:
            stages = _pipeline(aggregate)
            return StatPlan(stages, None, _page(query.get("page"), for_distinct=False))
        if not isinstance(distinct, str):
            _fail(f"'{type(distinct).__name__}' object has no attribute 'split' (distinct must be a string)")
        return StatPlan(None, distinct, _page(query.get("page"), for_distinct=True))
    except _Refused as exc:
        raise E.db_query(str(exc)) from None
    except LimitError:
        raise
    except E.EngineError as exc:
        raise E.db_query(exc.message) from None
    except (TypeError, AttributeError, KeyError, ValueError, IndexError) as exc:
        raise E.db_query(f"{type(exc).__name__}: {exc}") from None


def dict_form_pipeline(query: dict) -> list:
    """The statistics-query page's dict form as a pipeline: unwind..., group, count, sort, limit."""
    agg = query["aggregate"]
    pipeline: list = []
    unwind = agg.get("unwind")
    if unwind:
        for u in unwind if isinstance(unwind, list) else [unwind]:
            pipeline.append({"unwind": u})
    if "group" in agg:
        pipeline.append({"group": agg["group"]})
    if "count" in agg:
        pipeline.append({"count": agg["count"]})
    sort = query.get("sort")
    if sort:
        if isinstance(sort, list):
            items = sort
        elif isinstance(sort, dict):
            items = sort.get("keys", [sort])
        else:
            items = []
        pipeline.append({"sort": [{"key": s.get("key", s.get("name")), "desc": s.get("desc", False)} for s in items]})
    if "limit" in query:
        pipeline.append({"limit": query["limit"]})
    return pipeline


# -- page ----------------------------------------------------------------------------

def _page(page: Any, for_distinct: bool) -> Page | None:
    page = page or {}
    if "limit" not in page:
        return None
    limit = page["limit"]
    if not limit > 0:
        return None
    start = page.get("start", 1)
    if start < 1:
        start = 1
    if for_distinct:
        # The reference slices a Python list: integers (booleans included) only.
        if not isinstance(limit, int) or not isinstance(start, int):
            _fail("slice indices must be integers or None or have an __index__ method (page)")
        return Page(int(start), int(limit))
    return Page(_whole(start, "page.start"), _whole(limit, "page.limit"))


def _whole(value: Any, where: str) -> int:
    """A MongoDB ``$skip``/``$limit`` argument: a number with an integral value."""
    if type(value) is bool or not isinstance(value, (int, float)):
        _fail(f"{where} must be a number, found {value!r}")
    if isinstance(value, float):
        if not value.is_integer():
            _fail(f"{where} must be an integer, found {value!r}")
        value = int(value)
    return value


# -- pipeline ------------------------------------------------------------------------

def _pipeline(aggregate: Any) -> tuple:
    if not isinstance(aggregate, list):
        raise E.invalid_parameter_type("aggregate", "list")
    check_pipeline(aggregate)
    stages: list = []
    group_keys: list[str] = []
    for i, stage in enumerate(aggregate):
        if not isinstance(stage, dict):
            _fail(f"aggregate[{i}] must be a stage object such as {{'group': {{...}}}}, found {stage!r}")
        kind = next((name for name in STAGE_NAMES if name in stage), None)
        if kind is None:
            raise E.required_parameter(
                "aggregate.unwind or aggregate.group or aggregate.count or aggregate.sort or "
                "aggregate.project or aggregate.limit or aggregate.skip"
            )
        try:
            group_keys = _stage(stages, kind, stage[kind], group_keys)
        except (TypeError, AttributeError, KeyError, ValueError, IndexError) as exc:
            _fail(f"aggregate[{i}].{kind}: {type(exc).__name__}: {exc}")
    return tuple(stages)


def _stage(stages: list, kind: str, options: Any, group_keys: list[str]) -> list[str]:
    """Append the stage(s) for one pipeline entry; returns the group keys known after it."""
    if kind == "unwind":
        stages.extend(_unwind(options))
    elif kind == "group":
        group, keys = _group(options, group_keys)
        stages.append(group)
        group_keys = group_keys + keys
    elif kind == "count":
        stages.append(_count(options))
    elif kind == "sort":
        stages.append(_sort(options, group_keys))
    elif kind == "project":
        project, group_keys = _project(options, group_keys)
        stages.append(project)
    elif kind == "limit":
        n = _whole(options, "aggregate.limit")
        if n <= 0:
            _fail(f"the limit must be positive (aggregate.limit = {options!r})")
        stages.append(LimitStage(n))
    elif kind == "skip":
        n = _whole(options, "aggregate.skip")
        if n < 0:
            _fail(f"invalid argument to $skip stage: Expected a non-negative number (aggregate.skip = {options!r})")
        stages.append(SkipStage(n))
    elif kind == "match":
        stages.append(_match_stage(options, "aggregate.match"))
    else:
        _fail(f"'aggregate.{kind}' stage is not supported by the engine (it reads other collections or raw expressions)")
    return group_keys


def _name(value: Any, where: str) -> str:
    """An output field name MongoDB accepts: a non-empty string, no '.', no leading '$'."""
    if not isinstance(value, str):
        _fail(f"{where} must be a string, found {value!r}")
    if value == "" or "." in value or value.startswith("$"):
        _fail(f"{where} {value!r} is not a valid field name (empty, dotted or '$'-prefixed)")
    return value


def _path_expr(key: Any, where: str) -> Expr:
    """``"$" + key`` as MongoDB reads it: a field path, or ``$$ROOT``/``$$CURRENT``."""
    path = f"{key}"
    if path.startswith("$"):
        var, _, rest = path[1:].partition(".")
        if var not in ("ROOT", "CURRENT"):
            _fail(f"{where}: Use of undefined variable: {var} (key = {key!r})")
        parts = tuple(rest.split(".")) if rest else ()
        if any(p == "" or p.startswith("$") for p in parts):
            _fail(f"{where}: invalid field path {path!r}")
        return Root(parts)
    steps = path.split(".")
    if any(p == "" or p.startswith("$") for p in steps):
        _fail(f"{where}: invalid field path '${path}' (key = {key!r})")
    return PathExpr(path)


def _key_path(key: Any, group_keys: list[str], where: str) -> Expr:
    if key in group_keys:
        key = f"_id.{key}"
    return _path_expr(key, where)


def _plain_path(value: Any, where: str) -> str:
    """A field path given without '$' (unwind path, sort key)."""
    if not isinstance(value, str) or not value:
        _fail(f"{where} must be a non-empty string, found {value!r}")
    if any(p == "" or p.startswith("$") for p in value.split(".")):
        _fail(f"{where}: invalid field path {value!r}")
    return value


# -- unwind / count / sort -----------------------------------------------------------

def _unwind(options: Any) -> list:
    if "path" not in options:
        raise E.required_parameter("aggregate.unwind.path")
    path = _plain_path(f"{options['path']}", "aggregate.unwind.path")
    out: list = [UnwindStage(path)]
    unwind_filter = options.get("filter")
    if unwind_filter:
        out.append(_match_stage({"filter": unwind_filter}, "aggregate.unwind.filter"))
    return out


def _count(options: Any) -> CountStage:
    if "name" not in options:
        raise E.required_parameter("aggregate.count.name")
    name = options["name"]
    if not isinstance(name, str) or name == "":
        _fail("the count field must be a non-empty string (aggregate.count.name)")
    if name.startswith("$"):
        _fail("the count field cannot be a $-prefixed path (aggregate.count.name)")
    if "." in name:
        _fail("the count field cannot contain '.' (aggregate.count.name)")
    return CountStage(name)


def _sort(options: Any, group_keys: list[str]) -> SortStage:
    order: dict[str, bool] = {}
    for sort_option in options:
        key = sort_option["key"]
        if key in group_keys:
            key = f"_id.{key}"
        key = _plain_path(key, "aggregate.sort.key")
        order[key] = bool(sort_option.get("desc", False))
    if not order:
        _fail("$sort stage must have at least one sort key (aggregate.sort)")
    return SortStage(tuple(order.items()))


# -- match ---------------------------------------------------------------------------

def _regex(value: Any, where: str) -> str:
    """The contain family of a stat ``match``: a raw, case-sensitive ``.*value.*`` pattern, as
    spaceone-core writes it — unlike the list filter's escaped, case-insensitive ``contain``
    (``query/predicates._contain``); the difference is the reference's, kept on purpose."""
    pattern = f".*{value}.*"
    check_pattern(pattern, where)
    try:
        re.compile(pattern)
    except re.error as exc:
        _fail(f"{where}: invalid regular expression '{pattern}': {exc}")
    return pattern


def _match_stage(options: Any, where: str) -> MatchStage:
    conditions = []
    for condition in options.get("filter", []):
        key = condition.get("key", condition.get("k"))
        value = condition.get("value", condition.get("v"))
        operator = condition.get("operator", condition.get("o"))
        if not (key and value and operator):
            raise E.required_parameter("aggregate.match.filter")
        parts = tuple(_plain_path(key, f"{where}.key").split("."))
        if operator in ("eq", "not"):
            conditions.append(MatchCondition(parts, "eq", copy.deepcopy(value), operator == "not"))
        elif operator in ("in", "not_in"):
            if not isinstance(value, list):
                _fail(f"{where}: ${'in' if operator == 'in' else 'nin'} needs an array (key = {key})")
            conditions.append(MatchCondition(parts, "in", tuple(copy.deepcopy(value)), operator == "not_in"))
        elif operator in ("contain", "not_contain"):
            conditions.append(MatchCondition(parts, "regex", search_patterns([_regex(value, where)]), operator == "not_contain"))
        elif operator in ("contain_in", "not_contain_in"):
            patterns = [_regex(v, where) for v in value]
            if not patterns:
                _fail("BadValue $and/$or/$nor must be a nonempty array")
            conditions.append(MatchCondition(parts, "regex", search_patterns(patterns), operator == "not_contain_in"))
        else:
            raise E.db_query(f"Unsupported operator: {operator}")
    if not conditions:
        _fail("BadValue $and/$or/$nor must be a nonempty array")
    return MatchStage(tuple(conditions))


# -- group ---------------------------------------------------------------------------

def _group(options: Any, before: list[str]) -> tuple[GroupStage, list[str]]:
    keys_spec = options.get("keys", [])
    fields_spec = options.get("fields", [])
    if len(keys_spec) == 0 and len(fields_spec) == 0:
        raise E.required_parameter("aggregate.group.keys || aggregate.group.fields")
    keys: dict[str, GroupKey] = {}
    names: list[str] = []
    for condition in keys_spec:
        name, expr = _group_key(condition, before)
        keys[name] = GroupKey(name, expr)
        names.append(name)
    fields: dict[str, GroupField] = {}
    for condition in fields_spec:
        field = _group_field(condition, before)
        fields[field.name] = field
    return GroupStage(tuple(keys.values()), tuple(fields.values())), names


def _group_key(condition: Any, before: list[str]) -> tuple[str, Expr]:
    key = condition.get("key", condition.get("k"))
    name = condition.get("name", condition.get("n"))
    date_format = condition.get("date_format")
    if key is None:
        raise E.db_query(f"'aggregate.group.keys' condition requires a key: {condition}")
    if name is None:
        raise E.db_query(f"'aggregate.group.keys' condition requires a name: {condition}")
    name = _name(name, "aggregate.group.keys.name")
    arg = _key_path(key, before, "aggregate.group.keys.key")
    if not date_format:
        return name, arg
    check_date_format(date_format, "aggregate.group.keys.date_format")
    if date_format in ("year", "month", "day"):
        return name, DatePart(date_format, arg)
    return name, DateToString(compile_format(date_format, "aggregate.group.keys.date_format"), arg)


def _group_field(condition: Any, before: list[str]) -> GroupField:
    key = condition.get("key", condition.get("k"))
    name = condition.get("name", condition.get("n"))
    operator = condition.get("operator", condition.get("o"))
    sub_conditions = condition.get("conditions")
    sub_fields = condition.get("fields") or []
    data_type = condition.get("data_type")

    if operator not in GROUP_OPERATORS:
        raise E.db_query(
            f"'aggregate.group.fields' condition's {operator} operator is not supported. "
            f"(supported_operator = {list(GROUP_OPERATORS)})"
        )
    if name is None:
        raise E.db_query(f"'aggregate.group.fields' condition requires a name: {condition}")
    name = _name(name, "aggregate.group.fields.name")
    if name == "_id":
        _fail("aggregate.group.fields.name '_id' would replace the group keys")
    sub_items = []
    for sub_field in sub_fields:
        f_key = sub_field.get("key", sub_field.get("k"))
        f_name = sub_field.get("name", sub_field.get("n"))
        if f_key is None:
            raise E.db_query(f"'aggregate.group.fields.fields' condition requires a key: {condition}")
        if f_name is None:
            raise E.db_query(f"'aggregate.group.fields.fields' condition requires a name: {condition}")
        sub_items.append((f_key, f_name))
    test = _conditions(sub_conditions, before) if sub_conditions else None
    has_key = key is not None

    def path() -> Expr:
        return _key_path(key, before, "aggregate.group.fields.key")

    def no_conditions() -> None:
        if test is not None:
            raise E.db_query(f"'aggregate.group.fields' condition's conditions not supported: {condition}")

    def require_key() -> None:
        if not has_key:
            raise E.db_query(f"'aggregate.group.fields' condition requires a key: {condition}")

    if operator == "count":
        expr: Expr | None = None if test is None else Cond(test, Const(1), Const(0))
    elif operator == "push":
        if not key and not sub_items:
            raise E.db_query(f"'aggregate.group.fields' condition requires fields: {condition}")
        no_conditions()
        expr = path() if key else _push_object(sub_items, before)
    elif operator in ("sum", "average"):
        require_key()
        if test is not None:
            expr = Cond(test, path(), Const(0))
        elif data_type == "array":
            expr = Reduce(operator, path())
        else:
            expr = path()
    elif operator in ("add_to_set", "merge_objects"):
        require_key()
        no_conditions()
        expr = path()
    else:  # max, min, first, last
        require_key()
        no_conditions()
        expr = Reduce(operator, path()) if data_type == "array" else path()
    return GroupField(name, operator, expr)


def _push_object(sub_items: list, before: list[str]) -> ObjectExpr:
    items: dict[str, Expr] = {}
    for f_key, f_name in sub_items:
        f_name = _name(f_name, "aggregate.group.fields.fields.name")
        translated = f"_id.{f_key}" if f_key in before else f_key
        expr = _path_expr(translated, "aggregate.group.fields.fields.key")
        if translated in DATETIME_FIELDS:
            expr = DateToString(compile_format(PUSH_DATE_FORMAT, "push"), expr)
        items[f_name] = expr
    return ObjectExpr(list(items.items()))


def _conditions(sub_conditions: Any, before: list[str]) -> AllOf:
    compares = []
    for sub_condition in sub_conditions:
        key = sub_condition.get("key", sub_condition.get("k"))
        value = sub_condition.get("value", sub_condition.get("v"))
        operator = sub_condition.get("operator", sub_condition.get("o"))
        if key is None:
            raise E.db_query(
                f"'aggregate.group.fields.conditions.key' condition requires a key: {sub_condition}"
            )
        if value is None:
            raise E.db_query(
                f"'aggregate.group.fields.conditions.value' condition requires a value: {sub_condition}"
            )
        if operator is None:
            raise E.db_query(
                f"'aggregate.group.fields.conditions.operator' condition requires a operator: {sub_condition}"
            )
        if operator not in CONDITION_OPERATORS:
            raise E.db_query(
                f"'aggregate.group.fields.conditions.operator' condition's {operator} operator is not "
                f"supported. (supported_operator = {list(CONDITION_OPERATORS)})"
            )
        left = _key_path(key, before, "aggregate.group.fields.conditions.key")
        compares.append((operator, left, value))
    for operator, _, _ in compares:
        if operator == "not":
            _fail("Expression $not takes exactly 1 arguments. 2 were passed in. (aggregate.group.fields.conditions)")
    return AllOf([Compare(op, left, _value_expr(value)) for op, left, value in compares])


def _value_expr(value: Any) -> Expr:
    """A condition value as MongoDB reads it inside an expression."""
    if isinstance(value, str) and value.startswith("$"):
        return _path_expr(value[1:], "aggregate.group.fields.conditions.value")
    if _has_dollar(value):
        _fail(f"aggregate.group.fields.conditions.value: expressions inside values are not supported: {value!r}")
    return Const(value)


def _has_dollar(value: Any) -> bool:
    if isinstance(value, str):
        return value.startswith("$")
    if isinstance(value, dict):
        return any(k.startswith("$") or _has_dollar(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_dollar(v) for v in value)
    return False


# -- project -------------------------------------------------------------------------

def _project(options: Any, group_keys: list[str]) -> tuple[ProjectStage, list[str]]:
    fields = options.get("fields", [])
    exclude_keys = options.get("exclude_keys", False)
    only_keys = options.get("only_keys", False)
    if len(fields) == 0:
        raise E.required_parameter("aggregate.project.fields")
    check_operands(fields, "aggregate.project.fields")
    spec: dict[str, Any] = {}
    for condition in fields:
        key = condition.get("key", condition.get("k"))
        name = condition.get("name", condition.get("n"))
        operator = condition.get("operator", condition.get("o"))
        sub = condition.get("fields", condition.get("f"))
        if operator and operator not in PROJECT_OPERATORS:
            raise E.db_query(
                f"'aggregate.project.fields' condition's {operator} operator is not supported. "
                f"(supported_operator = {list(PROJECT_OPERATORS)})"
            )
        if name is None:
            raise E.db_query(f"'aggregate.project.fields' condition requires a name: {condition}")
        name = _project_name(name)
        if operator:
            spec[name] = _project_operator(condition, key, operator, sub, group_keys)
        elif only_keys:
            spec[name] = INCLUDE
        else:
            spec[name] = _key_path(key, group_keys, "aggregate.project.fields.key")
    if exclude_keys:
        spec["_id"] = EXCLUDE
        group_keys = []
    return ProjectStage(tuple(spec.items())), group_keys


def _project_name(name: Any) -> str:
    if not isinstance(name, str):
        _fail(f"aggregate.project.fields.name must be a string, found {name!r}")
    if any(p == "" for p in name.split(".")) or name.startswith("$"):
        _fail(f"aggregate.project.fields.name {name!r} is not a valid field name")
    return name


def _project_operator(condition: dict, key: Any, operator: str, sub: Any, group_keys: list[str]) -> Expr:
    if operator in CALC_OPERATORS:
        return _calculation(condition, operator, sub, group_keys)
    if key is None:
        where = "key" if operator in ("size", "sum") else "fields"
        raise E.db_query(f"'aggregate.project.{where}' condition requires a key: {condition}")
    arg = _key_path(key, group_keys, "aggregate.project.fields.key")
    if operator == "size":
        return Size(arg)
    if operator == "sum":
        return Reduce("sum", arg)
    if operator == "array_to_object":
        return ArrayToObject(arg)
    return ObjectToArray(arg)


def _calculation(condition: Any, operator: Any, fields: Any, group_keys: list[str]) -> Arith:
    if operator is None:
        raise E.db_query(f"'aggregate.project.operator' condition requires a operator: {condition}")
    if operator not in CALC_OPERATORS:
        raise E.db_query(
            f"'aggregate.project.operator' condition operator are not allowed"
            f" (supported_operator={list(CALC_OPERATORS)}): {condition}"
        )
    if fields is None:
        raise E.db_query(f"'aggregate.project.fields' condition requires a fields: {condition}")
    check_operands(fields, "aggregate.project.fields.fields")
    if operator in ("subtract", "divide") and len(fields) != 2:
        raise E.db_query(f"'aggregate.project.fields' condition requires two fields: {condition}")
    args: list[Expr] = []
    for item in fields:
        if isinstance(item, str):
            args.append(_key_path(item, group_keys, "aggregate.project.fields.fields"))
        elif isinstance(item, (int, float)) and not isinstance(item, bool):
            args.append(Const(item))
        elif isinstance(item, dict):
            sub_operator = item.get("operator", item.get("o"))
            sub_fields = item.get("fields", item.get("f"))
            args.append(_calculation(item, sub_operator, sub_fields, group_keys))
        else:
            raise E.db_query(
                f"'aggregate.project.fields' condition accept only string or object or numeric types: {condition}"
            )
    return Arith(operator, args)
