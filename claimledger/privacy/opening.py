"""The deployment of a run or deployment directory, opened on its node with its pseudonyms,
for the privacy commands."""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..chain import Deployment
from ..deployment_dir import DEPLOYMENTS_FILE, RPC_ENV, open_deployment, read_document, run_node
from ..node import CHAIN_STATE_FILE, kept_state


def has_chain(directory: Path) -> bool:
    """Whether a run directory's chain can be reopened: its saved embedded chain, its
    deployment's node, a node it recorded or ``CLAIMLEDGER_RPC`` names (not a reference run,
    not a chain not kept)."""
    file = Path(directory) / DEPLOYMENTS_FILE
    if not file.is_file():
        return False
    document = read_document(Path(directory))
    return (kept_state(Path(directory) / CHAIN_STATE_FILE) is not None
            or bool(document.get("deployment") or document.get("rpc") or os.environ.get(RPC_ENV)))


@contextmanager
def opened(directory: Path, rpc: str | None = None) -> Iterator[Deployment]:
    """The deployment of ``directory`` (a run's saved embedded chain, a run on a deployment
    that lives, a deployment directory, or a run made with ``--rpc``) on its node."""
    directory = Path(directory)
    document = read_document(directory)
    if kept_state(directory / CHAIN_STATE_FILE) is None and not document.get("deployment"):
        yield open_deployment(directory, rpc)  # a deployment directory, or a run made with --rpc
        return
    with run_node(directory, rpc) as w3:
        yield Deployment.load(w3, directory / DEPLOYMENTS_FILE)
