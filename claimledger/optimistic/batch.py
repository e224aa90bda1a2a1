"""A batch of optimistic settlement as contracts/optimistic/OptimisticSettlement.sol commits to it
(docs/OPTIMISTIC.md): per claim a leaf keccak256(abi.encode(keccak256(claim), rootBefore,
rootAfter)), the leaves in a Merkle tree whose pairs, from the left, hash keccak256(left ++ right)
level by level, an odd last node carried up as it is."""
from __future__ import annotations

from typing import Sequence

from eth_utils import keccak


def leaf(claim: bytes, root_before: bytes, root_after: bytes) -> bytes:
    return keccak(keccak(claim) + root_before + root_after)


def leaves_of(claims: Sequence[bytes], pre_root: bytes, roots: Sequence[bytes]) -> list[bytes]:
    """The leaves of ``claims`` posted on ``pre_root`` with ``roots[i]`` after claim i."""
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
