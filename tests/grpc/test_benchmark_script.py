"""The gRPC round-trip benchmark script runs end to end (tiny sizes; no timing is asserted)."""

from __future__ import annotations

import json

from benchmarks import grpc_roundtrip


def test_the_script_measures_every_request_on_every_side(tmp_path, capsys):
    out = tmp_path / "figures.json"
    assert grpc_roundtrip.main(["--size", "300", "--calls", "3", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert set(report["figures"]) == {name for name, _, _ in grpc_roundtrip.REQUESTS}
    for sides in report["figures"].values():
        assert set(sides) == set(grpc_roundtrip.SIDES)
    assert "| list_page100_default_order |" in capsys.readouterr().out
