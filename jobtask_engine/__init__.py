"""jobtask-engine: an embedded, in-memory query engine for SpaceONE inventory JobTask records.

It answers the JobTask API's ``list`` and ``stat`` as the production service
does, inside the caller's process::

    from jobtask_engine import JobTaskStore
    store = JobTaskStore(records)
    store.list({"domain_id": "d1", "query": {"filter": [{"k": "status", "v": "FAILURE", "o": "eq"}]}})
"""

from .errors import EngineError
from .records import ErrorInfo, JobTask
from .store import JobTaskStore

__all__ = ["JobTaskStore", "EngineError", "JobTask", "ErrorInfo"]
__version__ = "0.1.0"
