"""A batch of optimistic settlement as contracts/optimistic/OptimisticSettlement.sol commits to it
(docs/OPTIMISTIC.md): per claim a leaf keccak256(abi.encode(keccak256(claim), rootBefore,
rootAfter)), the leaves in a Merkle tree whose pairs, from the left, hash keccak256(left ++ right)
level by level, an odd last node carried up as it is.

The roots the contract keeps are ``bytes28``: the top 28 bytes of a sparse Merkle root
(:func:`short_root`); ``abi.encode`` left-aligns each in a word, zeros on the right."""
from __future__ import annotations

from typing import Sequence

from eth_utils import keccak


SHORT_ROOT_BYTES = 28


def short_root(root: bytes) -> bytes:
    """The root the contract keeps of a 32-byte sparse Merkle root: Solidity's ``bytes28(root)``
    (a root already short is returned as it is)."""
    if len(root) not in (SHORT_ROOT_BYTES, 32):
        raise ValueError(f"a root is 28 or 32 bytes, not {len(root)}")
    return bytes(root[:SHORT_ROOT_BYTES])


def _word(root: bytes) -> bytes:
    """``abi.encode`` of a bytes28: left-aligned, zeros on the right."""
    return short_root(root) + bytes(32 - SHORT_ROOT_BYTES)


def leaf(claim: bytes, root_before: bytes, root_after: bytes) -> bytes:
    """A claim's leaf; the roots (28 or 32 bytes) are taken short."""
    return keccak(keccak(claim) + _word(root_before) + _word(root_after))


def leaves_of(claims: Sequence[bytes], pre_root: bytes, roots: Sequence[bytes]) -> list[bytes]:
    """The leaves of ``claims`` posted on ``pre_root`` with ``roots[i]`` after claim i (roots of
    28 or 32 bytes, taken short)."""
    before = [pre_root, *roots[:-1]]
    return [leaf(c, b, a) for c, b, a in zip(claims, before, roots, strict=True)]


def _levels(leaves: Sequence[bytes]) -> list[list[bytes]]:
    levels = [list(leaves)]
    while len(levels[-1]) > 1:
        nodes = levels[-1]
        levels.append([keccak(nodes[i] + nodes[i + 1]) if i + 1 < len(nodes) else nodes[i]
                       for i in range(0, len(nodes), 2)])
    return levels


def leaf_root(leaves: Sequence[bytes]) -> bytes:
    return _levels(leaves)[-1][0] if leaves else bytes(32)


def leaf_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The siblings of leaf ``index`` from the leaf up (none where the node is carried up)."""
    proof = []
    for nodes in _levels(leaves)[:-1]:
        sibling = index ^ 1
        if sibling < len(nodes):
            proof.append(nodes[sibling])
        index >>= 1
    return proof
