"""Merkle trees as OpenZeppelin's ``MerkleProof`` checks them (sorted pairs), over leaves that
each name their file and place, so that a row moved, swapped or dropped changes the leaves.

    digest = keccak256(content)                      a row's bytes (no line end), or a whole file
    leaf   = keccak256(keccak256(abi.encode(string name, uint256 index, bytes32 digest)))

Double hashing keeps a leaf from being taken for an inner node (OpenZeppelin's
``StandardMerkleTree`` does the same). A level of odd length carries its last node up.
Pure functions: no I/O (``anchoring`` reads the files).
"""
from __future__ import annotations

from eth_abi import encode
from eth_utils import keccak


def leaf(name: str, index: int, digest: bytes) -> bytes:
    """The leaf of row or file ``index`` of ``name`` whose content hashes to ``digest``."""
    return keccak(keccak(encode(["string", "uint256", "bytes32"], [name, index, digest])))


def _pair(a: bytes, b: bytes) -> bytes:
    return keccak(a + b) if a < b else keccak(b + a)


def levels(leaves: list[bytes]) -> list[list[bytes]]:
    """Every level of the tree, the leaves first and the root last."""
    if not leaves:
        raise ValueError("a Merkle tree needs at least one leaf")
    out = [list(leaves)]
    while len(out[-1]) > 1:
        level = out[-1]
        up = [_pair(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            up.append(level[-1])
        out.append(up)
    return out


def root(leaves: list[bytes]) -> bytes:
    return levels(leaves)[-1][0]


def proof(tree: list[list[bytes]], index: int) -> list[bytes]:
    """The sibling hashes from leaf ``index`` up to the root (``tree`` from :func:`levels`)."""
    path = []
    for level in tree[:-1]:
        sibling = index ^ 1
        if sibling < len(level):
            path.append(level[sibling])
        index //= 2
    return path


def process(leaf_hash: bytes, path: list[bytes]) -> bytes:
    """The root that ``leaf_hash`` and its ``path`` hash to (``MerkleProof.processProof``)."""
    node = leaf_hash
    for sibling in path:
        node = _pair(node, sibling)
    return node
