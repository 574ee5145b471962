"""Hypothesis strategies for ``stat`` requests (JobTaskStatQuery params dicts).

``stat_requests(domain_ids)`` draws realistic StatisticsQuery requests: a
light filter, then either ``distinct`` on a field path, or an ``aggregate``
pipeline built stage by stage with knowledge of the documents each stage
produces (stored documents, unwound ``errors``, group output), so that keys,
names and operands refer to fields that exist and have a fitting type —
group keys with date formats, every group operator with conditions and
``data_type: array``, sort/skip/limit/count/match, project renames and
arithmetic, a second group over the first one's output, the seed's dict form,
and paging.  A small share of requests is malformed on purpose.

Constructs where mongomock (the executed reference) departs from MongoDB are
not drawn (see tests/conformance/KNOWN_DIFFERENCES.md, "## stat"): ``$first``/
``$last``/``$push`` sub-fields and conditions only read fields that are never
missing, ``data_type: array`` only reads arrays, ``$mergeObjects`` only
documents, date formats only use specifiers both sides format alike, sort
keys are never arrays, names are unique and undotted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from hypothesis import strategies as st

if TYPE_CHECKING:
    from .strategies import Draw

__all__ = ["stat_requests", "sample_records", "DEFAULT_DOMAINS", "SAFE_DATE_FORMATS"]

DEFAULT_DOMAINS: tuple[str, ...] = ("domain-a", "domain-b", "Domain-C")

STATUSES = ("PENDING", "CANCELED", "IN_PROGRESS", "SUCCESS", "FAILURE")
COUNTS = ("created_count", "updated_count", "failure_count", "deleted_count", "disconnected_count")
#: Formats made only of specifiers that MongoDB and Python's strftime (mongomock) render alike.
SAFE_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m", "%Y", "%Y-%m-%dT%H:%M:%S", "%H:%M", "%j", "%U", "%u", "%G-W%V", "%d/%m %%")
DATE_FIELDS = ("created_at", "started_at", "finished_at")

# Field kinds: int, str, date, docs (array of documents), doc, any.
# (path, kind, may be missing)
RAW_FIELDS: tuple[tuple[str, str, bool], ...] = (
    ("job_task_id", "str", False),
    ("status", "str", False),
    ("provider", "str", False),
    ("job_id", "str", True),
    ("secret_id", "str", True),
    ("workspace_id", "str", True),
    ("service_account_id", "str", False),
    ("project_id", "str", False),
    ("domain_id", "str", False),
    ("created_count", "int", False),
    ("updated_count", "int", False),
    ("failure_count", "int", False),
    ("deleted_count", "int", False),
    ("disconnected_count", "int", False),
    ("created_at", "date", False),
    ("started_at", "date", False),
    ("finished_at", "date", False),
    ("errors", "docs", False),
)
UNWOUND_FIELDS: tuple[tuple[str, str, bool], ...] = (
    ("errors.error_code", "str", True),
    ("errors.message", "str", True),
    ("errors.additional", "doc", False),
    ("errors.additional.x", "any", True),
    ("errors.additional.n", "any", True),
    ("errors.additional.s", "any", True),
)
MATCH_VALUES: dict[str, tuple] = {
    "status": STATUSES,
    "provider": ("aws", "AWS", "google_cloud", "a.w*s", "Aws-Dev"),
    "job_id": ("job-1", "job-2", "JOB-1"),
    "errors.error_code": ("ERROR_TIMEOUT", "ERROR_AUTH", "error_timeout", "E.1", "E-1"),
    "errors.message": ("timeout", "Timeout while collecting", "a.b*c"),
    "created_count": (0, 1, 5, 12),
}
CONTAIN_VALUES = ("a", "A", "aws", "ERROR", "time", "E", "-", "o", "1")


class _Doc:
    """What the documents look like at some point of the pipeline."""

    def __init__(self, fields: Sequence[tuple[str, str, bool]], group_keys: Sequence[str] = (), raw: bool = True):
        #: path -> (kind, may be missing); group keys appear under their plain name.
        self.fields = {p: (k, m) for p, k, m in fields}
        self.group_keys = list(group_keys)
        self.raw = raw

    def paths(self, *kinds: str, allow_missing: bool = True) -> list[str]:
        return [p for p, (k, m) in self.fields.items() if (not kinds or k in kinds) and (allow_missing or not m)]


def _name(draw: Draw, used: set, prefix: str) -> str:
    base = draw(st.sampled_from((prefix, prefix + "_x", "total", "value", "n", "v")))
    name = base
    i = 1
    while name in used:
        i += 1
        name = f"{base}{i}"
    used.add(name)
    return name


def _conditions(draw: Draw, doc: _Doc) -> list[dict]:
    out: list[dict] = []
    keys = [p for p in doc.paths("str", "int", allow_missing=False) if p in MATCH_VALUES or p in COUNTS]
    if not keys:
        return out
    for _ in range(draw(st.integers(1, 2))):
        key = draw(st.sampled_from(keys))
        kind = doc.fields.get(key, ("str", False))[0]
        if kind == "int":
            value = draw(st.integers(0, 12))
        else:
            value = draw(st.sampled_from(MATCH_VALUES.get(key, STATUSES)))
        op = draw(st.sampled_from(("eq", "eq", "gt", "gte", "lt", "lte")))
        short = draw(st.booleans())
        out.append({"k": key, "v": value, "o": op} if short else {"key": key, "value": value, "operator": op})
    return out


@st.composite
def _group_field(draw: Draw, doc: _Doc, used: set) -> tuple[dict, tuple[str, str, bool]]:
    """One group field and the (name, kind, may be missing) it produces."""
    op = draw(st.sampled_from(("count", "count", "sum", "sum", "average", "max", "min", "first", "last",
                               "push", "add_to_set", "merge_objects")))
    name = _name(draw, used, op[:3])
    field: dict[str, Any] = {"name": name, "operator": op}
    arrays = doc.paths("array")
    if op == "count":
        if draw(st.integers(0, 3)) == 0:
            field["conditions"] = _conditions(draw, doc)
            if not field["conditions"]:
                del field["conditions"]
        return field, (name, "int", False)
    if op in ("sum", "average"):
        if arrays and draw(st.integers(0, 2)) == 0:
            field["key"] = draw(st.sampled_from(arrays))
            field["data_type"] = "array"
        else:
            field["key"] = draw(st.sampled_from(doc.paths("int", "str", "date", "any") or ["updated_count"]))
            if draw(st.integers(0, 3)) == 0:
                field["conditions"] = _conditions(draw, doc)
                if not field["conditions"]:
                    del field["conditions"]
        return field, (name, "int" if op == "sum" else "float", op == "average")
    if op in ("max", "min"):
        if arrays and draw(st.integers(0, 2)) == 0:
            field["key"] = draw(st.sampled_from(arrays))
            field["data_type"] = "array"
            return field, (name, "any", True)
        key = draw(st.sampled_from(doc.paths("int", "str", "date", "any") or ["updated_count"]))
        field["key"] = key
        return field, (name, doc.fields.get(key, ("any", True))[0], True)
    if op in ("first", "last"):
        keys = doc.paths("int", "str", "date", "doc", allow_missing=False)
        if not keys:
            field["operator"] = "count"
            return field, (name, "int", False)
        key = draw(st.sampled_from(keys))
        field["key"] = key
        return field, (name, doc.fields[key][0], True)
    if op == "push":
        subs = doc.paths("int", "str", allow_missing=False)
        if subs and draw(st.booleans()):
            chosen = draw(st.lists(st.sampled_from(subs), min_size=1, max_size=3, unique=True))
            field["fields"] = [{"key": k, "name": f"f_{k.replace('.', '_')}"} for k in chosen]
            return field, (name, "docarray", False)
        key = draw(st.sampled_from(doc.paths("int", "str", "date") or ["status"]))
        field["key"] = key
        return field, (name, "array" if key in doc.fields else "missing", False)
    if op == "add_to_set":
        key = draw(st.sampled_from(doc.paths("int", "str") or ["status"]))
        field["key"] = key
        return field, (name, "set", False)
    # merge_objects: documents only
    docs = doc.paths("doc")
    if not docs:
        field["operator"] = "count"
        return field, (name, "int", False)
    field["key"] = draw(st.sampled_from(docs))
    return field, (name, "doc", False)


@st.composite
def _group(draw: Draw, doc: _Doc) -> tuple[dict, _Doc]:
    used: set = set()
    keys = []
    produced: list[tuple[str, str, bool]] = []
    key_paths = [p for p in doc.paths("str", "int", "date") if not p.startswith("errors.additional")]
    for _ in range(draw(st.integers(0 if doc.raw else 1, 2))):
        if not key_paths:
            break
        key = draw(st.sampled_from(key_paths))
        name = _name(draw, used, "k")
        item: dict[str, Any] = {"key": key, "name": name}
        kind, missing = doc.fields[key]
        if kind == "date" and doc.raw and key in DATE_FIELDS and draw(st.booleans()):
            fmt = draw(st.sampled_from(("year", "month", "day") + SAFE_DATE_FORMATS))
            item["date_format"] = fmt
            kind = "int" if fmt in ("year", "month", "day") else "str"
        keys.append(item)
        produced.append((name, kind, missing))
    fields = []
    for _ in range(draw(st.integers(0 if keys else 1, 3))):
        field, out = draw(_group_field(doc, used))
        fields.append(field)
        produced.append(out)
    if not draw(st.integers(0, 5)):
        for f in fields:
            if "name" in f and draw(st.booleans()):
                f["n"] = f.pop("name")
                break
    group: dict[str, Any] = {}
    if keys or draw(st.booleans()):
        group["keys"] = keys
    if fields or draw(st.booleans()):
        group["fields"] = fields
    new_keys = doc.group_keys + [k["name"] for k in keys]
    return {"group": group}, _Doc(produced, new_keys, raw=False)


def _sortable(doc: _Doc) -> list[str]:
    return doc.paths("int", "str", "date", "float")


@st.composite
def _sort(draw: Draw, doc: _Doc) -> dict:
    keys = _sortable(doc)
    chosen = draw(st.lists(st.sampled_from(keys or ["status"]), min_size=1, max_size=2, unique=True))
    return {"sort": [{"key": k, "desc": draw(st.booleans())} if draw(st.integers(0, 3)) else {"key": k} for k in chosen]}


@st.composite
def _match(draw: Draw, doc: _Doc) -> dict:
    conds = []
    for _ in range(draw(st.integers(1, 2))):
        candidates = [p for p in doc.paths("str", "int") if p in MATCH_VALUES] or doc.paths("str", "int")
        if not candidates:
            candidates = ["status"]
        key = draw(st.sampled_from(candidates))
        if key in doc.group_keys:
            key = "_id." + key if draw(st.integers(0, 4)) else key
        base = key.split(".", 1)[1] if key.startswith("_id.") else key
        pool = MATCH_VALUES.get(base, STATUSES if doc.fields.get(base, ("str",))[0] == "str" else (0, 1, 2, 3))
        op = draw(st.sampled_from(("eq", "not", "in", "not_in", "contain", "not_contain", "contain_in", "not_contain_in")))
        if op in ("in", "not_in"):
            value: Any = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3))
        elif op in ("contain_in", "not_contain_in"):
            value = draw(st.lists(st.sampled_from(CONTAIN_VALUES), min_size=1, max_size=2))
        elif op in ("contain", "not_contain"):
            value = draw(st.sampled_from(CONTAIN_VALUES))
        else:
            value = draw(st.sampled_from(pool))
        conds.append({"k": key, "v": value, "o": op})
    return {"match": {"filter": conds}}


@st.composite
def _project(draw: Draw, doc: _Doc) -> tuple[dict, _Doc]:
    used: set = set()
    fields = []
    produced: list[tuple[str, str, bool]] = []
    only_keys = draw(st.integers(0, 4)) == 0
    exclude_keys = draw(st.integers(0, 2)) == 0
    numbers = doc.paths("int", "float")
    arrays = doc.paths("array", "set", "docarray")
    for _ in range(draw(st.integers(1, 3))):
        choice = draw(st.integers(0, 5))
        if choice <= 1 or only_keys:
            key = draw(st.sampled_from(list(doc.fields) or ["status"]))
            name = key if only_keys else _name(draw, used, "p")
            used.add(name)
            fields.append({"key": key, "name": name})
            kind, missing = doc.fields.get(key, ("any", True))
            produced.append((name, kind, missing))
        elif choice <= 3 and numbers:
            op = draw(st.sampled_from(("add", "subtract", "multiply", "divide")))
            a = draw(st.sampled_from(numbers))
            b: Any = draw(st.one_of(st.sampled_from(numbers), st.integers(1, 5), st.sampled_from((0.5, 2.0))))
            operands: list[Any] = [a, b]
            if op in ("add", "multiply") and draw(st.booleans()):
                operands.append({"operator": draw(st.sampled_from(("add", "multiply"))), "fields": [a, 2]})
            name = _name(draw, used, op[:3])
            fields.append({"name": name, "operator": op, "fields": operands})
            produced.append((name, "float", True))
        elif arrays:
            key = draw(st.sampled_from(arrays))
            kind = doc.fields[key][0]
            op = "size" if kind != "array" or draw(st.booleans()) else "sum"
            name = _name(draw, used, op)
            fields.append({"key": key, "name": name, "operator": op})
            produced.append((name, "int", False))
        elif doc.paths("doc"):
            key = draw(st.sampled_from(doc.paths("doc")))
            name = _name(draw, used, "o2a")
            fields.append({"key": key, "name": name, "operator": "object_to_array"})
            produced.append((name, "kvarray", False))
        else:
            key = draw(st.sampled_from(list(doc.fields) or ["status"]))
            name = _name(draw, used, "p")
            fields.append({"key": key, "name": name})
            produced.append((name,) + doc.fields.get(key, ("any", True)))
    project: dict[str, Any] = {"fields": fields}
    if only_keys:
        project["only_keys"] = True
    if exclude_keys:
        project["exclude_keys"] = True
    keys = [] if exclude_keys else doc.group_keys
    if only_keys:
        # Kept group keys still live in _id (flattened in the output); nothing addressable changes.
        return {"project": project}, _Doc(
            [(p, k, m) for p, (k, m) in doc.fields.items() if p in {f["name"] for f in fields} or p in keys],
            keys,
            raw=False,
        )
    kept = [(p, k, m) for p, (k, m) in doc.fields.items() if p in keys and not exclude_keys]
    return {"project": project}, _Doc(kept + produced, keys, raw=False)


_MALFORMED: tuple[Any, ...] = (
    {"group": {}},
    {"group": {"keys": [{"key": "status"}]}},
    {"group": {"keys": [{"name": "s"}]}},
    {"group": {"fields": [{"name": "n", "operator": "median"}]}},
    {"group": {"fields": [{"operator": "count"}]}},
    {"group": {"fields": [{"name": "s", "operator": "sum"}]}},
    {"group": {"fields": [{"name": "p", "operator": "push"}]}},
    {"group": {"fields": [{"name": "p", "operator": "push", "fields": [{"name": "x"}]}]}},
    {"group": {"fields": [{"name": "m", "key": "status", "operator": "max", "conditions": [{"k": "status", "v": "x", "o": "eq"}]}]}},
    {"group": {"fields": [{"name": "c", "operator": "count", "conditions": [{"k": "status", "o": "eq"}]}]}},
    {"group": {"fields": [{"name": "c", "operator": "count", "conditions": [{"k": "status", "v": "x", "o": "in"}]}]}},
    {"count": {}},
    {"count": {"name": ""}},
    {"count": {"name": "a.b"}},
    {"sort": [{"desc": True}]},
    {"unwind": {}},
    {"project": {}},
    {"project": {"fields": [{"key": "status"}]}},
    {"project": {"fields": [{"name": "x", "operator": "power", "fields": ["a", "b"]}]}},
    {"project": {"fields": [{"name": "x", "operator": "divide", "fields": ["a"]}]}},
    {"project": {"fields": [{"name": "x", "operator": "size"}]}},
    {"project": {"fields": [{"name": "x", "operator": "add", "fields": ["a", True]}]}},
    {"match": {}},
    {"match": {"filter": [{"k": "status", "v": "x", "o": "gt"}]}},
    {"match": {"filter": [{"k": "status", "v": "", "o": "eq"}]}},
    {"bogus": {}},
    "group",
)


@st.composite
def _pipeline(draw: Draw) -> list:
    doc = _Doc(RAW_FIELDS)
    stages: list = []
    if draw(st.integers(0, 3)) == 0:
        stages.append(draw(_match(doc)))
    if draw(st.integers(0, 2)) == 0:
        unwind: dict[str, Any] = {"path": "errors"}
        doc = _Doc(RAW_FIELDS[:-1] + UNWOUND_FIELDS)
        if draw(st.integers(0, 2)) == 0:
            unwind["filter"] = draw(_match(doc))["match"]["filter"]
        stages.append({"unwind": unwind})
    if draw(st.integers(0, 3)) == 0:
        # Ordered input: first/last/push of the group below follow this order.
        stages.append(draw(_sort(doc)))
        if draw(st.booleans()):
            stages.append({"limit": draw(st.integers(1, 8))})
    if draw(st.integers(0, 7)) == 0:
        # No group: stored documents flow through.
        if draw(st.booleans()):
            stages.append(draw(_sort(doc)))
        stages.append(draw(st.sampled_from(({"count": {"name": "total"}}, {"limit": 3}, {"skip": 1}))))
        return stages
    stage, doc = draw(_group(doc))
    stages.append(stage)
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(("sort", "sort", "project", "group", "limit", "skip", "match", "count")))
        if kind == "sort" and _sortable(doc):
            stages.append(draw(_sort(doc)))
        elif kind == "project" and doc.fields:
            stage, doc = draw(_project(doc))
            stages.append(stage)
        elif kind == "group" and doc.fields:
            stage, doc = draw(_group(doc))
            stages.append(stage)
        elif kind == "limit":
            stages.append({"limit": draw(st.integers(1, 4))})
        elif kind == "skip":
            stages.append({"skip": draw(st.integers(0, 3))})
        elif kind == "match" and doc.paths("str", "int"):
            stages.append(draw(_match(doc)))
        elif kind == "count":
            stages.append({"count": {"name": draw(st.sampled_from(("total", "count", "n")))}})
            doc = _Doc([("total", "int", False)], [], raw=False)
            break
    return stages


@st.composite
def _dict_form(draw: Draw) -> dict:
    group_stage, doc = draw(_group(_Doc(RAW_FIELDS)))
    query: dict[str, Any] = {"aggregate": {"group": group_stage["group"]}}
    if draw(st.integers(0, 3)) == 0:
        query["aggregate"]["unwind"] = [{"path": "errors"}]
    sortable = _sortable(doc)
    if sortable and draw(st.booleans()):
        key = draw(st.sampled_from(sortable))
        query["sort"] = {draw(st.sampled_from(("key", "name"))): key, "desc": draw(st.booleans())}
    if draw(st.booleans()):
        query["limit"] = draw(st.integers(1, 4))
    return query


_DISTINCT_PATHS = (
    "status", "provider", "job_id", "workspace_id", "project_id", "created_count", "updated_count",
    "created_at", "started_at", "errors", "errors.error_code", "errors.message", "errors.additional",
    "errors.additional.x", "errors.additional.n", "errors.additional.s", "nosuch",
)


@st.composite
def stat_requests(draw: Draw, domain_ids: Sequence[str] = DEFAULT_DOMAINS) -> dict:
    """One JobTaskStatQuery request dict."""
    params: dict[str, Any] = {"domain_id": draw(st.sampled_from(tuple(domain_ids)))}
    query: dict[str, Any] = {}
    flt = draw(st.integers(0, 5))
    if flt == 1:
        query["filter"] = [{"k": "status", "v": list(draw(st.sets(st.sampled_from(STATUSES), min_size=1, max_size=3))), "o": "in"}]
    elif flt == 2:
        query["filter"] = [{"k": "provider", "v": "aws", "o": "contain"}]
    elif flt == 3:
        query["filter_or"] = [{"k": "created_count", "v": 3, "o": "lte"}, {"k": "job_id", "v": True, "o": "exists"}]
    mode = draw(st.integers(0, 12))
    if mode <= 1:
        query["distinct"] = draw(st.sampled_from(_DISTINCT_PATHS))
    elif mode == 2:
        query.update(draw(_dict_form()))
    elif mode == 3:
        pipeline = draw(_pipeline())
        bad = draw(st.sampled_from(_MALFORMED))
        pipeline.insert(draw(st.integers(0, len(pipeline))), bad)
        query["aggregate"] = pipeline
    else:
        query["aggregate"] = draw(_pipeline())
    if draw(st.integers(0, 3)) == 0:
        page: dict[str, Any] = {"limit": draw(st.integers(0, 4))}
        if draw(st.booleans()):
            page["start"] = draw(st.integers(0, 4))
        query["page"] = page
    params["query"] = query
    return params


def sample_records() -> list[dict]:
    """Five hand-made records (four in domain ``d1``) that the stat unit tests and corpus reason about.

    jt-1 and jt-4 share job-a, workspace w1 and created_at; jt-2 has no job_id or workspace_id
    (missing), a null provider and no errors; jt-3 has an error without error_code; jt-5 is in d2.
    """
    return [
        {"job_task_id": "jt-1", "status": "SUCCESS", "provider": "aws", "created_count": 1, "updated_count": 5,
         "job_id": "job-a", "domain_id": "d1", "workspace_id": "w1", "created_at": "2022-01-01T11:00:02.588Z",
         "started_at": "2022-01-02T00:00:00Z",
         "errors": [{"error_code": "E1", "message": "m1", "additional": {"a": 1}},
                    {"error_code": "E2", "message": "m2"}]},
        {"job_task_id": "jt-2", "status": "FAILURE", "provider": None, "created_count": 0, "updated_count": 3,
         "domain_id": "d1", "created_at": "2022-03-05T01:00:00Z", "errors": []},
        {"job_task_id": "jt-3", "status": "SUCCESS", "provider": "google", "created_count": 2, "updated_count": 0,
         "job_id": "job-b", "domain_id": "d1", "workspace_id": "w2", "created_at": "2023-06-01T23:59:59.999Z",
         "finished_at": "2023-06-02T00:00:00Z", "errors": [{"message": "only msg", "additional": {"b": 2}}]},
        {"job_task_id": "jt-4", "status": "PENDING", "provider": "aws", "created_count": 7, "updated_count": 1,
         "job_id": "job-a", "domain_id": "d1", "workspace_id": "w1", "created_at": "2022-01-01T11:00:02.588Z",
         "errors": [{"error_code": "E1", "message": "m3", "additional": {"a": 2, "c": [1, 2]}}]},
        {"job_task_id": "jt-5", "status": "SUCCESS", "provider": "aws", "created_count": 3, "updated_count": 9,
         "domain_id": "d2", "created_at": "2021-01-01T00:00:00Z"},
    ]
