"""The sparse Merkle tree of optimistic settlement, the same as contracts/libraries/SparseMerkle.sol.

256 levels keyed by a 256-bit key (an engine storage slot). The path bit at depth d (d = 0 just
below the root) is bit 255 - d of the key, so a node at height h (h = 0 at the leaves) is named
by ``key >> h``. An empty subtree hashes to zero; a leaf of value v != 0 hashes to
keccak256(abi.encode(key, v)) and value 0 is absent; an internal node is zero if both children
are, else keccak256(left ++ right).

A proof of a key is its 256 siblings, compressed: a bitmap (bit i set iff the sibling at height i
is not zero) and the non-zero siblings from the leaf up. :func:`compute_root` is the contract's
``computeRoot`` step for step: the root of a tree given some keys' values and their proofs, so it
both verifies pre-values against a posted root and gives the root after new values.

:class:`SparseMerkleTree` keeps only the leaves and the branch points (a compressed binary trie,
each child slot with its hash at the height just below its parent), so 100,000 leaves take
memory for about 200,000 nodes, not 25 million; an update still hashes 256 times, as the tree's
definition requires (in C where a compiler is at hand: keccak64.py).
"""
from __future__ import annotations

from bisect import bisect_left
from typing import Iterable, Sequence

from .keccak64 import chain as _chain
from .keccak64 import keccak64 as keccak

HEIGHT = 256
ZERO = b"\x00" * 32
Proof = tuple[int, list[bytes]]  # (bitmap, non-zero siblings from the leaf up)


class SmtError(ValueError):
    """What the contract reverts with: unsorted keys, lengths that differ, a malformed proof."""


def leaf_hash(key: int, value: int) -> bytes:
    """The hash of a leaf: zero for value 0 (absent), else keccak256(abi.encode(key, value))."""
    if value == 0:
        return ZERO
    return keccak(key.to_bytes(32, "big") + value.to_bytes(32, "big"))


def node_hash(left: bytes, right: bytes) -> bytes:
    if left == ZERO and right == ZERO:
        return ZERO
    return keccak(left + right)


def compute_root(keys: Sequence[int], values: Sequence[int], proofs: Sequence[Proof]) -> bytes:
    """SparseMerkle.computeRoot: level by level from the leaves up; keys whose nodes are
    siblings merge (the left key's proof goes on), a key alone takes its sibling from its
    proof. Raises :class:`SmtError` where the contract reverts."""
    n = len(keys)
    if n == 0:
        raise SmtError("NoKeys")
    if len(values) != n or len(proofs) != n:
        raise SmtError("LengthMismatch")
    for i in range(1, n):
        if keys[i] <= keys[i - 1]:
            raise SmtError(f"UnsortedKeys({i})")
    for i, (bitmap, siblings) in enumerate(proofs):
        if bitmap.bit_count() != len(siblings):
            raise SmtError(f"MalformedProof({i})")
    # active entries: [key, hash, proof index, next sibling position]
    live = [[keys[i], leaf_hash(keys[i], values[i]), i, 0] for i in range(n)]
    for height in range(HEIGHT):
        merged = []
        i = 0
        m = len(live)
        while i < m:
            key, h, p, at = live[i]
            bitmap, siblings = proofs[p]
            own = (bitmap >> height) & 1
            if i + 1 < m and live[i + 1][0] >> (height + 1) == key >> (height + 1):
                # key's node is the left child (keys ascend), the next one's the right
                merged.append([key, node_hash(h, live[i + 1][1]), p, at + own])
                i += 2
                continue
            sibling = siblings[at] if own else ZERO
            if (key >> height) & 1:
                h = node_hash(sibling, h)
            else:
                h = node_hash(h, sibling)
            merged.append([key, h, p, at + own])
            i += 1
        live = merged
    return live[0][1]


