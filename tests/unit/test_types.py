"""The package's type hints say what the code takes and returns: mypy, configured in
pyproject.toml (``[tool.mypy]``) and pinned by the test extra, finds nothing to report.

A hint that has gone false is a defect like a wrong docstring: a caller reading the seam
believes it.  The check runs the checker on the installed sources, from a fresh cache
(about 8 s on the 2-core machine).
"""

from __future__ import annotations

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[2]


def test_mypy_finds_nothing_in_the_package(tmp_path: Path) -> None:
    report, errors, status = api.run(
        ["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(tmp_path), str(ROOT / "jobtask_engine")]
    )
    assert status == 0, report + errors
    assert report.startswith("Success"), report
