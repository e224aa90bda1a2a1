"""Issue 18, concurrency: real processes sending to one deployment at the same time.

Two billers (two keys holding BILLER) submit overlapping claim files at once (a replay while a
reviewer approves: test_concurrent_review.py). The files are cut along families (a family's claims are
in one file, or all of them in both, in the file's order), since a family's accumulators make
the outcome of its claims depend on their order; across families the order does not matter. So
whatever the interleaving, each claim must be accepted once, with the rows the reference model
gives it, and the escrow must owe each provider what the reference model does."""
import os

from eth_account import Account

from claimledger.chain import Deployment
from claimledger.node import connect, dev_private_keys

from tests.faults.rpc_proxy import RpcProxy
from tests.faults.conftest import (senders_in_block_order, SECOND_BILLER_ENV, SECOND_BILLER_KEY, assert_each_claim_accepted_once,
                                   accrued_on_chain, overlapping_claim_files, reference_accrued, results_on_chain, start_cli)

BILLER_KEY = dev_private_keys(3)[2]  # the deployment's biller (anvil's dev key 2)


def test_two_billers_submitting_overlapping_files_at_once_record_every_claim_once(
        node, deployment, scenario, reference, tmp_path):
    file_a, file_b, both = overlapping_claim_files(scenario, tmp_path)
    assert len(both) > 50  # the overlap: claims both billers send
    env = {**os.environ, SECOND_BILLER_ENV: SECOND_BILLER_KEY}
    # each transaction held 100 ms on its way, so that neither process can finish before the
    # other has started, however fast or loaded the machine
    with RpcProxy(node.url, delay_methods={"eth_sendRawTransaction": 0.1}) as proxy:
        first = start_cli("submit", file_a, "--deployment", deployment, "--rpc", proxy.url, "--batch", "3")
        second = start_cli("submit", file_b, "--deployment", deployment, "--rpc", proxy.url, "--batch", "3",
                           "--key-env", SECOND_BILLER_ENV, env=env)
        outputs = [proc.communicate(timeout=300) for proc in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs

    w3 = connect(node.url)
    dep = Deployment.load(w3, deployment / "deployments.json")
    billers = {Account.from_key(SECOND_BILLER_KEY).address, Account.from_key(BILLER_KEY).address}
    order = senders_in_block_order(w3, dep, billers)
    switches = sum(1 for a, b in zip(order, order[1:]) if a != b)
    print(f"two billers: {len(order)} transactions, the sender changed {switches} times in chain order")
    assert switches >= 2  # their transactions interleaved: the two ran at the same time
    assert results_on_chain(dep, scenario) == (reference / "results.csv").read_bytes()
    assert assert_each_claim_accepted_once(dep, scenario) > 150  # none twice, none missing
    assert accrued_on_chain(dep, scenario) == reference_accrued(scenario)


