"""The Python sparse Merkle tree (claimledger/optimistic/smt.py) against a plain level-by-level
recomputation of the definition, and its proofs through compute_root, the contract's algorithm."""
import random

import pytest

from claimledger.optimistic.smt import (
    ZERO,
    SmtError,
    SparseMerkleTree,
    compute_root,
    leaf_hash,
    node_hash,
)


def definition_root(values: dict[int, int]) -> bytes:
    """The root straight from the definition: every level of the 256, from the leaves up."""
    level = {k: leaf_hash(k, v) for k, v in values.items() if v}
    for _ in range(256):
        parents = {k >> 1 for k in level}
        level = {p: node_hash(level.get(2 * p, ZERO), level.get(2 * p + 1, ZERO)) for p in parents}
        level = {p: h for p, h in level.items() if h != ZERO}
    return level.get(0, ZERO)


def random_key(rng: random.Random) -> int:
    # short keys share long paths (deep merges); long ones part near the root
    return rng.getrandbits(rng.choice([3, 8, 256]))


def test_empty_tree_and_one_leaf():
    tree = SparseMerkleTree()
    assert tree.root == ZERO
    tree.update(5, 9)
    assert tree.root == definition_root({5: 9})
    tree.update(5, 0)
    assert tree.root == ZERO and len(tree) == 0


@pytest.mark.parametrize("seed", range(8))
def test_root_after_each_update_equals_the_definition(seed):
    rng = random.Random(seed)
    tree, values = SparseMerkleTree(), {}
    keys = [random_key(rng) for _ in range(25)]
    for _ in range(80):
        key = rng.choice(keys)
        value = 0 if rng.random() < 0.25 else rng.getrandbits(rng.choice([1, 256]))
        tree.update(key, value)
        values[key] = value
        assert tree.root == definition_root(values)


@pytest.mark.parametrize("seed", range(6))
def test_proofs_of_present_and_absent_keys_give_the_root(seed):
    rng = random.Random(100 + seed)
    tree = SparseMerkleTree((random_key(rng), rng.getrandbits(256) | 1) for _ in range(40))
    present = sorted(k for k, _ in tree.items())
    for key in rng.sample(present, 10) + [random_key(rng) for _ in range(10)]:
        assert compute_root([key], [tree.get(key)], [tree.proof(key)]) == tree.root
    keys = sorted(set(rng.sample(present, 12) + [random_key(rng) for _ in range(6)]))
    assert compute_root(keys, [tree.get(k) for k in keys], tree.proofs(keys)) == tree.root


@pytest.mark.parametrize("seed", range(6))
def test_compute_root_with_new_values_is_the_root_after_the_updates(seed):
    rng = random.Random(200 + seed)
    tree = SparseMerkleTree((random_key(rng), rng.getrandbits(256) | 1) for _ in range(60))
    present = [k for k, _ in tree.items()]
    keys = sorted(set(rng.sample(present, 8) + [random_key(rng) for _ in range(4)]))
    proofs = tree.proofs(keys)
    new = [0 if rng.random() < 0.3 else rng.getrandbits(256) for _ in keys]
    after = compute_root(keys, new, proofs)
    for key, value in zip(keys, new):
        tree.update(key, value)
    assert after == tree.root


def test_a_wrong_value_gives_another_root():
    tree = SparseMerkleTree([(1, 1), (2, 2), (3, 3)])
    assert compute_root([2], [5], [tree.proof(2)]) != tree.root
    assert compute_root([4], [0], [tree.proof(4)]) == tree.root  # absent: value 0


def test_rejects_unsorted_keys_mismatched_lengths_and_malformed_proofs():
    tree = SparseMerkleTree([(1, 1), (2, 2)])
    proofs = tree.proofs([1, 2])
    with pytest.raises(SmtError, match="UnsortedKeys"):
        compute_root([2, 1], [2, 1], proofs[::-1])
    with pytest.raises(SmtError, match="UnsortedKeys"):
        compute_root([1, 1], [1, 1], [proofs[0]] * 2)
    with pytest.raises(SmtError, match="LengthMismatch"):
        compute_root([1, 2], [1], proofs)
    with pytest.raises(SmtError, match="NoKeys"):
        compute_root([], [], [])
    bitmap, siblings = proofs[0]
    with pytest.raises(SmtError, match="MalformedProof"):
        compute_root([1], [1], [(bitmap, siblings + [b"\x01" * 32])])


@pytest.mark.parametrize("seed", range(4))
def test_a_tree_built_at_once_is_the_tree_built_leaf_by_leaf(seed):
    rng = random.Random(300 + seed)
    leaves = [(random_key(rng), rng.choice([0, rng.getrandbits(256)])) for _ in range(70)]
    incremental = SparseMerkleTree(leaves)
    built = SparseMerkleTree.from_leaves(leaves)
    assert built.root == incremental.root == definition_root(dict(leaves))
    for key in [k for k, _ in leaves[:10]] + [random_key(rng) for _ in range(5)]:
        assert built.proof(key) == incremental.proof(key)
    key, value = leaves[3][0], 12345
    built.update(key, value)
    incremental.update(key, value)
    assert built.root == incremental.root
    assert SparseMerkleTree.from_leaves([]).root == ZERO


def test_setting_a_leaf_to_the_value_it_has_changes_nothing():
    # the shadow sets every slot a claim read, most of them to the value they had
    tree = SparseMerkleTree([(1, 2), (3, 4), (1 << 200, 5)])
    root, values = tree.root, dict(tree.items())
    for key, value in list(values.items()):
        tree.update(key, value)
    assert tree.root == root == definition_root(values)
    tree.update(3, 7)
    assert tree.root == definition_root({**values, 3: 7})
