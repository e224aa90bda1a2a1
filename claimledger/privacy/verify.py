"""``claimledger verify``: a file, a row of it, or an appeal document against what the chain
anchored (R-36, R-37). Each check ends in one line: what was verified, or what differs.

A row is checked by its leaf and proof against the root on chain (the ledger's ``verifyLeaf``);
a whole file by its digest, and, when that differs, row by row against the anchored digests,
which must themselves hash to the root on chain, so that the line says which row changed, moved
or went missing.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from eth_utils import keccak

from . import merkle
from .anchoring import WHOLE, Anchor, AnchoredFile, file_digest, read_anchors, read_digests, split_rows


class VerifyFailed(RuntimeError):
    """Nothing to verify against (no anchor, no chain record): one line."""


@dataclass(frozen=True)
class Verdict:
    ok: bool
    line: str


def find_entry(run_dir: Path, path: Path) -> tuple[Anchor, AnchoredFile]:
    """The anchor and file entry that ``path`` was anchored as, by its name: an output of the
    run (results.csv, rejects.csv), else an input, else an export (the latest anchor first)."""
    names = [path.name, f"input/{path.name}", f"export/{path.name}"]
    anchors = read_anchors(run_dir)
    for name in names:
        for anchor in reversed(anchors):
            if (entry := anchor.entry(name)) is not None:
                return anchor, entry
    raise VerifyFailed(f"{path}: not anchored by the run in {run_dir} (see its anchors.json)")


def chain_root(ledger, anchor: Anchor) -> bytes:
    record = ledger.functions.anchorOf(bytes.fromhex(anchor.anchor_id[2:])).call()
    if bytes(record[0]) == b"\0" * 32:
        raise VerifyFailed(f"anchor {anchor.anchor_id[:18]}... is not on this chain")
    return bytes(record[0])


def anchored_leaves(run_dir: Path, anchor: Anchor, root: bytes) -> tuple[list[bytes], list[bytes]]:
    """The anchor's digests and leaves, checked against the root on chain."""
    digests = read_digests(run_dir, anchor)
    names = [(f.name, f.rows) for f in anchor.files]
    items = []
    for name, rows in names:
        items += [(name, i) for i in range(rows)] if rows is not None else [(name, 0)]
    if len(items) != len(digests):
        raise VerifyFailed(f"{anchor.digests}: {len(digests)} digests for {len(items)} leaves: the record was altered")
    leaves = [merkle.leaf(name, index, digest) for (name, index), digest in zip(items, digests)]
    if merkle.root(leaves) != root:
        raise VerifyFailed(f"{anchor.digests}: does not hash to the root anchored on chain: the record was altered")
    return digests, leaves


def verify_path(ledger, run_dir: Path, path: Path, row: int | None = None) -> Verdict:
    """Checks ``path`` (or its row ``row``, 0 the header) against the run's anchor."""
    path = Path(path)
    if not path.is_file():
        raise VerifyFailed(f"{path}: no such file")
    anchor, entry = find_entry(run_dir, path)
    root = chain_root(ledger, anchor)
    digests, leaves = anchored_leaves(run_dir, anchor, root)
    where = f"anchored in block {anchor.block} (root {anchor.root[:18]}...)"
    if entry.rows is None:
        if row is not None:
            raise VerifyFailed(f"{path}: anchored as a whole file; --row applies to results.csv and rejects.csv")
        return _whole(ledger, anchor, entry, path, leaves, where)
    rows = split_rows(path.read_bytes())
    anchored = digests[entry.first:entry.first + entry.rows]
    if row is not None:
        return _row(ledger, anchor, entry, path, rows, anchored, leaves, row, where)
    whole = anchor.entry(entry.name + WHOLE)
    if whole is not None and file_digest(path) == digests[whole.first]:
        return Verdict(True, f"{path.name}: {len(rows) - 1} row(s) and header as {where}")
    return Verdict(False, f"{path.name}: {_difference([keccak(r) for r in rows], anchored)}")


