"""The small hand-made dataset both the operator unit tests and the list corpus ask about.

Each record exercises something: null vs missing fields, padded and mixed-case
strings, several and empty ``errors``, an offset datetime, sub-millisecond digits.
"""

PROBE_RECORDS = [
    {
        "job_task_id": "a", "domain_id": "d1", "provider": "AWS-Prod", "job_id": "job-A1", "workspace_id": "ws-1",
        "created_count": 5, "status": "SUCCESS", "secret_id": "secret-1",
        "errors": [
            {"error_code": "ERR_A", "message": "Alpha fail", "additional": {"x": 1, "s": "str"}},
            {"error_code": "ERR_B", "message": "beta", "additional": {"x": 2}},
        ],
        "created_at": "2022-01-01T00:00:00.000Z", "started_at": "2022-01-01T01:00:00Z", "finished_at": "2022-01-02T00:00:00Z",
    },
    {"job_task_id": "b", "domain_id": "d1", "provider": "aws-dev", "job_id": "job-b2", "created_count": 0, "errors": [],
     "created_at": "2023-06-15T12:30:45.678Z", "service_account_id": "sa-1"},
    {"job_task_id": "c", "domain_id": "d1", "created_count": 10, "updated_count": 3, "errors": [{"error_code": "ERR_A"}],
     "created_at": "2021-12-31T23:59:59.999Z", "status": "FAILURE"},
    {"job_task_id": "d", "domain_id": "d1", "provider": "google_cloud", "created_count": 1, "errors": [{"message": "x.y*z"}],
     "created_at": "2022-01-01T09:00:00+09:00", "project_id": "p-1", "started_at": "2022-03-01T00:00:00.123456Z"},
    {"job_task_id": "E-upper", "domain_id": "d1", "provider": " padded ", "job_id": "job-E", "workspace_id": "ws-2",
     "errors": [{"error_code": "ERR_C", "message": "(paren) [bracket]", "additional": {"s": "STR", "n": {"k": "v"}}}],
     "created_at": "2022-05-05T05:05:05.005Z", "status": "IN_PROGRESS", "failure_count": 2},
    {"job_task_id": "other", "domain_id": "d2", "provider": "aws", "created_at": "2022-05-05T00:00:00Z"},
]
