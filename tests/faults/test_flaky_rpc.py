"""Issue 18, faults: the node's answers dropped or delayed on the way (1% of them, by a seeded
draw, plus the answers to chosen eth_sendRawTransaction requests lost after the node took the
transaction). The replay goes through a proxy that does it; every request is retried
(claimledger/rpc.py), and a transaction whose answer was lost is found by its hash, never signed
again at another nonce. The results equal the reference model's byte for byte, every claim is
accepted once, and the escrow pays out exactly the net paid."""
import json

import pytest

from claimledger.chain import Deployment
from claimledger.money import CENT_UNITS
from claimledger.node import AnvilNode, connect, dev_private_keys
from claimledger.scenario import load_scenario

from tests.faults.conftest import assert_each_claim_accepted_once, one_line_error, run_cli
from tests.faults.rpc_proxy import RpcProxy

FAULT_RATE = 0.01
RESUMES = 3  # a run through the proxy that still fails is resumed (at most this often)


# besides the seeded 1%: answers to transactions lost after the node took them, a request lost
# before it reached the node, a load balancer's 502 and a slow answer, each at least once
FORCED = {("eth_sendRawTransaction", 30): "drop after", ("eth_sendRawTransaction", 31): "drop after",
          ("eth_sendRawTransaction", 45): "drop after", ("eth_sendRawTransaction", 50): "drop before",
          ("eth_getTransactionReceipt", 40): "502", ("eth_getTransactionReceipt", 41): "delay"}


@pytest.mark.parametrize("seed", [18, 7])
def test_a_replay_through_an_rpc_that_drops_or_delays_answers_ends_with_the_reference_results(
        scenario, reference, tmp_path, seed):
    run_dir = tmp_path / "run"
    biller = connect_address(dev_private_keys(3)[2])
    with AnvilNode() as node, RpcProxy(node.url, fault_rate=FAULT_RATE, seed=seed, forced=FORCED) as proxy:
        command = ["adjudicate", scenario, "--out", run_dir, "--rpc", proxy.url, "--batch", "5"]
        runs = [run_cli(*command, check=False)]
        while runs[-1].returncode != 0 and len(runs) <= RESUMES:
            one_line_error(runs[-1].stderr)  # a failure is one line, and the run goes on with --resume
            runs.append(run_cli(*command, "--resume", check=False))
        print(f"flaky RPC: {proxy.report()}; {len(runs)} run(s)")
        assert runs[-1].returncode == 0, runs[-1].stderr
        assert all(proxy.faults[(fault, method)] for (method, _n), fault in FORCED.items())
        assert (run_dir / "results.csv").read_bytes() == (reference / "results.csv").read_bytes()
        assert (run_dir / "rejects.csv").read_bytes() == (reference / "rejects.csv").read_bytes()
        w3 = connect(node.url)
        dep = Deployment.load(w3, run_dir / "deployments.json")
        assert_each_claim_accepted_once(dep, scenario)
        summary = json.loads((run_dir / "summary.json").read_text())
        if len(runs) == 1:  # no transaction of the replay was sent twice at two nonces
            sent = w3.eth.get_transaction_count(biller) - dep_biller_nonce_before_replay(w3, dep, biller)
            assert sent == summary["replay"]["transactions"]
        assert summary["settlement"]["outstanding_cents"] == 0
        engine = dep["ClaimsEngine"]
        paid_out = sum(engine.functions.account(int(npi)).call()[2] for npi in load_scenario(scenario).providers)
        assert paid_out == round(summary["outcomes"]["amounts"]["paid"] * 100) * CENT_UNITS


def connect_address(key: str) -> str:
    from eth_account import Account

    return Account.from_key(key).address


def dep_biller_nonce_before_replay(w3, dep, biller: str) -> int:
    """The biller's nonce before its first transaction to the engine (setup sends none)."""
    for number in range(dep.from_block, w3.eth.block_number + 1):
        for tx in w3.eth.get_block(number, full_transactions=True)["transactions"]:
            if tx["from"] == biller:
                return tx["nonce"]
    return w3.eth.get_transaction_count(biller)
