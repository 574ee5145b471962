"""The executed reference: spaceone-core's MongoModel on mongomock.

``ReferenceService`` answers ``list`` and ``stat`` requests the way the
inventory JobTask service does: the service decorators (required keys,
top-level filters, page cap, keyword) are emulated here, the query itself runs
through the production ``MongoModel.query`` / ``MongoModel.stat`` code.
Output is shaped exactly as the engine shapes it (datetimes as ISO 8601 with
milliseconds and ``Z``), so the two can be compared with ``==``.

Only the test extra installs what this module imports.
"""

from __future__ import annotations

import copy
import datetime as _dt
import itertools
from typing import Any

import bson
import mongoengine
import mongomock
from mongoengine import (
    DateTimeField,
    DictField,
    EmbeddedDocument,
    EmbeddedDocumentField,
    IntField,
    ListField,
    StringField,
)
from spaceone.core.error import ERROR_BASE
from spaceone.core.model.mongo_model import MongoModel

from jobtask_engine.errors import EngineError

# The service's own rules (which top-level keys become filters, the page cap) are facts
# of the API, stated once in the engine's request layer; the query itself runs here.
from jobtask_engine.request import LIST_FILTER_KEYS, PAGE_LIMIT, STAT_FILTER_KEYS  # noqa: E402
from jobtask_engine.schema import MINIMAL_FIELDS  # noqa: E402

INFO_FIELDS = (
    "job_task_id",
    "status",
    "provider",
    "created_count",
    "updated_count",
    "failure_count",
    "deleted_count",
    "disconnected_count",
    "errors",
    "job_id",
    "secret_id",
    "service_account_id",
    "project_id",
    "workspace_id",
    "domain_id",
    "created_at",
    "started_at",
    "finished_at",
)
ERROR_FIELDS = ("error_code", "message", "additional")


class Error(EmbeddedDocument):
    error_code = StringField(max_length=128)
    message = StringField(max_length=2048)
    additional = DictField()


class JobTask(MongoModel):
    job_task_id = StringField(max_length=40, generate_id="job-task", unique=True)
    status = StringField(
        max_length=20,
        default="PENDING",
        choices=("PENDING", "CANCELED", "IN_PROGRESS", "SUCCESS", "FAILURE"),
    )
    provider = StringField(max_length=40, default=None, null=True)
    created_count = IntField(default=0)
    updated_count = IntField(default=0)
    failure_count = IntField(default=0)
    deleted_count = IntField(default=0)
    disconnected_count = IntField(default=0)
    errors = ListField(EmbeddedDocumentField(Error, default=None, null=True))
    job_id = StringField(max_length=40)
    secret_id = StringField(max_length=40)
    service_account_id = StringField(max_length=40, default=None, null=True)
    project_id = StringField(max_length=255, default=None, null=True)
    workspace_id = StringField(max_length=40)
    domain_id = StringField(max_length=255)
    created_at = DateTimeField(auto_now_add=True)
    started_at = DateTimeField(default=None, null=True)
    finished_at = DateTimeField(default=None, null=True)

    meta = {
        "updatable_fields": [
            "status",
            "provider",
            "created_count",
            "updated_count",
            "failure_count",
            "deleted_count",
            "disconnected_count",
            "errors",
            "started_at",
            "finished_at",
        ],
        "minimal_fields": list(MINIMAL_FIELDS),
        "ordering": ["-created_at"],
        "indexes": ["job_task_id", "status", "job_id", "domain_id", "created_at"],
    }


_db_names = itertools.count()


