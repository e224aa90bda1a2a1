"""Integrity anchoring of runs (Guardtime KSI's idea, docs/PRIVACY.md, R-36): each run anchors
on the privacy ledger one Merkle root over its inputs and outputs, and each later export batch
one of its own; never one per claim.

Leaves (:mod:`.merkle`): each input file of the scenario (``input/<name>``) whole; every row of
``results.csv`` and ``rejects.csv`` (row 0 the header, then 1, 2, ... without the line end) and
each of those files whole (``<name>#file``, so line ends count too); each exported file whole
(``export/<name>``). ``RUN_DIR/anchors.json`` lists the anchors, each with its id, root, block
and files; ``RUN_DIR/anchors/<n>.digests`` keeps the content digest of each leaf (32 bytes
each, in leaf order), from which :mod:`.verify` tells what differs. Neither needs to be trusted:
the leaves they give must hash to the root on chain.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path

from eth_utils import keccak

from ..atomic import write_bytes_atomically, write_text_atomically
from . import merkle

ANCHORS_FILE = "anchors.json"
DIGESTS_DIR = "anchors"
ROW_FILES = ("results.csv", "rejects.csv")
WHOLE = "#file"
ANCHOR_GAS = 200_000


@dataclass
class AnchoredFile:
    """One file of an anchor: its leaves start at ``first``; ``rows`` rows (header included) or
    None when the file is one leaf."""

    name: str
    first: int
    rows: int | None = None


@dataclass
class Anchor:
    anchor_id: str  # 0x hex, the ledger's key
    root: str
    leaves: int
    digests: str  # file under RUN_DIR
    files: list[AnchoredFile] = field(default_factory=list)
    block: int | None = None
    tx: str | None = None

    def entry(self, name: str) -> AnchoredFile | None:
        return next((f for f in self.files if f.name == name), None)


def split_rows(data: bytes) -> list[bytes]:
    """A CSV file's rows without their line ends (CRLF or LF)."""
    rows = data.split(b"\n")
    if rows and rows[-1] == b"":
        rows.pop()
    return [r[:-1] if r.endswith(b"\r") else r for r in rows]


def file_digest(path: Path) -> bytes:
    from Crypto.Hash import keccak as streaming

    h = streaming.new(digest_bits=256)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.digest()


@dataclass
class LeafSet:
    """Leaves being gathered: (name, index, digest) in order, and the files they came from."""

    items: list[tuple[str, int, bytes]] = field(default_factory=list)
    files: list[AnchoredFile] = field(default_factory=list)

    def add_file(self, name: str, path: Path) -> None:
        self.files.append(AnchoredFile(name, len(self.items)))
        self.items.append((name, 0, file_digest(path)))

    def add_rows(self, name: str, path: Path) -> None:
        rows = split_rows(path.read_bytes())
        self.files.append(AnchoredFile(name, len(self.items), len(rows)))
        self.items += [(name, index, keccak(row)) for index, row in enumerate(rows)]
        self.add_file(name + WHOLE, path)

    def leaves(self) -> list[bytes]:
        return [merkle.leaf(name, index, digest) for name, index, digest in self.items]


def run_leaves(scenario_dir: Path, run_dir: Path) -> LeafSet:
    """The leaves of a run: the scenario's input files, then the results and rejects rows."""
    from ..scenario import (AUTHORIZATIONS_FILE, CLAIMS_FILE, MEMBERS_FILE, PLANS_FILE, PROVIDERS_FILE,
                            ROSTER_FILE)

    found = LeafSet()
    for name in (PLANS_FILE, MEMBERS_FILE, PROVIDERS_FILE, AUTHORIZATIONS_FILE, ROSTER_FILE, CLAIMS_FILE):
        if (Path(scenario_dir) / name).is_file():
            found.add_file(f"input/{name}", Path(scenario_dir) / name)
    for name in ROW_FILES:
        if (Path(run_dir) / name).is_file():
            found.add_rows(name, Path(run_dir) / name)
    return found


def export_leaves(paths: list[Path]) -> LeafSet:
    found = LeafSet()
    for path in paths:
        found.add_file(f"export/{Path(path).name}", Path(path))
    return found


def read_anchors(run_dir: Path) -> list[Anchor]:
    path = Path(run_dir) / ANCHORS_FILE
    if not path.is_file():
        return []
    return [Anchor(**{**a, "files": [AnchoredFile(**f) for f in a["files"]]})
            for a in json.loads(path.read_text())["anchors"]]


def read_digests(run_dir: Path, anchor: Anchor) -> list[bytes]:
    data = (Path(run_dir) / anchor.digests).read_bytes()
    return [data[i:i + 32] for i in range(0, len(data), 32)]


def anchor_leaves(dep, records_officer_key: str, run_dir: Path, found: LeafSet) -> Anchor:
    """Anchors ``found``'s root on the privacy ledger as the records officer, then records the
    anchor in ``RUN_DIR/anchors.json`` with its digests."""
    from ..chain import PRIVACY
    from ..sender import TxSender

    run_dir = Path(run_dir)
    anchors = read_anchors(run_dir)
    root = merkle.root(found.leaves())
    anchor_id = keccak(b"claimledger-anchor" + root + secrets.token_bytes(16))
    digests = f"{DIGESTS_DIR}/{len(anchors) + 1}.digests"
    (run_dir / DIGESTS_DIR).mkdir(exist_ok=True)
    write_bytes_atomically(run_dir / digests, b"".join(digest for _, _, digest in found.items))
    ledger = dep[PRIVACY]
    data = ledger.encode_abi("anchor", args=[anchor_id, root, len(found.items)])
    receipt = TxSender(dep.w3, records_officer_key).transact(ledger.address, data, ANCHOR_GAS)
    anchor = Anchor("0x" + anchor_id.hex(), "0x" + root.hex(), len(found.items), digests, found.files,
                    receipt["blockNumber"], "0x" + bytes(receipt["transactionHash"]).hex())
    anchors.append(anchor)
    write_text_atomically(run_dir / ANCHORS_FILE, json.dumps({"anchors": [asdict(a) for a in anchors]}, indent=2) + "\n")
    return anchor


def anchor_run(dep, records_officer_key: str, scenario_dir: Path, run_dir: Path) -> Anchor:
    """A run's anchor: its inputs and its results and rejects rows."""
    return anchor_leaves(dep, records_officer_key, run_dir, run_leaves(scenario_dir, run_dir))


def anchor_exports(run_dir: Path, paths: list[Path], rpc: str | None = None) -> Anchor | None:
    """Anchors exported files of a run on its chain, as a batch; None for a run whose chain
    is not there to anchor on (a reference run, a chain not kept, a deployment older than the
    privacy ledger)."""
    from ..chain import PRIVACY
    from ..keys import load_keys
    from .opening import has_chain, opened

    if not has_chain(Path(run_dir)):
        return None
    keys, _ = load_keys()
    with opened(Path(run_dir), rpc) as dep:
        if PRIVACY not in dep.addresses:
            return None
        return anchor_leaves(dep, keys.records_officer, run_dir, export_leaves(paths))
