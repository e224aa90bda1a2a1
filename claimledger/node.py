"""The embedded local chain: an anvil process that claimledger starts and stops itself."""
from __future__ import annotations

import fcntl
import gzip
import os
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from web3 import Web3
from web3.providers.rpc import HTTPProvider

from .atomic import write_bytes_atomically, write_text_atomically
from .rpc import RetryingProvider

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GAS_LIMIT = 1_000_000_000  # blocks of a second's worth of batched claims (interval mining)
DEV_MNEMONIC = "test test test test test test test test test test test junk"
STATE_WAIT_S = 600.0  # how long a node waits for the one before it to finish saving its state
# a saved chain takes anvil about a second per 300 MB to load (408 MB in 1.4 s). Waited for at a
# sixth of that.
STATE_LOAD_BYTES_PER_S = 50e6
STATE_MEMORY_HINT_BYTES = 1e9  # a node that fails to load a saved chain larger than this says how large
LOAD_MEMORY_FACTOR = 2  # anvil's memory while loading a saved chain, per byte of it (23.1 GB for 12.3)
# blocks whose transactions, receipts and logs the embedded node keeps (a block a second while
# claims are replayed: about two minutes, far more than a replay's transactions in flight,
# whose receipts it reads as they come and a resumed run reads back). Older ones are dropped,
# the state they made stays: anvil would otherwise keep every transaction with its call trace,
# ~21 KB per replayed claim in memory and in the saved chain (12.3 GB at 580,000 claims, more
# than a 24 GB machine can load again). Claims the node no longer keeps are read back from the
# scenario the run adjudicated (recorded.recorded_claims).
HISTORY_BLOCKS = 128


class NodeError(RuntimeError):
    """The local chain could not be started or reached."""


