"""The embedded node (a fork of an empty upstream anvil) and the sending pipeline (TxSender)."""
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from claimledger.node import AnvilNode, connect, dev_private_keys
from claimledger.sender import TxSender

SINK = "0x000000000000000000000000000000000000dEaD"


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.fixture(scope="module")
def w3():
    with AnvilNode(accounts=2) as node:
        yield connect(node.url)


def test_sender_hands_receipts_over_in_order_as_soon_as_they_are_there(w3):
    """A receipt that is there is handed over by the next send, in nonce order, without
    waiting for the window to fill; flush hands over the rest."""
    sender = TxSender(w3, dev_private_keys(1)[0], window=64)
    seen = []
    collect = lambda receipt, tag: seen.append(tag)  # noqa: E731
    for i in range(3):
        sender.send(SINK, b"", 21_000, tag=i, value=1, on_receipt=collect)
        deadline = time.monotonic() + 10
        while w3.eth.get_transaction_count(sender.address, "latest") < sender.nonce:  # automine: mined soon
            assert time.monotonic() < deadline
            time.sleep(0.01)
    assert seen[:2] == [0, 1]  # handed over by the sends after them
    sender.flush(collect)
    assert seen == [0, 1, 2]


def test_flat_node_is_a_fork_of_an_upstream_that_stops_with_it():
    """The node forks an empty anvil, so its blocks carry no state root; stopping the node
    stops the upstream too."""
    with AnvilNode(accounts=1) as node:
        w3 = connect(node.url)
        upstream = node.upstream.pid
        assert alive(upstream)
        TxSender(w3, dev_private_keys(1)[0]).transact(SINK, b"", 21_000, value=5)
        assert bytes(w3.eth.get_block("latest")["stateRoot"]) == bytes(32)
        assert w3.eth.get_balance(SINK) == 5
    assert not alive(upstream)


def _receipt_kept(w3, tx_hash) -> bool:
    try:
        return w3.eth.get_transaction_receipt(tx_hash) is not None
    except Exception:  # noqa: BLE001 - web3 raises TransactionNotFound for a dropped one
        return False


@pytest.mark.parametrize("history, old_receipt_kept", [(2, False), (None, True)])
def test_a_node_with_short_history_forgets_old_transactions_not_state(tmp_path, history, old_receipt_kept):
    """history_blocks (claimledger's nodes keep node.HISTORY_BLOCKS): the transactions and
    receipts of older blocks are dropped, the state they made stays, also in the chain saved
    and loaded again; without it every transaction stays."""
    state = tmp_path / "chain-state.json"
    with AnvilNode(accounts=1, history_blocks=history, state_path=state) as node:
        w3 = connect(node.url)
        sender = TxSender(w3, dev_private_keys(1)[0])
        first = sender.transact(SINK, b"", 21_000, value=5)["transactionHash"]
        for _ in range(4):
            sender.transact(SINK, b"", 21_000, value=1)  # automine: a block each
        last = sender.transact(SINK, b"", 21_000, value=1)["transactionHash"]
        assert w3.eth.get_balance(SINK) == 10
        assert _receipt_kept(w3, last) and _receipt_kept(w3, first) is old_receipt_kept
    with AnvilNode(accounts=1, history_blocks=history, state_path=state) as node:
        w3 = connect(node.url)
        assert w3.eth.get_balance(SINK) == 10
        assert _receipt_kept(w3, last) and _receipt_kept(w3, first) is old_receipt_kept


def test_a_saved_chain_that_cannot_be_read_starts_the_node_from_the_save_it_was_started_from(tmp_path):
    """R-53: a node dumps its chain where it is kept, in place, and keeps the save it was started
    from as STATE.prev; a dump cut short (a full disk) is not read: the next node starts from
    that save. With no save to go back to, one line says so."""
    from claimledger.node import NodeError, previous_state

    state = tmp_path / "chain-state.json"
    for value in (3, 4):  # the first node starts empty, the second from the first's dump
        with AnvilNode(accounts=1, state_path=state) as node:
            TxSender(connect(node.url), dev_private_keys(1)[0]).transact(SINK, b"", 21_000, value=value)
    assert previous_state(state).exists()  # the chain as the second node found it: 3 wei
    state.write_bytes(state.read_bytes()[:1000])  # its dump, cut short
    with AnvilNode(accounts=1, state_path=state) as node:
        assert connect(node.url).eth.get_balance(SINK) == 3
    assert state.exists() and previous_state(state).exists()  # its own dump, whole again, and the save it started from
    with AnvilNode(accounts=1, state_path=state) as node:
        assert connect(node.url).eth.get_balance(SINK) == 3
    state.write_bytes(b"")
    previous_state(state).unlink()
    with pytest.raises(NodeError) as refused:
        AnvilNode(accounts=1, state_path=state).start()
    assert str(refused.value) == (f"{state}: the saved chain cannot be read (EOF while parsing a value at line 1 "
                                  f"column 0), and no earlier save of it is kept")


KEEP_A_NODE = """
import sys, time
from pathlib import Path
from claimledger.node import AnvilNode, connect, dev_private_keys
from claimledger.sender import TxSender
node = AnvilNode(accounts=1, state_path=Path(sys.argv[1])).start()
w3 = connect(node.url)
TxSender(w3, dev_private_keys(1)[0]).transact("0x000000000000000000000000000000000000dEaD", b"", 21_000, value=7)
print(node.process.pid, node.upstream.pid, flush=True)
time.sleep(600)
"""


def test_a_killed_claimledger_leaves_its_chain_saved_and_no_node_behind(tmp_path):
    """SIGKILL of the process that runs the node: the node saves its state as it goes (the
    upstream is still there), then the watchdog stops the upstream; a new node reloads it."""
    state = tmp_path / "chain-state.json"
    proc = subprocess.Popen([sys.executable, "-c", KEEP_A_NODE, str(state)], stdout=subprocess.PIPE, text=True)
    node_pid, upstream_pid = (int(p) for p in proc.stdout.readline().split())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (alive(node_pid) or alive(upstream_pid)):
        time.sleep(0.1)
    assert not alive(node_pid) and not alive(upstream_pid)
    assert state.exists()
    with AnvilNode(accounts=1, state_path=state) as node:
        assert connect(node.url).eth.get_balance(SINK) == 7


START_AN_UPSTREAM_ONLY = """
import time
from claimledger.node import _Upstream, free_port
print(_Upstream(free_port(), 30).pid, flush=True)
time.sleep(600)
"""


def test_a_claimledger_killed_before_its_node_started_leaves_no_upstream_behind():
    """SIGKILL after the upstream started and before the node did (the moment the kill-and-resume
    test's "node restart" point can hit): the watchdog that started the upstream stops it."""
    proc = subprocess.Popen([sys.executable, "-c", START_AN_UPSTREAM_ONLY], stdout=subprocess.PIPE, text=True)
    upstream_pid = int(proc.stdout.readline())
    assert alive(upstream_pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and alive(upstream_pid):
        time.sleep(0.1)
    assert not alive(upstream_pid)
