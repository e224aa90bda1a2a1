"""Issue 19, faults: ``adjudicate --mode optimistic`` killed (SIGKILL, its own anvil with it)
while it posts its batches, then resumed: the saved shadow goes on from the last checkpoint, a
batch the chain took after it is adopted (not posted twice), and the run ends as one that never
died: results.csv and rejects.csv byte-identical to the reference model's, every claim posted
once in order (watch finds every root right and every claim where claims.csv has it), every batch
final and the escrow's payments exactly the net paid of the results."""
import json
import signal
import time

from claimledger.keys import load_keys
from claimledger.node import connect
from claimledger.optimistic.adjudicator import PROGRESS
from claimledger.optimistic.settlement import FINAL, Parties, SettlementChain
from claimledger.optimistic.watcher import watch

from tests.faults.conftest import run_cli, start_cli

BATCH = 20


def test_killed_while_posting_resumes_to_the_reference(node, scenario, tmp_path):
    reference, run = tmp_path / "reference", tmp_path / "run"
    run_cli("adjudicate", scenario, "--out", reference, "--reference")
    proc = start_cli("adjudicate", scenario, "--out", run, "--mode", "optimistic", "--rpc", node.url,
                     "--batch", BATCH)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        progress = run / PROGRESS
        if progress.exists() and len(json.loads(progress.read_text())["batches"]) >= 2:
            break
        time.sleep(0.05)
    time.sleep(0.3)  # into the next batch: rows written past the checkpoint, maybe a posting in flight
    assert proc.poll() is None, "the run ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    killed_at = json.loads((run / PROGRESS).read_text())
    assert not killed_at["all_posted"]

    run_cli("adjudicate", scenario, "--out", run, "--mode", "optimistic", "--rpc", node.url, "--batch", BATCH,
            "--resume")
    assert (run / "results.csv").read_bytes() == (reference / "results.csv").read_bytes()
    assert (run / "rejects.csv").read_bytes() == (reference / "rejects.csv").read_bytes()
    assert not list(run.glob("*.partial"))
    w3 = connect(node.url)
    report = watch(run, w3, challenge=False)
    assert report.findings == []
    settlement = SettlementChain.load(w3, run, Parties.from_keys(load_keys()[0]))
    batches = json.loads((run / PROGRESS).read_text())["batches"]
    assert batches == list(range(1, settlement.batch_count() + 1))  # none posted twice
    assert all(settlement.batch(b)["status"] == FINAL for b in batches)
    summary = json.loads((run / "summary.json").read_text())
    paid = sum(settlement.contract.functions.paidTo(int(npi)).call() for npi in _providers(scenario))
    assert paid == round(summary["outcomes"]["amounts"]["paid"] * 100) * 10_000
    assert summary["settlement"]["outstanding_cents"] == 0


def _providers(scenario):
    from claimledger.scenario import load_scenario

    return load_scenario(scenario).providers
