"""A saved chain whose node has dropped old transactions (node.HISTORY_BLOCKS): reviews read the
claims back from the scenario the run adjudicated (R-17), checked against the recorded tags;
statements say from which block their movements are kept; a resume that would need dropped
transactions to read back the claims in flight refuses in one line."""
import json
import shutil

import pytest

import claimledger.node
from claimledger.chain import Deployment
from claimledger.cli import main
from claimledger.node import run_chain
from claimledger.pipeline import DEPLOYMENTS_FILE, PROGRESS_FILE

from tests.conftest import EXAMPLES
from tests.integration.basic_review import list_then_approve_c0016

HISTORY = 4  # blocks: examples/basic's whole replay is older than that after FORGET blocks
FORGET = 10


@pytest.fixture
def run_dir(tmp_path, monkeypatch):
    """examples/basic adjudicated on a node keeping HISTORY blocks, then FORGET more mined."""
    monkeypatch.setattr(claimledger.node, "HISTORY_BLOCKS", HISTORY)
    scenario = tmp_path / "scenario"
    shutil.copytree(EXAMPLES / "basic", scenario)
    out = tmp_path / "run"
    assert main(["adjudicate", str(scenario), "--out", str(out)]) == 0
    assert json.loads((out / DEPLOYMENTS_FILE).read_text())["history_blocks"] == HISTORY
    with run_chain(out) as w3:
        w3.provider.make_request("anvil_mine", [FORGET])
        dep = Deployment.load(w3, out / DEPLOYMENTS_FILE)
        accepted = dep["ClaimsEngine"].events.ClaimAccepted.get_logs(from_block=dep.from_block)
        assert dep.ids.claim("C0016") not in {bytes(log["args"]["claimId"]) for log in accepted}  # dropped
    return out


def test_review_reads_a_dropped_claim_from_the_scenario(run_dir, capsys):
    list_then_approve_c0016(run_dir, capsys)


def test_a_scenario_changed_since_is_not_taken_for_the_recorded_claim(run_dir, capsys):
    claims = run_dir.parent / "scenario" / "claims.csv"
    lines = claims.read_text().splitlines(keepends=True)
    changed = [line.replace("32000.00", "32000.01") if line.startswith("C0016,") else line for line in lines]
    assert changed != lines
    claims.write_text("".join(changed))
    capsys.readouterr()
    assert main(["review", "approve", str(run_dir), "C0016", "1"]) == 1
    assert capsys.readouterr().err.strip() == "claimledger: C0016: no claim of this id was recorded on chain"


def test_statement_says_from_which_block_movements_are_kept(run_dir, capsys):
    capsys.readouterr()
    assert main(["owed", str(run_dir), "--provider", "1659478212"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "provider 1659478212: accrued 137.20, recouped 0.00, paid 137.20, owed 0.00"
    assert out[1].startswith("  (movements from block ") and f"its last {HISTORY} blocks" in out[1]


def test_a_resume_that_needs_dropped_transactions_refuses_in_one_line(run_dir, capsys):
    """A checkpoint from before the node's kept blocks (as if the run had been killed right
    after its first claims went out): the claims then in flight cannot be read back."""
    dep = json.loads((run_dir / DEPLOYMENTS_FILE).read_text())
    header = {name: len((run_dir / name).read_text().splitlines(keepends=True)[0]) for name in ("results.csv", "rejects.csv")}
    (run_dir / PROGRESS_FILE).write_text(json.dumps({
        "records": 0, "position": [dep["from_block"], 0], "results_bytes": header["results.csv"],
        "rejects_bytes": header["rejects.csv"], "counts": {}, "billed": 0}))
    capsys.readouterr()
    assert main(["adjudicate", str(run_dir.parent / "scenario"), "--out", str(run_dir), "--resume"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot resume" in err[0] and "the node keeps the transactions of blocks" in err[0]