def _iso(value: _dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    return f"{value.isoformat(timespec='milliseconds')}Z"


def plain(value: Any) -> Any:
    """Turn reference output into plain JSON-able values, datetimes as ISO 8601."""
    if isinstance(value, _dt.datetime):
        return _iso(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, bson.ObjectId):
        return str(value)
    return value


def _shape_error(err: Any, sub_only: set[str] | None) -> Any:
    if not isinstance(err, dict):
        return err
    keys = ERROR_FIELDS if sub_only is None else [k for k in ERROR_FIELDS if k in sub_only]
    return {k: plain(err.get(k)) for k in keys}


def shape_info(doc: dict, fields: list[str] | None) -> dict:
    """JobTaskInfo from a raw stored document; ``fields`` is the projection (None: all)."""
    if fields is None:
        top = INFO_FIELDS
        sub: dict[str, set[str]] = {}
    else:
        sub = {}
        tops = set()
        for f in fields:
            head, _, rest = f.partition(".")
            tops.add(head)
            if head == "errors" and rest:
                sub.setdefault("errors", set()).add(rest.split(".")[0])
            elif head == "errors":
                sub["errors_all"] = set()
        top = [f for f in INFO_FIELDS if f in tops]
    out = {}
    for f in top:
        v = doc.get(f)
        if f == "errors" and isinstance(v, list):
            only = None if ("errors_all" in sub or "errors" not in sub) else sub["errors"]
            out[f] = [_shape_error(e, only) for e in v]
        else:
            out[f] = plain(v)
    return out


class ReferenceService:
    """One isolated reference database; load records, then ask list/stat."""

    def __init__(self) -> None:
        self.alias = f"ref{next(_db_names)}"
        mongoengine.disconnect(alias="default")
        mongoengine.connect(
            db=self.alias, alias="default", host="mongodb://localhost", mongo_client_class=mongomock.MongoClient,
            uuidRepresentation="standard",
        )
        JobTask._load_default_meta()
        JobTask.drop_collection()

    # -- data --------------------------------------------------------------
    def create(self, record: dict) -> None:
        try:
            JobTask.create(copy.deepcopy(record))
        except ERROR_BASE as e:
            raise EngineError(e.error_code, e.message) from None

    def insert_many(self, records) -> None:
        for r in records:
            self.create(r)

    def raw(self) -> list[dict]:
        return list(JobTask._get_collection().find({}))

    # -- requests ------------------------------------------------------------
    def list(self, params: dict) -> dict:
        params = copy.deepcopy(params)
        try:
            query = self._prepare(params, LIST_FILTER_KEYS, required=("domain_id",))
            page = query.setdefault("page", {})
            limit = page.get("limit", PAGE_LIMIT)
            page["limit"] = PAGE_LIMIT if limit > PAGE_LIMIT else limit
            query["sort"] = normalize_sort(query.get("sort"))
            only = query.get("only")
            vos, total = JobTask.query(**query)
            if query.get("count_only"):
                return {"results": [], "total_count": total}
            fields = _projection(query, only)
            docs = [vo.to_mongo().to_dict() for vo in vos]
            return {"results": [shape_info(d, fields) for d in docs], "total_count": total}
        except ERROR_BASE as e:
            raise EngineError(e.error_code, e.message) from None
        except EngineError:
            raise
        except Exception as e:  # the service layer answers any other failure as ERROR_UNKNOWN
            raise EngineError("ERROR_UNKNOWN", str(e)) from None

    def stat(self, params: dict) -> dict:
        params = copy.deepcopy(params)
        try:
            query = self._prepare(params, STAT_FILTER_KEYS, required=("query", "domain_id"))
            if isinstance(query.get("aggregate"), dict):
                query["aggregate"], query = normalize_dict_aggregate(query)
            return plain(JobTask.stat(**query))
        except ERROR_BASE as e:
            raise EngineError(e.error_code, e.message) from None
        except EngineError:
            raise
        except Exception as e:  # the service layer answers any other failure as ERROR_UNKNOWN
            raise EngineError("ERROR_UNKNOWN", str(e)) from None

    @staticmethod
    def _prepare(params: dict, filter_keys, required) -> dict:
        for key in required:
            if params.get(key) is None:
                raise EngineError("ERROR_REQUIRED_PARAMETER", f"Required parameter. (key = {key})")
        query = params.get("query") or {}
        query["filter"] = query.get("filter", [])
        for key in filter_keys:
            if key in params:
                op = "in" if isinstance(params[key], list) else "eq"
                query["filter"].append({"k": key, "v": params[key], "o": op})
        if "keyword" in query:
            query["filter_or"] = query.get("filter_or", [])
            keyword = query["keyword"].strip()
            if keyword:
                query["filter_or"].append({"k": "job_task_id", "v": list(filter(None, keyword.split(" "))), "o": "contain_in"})
            del query["keyword"]
        return query


def _projection(query: dict, only) -> list[str] | None:
    """Which fields the reference loaded: the ``only`` list as MongoModel.query extended it."""
    if query.get("minimal"):
        return list(JobTask._meta["minimal_fields"])
    if only:
        return list(only)
    return None


def normalize_sort(sort: Any) -> list:
    """The v1 API's ``{key, desc}`` / ``{keys: [...]}`` shapes become today's list."""
    if sort is None:
        return []
    if isinstance(sort, dict):
        if "keys" in sort:
            return list(sort["keys"])
        return [sort]
    return sort


def normalize_dict_aggregate(query: dict):
    """The statistics-query page's dict form: ``{unwind, group, count}`` + top-level sort/limit."""
    agg = query["aggregate"]
    pipeline = []
    unwind = agg.get("unwind")
    if unwind:
        for u in unwind if isinstance(unwind, list) else [unwind]:
            pipeline.append({"unwind": u})
    if "group" in agg:
        pipeline.append({"group": agg["group"]})
    if "count" in agg:
        pipeline.append({"count": agg["count"]})
    sort = query.pop("sort", None)
    if sort:
        items = sort if isinstance(sort, list) else sort.get("keys", [sort]) if isinstance(sort, dict) else []
        try:
            pipeline.append({"sort": [{"key": s.get("key", s.get("name")), "desc": s.get("desc", False)} for s in items]})
        except (AttributeError, TypeError) as exc:
            # A malformed dict form fails inside stat, where every failure is ERROR_DB_QUERY.
            raise EngineError("ERROR_DB_QUERY", f"Database query failed. (reason = {exc})") from None
    if "limit" in query:
        pipeline.append({"limit": query.pop("limit")})
    return pipeline, query
