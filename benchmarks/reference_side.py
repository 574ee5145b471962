"""The reference (spaceone-core's MongoModel on mongomock) loaded fast enough to benchmark.

``ReferenceService.insert_many`` goes through ``MongoModel.create`` record by
record; its unique-key check is a collection scan on mongomock, so loading is
quadratic (10k records took ~6 minutes).  Benchmarks time the queries, not the
load, so :func:`load_reference` builds the very same stored documents
(``create``'s string trimming, mongoengine validation and ``to_mongo``) and
bulk-inserts them.  ``test_compare_smoke`` checks that both paths store
identical documents.
"""

from __future__ import annotations

from typing import Iterable

from jobtask_engine.errors import EngineError
from tests.conformance.reference import JobTask, ReferenceService

__all__ = ["load_reference"]


def _stored_document(record: dict):
    """The SON document ``JobTask.create(record)`` would save (records carry every field)."""
    data = {name: JobTask._trim_value(record[name]) for name in JobTask._fields if name in record}
    document = JobTask(**data)
    document.validate()
    return document.to_mongo()


def load_reference(records: Iterable[dict]) -> ReferenceService:
    """A fresh ReferenceService holding ``records`` (unique job_task_ids, created_at set)."""
    service = ReferenceService()
    documents = []
    seen: set[str] = set()
    for record in records:
        if "job_task_id" not in record or "created_at" not in record:
            raise ValueError("the fast reference loader needs job_task_id and created_at in every record")
        if record["job_task_id"] in seen:
            raise EngineError("ERROR_SAVE_UNIQUE_VALUES", f"duplicate job_task_id {record['job_task_id']!r}")
        seen.add(record["job_task_id"])
        documents.append(_stored_document(record))
    if documents:
        JobTask._get_collection().insert_many(documents)
    return service
