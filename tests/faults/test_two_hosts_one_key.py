"""Issue 18, concurrency: two hosts sending with one key. R-47's lock is a file on one machine, so
two hosts never see each other's; here two ``submit`` processes with the deployment's biller key
and a lock directory each (``CLAIMLEDGER_LOCK_DIR``, as two machines would have) send
overlapping claim files to one node at the same time (the second starts once the first has had
transactions mined). Each numbers its nonces itself from the node's count when it starts, so
they take the same nonces: the node refuses the second transaction at a nonce ("nonce too low",
"replacement transaction underpriced").

What must hold (R-51): neither process waits on a transaction that can never be mined; each
either finishes or ends within seconds in one line naming the nonce and the key; run again
(alone), the one that stopped sends the rest; and then every claim is accepted once, with the
reference model's rows, and the escrow owes each provider what the reference model does
(nothing accrued twice)."""
import os
import re
import time

from eth_account import Account

from claimledger.chain import Deployment
from claimledger.node import connect, dev_private_keys

from tests.faults.conftest import (accrued_on_chain, assert_each_claim_accepted_once, one_line_error,
                                   overlapping_claim_files, reference_accrued, results_on_chain, run_cli, start_cli)
from tests.faults.rpc_proxy import RpcProxy

BILLER_KEY = dev_private_keys(3)[2]  # the deployment's biller (anvil's dev key 2)
BILLER = Account.from_key(BILLER_KEY).address
NONCE_TAKEN = re.compile(rf"claimledger: nonce (\d+) of key {BILLER} was taken by another sender \(")
WAIT_S = 120  # each process ends well within this (a stuck transaction would wait RECEIPT_TIMEOUT_S, 600 s)


def test_two_hosts_with_one_key_end_in_one_line_or_finish_and_every_claim_is_recorded_once(
        node, deployment, scenario, reference, tmp_path):
    file_a, file_b, both = overlapping_claim_files(scenario, tmp_path)
    assert len(both) > 50
    hosts = {name: {**os.environ, "CLAIMLEDGER_LOCK_DIR": str(tmp_path / f"locks-{name}")} for name in ("a", "b")}
    files = {"a": file_a, "b": file_b}
    w3 = connect(node.url)
    nonce_before = w3.eth.get_transaction_count(BILLER)
    # each transaction held 100 ms on its way, so that the two send at the same time; the second
    # host starts once the first has had transactions mined, so that it reads a nonce mid-run
    with RpcProxy(node.url, delay_methods={"eth_sendRawTransaction": 0.1}) as proxy:
        started = time.monotonic()
        submit = ("submit", "--deployment", deployment, "--rpc", proxy.url, "--batch", "3")
        procs = {"a": start_cli(submit[0], files["a"], *submit[1:], env=hosts["a"])}
        while w3.eth.get_transaction_count(BILLER) < nonce_before + 5:
            assert procs["a"].poll() is None and time.monotonic() - started < WAIT_S, procs["a"].communicate()
            time.sleep(0.01)
        procs["b"] = start_cli(submit[0], files["b"], *submit[1:], env=hosts["b"])
        outputs = {name: proc.communicate(timeout=WAIT_S) for name, proc in procs.items()}
        seconds = time.monotonic() - started
    codes = {name: proc.returncode for name, proc in procs.items()}
    stopped = [name for name, code in codes.items() if code != 0]
    for name in stopped:
        line = one_line_error(outputs[name][1])
        assert NONCE_TAKEN.match(line), line
        assert line.endswith("run the command again (adjudicate: with --resume)"), line
    print(f"two hosts, one key: exit codes {codes} after {seconds:.1f} s; "
          + "; ".join(one_line_error(outputs[name][1]) for name in stopped))
    assert stopped, "the two processes did not take the same nonce (they did not overlap)"
    assert len(stopped) < 2 or seconds < WAIT_S

    for name in stopped:  # run again, alone: it sends what it had not
        run_cli("submit", files[name], "--deployment", deployment, "--batch", "3", env=hosts[name])
    dep = Deployment.load(w3, deployment / "deployments.json")
    assert results_on_chain(dep, scenario) == (reference / "results.csv").read_bytes()
    assert assert_each_claim_accepted_once(dep, scenario) > 150  # none twice, none missing
    assert accrued_on_chain(dep, scenario) == reference_accrued(scenario)
    assert w3.eth.get_transaction_count(BILLER) > nonce_before


def test_a_transaction_displaced_from_the_pool_by_another_sender_at_its_nonce_ends_the_sender_at_once():
    """The other way a nonce is taken: ours is in the node's pool (a node that mines on demand
    here, as a chain between two blocks) when the other host's transaction at the same nonce
    arrives with a higher fee and replaces it; the block holds theirs. No receipt of ours can
    ever come: the sender says so within seconds (it looks twice, TAKEN_RECHECK_S apart) instead
    of waiting RECEIPT_TIMEOUT_S (600 s)."""
    from claimledger.node import AnvilNode
    from claimledger.sender import NonceTaken, TxSender

    sink = "0x000000000000000000000000000000000000dEaD"
    with AnvilNode(extra_args=("--no-mining",)) as node:
        w3 = connect(node.url)
        sender = TxSender(w3, BILLER_KEY)
        nonce = sender.nonce
        sender.send(sink, b"", 21_000, tag="ours", value=1)
        assert w3.eth.get_transaction_count(BILLER, "pending") == nonce + 1
        theirs = Account.from_key(BILLER_KEY).sign_transaction(  # fees ten times what ours offers
            {"chainId": w3.eth.chain_id, "nonce": nonce, "gas": 21_000, "to": sink, "value": 2,
             "maxFeePerGas": 10 * sender.fees.max_fee, "maxPriorityFeePerGas": 10 * sender.fees.max_fee})
        w3.eth.send_raw_transaction(theirs.raw_transaction)  # replaces ours in the pool
        w3.provider.make_request("evm_mine", [])
        assert w3.eth.get_balance(sink) == 2 and w3.eth.get_transaction_count(BILLER) == nonce + 1
        started = time.monotonic()
        try:
            sender.flush()
            raise AssertionError("flush returned without a receipt of ours")
        except NonceTaken as exc:
            message = str(exc)
        seconds = time.monotonic() - started
    print(f"displaced: {message} ({seconds:.1f} s)")
    assert message.startswith(f"nonce {nonce} of key {BILLER} was taken by another sender (")
    assert seconds < 30