class SparseMerkleTree:
    """The tree of the rules' state: ``update``, ``root``, ``proof``, ``proofs``.

    A node is a leaf (height 0, named by its key) or a branch (both children non-empty, named
    by its height and ``key >> height``). ``_slots[(h, prefix)]`` is a branch's two child slots,
    each ``[child height, child prefix, hash at height h - 1]``; ``_top`` is the root's slot.
    """

    def __init__(self, leaves: Iterable[tuple[int, int]] = ()):
        self._values: dict[int, int] = {}
        self._slots: dict[tuple[int, int], list[list]] = {}
        self._top: list | None = None  # [child height, child prefix, hash at height 256]
        for key, value in leaves:
            self.update(key, value)

    @classmethod
    def from_leaves(cls, leaves: Iterable[tuple[int, int]]) -> "SparseMerkleTree":
        """A tree of many leaves at once (the genesis of a deployment), built bottom-up: each
        node hashed once, about half the hashing of inserting the leaves one by one."""
        tree = cls()
        values = {k: v for k, v in leaves}
        for key, value in values.items():
            if not 0 <= key < 1 << HEIGHT or not 0 <= value < 1 << HEIGHT:
                raise SmtError("key and value are 256-bit words")
        tree._values = {k: v for k, v in values.items() if v}
        keys = sorted(tree._values)
        if not keys:
            return tree

        def build(lo: int, hi: int) -> tuple[int, int, bytes]:
            """(height, prefix, hash at that height) of the node holding keys[lo:hi]."""
            if hi - lo == 1:
                return 0, keys[lo], leaf_hash(keys[lo], tree._values[keys[lo]])
            branch = (keys[lo] ^ keys[hi - 1]).bit_length()  # its children are at branch - 1
            prefix = keys[lo] >> branch
            mid = bisect_left(keys, (prefix << branch) | (1 << (branch - 1)), lo, hi)
            slots = []
            for height, child, h in (build(lo, mid), build(mid, hi)):
                slots.append([height, child, _chain(h, child << height, height, branch - 1)])
            tree._slots[(branch, prefix)] = slots
            return branch, prefix, node_hash(slots[0][2], slots[1][2])

        height, prefix, h = build(0, len(keys))
        tree._top = [height, prefix, _chain(h, prefix << height, height, HEIGHT)]
        return tree

    def __len__(self) -> int:
        return len(self._values)

    def get(self, key: int) -> int:
        return self._values.get(key, 0)

    @property
    def root(self) -> bytes:
        return ZERO if self._top is None else self._top[2]

    def items(self):
        return self._values.items()

    # ------------------------------------------------------------------ updates

    def update(self, key: int, value: int) -> None:
        """Sets ``key`` to ``value`` (0 removes it) and rehashes its path."""
        if not 0 <= key < 1 << HEIGHT or not 0 <= value < 1 << HEIGHT:
            raise SmtError("key and value are 256-bit words")
        if value == 0:
            if key in self._values:
                self._remove(key)
            return
        present = key in self._values
        if present and self._values[key] == value:
            return  # a slot the claim only read: nothing to rehash
        self._values[key] = value
        if self._top is None:
            self._top = [0, key, _chain(leaf_hash(key, value), key, 0, HEIGHT)]
            return
        path = self._descend(key)  # slots from the root down, the last one where key stops
        slot = path[-1]
        if not present:
            height, prefix = slot[0], slot[1]
            # the new branch where key's path leaves the slot's child
            branch = height + ((key >> height) ^ prefix).bit_length()
            old = [height, prefix, _chain(self._hash_of(height, prefix), prefix << height, height, branch - 1)]
            new = [0, key, _chain(leaf_hash(key, value), key, 0, branch - 1)]
            self._slots[(branch, key >> branch)] = [new, old] if (key >> (branch - 1)) & 1 == 0 else [old, new]
            slot[0], slot[1] = branch, key >> branch
        self._rehash(path, key)

    def _remove(self, key: int) -> None:
        del self._values[key]
        path = self._descend(key)
        if len(path) == 1:  # the only leaf
            self._top = None
            return
        parent_slot = path[-2]  # the slot of the branch whose child the leaf is
        branch = (parent_slot[0], parent_slot[1])
        left, right = self._slots.pop(branch)
        other = right if path[-1] is left else left
        parent_slot[0], parent_slot[1] = other[0], other[1]
        path.pop()
        self._rehash(path, key)

    def _descend(self, key: int) -> list[list]:
        """The slots on key's way down: the root's, then each branch's child slot on key's side,
        to the first slot whose child is a leaf or does not hold key."""
        slot = self._top
        path = [slot]
        while True:
            height, prefix = slot[0], slot[1]
            if height == 0 or key >> height != prefix:
                return path
            slot = self._slots[(height, prefix)][(key >> (height - 1)) & 1]
            path.append(slot)

    def _hash_of(self, height: int, prefix: int) -> bytes:
        """The hash of a node at its own height."""
        if height == 0:
            return leaf_hash(prefix, self._values[prefix])
        left, right = self._slots[(height, prefix)]
        return node_hash(left[2], right[2])

    def _rehash(self, path: list[list], key: int) -> None:
        """Recomputes each slot's hash on ``path`` from the bottom up."""
        for depth in range(len(path) - 1, -1, -1):
            slot = path[depth]
            top = HEIGHT if depth == 0 else path[depth - 1][0] - 1
            slot[2] = _chain(self._hash_of(slot[0], slot[1]), slot[1] << slot[0], slot[0], top)

    # ------------------------------------------------------------------ proofs

    def siblings(self, key: int) -> list[bytes]:
        """The 256 siblings of key's path, from the leaf up (zero where empty)."""
        out = [ZERO] * HEIGHT
        slot = self._top
        while slot is not None:
            height, prefix, _ = slot
            if key >> height != prefix:
                # key's path leaves the slot's child below the slot: the child, chained up to
                # the height just below where they part, is key's sibling there
                part = height + ((key >> height) ^ prefix).bit_length()
                out[part - 1] = _chain(self._hash_of(height, prefix), prefix << height, height, part - 1)
                break
            if height == 0:
                break
            left, right = self._slots[(height, prefix)]
            side = (key >> (height - 1)) & 1
            out[height - 1] = (left, right)[1 - side][2]
            slot = (left, right)[side]
        return out

    def proof(self, key: int) -> Proof:
        bitmap = 0
        nonzero = []
        for height, sibling in enumerate(self.siblings(key)):
            if sibling != ZERO:
                bitmap |= 1 << height
                nonzero.append(sibling)
        return bitmap, nonzero

    def proofs(self, keys: Iterable[int]) -> list[Proof]:
        return [self.proof(k) for k in keys]
