"""A replay killed at any moment and resumed loses nothing and pays nothing twice (A-3, A-8).

The CLI is killed with SIGKILL mid-replay (its embedded anvil gets SIGTERM from the kernel and
dumps its state); `--resume` then reopens that chain, reads back the claims that were in flight
and finishes. The results must be byte-identical to the reference model's.

`make test` runs it on 1,200 claims; the same test at scale (kill points are fractions of the
records):  KILL_RESUME_CLAIMS=200000 make test ARGS="tests/integration/test_kill_and_resume.py"
"""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from claimledger.pipeline import PROGRESS_FILE
from claimledger.chain import Deployment
from claimledger.money import CENT_UNITS
from claimledger.node import run_chain
from claimledger.scenario import iter_claims, load_scenario
from claimledger.synth import SynthConfig, generate

CLI = [sys.executable, "-m", "claimledger.cli"]
CLAIMS = int(os.environ.get("KILL_RESUME_CLAIMS", "1200"))
TIMEOUT_S = 300 + CLAIMS // 100  # a run of the whole scenario, generously
BATCH = "10" if CLAIMS < 10_000 else "50"  # small batches: many transactions in flight to kill


def run_cli(*args, env=None):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, env=env, timeout=TIMEOUT_S)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    out = tmp_path_factory.mktemp("scenario")
    generate(out, SynthConfig(claims=CLAIMS, seed=21, correction_rate=0.05, resubmit_rate=0.03, duplicate_rate=0.03))
    return out


def kill_when_progress(proc, run_dir, at_least: int, sig=signal.SIGKILL):
    """Kills the replay once its checkpoint covers ``at_least`` records."""
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        path = run_dir / PROGRESS_FILE
        if path.exists() and json.loads(path.read_text())["records"] >= at_least:
            os.kill(proc.pid, sig)
            proc.wait(timeout=60)
            return
        if proc.poll() is not None:
            pytest.fail("the replay finished before it could be killed")
        time.sleep(0.01)
    pytest.fail(f"no progress within {TIMEOUT_S} s")


def kill_while_node_starts(proc) -> None:
    """Kills the CLI as soon as its embedded anvil exists: while that node is still loading
    the saved state (or has just loaded it), before the replay goes on."""
    import psutil

    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline and proc.poll() is None:
        if any("anvil" in child.name() for child in parent.children(recursive=True)):
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)
            return
        time.sleep(0.005)
    pytest.fail("the resumed replay started no node")


@pytest.mark.parametrize("kill_at", [0.125, 0.58, "settlement", "node restart"])
def test_killed_replay_resumes_to_the_reference_results(scenario, reference, tmp_path, kill_at):
    """Killed during submission (after 12.5% and 58% of the records: 150 and 700 of 1,200),
    once every record is in (while the escrow is funded and providers are paid), or killed at
    a third of the records and then killed again while the resumed run's node restarts from
    the saved state. Each time the embedded node restarts from the state it saved when its
    parent died."""
    records = sum(1 for _ in iter_claims(scenario / "claims.csv"))
    run_dir = tmp_path / "run"
    replay = [*CLI, "adjudicate", str(scenario), "--out", str(run_dir), "--batch", BATCH]
    proc = subprocess.Popen(replay, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    at = {"settlement": records, "node restart": records // 3}.get(kill_at) or int(records * kill_at)
    kill_when_progress(proc, run_dir, at)
    if kill_at == "node restart":
        restarting = subprocess.Popen([*replay, "--resume"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        kill_while_node_starts(restarting)
    resumed = run_cli("adjudicate", str(scenario), "--out", str(run_dir), "--resume", "--batch", BATCH)
    assert resumed.returncode == 0, resumed.stderr
    assert (run_dir / "results.csv").read_bytes() == (reference / "results.csv").read_bytes()
    assert (run_dir / "rejects.csv").read_bytes() == (reference / "rejects.csv").read_bytes()
    # paid once: over both runs the escrow paid out exactly the net paid of the results
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["settlement"]["outstanding_cents"] == 0
    with run_chain(run_dir) as w3:
        escrow = Deployment.load(w3, run_dir / "deployments.json")["ClaimsEngine"]
        paid_out = sum(escrow.functions.account(int(npi)).call()[2] for npi in load_scenario(scenario).providers)
    assert paid_out == round(summary["outcomes"]["amounts"]["paid"] * 100) * CENT_UNITS


def test_resume_without_progress_is_one_line(tmp_path):
    result = run_cli("adjudicate", "examples/basic", "--out", str(tmp_path), "--resume")
    assert result.returncode == 1
    assert result.stderr.strip().startswith("claimledger: ")
    assert len(result.stderr.strip().splitlines()) == 1
