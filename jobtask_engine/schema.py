"""The JobTask schema: which fields exist, their kind, and how absence is stored.

The production model (mongoengine on MongoDB) distinguishes a field stored as
null from a field that is not stored at all, and the query operators see the
difference (``exists``, ``not``).  Each field here records which of the two an
absent value becomes, so the engine stores exactly what the reference stores.
"""

from __future__ import annotations

from typing import Final, NamedTuple

__all__ = [
    "MISSING",
    "STR",
    "INT",
    "DATETIME",
    "ERRORS",
    "Field",
    "FIELDS",
    "FIELD_NAMES",
    "ERROR_FIELDS",
    "STATUSES",
    "UPDATABLE",
    "MINIMAL_FIELDS",
    "INDEXED",
]


class _Missing:
    """Sentinel for a field that is not stored (MongoDB 'missing', not null)."""

    __slots__ = ()
    _instance = None

    def __new__(cls) -> "_Missing":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self):
        return (_Missing, ())


MISSING: Final = _Missing()

STR: Final = "str"
INT: Final = "int"
DATETIME: Final = "datetime"
ERRORS: Final = "errors"


class Field(NamedTuple):
    name: str
    kind: str
    #: True: an absent value is stored as null; False: it is not stored.
    nullable: bool = False
    max_length: int | None = None


FIELDS: Final[dict[str, Field]] = {
    f.name: f
    for f in (
        Field("job_task_id", STR, max_length=40),
        Field("status", STR, max_length=20),
        Field("provider", STR, nullable=True, max_length=40),
        Field("created_count", INT),
        Field("updated_count", INT),
        Field("failure_count", INT),
        Field("deleted_count", INT),
        Field("disconnected_count", INT),
        Field("errors", ERRORS),
        Field("job_id", STR, max_length=40),
        Field("secret_id", STR, max_length=40),
        Field("service_account_id", STR, nullable=True, max_length=40),
        Field("project_id", STR, nullable=True, max_length=255),
        Field("workspace_id", STR, max_length=40),
        Field("domain_id", STR, max_length=255),
        Field("created_at", DATETIME),
        Field("started_at", DATETIME, nullable=True),
        Field("finished_at", DATETIME, nullable=True),
    )
}

#: JobTaskInfo field order, as responses list them.
FIELD_NAMES: Final[tuple[str, ...]] = tuple(FIELDS)

#: Sub-fields of one element of ``errors``: name -> (kind, max_length).
ERROR_FIELDS: Final[dict[str, tuple[str, int | None]]] = {
    "error_code": (STR, 128),
    "message": (STR, 2048),
    "additional": ("dict", None),
}

STATUSES: Final[frozenset[str]] = frozenset({"PENDING", "CANCELED", "IN_PROGRESS", "SUCCESS", "FAILURE"})

UPDATABLE: Final[frozenset[str]] = frozenset(
    {
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
    }
)

#: The reference's ``minimal`` projection.
MINIMAL_FIELDS: Final[tuple[str, ...]] = (
    "job_task_id",
    "status",
    "created_count",
    "updated_count",
    "deleted_count",
    "disconnected_count",
    "failure_count",
    "job_id",
    "created_at",
    "started_at",
    "finished_at",
)

#: String fields with an equality index (value -> row ids).
INDEXED: Final[tuple[str, ...]] = (
    "status",
    "job_id",
    "domain_id",
    "workspace_id",
    "project_id",
    "provider",
    "service_account_id",
    "secret_id",
)
