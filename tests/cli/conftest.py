"""Data files for the CLI tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jobtask_engine.testing import make_job_tasks
from jobtask_engine.testing.factories import write_jsonl


@pytest.fixture(scope="session")
def records() -> list[dict]:
    return make_job_tasks(300, seed=21)


@pytest.fixture(scope="session")
def one_domain(records) -> list[dict]:
    domain = records[0]["domain_id"]
    return [r for r in records if r["domain_id"] == domain]


@pytest.fixture
def array_file(tmp_path: Path, one_domain) -> Path:
    """A JSON array holding a single domain (so --domain-id may be left out)."""
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(one_domain))
    return path


@pytest.fixture
def lines_file(tmp_path: Path, records) -> Path:
    """JSON Lines over several domains."""
    path = tmp_path / "tasks.jsonl"
    write_jsonl(records, path)
    return path
