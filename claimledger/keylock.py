"""One sending process per key and chain (R-47).

:class:`~claimledger.sender.TxSender` numbers its nonces itself, from the node's count when it
starts; two processes sending with one key would take the same nonces, and one's transactions
would replace or block the other's. So a process that sends with a key holds an exclusive
advisory lock (``flock``, never waited for) on a file named by the chain and the key's address,
in ``$CLAIMLEDGER_LOCK_DIR``, else ``$XDG_RUNTIME_DIR/claimledger-locks``, else
``<temp dir>/claimledger-locks-<uid>``. A second process fails at once with one line naming the
process that holds it. The kernel drops the lock when the holder exits, however it exits.

Inside one process the senders of one key share the lock (a command creates several in
turn); it is released when the last of them is gone. The file is named by the chain id and
the hash of the chain's first block (a public chain's is fixed; two dev nodes of chain 31337
differ), and on a dev chain also by the node's port, so that two local nodes started in the
same second (one genesis) are not taken for one chain.
"""
from __future__ import annotations

import fcntl
import os
import tempfile
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from web3 import Web3

LOCK_DIR_ENV = "CLAIMLEDGER_LOCK_DIR"
DEV_CHAIN_IDS = frozenset({31337, 1337})  # anvil and hardhat; geth --dev and ganache


class KeyInUse(RuntimeError):
    """Another process sends with this key on this chain: one-line reason."""


@dataclass
class _Held:
    fd: int
    users: int


_held: dict[Path, _Held] = {}
_guard = threading.Lock()


def lock_dir() -> Path:
    explicit = os.environ.get(LOCK_DIR_ENV)
    if explicit:
        return Path(explicit)
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isdir(runtime):
        return Path(runtime) / "claimledger-locks"
    return Path(tempfile.gettempdir()) / f"claimledger-locks-{os.getuid()}"


def lock_path(w3: Web3, chain_id: int, address: str) -> Path:
    """The lock file of ``address`` on the chain ``w3`` is connected to."""
    genesis = w3.provider.make_request("eth_getBlockByNumber", ["0x0", False]).get("result") or {}
    name = f"{chain_id}-{str(genesis.get('hash', '0x'))[2:10] or 'nogenesis'}"
    if chain_id in DEV_CHAIN_IDS:
        name += f"-port{urlsplit(getattr(w3.provider, 'endpoint_uri', '') or '').port or 0}"
    return lock_dir() / f"{name}-{address.lower()}.lock"


def hold_key(owner: object, w3: Web3, chain_id: int, address: str) -> Path:
    """Takes the lock of ``address`` on this chain for as long as ``owner`` lives (shared with
    the other owners of this process); raises :class:`KeyInUse` if another process holds it."""
    path = lock_path(w3, chain_id, address)
    with _guard:
        held = _held.get(path)
        if held is None:
            held = _Held(_lock(path, chain_id, address), 0)
            _held[path] = held
        held.users += 1
    weakref.finalize(owner, _release, path)
    return path


def _lock(path: Path, chain_id: int, address: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)  # not inherited by the processes we start
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
        os.close(fd)
        raise KeyInUse(f"key {address} is in use by process {holder} on chain {chain_id}: two processes sending "
                       f"with one key would take the same nonces; wait for it to end or use another key "
                       f"(lock {path})") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def _release(path: Path) -> None:
    with _guard:
        held = _held.get(path)
        if held is None:
            return
        held.users -= 1
        if held.users <= 0:
            del _held[path]
            os.close(held.fd)  # closing the last descriptor drops the flock
