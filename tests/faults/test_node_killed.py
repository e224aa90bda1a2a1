"""Issue 18, faults: the node killed mid-batch (SIGKILL, not the CLI) and restarted on a saved
state behind the blocks the replay had confirmed (and written) by then, as a node restarts on
its last save. The test takes that save itself through the node's API, checked to agree with its
blocks (see ``node_save``). Anvil keeps no pool across a restart (a save holds the state, the
blocks and their transactions). Under automine there is no pool; a node that mines a block a
second (``anvil --block-time 1``, as a public chain between two blocks) is killed while its
pool holds transactions of the replay (``txpool_status``), whose claims the restarted chain
has never seen: the resume sends them again. Restarted, that node goes on mining and reaches
the heights it lost with blocks of its own (empty) before the resume starts: the resume must
take a checkpoint by its block's hash, not its height (R-49; by height it took the new blocks for
those the results counted, and the claims of the lost ones were never sent again).

The CLI, talking to the dead node, ends in one line within seconds (no traceback, no hang);
``--resume`` against the restarted node goes back to the newest checkpoint whose block the
chain still has (R-49), reads back the claims the chain holds after it and sends the others
again. The results equal the reference model's byte for byte; every claim is accepted once and
the escrow pays out exactly the net paid."""
import json
import os
import signal
import time

import pytest

from claimledger.chain import Deployment
from claimledger.node import AnvilNode, connect, dump_state
from claimledger.pipeline import PROGRESS_FILE
from claimledger.scenario import iter_claims

from tests.faults.conftest import assert_resumed_to_the_reference, one_line_error, run_cli, start_cli

POOLED = 4  # transactions of the replay in the pool when a node with a block time is killed

def node_save(w3) -> bytes | None:
    """A save of the node's state taken through its API (``anvil_dumpState``: gzipped JSON, the
    format ``--state`` loads), if its state agrees with its blocks: each sender's nonce equals the
    number of its transactions the save holds. Anvil's own periodic saves are rare while it mines
    and can hold state ahead of their blocks (a claim recorded whose transaction no block has), a
    chain no real node restarts on; so the test takes its own."""
    save = dump_state(w3)
    document = json.loads(save)
    sent: dict[str, int] = {}
    for tx in document.get("transactions") or []:
        sender = tx["info"]["from"].lower()
        sent[sender] = sent.get(sender, 0) + 1
    nonces = {address.lower(): int(str(account["nonce"]), 0) for address, account in document["accounts"].items()}
    return save if all(nonces.get(sender, 0) == count for sender, count in sent.items()) else None


def pending_in_pool(w3) -> int:
    """Transactions the node holds in its pool, not yet mined (``txpool_status``)."""
    return int(str(w3.provider.make_request("txpool_status", [])["result"]["pending"]), 0)


def kill_node_when_progress(node: AnvilNode, proc, run_dir, state, at_least: int, pool: int = 0) -> tuple[dict, int]:
    """Once the replay's checkpoint covers ``at_least`` records, takes a save of the node's state
    (after the setup: a node that lost the setup's blocks has lost the deployment, and its resume
    is refused in one line), waits until the replay's checkpoint is past the save's block and
    the node's pool holds at least ``pool`` transactions, then SIGKILLs the node (its anvil
    process) and leaves that save as the state it restarts from, as if it had been the node's
    last; returns the last checkpoint the CLI wrote and the transactions pending at the kill."""
    w3 = connect(node.url)
    save, saved = None, None
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        path = run_dir / PROGRESS_FILE
        progress = json.loads(path.read_text()) if path.exists() else {"records": 0}
        if progress["records"] >= at_least:
            if save is None:
                save = node_save(w3)
                saved = json.loads(save)["best_block_number"] if save else None
            elif saved < progress["position"][0] and (pending := pending_in_pool(w3) if pool else 0) >= pool:
                os.kill(node.process.pid, signal.SIGKILL)  # at once: a block takes the pool in at most a second
                node.process.wait(timeout=30)
                state.write_bytes(save)
                time.sleep(0.2)  # a receipt the CLI had in hand may still make a checkpoint
                return json.loads(path.read_text()), pending
        assert proc.poll() is None, "the replay finished before the node could be killed"
        time.sleep(0.005)
    raise AssertionError("no progress within 300 s")


@pytest.mark.parametrize("block_time", [None, 1], ids=["automine", "pool"])
def test_a_node_killed_mid_batch_and_restarted_on_its_state_resumes_to_the_reference_results(
        scenario, reference, tmp_path, block_time):
    state = tmp_path / "node-state.json"
    run_dir = tmp_path / "run"
    records = sum(1 for _ in iter_claims(scenario / "claims.csv"))
    mining = ("--block-time", str(block_time)) if block_time else ()
    node = AnvilNode(state_path=state, extra_args=mining).start()
    try:
        replay = start_cli("adjudicate", scenario, "--out", run_dir, "--rpc", node.url, "--batch", "2")
        checkpoint, pending = kill_node_when_progress(node, replay, run_dir, state, records // 3,
                                                      pool=POOLED if block_time else 0)
        started = time.monotonic()
        _, err = replay.communicate(timeout=60)  # no hang
        seconds = time.monotonic() - started
    finally:
        node.stop()  # its upstream (the node itself is dead already)
    assert replay.returncode == 1
    assert one_line_error(err).startswith(f"claimledger: the node at {node.url} does not answer (")
    assert seconds < 30
    port = node.port
    restarted = AnvilNode(state_path=state, port=port, extra_args=mining).start()
    try:
        tip = connect(restarted.url).eth.block_number
        print(f"node killed: checkpoint at block {checkpoint['position'][0]} ({checkpoint['records']} of {records} "
              f"records), {pending} transaction(s) in its pool, the restarted chain at block {tip}; CLI failed "
              f"{seconds:.1f} s after the kill")
        assert tip < checkpoint["position"][0]  # the chain lost blocks the results had counted
        assert pending_in_pool(connect(restarted.url)) == 0  # and the pool: no restart keeps one
        while block_time and connect(restarted.url).eth.block_number <= checkpoint["position"][0]:
            time.sleep(0.1)  # mining on: new blocks at the heights of those lost
        resumed = run_cli("adjudicate", scenario, "--out", run_dir, "--rpc", restarted.url, "--resume", "--batch", "2")
        assert resumed.returncode == 0
        assert_resumed_to_the_reference(run_dir, reference, Deployment.load(connect(restarted.url), run_dir / "deployments.json"),
                                        scenario)
    finally:
        restarted.stop()