def find_anvil() -> str:
    """The anvil binary: the project's npm install first (the real binary, not npm's node
    wrapper, so that stopping it stops anvil), then PATH."""
    for local in (PROJECT_ROOT / ".venv" / "bin" / "anvil",
                  *sorted((PROJECT_ROOT / "node_modules" / "@foundry-rs").glob("anvil-*/bin/anvil")),
                  PROJECT_ROOT / "node_modules" / ".bin" / "anvil"):
        if local.exists():
            return str(local)
    found = shutil.which("anvil")
    if found:
        return found
    raise NodeError("anvil not found: run `make setup` (installs @foundry-rs/anvil with npm)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def connect(url: str, timeout: float = 120.0) -> Web3:
    if not Web3(HTTPProvider(url, request_kwargs={"timeout": timeout})).is_connected():  # asked once
        raise NodeError(f"no JSON-RPC node answers at {url}")
    return Web3(RetryingProvider(url, timeout))  # from now on every request is retried on a dropped answer


@dataclass
class AnvilNode:
    """A private anvil on a free loopback port; use as a context manager.

    With ``flat`` (the default) it runs as a fork of a second, empty anvil (its *upstream*) so
    that mining a block costs the same at a million claims as at the first: anvil 1.7.1
    recomputes the whole state root of an ordinary chain for every block (~1 us per storage
    slot), while a forked chain computes none, and with bare ``--prune-history`` keeps no copy
    of the state per block either. Contracts deployed on the fork keep their storage locally;
    the upstream is only asked about accounts the fork has never seen. Blocks carry a zero state
    root, which nothing here reads. See benchmarks/README.md.

    ``history_blocks`` (None: all) keeps the transactions, receipts and logs of only that many
    recent blocks (``--transaction-block-keeper``; claimledger's runs use ``HISTORY_BLOCKS``):
    anvil keeps a call trace of every transaction, ~10 KB per replayed claim, 13.8 GB of memory
    at a million claims and most of a saved chain."""

    gas_limit: int = DEFAULT_GAS_LIMIT
    accounts: int = 10
    state_path: Path | None = None  # dump/load chain state here (``anvil --state``)
    history_blocks: int | None = None
    kept_states: int = 0  # past states kept in memory (0: none), so that recent transactions can be traced
    base_fee: int = 0  # wei; above zero the chain charges for gas as a public one does (EIP-1559)
    extra_args: tuple[str, ...] = ()
    port: int = 0
    flat: bool = True
    process: subprocess.Popen | None = None
    upstream: "_Upstream | None" = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> "AnvilNode":
        self.port = self.port or free_port()
        fork_args: list[str] = []
        if self.flat:
            upstream_port = free_port()
            self.upstream = _Upstream(upstream_port, timeout)
            try:
                _wait_for(f"http://127.0.0.1:{upstream_port}", self.upstream, timeout)
            except NodeError:
                self.stop()
                raise
            # --no-storage-caching: else anvil keeps fetched upstream slots in ~/.foundry/cache
            # and reuses them in the next run of the same fork block
            fork_args = ["--fork-url", f"http://127.0.0.1:{upstream_port}", "--no-storage-caching"]
        cmd = [
            find_anvil(), "--host", "127.0.0.1", "--port", str(self.port),
            "--accounts", str(self.accounts), "--balance", "1000000",
            "--gas-limit", str(self.gas_limit), "--base-fee", str(self.base_fee),
            *(("--gas-price", "0") if not self.base_fee else ()),
            "--mnemonic", DEV_MNEMONIC, "--silent",
            # keep no state per past block: anvil otherwise holds one per block in memory (11 GB
            # after 57,000 claims on a 60,000-member scenario); logs and receipts stay
            "--prune-history", *((str(self.kept_states),) if self.kept_states else ()), *fork_args, *self.extra_args,
        ]
        if self.history_blocks is not None:
            cmd += ["--transaction-block-keeper", str(self.history_blocks)]
        lock, load = None, None
        if self.state_path is not None:
            lock = _lock_state(self.state_path)
            # dumped where it is kept; loaded from there, else from the save it was loaded from
            # last (see previous_state): --state would load and dump one file, in place
            load = kept_state(self.state_path)
            cmd += ["--dump-state", str(self.state_path), *(("--load-state", str(load)) if load else ())]
        try:
            self.process = subprocess.Popen(
                cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                preexec_fn=_terminate_with_parent, pass_fds=(lock,) if lock is not None else (),
            )
        finally:
            if lock is not None:
                os.close(lock)  # anvil holds the lock now, until it exits
        if self.upstream is not None:
            write_text_atomically(self.upstream.node_file, str(self.process.pid), durable=False)
        saved = load.stat().st_size if load is not None else 0
        try:  # the file is complete: we held its lock
            _wait_for(self.url, self.process, timeout + saved / STATE_LOAD_BYTES_PER_S)
        except NodeError as exc:
            self.stop()
            if load is not None and _unreadable(exc, load):
                previous = previous_state(self.state_path)
                if load == self.state_path and previous.exists():
                    load.unlink()  # a dump cut short (a full disk, a crash): start from the save before
                    return self.start(timeout)
                raise NodeError(f"{load}: the saved chain cannot be read ({str(exc).rsplit(': ', 1)[-1]}), and no "
                                f"earlier save of it is kept") from None
            if saved > STATE_MEMORY_HINT_BYTES:
                raise NodeError(f"{exc} (loading a saved chain of {saved / 1e9:.1f} GB, which takes anvil about "
                                f"{saved * LOAD_MEMORY_FACTOR / 1e9:.0f} GB of memory)") from None
            raise
        if load is not None and load == self.state_path:  # kept until the next node has loaded a newer dump
            os.replace(load, previous_state(self.state_path))
        return self

    def stop(self) -> None:
        if self.process is not None:
            self._stop_node()
        if self.upstream is not None:
            self.upstream.stop()
            self.upstream = None

    def _stop_node(self) -> None:
        # SIGTERM lets anvil dump its state (--state) before it exits; a large one takes seconds
        stop_process_group(self.process, STATE_WAIT_S)
        self.process = None

    def __enter__(self) -> "AnvilNode":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class _Upstream:
    """The empty anvil a flat node forks. It must outlive the node (a fork asks it about every
    block), also when this process is killed and the node dumps its state on the way out
    (without its upstream, a node in the middle of a block aborts), so it gets no parent-death
    signal. Instead a watchdog (``sh``, in a session of its own) starts it and stops it once
    this process and the node are both gone: started by its watchdog, it is never unwatched,
    whenever this process dies."""

    stderr = None

    def __init__(self, port: int, timeout: float):
        base = Path(tempfile.gettempdir()) / f"claimledger-anvil-{os.getpid()}-{port}"
        self.pid_file, self.node_file = base.with_suffix(".upstream"), base.with_suffix(".node")
        anvil = shlex.join([find_anvil(), "--host", "127.0.0.1", "--port", str(port), "--silent", "--no-mining"])
        up_file, up_tmp, node_file = (shlex.quote(str(p)) for p in (
            self.pid_file, self.pid_file.with_suffix(".tmp"), self.node_file))
        script = (f"{anvil} >/dev/null 2>&1 & up=$!; echo $up > {up_tmp}; mv {up_tmp} {up_file}; "
                  f"while kill -0 $up 2>/dev/null; do "
                  f"if ! kill -0 {os.getpid()} 2>/dev/null; then node=$(cat {node_file} 2>/dev/null); "
                  f'if [ -z "$node" ] || ! kill -0 "$node" 2>/dev/null; then kill $up; break; fi; fi; '
                  f"sleep 0.2; done; rm -f {up_file} {node_file}")
        self.watchdog = subprocess.Popen(["sh", "-c", script], stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while not self.pid_file.exists():
            if time.monotonic() > deadline or self.watchdog.poll() is not None:
                raise NodeError("the upstream anvil did not start")
            time.sleep(0.01)
        self.pid = int(self.pid_file.read_text())

    def poll(self) -> int | None:
        """None while the upstream runs (as ``Popen.poll``)."""
        try:
            state = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError, IndexError):  # gone while /proc was read
            return 0
        return 0 if state == "Z" else None

    def stop(self, timeout: float = 30.0) -> None:
        """Stops the upstream, then its watchdog (whose child it is: the watchdog reaps it)."""
        if self.poll() is None:
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:  # it exited between the look and the signal (its watchdog reaped it)
                pass
            deadline = time.monotonic() + timeout
            while self.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
        self.watchdog.terminate()
        self.watchdog.wait()
        for path in (self.pid_file, self.node_file):
            path.unlink(missing_ok=True)


def stop_process_group(process: subprocess.Popen, timeout: float) -> None:
    """Stops a node started in a session of its own: SIGTERM to the whole process group (the
    node and any wrapper that started it), SIGKILL after ``timeout``."""
    if process.poll() is None:
        _signal_group(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _signal_group(process.pid, signal.SIGKILL)
            process.wait()
    if process.stderr:
        process.stderr.close()


def _signal_group(pgid: int, sig: int) -> None:
    """Signals a process group that may have gone meanwhile (its node exited on its own)."""
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def _wait_for(url: str, process, timeout: float) -> None:
    """Waits until the anvil ``process`` answers at ``url``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = (process.stderr.read() or b"").decode(errors="replace").strip() if process.stderr else ""
            lines = err.splitlines()
            said = next((line for line in lines if line.lower().startswith("error")), lines[-1] if lines else "no output")
            raise NodeError(f"anvil exited at start: {said}")
        try:
            if Web3(HTTPProvider(url, request_kwargs={"timeout": 1})).is_connected():
                return
        except Exception:  # noqa: BLE001 - not up yet
            pass
        time.sleep(0.05)
    raise NodeError(f"anvil did not answer on {url} within {timeout:.0f}s")


def previous_state(state_path: Path) -> Path:
    """Where the save a node was started from is kept while that node runs and until the next
    node has loaded the newer one it dumps (``STATE.prev``): anvil dumps a chain in place, and a
    dump cut short (the disk full, the machine stopped) would leave no chain at all. A fresh run
    writes it once its setup is done (:func:`save_state`)."""
    return state_path.with_name(state_path.name + ".prev")


def kept_state(state_path: Path) -> Path | None:
    """The newest save of a chain kept at ``state_path``: its last dump, else the save it was
    started from (a node that died without dumping), else None."""
    for path in (state_path, previous_state(state_path)):
        if path.exists():
            return path
    return None


def dump_state(w3: Web3) -> bytes:
    """The chain of the node at ``w3`` as anvil saves it: the JSON ``--load-state`` takes
    (``anvil_dumpState`` answers it gzipped, as hex)."""
    raw = bytes.fromhex(w3.provider.make_request("anvil_dumpState", [])["result"][2:])
    return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw


def save_state(w3: Web3, state_path: Path) -> None:
    """Saves the chain of the node at ``w3`` (:func:`dump_state`) as the save it was started
    from (:func:`previous_state`), atomically: a run that dies before its node has dumped a
    chain (a full disk) resumes from there (R-53)."""
    write_bytes_atomically(previous_state(state_path), dump_state(w3))


def _unreadable(exc: NodeError, load: Path) -> bool:
    """Whether anvil refused to start because the saved chain ``load`` is not whole JSON."""
    return f"'{load}' for '--load-state" in str(exc) and "failed to parse" in str(exc)


def _lock_state(state_path: Path) -> int:
    """Locks ``STATE.lock`` for the anvil that will use ``state_path``, waiting while another
    anvil holds it: one killed with its parent dumps its state on the way out, and a node
    started before that dump is complete would load a half-written or stale file. The anvil
    inherits the descriptor, so the lock lasts exactly as long as it runs."""
    fd = os.open(f"{state_path}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + STATE_WAIT_S
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() > deadline:
                os.close(fd)
                raise NodeError(f"{state_path}: another anvil still holds this chain's state") from None
            time.sleep(0.05)


def _terminate_with_parent() -> None:
    """In the child: ask Linux to send SIGTERM when the parent dies, so that a killed
    claimledger never leaves an anvil behind, and anvil still dumps its --state on the way."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:  # not Linux: the context manager still stops it
        pass


def dev_private_keys(count: int = 10) -> list[str]:
    """Private keys of anvil's default accounts (public test keys: never use on a real chain)."""
    from eth_account import Account

    Account.enable_unaudited_hdwallet_features()
    return [
        Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}").key.hex()
        for i in range(count)
    ]


def env_private_key(var: str) -> str:
    """The private key in environment variable ``var`` (64 hex digits, with or without 0x)."""
    key = os.environ.get(var, "").strip()
    if not key:
        raise NodeError(f"environment variable {var} holds no private key")
    digits = key[2:] if key.lower().startswith("0x") else key
    if len(digits) != 64 or any(c not in "0123456789abcdefABCDEF" for c in digits):
        raise NodeError(f"environment variable {var} does not hold a private key (64 hex digits)")
    return "0x" + digits


def fund_on_anvil(w3: Web3, addresses: list[str], wei: int = 10**24) -> None:
    """Gives each address ``wei`` on an anvil (its dev accounts have their own already), so that
    role keys from the environment can pay for gas on the embedded node (``hardhat_setBalance``:
    anvil and the hardhat node both take it)."""
    for address in addresses:
        w3.provider.make_request("hardhat_setBalance", [address, hex(wei)])


@contextmanager
def interval_mining(w3: Web3, seconds: int = 1) -> Iterator[None]:
    """Anvil mines one block per ``seconds`` instead of one per transaction, then goes back to
    automine: a replay's transactions share blocks (and an ordinary anvil's per-block state
    root, when the node is not ``flat``)."""
    w3.provider.make_request("evm_setAutomine", [False])
    w3.provider.make_request("evm_setIntervalMining", [seconds])
    try:
        yield
    finally:
        w3.provider.make_request("evm_setIntervalMining", [0])
        w3.provider.make_request("evm_setAutomine", [True])


CHAIN_STATE_FILE = "chain-state.json"


@contextmanager
def run_chain(run_dir: Path, rpc: str | None = None, fresh: bool = False, keep: bool = True) -> Iterator[Web3]:
    """The chain of a run directory: the node at ``rpc``, or else an embedded anvil whose
    state is kept in ``RUN_DIR/chain-state.json`` between commands (``fresh`` starts anew;
    ``keep=False`` saves no state file). Either node keeps the transactions, receipts and logs
    of its last ``HISTORY_BLOCKS`` blocks only; the state stays whole."""
    if rpc is not None:
        yield connect(rpc)
        return
    if not keep:
        with AnvilNode(history_blocks=HISTORY_BLOCKS) as node:
            yield connect(node.url)
        return
    state = Path(run_dir) / CHAIN_STATE_FILE
    if fresh:
        lock = _lock_state(state)  # an anvil of an earlier run may still be dumping into it
        try:
            state.unlink(missing_ok=True)
            previous_state(state).unlink(missing_ok=True)
        finally:
            os.close(lock)
    elif kept_state(state) is None:
        raise NodeError(f"{run_dir}: no saved chain ({CHAIN_STATE_FILE}); adjudicate into it first, or pass --rpc")
    with AnvilNode(state_path=state, history_blocks=HISTORY_BLOCKS) as node:
        yield connect(node.url)
