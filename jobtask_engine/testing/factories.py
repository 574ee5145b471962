"""Realistic JobTask records, generated deterministically from a seed.

Benchmarks, conformance tests and examples all need data that looks like what
the inventory service stores: a few domains of very different size, jobs of
~40 tasks sharing a ``job_id``, mostly successful tasks with a minority of
failures carrying errors, nullable providers and timestamps over a year.  The
generator is pure stdlib and cheap: about 10 µs a record on a busy 2-core
machine (100k in ~1 s; a million in 12-18 s, most of it building a million
18-key dicts), so benchmarks cache large sets as JSON Lines.

The catalog (domains, workspaces, projects, secrets, service accounts) does
not depend on the seed, so records from several seeds share domains, and tests
can name a domain with :data:`DOMAIN_IDS`.  Ids that must be unique
(``job_task_id``, ``job_id``) are derived from the seed through a bijective
48-bit mix, so they never repeat within one call and practically never across
seeds.
"""

from __future__ import annotations

import hashlib
import math
import os
import random
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

import msgspec

from jobtask_engine.collector import collector_paused
from jobtask_engine.timeutil import MS_PER_DAY

__all__ = [
    "make_job_tasks",
    "write_jsonl",
    "DOMAIN_IDS",
    "DOMAIN_WEIGHTS",
    "PROVIDERS",
    "ERROR_CODES",
    "EPOCH_START",
    "EPOCH_END",
]

#: Records are created between these two instants (UTC, one year).
EPOCH_START = datetime(2024, 1, 1, tzinfo=timezone.utc)
EPOCH_END = datetime(2025, 1, 1, tzinfo=timezone.utc)
_START_MS = int(EPOCH_START.timestamp() * 1000)
_SPAN_MS = int((EPOCH_END - EPOCH_START).total_seconds() * 1000)

_MASK48 = (1 << 48) - 1


def _mix48(x: int) -> int:
    """A bijection on 48-bit integers that scatters consecutive inputs.

    Multiplication by an odd constant and xor-shift-right are both invertible
    modulo 2**48, so distinct counters give distinct ids.
    """
    x &= _MASK48
    x = (x * 0x9E3779B97F4B) & _MASK48
    x ^= x >> 23
    x = (x * 0xC2B2AE3D27D5) & _MASK48
    x ^= x >> 19
    return x


def _stable_hex(text: str, digits: int = 12) -> str:
    """Deterministic hex digest (``hash()`` is salted per process, this is not)."""
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()[:digits]


# -- the catalog (seed independent) -------------------------------------------

#: Domain ids, largest first; :data:`DOMAIN_WEIGHTS` gives their share of jobs.
DOMAIN_IDS: tuple[str, ...] = tuple(f"domain-{_stable_hex(f'domain{i}')}" for i in range(4))
DOMAIN_WEIGHTS: tuple[float, ...] = (0.55, 0.25, 0.14, 0.06)
_WORKSPACES_PER_DOMAIN = 3
_PROJECTS_PER_WORKSPACE = 5
_SECRETS_PER_POOL = 60

#: Providers of a job's collector; ``None`` is a collector without provider.
PROVIDERS: tuple[str | None, ...] = ("aws", "google_cloud", "azure", None)
_PROVIDER_WEIGHTS = (0.45, 0.27, 0.18, 0.10)

#: (error_code, message) pairs failing tasks carry, most frequent first.
ERROR_CODES: tuple[tuple[str, str], ...] = (
    ("ERROR_AUTHENTICATION_FAILURE", "Authentication failed. (reason = invalid or expired credentials)"),
    ("ERROR_CONNECTOR_TIMEOUT", "Connector timed out while collecting resources."),
    ("ERROR_PERMISSION_DENIED", "Permission denied. (action = DescribeInstances)"),
    ("ERROR_REQUEST_TIMEOUT", "Request timed out. (timeout = 600s)"),
    ("ERROR_QUOTA_EXCEEDED", "API rate limit or quota exceeded."),
    ("ERROR_INVALID_PARAMETER", "Invalid parameter. (key = region_name)"),
    ("ERROR_UNKNOWN", "An unknown error occurred in the collector plugin."),
)
_ERROR_WEIGHTS = (0.30, 0.22, 0.16, 0.12, 0.09, 0.06, 0.05)

# status thresholds on one uniform draw: SUCCESS 84%, FAILURE 12%, then the rest
_STATUS_CUTS = (
    (0.84, "SUCCESS"),
    (0.96, "FAILURE"),
    (0.975, "IN_PROGRESS"),
    (0.99, "PENDING"),
    (1.01, "CANCELED"),
)


