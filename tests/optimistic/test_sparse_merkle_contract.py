"""contracts/libraries/SparseMerkle.sol (through contracts/test/SparseMerkleHarness.sol) computes
the roots claimledger/optimistic/smt.py computes, from the same proofs, and reverts with its
custom errors where the Python raises; and what computeRoot costs on a tree of 10,000 leaves."""
import random

import brownie
import pytest

from claimledger.optimistic.smt import SparseMerkleTree, compute_root
from tests.contracts.helpers import err


def b32(x: int) -> bytes:
    return x.to_bytes(32, "big")


def call_args(keys, values, proofs):
    return [b32(k) for k in keys], [b32(v) for v in values], [(bitmap, list(s)) for bitmap, s in proofs]


@pytest.fixture(scope="module")
def smt(SparseMerkleHarness, admin):
    return SparseMerkleHarness.deploy({"from": admin})


@pytest.fixture(scope="module")
def big_tree():
    rng = random.Random(10_000)
    return SparseMerkleTree((rng.getrandbits(256), rng.getrandbits(256)) for _ in range(10_000))


def test_leaf_hash(smt):
    from claimledger.optimistic.smt import leaf_hash

    assert bytes(smt.leafHash(b32(7), b32(9))) == leaf_hash(7, 9)
    assert bytes(smt.leafHash(b32(7), b32(0))) == b"\0" * 32


@pytest.mark.parametrize("seed", range(6))
def test_roots_equal_pythons_before_and_after_new_values(smt, seed):
    rng = random.Random(seed)
    width = rng.choice([4, 10, 256])  # narrow keys: deep shared paths and many merges
    tree = SparseMerkleTree((rng.getrandbits(width), rng.getrandbits(256) | 1) for _ in range(50))
    present = [k for k, _ in tree.items()]
    keys = sorted(set(rng.sample(present, min(len(present), 7)) + [rng.getrandbits(width) for _ in range(3)]))
    proofs = tree.proofs(keys)
    pre = [tree.get(k) for k in keys]
    assert bytes(smt.computeRoot(*call_args(keys, pre, proofs))) == tree.root
    post = [0 if rng.random() < 0.3 else rng.getrandbits(256) for _ in keys]
    expected = compute_root(keys, post, proofs)
    for k, v in zip(keys, post):
        tree.update(k, v)
    assert expected == tree.root
    assert bytes(smt.computeRoot(*call_args(keys, post, proofs))) == tree.root


def test_a_wrong_pre_value_gives_another_root(smt):
    tree = SparseMerkleTree([(1, 1), (2, 2), (1 << 255, 3)])
    args = call_args([2], [4], [tree.proof(2)])
    assert bytes(smt.computeRoot(*args)) != tree.root


def test_custom_errors(smt):
    tree = SparseMerkleTree([(1, 1), (2, 2)])
    p1, p2 = tree.proof(1), tree.proof(2)
    with brownie.reverts(err("UnsortedKeys", 1)):
        smt.computeRoot(*call_args([2, 1], [2, 1], [p2, p1]))
    with brownie.reverts(err("UnsortedKeys", 1)):
        smt.computeRoot(*call_args([1, 1], [1, 1], [p1, p1]))
    with brownie.reverts(err("LengthMismatch", 2, 1, 2)):
        smt.computeRoot(*call_args([1, 2], [1], [p1, p2]))
    with brownie.reverts(err("NoKeys")):
        smt.computeRoot([], [], [])
    with brownie.reverts(err("MalformedProof", 0)):
        smt.computeRoot(*call_args([1], [1], [(p1[0], p1[1] + [b"\x01" * 32])]))
    with brownie.reverts(err("MalformedProof", 0)):
        smt.computeRoot(*call_args([1], [1], [(p1[0] | 1 << 200, p1[1])]))


@pytest.mark.parametrize("count", [1, 10, 30])
def test_gas_on_a_tree_of_10000_leaves(smt, big_tree, count):
    rng = random.Random(count)
    keys = sorted(rng.sample([k for k, _ in big_tree.items()], count))
    args = call_args(keys, [big_tree.get(k) for k in keys], big_tree.proofs(keys))
    root, used = smt.measure(*args)
    assert bytes(root) == big_tree.root
    whole = smt.computeRoot.estimate_gas(*args)
    print(f"\ncomputeRoot, {count} keys of 10,000 leaves: {used} gas in the library, {whole} the whole call")


@pytest.mark.parametrize("seed", range(4))
def test_arbitrary_proofs_give_the_same_root_as_pythons(smt, seed):
    """Proofs that are no tree's (random bitmaps and siblings) still give Python's root: the
    contract takes the same sibling from the same proof at every node."""
    rng = random.Random(50 + seed)
    keys = sorted({rng.getrandbits(rng.choice([5, 12, 256])) for _ in range(12)})
    values = [rng.choice([0, rng.getrandbits(256)]) for _ in keys]
    proofs = []
    for _ in keys:
        bitmap = rng.getrandbits(256) & rng.getrandbits(256) & rng.getrandbits(256)
        proofs.append((bitmap, [rng.getrandbits(256).to_bytes(32, "big") for _ in range(bitmap.bit_count())]))
    assert bytes(smt.computeRoot(*call_args(keys, values, proofs))) == compute_root(keys, values, proofs)
