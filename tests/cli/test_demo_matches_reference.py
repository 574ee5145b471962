"""The demo's questions get the executed reference's answers (the demo must not show wrong numbers)."""

from __future__ import annotations

from collections import Counter

import pytest

pytest.importorskip("spaceone.core")
pytest.importorskip("mongomock")

from jobtask_engine import JobTaskStore  # noqa: E402
from jobtask_engine.cli.demo import questions  # noqa: E402
from jobtask_engine.testing import make_job_tasks  # noqa: E402
from tests.conformance.reference import ReferenceService  # noqa: E402


@pytest.fixture(scope="module")
def both():
    records = make_job_tasks(160, seed=3)
    reference = ReferenceService()
    reference.insert_many(records)
    domain = Counter(r["domain_id"] for r in records).most_common(1)[0][0]
    return JobTaskStore(records), reference, domain


@pytest.mark.parametrize("question", questions(), ids=lambda q: q.title[:30])
def test_demo_question_matches_reference(both, question):
    store, reference, domain = both
    request = question.request(domain)
    assert getattr(store, question.kind)(request) == getattr(reference, question.kind)(request)