class _Workspace:
    """One workspace: its projects and, per provider, a pool of secrets."""

    __slots__ = ("domain_id", "workspace_id", "projects", "_pools")

    def __init__(self, domain_id: str, index: int) -> None:
        self.domain_id = domain_id
        self.workspace_id = f"workspace-{_stable_hex(f'{domain_id}/ws{index}')}"
        self.projects = [
            f"project-{_stable_hex(f'{self.workspace_id}/p{j}')}" for j in range(_PROJECTS_PER_WORKSPACE)
        ]
        self._pools: dict[Any, list[tuple[str, str | None, str | None]]] = {}

    def secrets(self, provider: str | None) -> list[tuple[str, str | None, str | None]]:
        """(secret_id, service_account_id, project_id) triples for one provider, built once."""
        pool = self._pools.get(provider)
        if pool is None:
            pool = []
            for k in range(_SECRETS_PER_POOL):
                key = f"{self.workspace_id}/{provider}/{k}"
                # one secret in ten has no service account, one in eight no project
                account = None if k % 10 == 9 else f"sa-{_stable_hex(key + '/sa')}"
                project = None if k % 8 == 7 else self.projects[k % _PROJECTS_PER_WORKSPACE]
                pool.append((f"secret-{_stable_hex(key)}", account, project))
            self._pools[provider] = pool
        return pool


_WORKSPACES: dict[str, list[_Workspace]] = {
    d: [_Workspace(d, i) for i in range(_WORKSPACES_PER_DOMAIN)] for d in DOMAIN_IDS
}


# -- timestamps ----------------------------------------------------------------

