"""Issue 18, faults: the disk fills while a run writes its outputs (R-48). The write that
finds no space raises ENOSPC (a file object that takes a fixed number of bytes, patched into the
writer in-process): the run stops with one line naming the file, leaves no results.csv (its rows
go to results.csv.partial, renamed only when complete), and --resume ends with results
byte-identical to the reference model's, every claim accepted once and paid once."""
import json

import pytest

from claimledger import atomic, results
from claimledger.chain import Deployment
from claimledger.cli import main
from claimledger.money import CENT_UNITS
from claimledger.node import run_chain
from claimledger.scenario import load_scenario

from tests.faults.conftest import assert_each_claim_accepted_once
from tests.full_disk import filling_open


@pytest.mark.parametrize("full_at", ["results.csv.partial", "summary.json.tmp"])
def test_a_full_disk_stops_the_run_in_one_line_and_resume_ends_with_the_reference_results(
        scenario, reference, tmp_path, capsys, monkeypatch, full_at):
    """The disk fills half-way through results.csv (a replay's rows), or while summary.json
    is written (after the rows are complete and renamed)."""
    run_dir = tmp_path / "run"
    command = ["adjudicate", str(scenario), "--out", str(run_dir), "--batch", "10"]
    half = len((reference / "results.csv").read_bytes()) // 2
    with monkeypatch.context() as patch:
        patch.setattr(results if full_at.startswith("results") else atomic, "open",
                      filling_open(full_at, half if full_at.startswith("results") else 100), raising=False)
        capsys.readouterr()
        assert main(command) == 1
    err = capsys.readouterr().err
    named = full_at.removesuffix(".tmp")  # an atomic output names the file it failed to replace
    assert err == (f"claimledger: {run_dir / named}: cannot write (no space left on device); nothing is lost: "
                   f"free space and run again with --resume\n")
    if full_at.startswith("results"):
        assert not (run_dir / "results.csv").exists()  # never a results.csv cut short
        assert (run_dir / "results.csv.partial").stat().st_size <= half
    else:
        assert not (run_dir / "summary.json").exists() and not (run_dir / full_at).exists()
        assert (run_dir / "results.csv").read_bytes() == (reference / "results.csv").read_bytes()
    assert main([*command, "--resume"]) == 0
    assert (run_dir / "results.csv").read_bytes() == (reference / "results.csv").read_bytes()
    assert (run_dir / "rejects.csv").read_bytes() == (reference / "rejects.csv").read_bytes()
    assert not list(run_dir.glob("*.partial")) and not list(run_dir.glob("*.tmp"))
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["settlement"]["outstanding_cents"] == 0
    with run_chain(run_dir) as w3:
        dep = Deployment.load(w3, run_dir / "deployments.json")
        assert_each_claim_accepted_once(dep, scenario)
        engine = dep["ClaimsEngine"]
        paid_out = sum(engine.functions.account(int(npi)).call()[2] for npi in load_scenario(scenario).providers)
    assert paid_out == round(summary["outcomes"]["amounts"]["paid"] * 100) * CENT_UNITS