def _whole(ledger, anchor: Anchor, entry: AnchoredFile, path: Path, leaves: list[bytes], where: str) -> Verdict:
    digest = file_digest(path)
    leaf = merkle.leaf(entry.name, 0, digest)
    proof = merkle.proof(merkle.levels(leaves), entry.first)
    if ledger.functions.verifyLeaf(bytes.fromhex(anchor.anchor_id[2:]), leaf, proof).call():
        return Verdict(True, f"{path.name}: as {where}")
    return Verdict(False, f"{path.name}: differs from the anchored file (keccak 0x{digest.hex()[:16]}...)")


def _row(ledger, anchor, entry, path, rows, anchored, leaves, row, where) -> Verdict:
    if row < 0 or row >= entry.rows:
        return Verdict(False, f"{path.name} row {row}: not in the anchored file (rows 1-{entry.rows - 1}, 0 the header)")
    if row >= len(rows):
        return Verdict(False, f"{path.name} row {row}: missing (the file has {len(rows) - 1} rows, "
                              f"{entry.rows - 1} were anchored)")
    digest = keccak(rows[row])
    leaf = merkle.leaf(entry.name, row, digest)
    proof = merkle.proof(merkle.levels(leaves), entry.first + row)
    if ledger.functions.verifyLeaf(bytes.fromhex(anchor.anchor_id[2:]), leaf, proof).call():
        return Verdict(True, f"{path.name} row {row}: as {where}, proof of {len(proof)} hashes")
    if digest in anchored:
        return Verdict(False, f"{path.name} row {row}: anchored as row {anchored.index(digest)}, not {row} (rows moved)")
    return Verdict(False, f"{path.name} row {row}: differs from the anchored row")


def _difference(now: list[bytes], anchored: list[bytes]) -> str:
    """One line: how the file's rows differ from the anchored ones."""
    if now == anchored:
        return "same rows as anchored, but other bytes between them (line ends) differ"
    first = next((i for i, (a, b) in enumerate(zip(now, anchored)) if a != b), min(len(now), len(anchored)))
    if len(now) < len(anchored):
        gone = len(anchored) - len(now)
        if now[first:] == anchored[first + gone:]:
            return f"row {first} dropped" if gone == 1 else f"rows {first}-{first + gone - 1} dropped"
    elif len(now) > len(anchored):
        added = len(now) - len(anchored)
        if now[first + added:] == anchored[first:]:
            return f"row {first} added" if added == 1 else f"rows {first}-{first + added - 1} added"
    elif sorted(now) == sorted(anchored):
        return f"rows reordered: row {first} is anchored as row {anchored.index(now[first])}"
    changed = [i for i, (a, b) in enumerate(zip(now, anchored)) if a != b]
    if len(now) == len(anchored):
        listed = ", ".join(str(i) for i in changed[:5]) + (", ..." if len(changed) > 5 else "")
        if len(changed) == 1:
            return f"row {listed} differs from the anchored row"
        return f"rows {listed} differ from the anchored rows"
    return f"{len(now) - 1} rows where {len(anchored) - 1} were anchored; the first difference is at row {first}"


def verify_document(engine, claim_key: bytes, line: int, document: Path, claim_id: str) -> Verdict:
    """An appeal letter against the hash the engine recorded with the appeal (R-13)."""
    if not Path(document).is_file():
        raise VerifyFailed(f"{document}: no such file")
    state, _carc, recorded = engine.functions.appealOf(claim_key, line).call()
    recorded = bytes(recorded)
    if state == 0:  # AppealState.None
        raise VerifyFailed(f"{claim_id} line {line}: no appeal recorded on chain")
    digest = keccak(Path(document).read_bytes())
    if digest == recorded:
        return Verdict(True, f"{Path(document).name}: the document of the appeal of {claim_id} line {line}")
    return Verdict(False, f"{Path(document).name}: differs from the appeal document of {claim_id} line {line} "
                          f"(keccak 0x{digest.hex()[:16]}..., recorded 0x{recorded.hex()[:16]}...)")