#: "HH:MM:SS." for every second of a day, and "mmmZ" tails: formatting a
#: timestamp becomes three lookups and a concatenation (f-string int
#: formatting costs ~1 µs a field, which dominated generation time).
_SECOND_OF_DAY: tuple[str, ...] = tuple(
    f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}." for s in range(86_400)
)
_MILLI_Z: tuple[str, ...] = tuple(f"{m:03d}Z" for m in range(1000))
_FIRST_DAY = _START_MS // MS_PER_DAY
#: "YYYY-MM-DDT" of every day records can fall on (a few spare days at the end).
_DAY_PREFIX: tuple[str, ...] = tuple(
    (EPOCH_START + timedelta(days=d)).strftime("%Y-%m-%dT") for d in range(_SPAN_MS // MS_PER_DAY + 8)
)


# -- random draws ------------------------------------------------------------------
#
# Quantile tables turn 12 random bits into a draw of a distribution with one
# list lookup (``expovariate`` costs ~1 µs a call on a busy 2-core machine).

_Q = 4096


def _exp_table(mean: float) -> tuple[int, ...]:
    """Integer quantiles of an exponential distribution with this mean."""
    return tuple(int(-mean * math.log(1.0 - (i + 0.5) / _Q)) for i in range(_Q))


def _status_table() -> tuple[str, ...]:
    table = []
    for i in range(1024):
        u = (i + 0.5) / 1024
        table.append(next(status for cut, status in _STATUS_CUTS if u < cut))
    return tuple(table)


_STATUS = _status_table()
_EXP_CREATED = _exp_table(8.0)
_EXP_UPDATED = _exp_table(120.0)
_EXP_DELETED = _exp_table(3.0)
_EXP_DISCONNECTED = _exp_table(2.0)
_EXP_FAILURE_EXTRA = _exp_table(2.0)
_EXP_UPDATED_FAILURE = _exp_table(30.0)
_EXP_UPDATED_RUNNING = _exp_table(40.0)
_EXP_START_DELAY = _exp_table(4000.0)
_EXP_DURATION = _exp_table(90_000.0)


# -- records ---------------------------------------------------------------------


def _job_sizes(rng: random.Random, n: int) -> list[int]:
    """Sizes of consecutive jobs (~40 tasks each) that add up to exactly ``n``."""
    sizes = []
    left = n
    while left > 0:
        size = min(left, 28 + int(rng.random() * 25))
        sizes.append(size)
        left -= size
    return sizes


def _error_table() -> tuple[tuple[str, str], ...]:
    """1024 (error_code, message) slots in proportion to :data:`_ERROR_WEIGHTS`."""
    table: list[tuple[str, str]] = []
    for pair, weight in zip(ERROR_CODES, _ERROR_WEIGHTS):
        table.extend([pair] * round(weight * 1024))
    return tuple((table + [ERROR_CODES[-1]] * 1024)[:1024])


_ERRORS = _error_table()


def _errors(bits: int) -> list[dict]:
    """1-3 errors of a failing task, drawn from 36 random bits."""
    count = 1 + ((bits & 1023) < 358) + (((bits >> 10) & 1023) < 154)
    errors = []
    for _ in range(count):
        bits >>= 10
        code, message = _ERRORS[bits & 1023]
        errors.append({"error_code": code, "message": message, "additional": {}})
    return errors


def _unique_ids(rng: random.Random, prefix: str, count: int) -> list[str]:
    """``count`` distinct ``prefix`` + 12 hex digit ids, deterministic for ``rng``."""
    base = rng.getrandbits(48)
    return [f"{prefix}{_mix48(base + i):012x}" for i in range(count)]


def make_job_tasks(n: int, seed: int = 0, **overrides: Any) -> list[dict]:
    """``n`` JobTask record dicts, deterministic for ``seed``.

    Records come in job order (jobs sorted by creation time, as a service
    inserts them); datetimes are ISO 8601 strings with milliseconds and ``Z``;
    ``created_at <= started_at <= finished_at`` whenever set.  ``overrides``
    are set on every record (for example ``domain_id="d1"``).
    """
    # The records hold no reference cycles; without this, the collector's full
    # passes over the growing heap make a million records ~25 % slower.
    with collector_paused():
        return _generate(n, seed, overrides)


def _generate(n: int, seed: int, overrides: dict[str, Any]) -> list[dict]:
    rng = random.Random(seed)
    task_ids = _unique_ids(rng, "job-task-", n)
    sizes = _job_sizes(rng, n)
    job_ids = _unique_ids(rng, "job-", len(sizes))
    job_times = sorted(_START_MS + int(rng.random() * (_SPAN_MS - 3_600_000)) for _ in sizes)
    domains = rng.choices(DOMAIN_IDS, DOMAIN_WEIGHTS, k=len(sizes))
    providers = rng.choices(PROVIDERS, _PROVIDER_WEIGHTS, k=len(sizes))

    rand = rng.random
    bits64 = rng.getrandbits
    day_prefix, second_of_day, milli_z, first_day = _DAY_PREFIX, _SECOND_OF_DAY, _MILLI_Z, _FIRST_DAY
    records: list[dict] = []
    append = records.append
    task_no = 0
    for job_no, size in enumerate(sizes):
        job_id = job_ids[job_no]
        domain_id = domains[job_no]
        workspaces = _WORKSPACES[domain_id]
        # the first workspace of a domain is the busiest
        workspace = workspaces[0] if rand() < 0.5 else workspaces[int(rand() * len(workspaces))]
        workspace_id = workspace.workspace_id
        provider = providers[job_no]
        pool = workspace.secrets(provider)
        offset = int(rand() * _SECRETS_PER_POOL)
        created = job_times[job_no]
        for k in range(size):
            secret_id, account_id, project_id = pool[(offset + k) % _SECRETS_PER_POOL]
            bits = bits64(64)
            status = _STATUS[bits & 1023]
            created += (bits >> 10) & 31
            bits >>= 15
            day, rest = divmod(created, MS_PER_DAY)
            second, milli = divmod(rest, 1000)
            created_at = day_prefix[day - first_day] + second_of_day[second] + milli_z[milli]
            errors: list[dict] = []
            created_count = updated_count = deleted_count = disconnected_count = failure_count = 0
            started_at = finished_at = None
            if status != "PENDING":
                started = created + 200 + _EXP_START_DELAY[bits & 4095]
                day, rest = divmod(started, MS_PER_DAY)
                second, milli = divmod(rest, 1000)
                started_at = day_prefix[day - first_day] + second_of_day[second] + milli_z[milli]
                if status != "IN_PROGRESS":
                    day, rest = divmod(started + 1000 + _EXP_DURATION[(bits >> 12) & 4095], MS_PER_DAY)
                    second, milli = divmod(rest, 1000)
                    finished_at = day_prefix[day - first_day] + second_of_day[second] + milli_z[milli]
                bits >>= 24
                if status == "SUCCESS":
                    more = bits64(24)
                    created_count = _EXP_CREATED[bits & 4095]
                    updated_count = _EXP_UPDATED[(bits >> 12) & 4095]
                    deleted_count = _EXP_DELETED[more & 4095]
                    disconnected_count = _EXP_DISCONNECTED[more >> 12]
                elif status == "FAILURE":
                    errors = _errors(bits64(50))
                    failure_count = len(errors) + _EXP_FAILURE_EXTRA[bits & 4095]
                    updated_count = _EXP_UPDATED_FAILURE[(bits >> 12) & 4095]
                elif status == "IN_PROGRESS":
                    updated_count = _EXP_UPDATED_RUNNING[bits & 4095]
            append(
                {
                    "job_task_id": task_ids[task_no],
                    "status": status,
                    "provider": provider,
                    "created_count": created_count,
                    "updated_count": updated_count,
                    "failure_count": failure_count,
                    "deleted_count": deleted_count,
                    "disconnected_count": disconnected_count,
                    "errors": errors,
                    "job_id": job_id,
                    "secret_id": secret_id,
                    "service_account_id": account_id,
                    "project_id": project_id,
                    "workspace_id": workspace_id,
                    "domain_id": domain_id,
                    "created_at": created_at,
                    "started_at": started_at,
                    "finished_at": finished_at,
                }
            )
            task_no += 1
    if overrides:
        for record in records:
            record.update(overrides)
    return records


def write_jsonl(records: Iterable[dict], path: str | os.PathLike) -> int:
    """Write records as JSON Lines (one object per line); returns the count."""
    encode = msgspec.json.Encoder().encode
    count = 0
    with open(path, "wb") as out:
        for record in records:
            out.write(encode(record) + b"\n")
            count += 1
    return count
