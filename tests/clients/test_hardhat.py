"""The runs of `make test` that matter most, on a hardhat node (Hardhat Network, EDR engine):
examples/basic byte-identical to its expected results, a 2,000-claim synthetic replay equal to
the reference model, and a kill-and-resume on a deployment that lives on a hardhat node."""
import json
import signal
import subprocess
import sys

import pytest

from claimledger.chain import Deployment
from claimledger.cli import main
from claimledger.clients import HardhatNode
from claimledger.money import CENT_UNITS
from claimledger.node import connect
from claimledger.pipeline import adjudicate_reference
from claimledger.scenario import iter_claims, load_scenario
from claimledger.synth import SynthConfig, generate

from tests.conftest import EXAMPLES
from tests.integration.test_kill_and_resume import kill_when_progress

CLI = [sys.executable, "-m", "claimledger.cli"]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A 2,000-claim mixed scenario (corrections, resubmissions, duplicates) and the reference
    model's results of it."""
    scenario, reference = tmp_path_factory.mktemp("scenario"), tmp_path_factory.mktemp("reference")
    generate(scenario, SynthConfig(claims=2000, seed=16, correction_rate=0.05, resubmit_rate=0.03, duplicate_rate=0.03))
    adjudicate_reference(scenario, reference)
    return scenario, reference


def same_results(run, expected_results, expected_rejects):
    assert (run / "results.csv").read_bytes() == expected_results.read_bytes()
    assert (run / "rejects.csv").read_bytes() == expected_rejects.read_bytes()


def test_examples_basic_on_hardhat_is_byte_identical(tmp_path):
    out = tmp_path / "run"
    assert main(["adjudicate", str(EXAMPLES / "basic"), "--out", str(out), "--client", "hardhat"]) == 0
    same_results(out, EXAMPLES / "basic" / "expected_results.csv", EXAMPLES / "basic" / "expected_rejects.csv")
    assert not (out / "chain-state.json").exists()  # a hardhat node saves no chain


def test_a_2000_claim_replay_on_hardhat_equals_the_reference(synthetic, tmp_path):
    scenario, reference = synthetic
    out = tmp_path / "run"
    assert main(["adjudicate", str(scenario), "--out", str(out), "--client", "hardhat"]) == 0
    same_results(out, reference / "results.csv", reference / "rejects.csv")
    replay = json.loads((out / "summary.json").read_text())["replay"]
    print(f"\nhardhat: {replay['claims']} claims, {replay['claims_per_second']} claims/s, "
          f"{replay['gas_per_claim']} gas/claim")


def test_a_replay_on_a_hardhat_deployment_killed_and_resumed(synthetic, tmp_path):
    """deploy and load once on a hardhat node that outlives the CLI; the replay is killed
    (SIGKILL) at 40% and resumed with --resume: nothing lost, nothing paid twice."""
    scenario, reference = synthetic
    with HardhatNode() as node:
        deploy_dir, run_dir = tmp_path / "deploy", tmp_path / "run"
        for argv in (["deploy", "--rpc", node.url, "--out", str(deploy_dir)], ["load", str(deploy_dir), str(scenario)]):
            done = subprocess.run([*CLI, *argv], capture_output=True, text=True, timeout=600)
            assert done.returncode == 0, done.stderr
        replay = [*CLI, "adjudicate", str(scenario), "--out", str(run_dir), "--deployment", str(deploy_dir), "--batch", "10"]
        proc = subprocess.Popen(replay, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        records = sum(1 for _ in iter_claims(scenario / "claims.csv"))
        kill_when_progress(proc, run_dir, int(records * 0.4), signal.SIGKILL)
        resumed = subprocess.run([*replay, "--resume"], capture_output=True, text=True, timeout=900)
        assert resumed.returncode == 0, resumed.stderr
        same_results(run_dir, reference / "results.csv", reference / "rejects.csv")
        summary = json.loads((run_dir / "summary.json").read_text())
        assert summary["settlement"]["outstanding_cents"] == 0
        escrow = Deployment.load(connect(node.url), deploy_dir / "deployments.json")["ClaimsEngine"]
        paid_out = sum(escrow.functions.account(int(npi)).call()[2] for npi in load_scenario(scenario).providers)
        assert paid_out == round(summary["outcomes"]["amounts"]["paid"] * 100) * CENT_UNITS
