"""Gas is deterministic: each kind of claim costs what benchmarks/gas-snapshot.json says, within
1%. A change that moves a figure updates the snapshot in the same commit
(`.venv/bin/python benchmarks/gas_snapshot.py --write`), so gas moves are reviewed in diffs."""
import importlib.util
import json
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "gas_snapshot.py"


def _script():
    spec = importlib.util.spec_from_file_location("gas_snapshot", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_kind_of_claim_costs_what_the_snapshot_says():
    script = _script()
    snapshot = json.loads(script.SNAPSHOT.read_text())
    measured = script.measure()
    assert set(snapshot) == set(script.KINDS)
    assert script.differences(measured, snapshot) == [], (
        "gas moved: run `.venv/bin/python benchmarks/gas_snapshot.py --write` and commit the snapshot")


def test_a_move_of_more_than_one_percent_is_a_difference():
    script = _script()
    assert script.differences({"approved": 1_010}, {"approved": 1_000}) == []
    assert script.differences({"approved": 1_011}, {"approved": 1_000}) == ["approved: snapshot 1000, measured 1011"]
    assert script.differences({"void": 5}, {}) == ["void: snapshot None, measured 5"]
