"""R-47: one sending process per key and chain. A second process with a key in use fails at
once with one line naming the holder, sends nothing, and the key is free again as soon as the
holder dies (even by SIGKILL: the kernel drops its flock)."""
import os
import signal
import subprocess
import sys
import time

from eth_account import Account

from claimledger.node import connect, dev_private_keys
from claimledger.sender import TxSender

from tests.faults.conftest import one_line_error, run_cli

BILLER_KEY = dev_private_keys(3)[2]  # the deployment's biller (anvil's dev key 2)
HOLD = ("import sys\nfrom claimledger.node import connect\nfrom claimledger.sender import TxSender\n"
        "sender = TxSender(connect(sys.argv[1]), sys.argv[2])\nprint('holding', flush=True)\nsys.stdin.read()\n")


def test_a_second_process_with_the_key_in_use_fails_at_once_then_runs_once_the_holder_died(
        node, deployment, scenario):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, node.url, BILLER_KEY], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        w3 = connect(node.url)
        block = w3.eth.block_number
        started = time.monotonic()
        refused = run_cli("submit", scenario / "claims.csv", "--deployment", deployment, check=False)
        seconds = time.monotonic() - started
        assert refused.returncode == 1
        address = Account.from_key(BILLER_KEY).address
        assert one_line_error(refused.stderr).startswith(
            f"claimledger: key {address} is in use by process {holder.pid} on chain 31337: two processes sending "
            f"with one key would take the same nonces; wait for it to end or use another key (lock ")
        assert seconds < 20  # the time to start Python and read the files: no waiting on the lock
        assert w3.eth.block_number == block  # nothing was sent
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
    done = run_cli("submit", scenario / "claims.csv", "--deployment", deployment, "--batch", "50")
    assert "claim(s) submitted" in done.stdout


def test_the_senders_of_one_process_share_the_lock_and_release_it_with_the_last(node, lock_dir):
    """A command creates several senders of one key in turn (deploy, setup, replay): they share
    the process's lock, and it is given up when the last of them is gone."""
    w3 = connect(node.url)
    first, second = TxSender(w3, BILLER_KEY), TxSender(w3, BILLER_KEY)
    assert first.lock == second.lock and first.lock.parent == lock_dir and first.lock.exists()
    assert first.lock.read_text().strip() == str(os.getpid())
    probe = [sys.executable, "-c", HOLD, node.url, BILLER_KEY]
    del first
    busy = subprocess.run(probe, input="", capture_output=True, text=True, timeout=60)
    assert busy.returncode != 0 and "KeyInUse: key " in busy.stderr  # the second sender still holds it
    del second
    free = subprocess.run(probe, input="", capture_output=True, text=True, timeout=60)
    assert free.returncode == 0 and free.stdout.strip() == "holding"
