"""Other EVM clients claimledger can start itself: a hardhat node (Hardhat Network on the EDR
engine, npm ``hardhat``, pinned in package.json), beside the embedded anvil of :mod:`.node`.

The hardhat node runs with ``tools/hardhat/hardhat.config.js``: chain id 31337, the cancun
hardfork, blocks of 1B gas, zero base fee and gas price, anvil's dev mnemonic (so the dev keys
and addresses are the same). It cannot save its chain (no ``--state``): a run on it is not
kept, and ``review``/``owed`` later need a node that still runs (``--rpc``/``--deployment``).
See docs/CLIENTS.md for what differs from anvil.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from web3 import Web3

from .node import (PROJECT_ROOT, AnvilNode, NodeError, _terminate_with_parent, _wait_for, connect, free_port,
                   stop_process_group)

CLIENTS = ("anvil", "hardhat")
STOP_WAIT_S = 30.0
HARDHAT_CONFIG = PROJECT_ROOT / "tools" / "hardhat" / "hardhat.config.js"


def find_hardhat() -> str:
    local = PROJECT_ROOT / "node_modules" / "hardhat" / "internal" / "cli" / "cli.js"
    if local.exists():
        return str(local)
    raise NodeError("hardhat not found: run `make setup` (installs hardhat with npm)")


@dataclass
class HardhatNode:
    """A ``hardhat node`` on a free loopback port, started and stopped like :class:`AnvilNode`
    (a context manager; killed with its parent)."""

    port: int = 0
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> "HardhatNode":
        self.port = self.port or free_port()
        node = shutil.which("node")
        if node is None:
            raise NodeError("node (Node.js) not found on PATH: hardhat needs it")
        cmd = [node, find_hardhat(), "node", "--config", str(HARDHAT_CONFIG),
               "--hostname", "127.0.0.1", "--port", str(self.port)]
        env = {**os.environ, "HARDHAT_DISABLE_TELEMETRY_PROMPT": "true", "DO_NOT_TRACK": "1"}
        # stdout lists the dev accounts with their (public) keys and every request: not kept
        self.process = subprocess.Popen(cmd, cwd=HARDHAT_CONFIG.parent, env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, start_new_session=True,
                                        preexec_fn=_terminate_with_parent)
        try:
            _wait_for(self.url, self.process, timeout)
        except NodeError as exc:
            self.stop()
            raise NodeError(str(exc).replace("anvil", "hardhat node")) from None
        return self

    def stop(self) -> None:
        if self.process is not None:
            stop_process_group(self.process, STOP_WAIT_S)
            self.process = None

    def __enter__(self) -> "HardhatNode":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def embedded_node(client: str, **anvil_options) -> AnvilNode | HardhatNode:
    """An embedded node of ``client`` (anvil takes ``anvil_options``)."""
    if client == "hardhat":
        return HardhatNode()
    if client == "anvil":
        return AnvilNode(**anvil_options)
    raise NodeError(f"unknown client {client!r} (one of {', '.join(CLIENTS)})")


@contextmanager
def unkept_chain(client: str) -> Iterator[Web3]:
    """A fresh embedded node of ``client`` for one run, stopped after it, its chain not kept."""
    with embedded_node(client) as node:
        yield connect(node.url)
