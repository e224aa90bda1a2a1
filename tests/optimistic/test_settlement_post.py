"""OptimisticSettlement's posting and finality, without replays: batches chain their roots, the
leaf root is the one claimledger/optimistic/batch.py computes, bonds, roles, the window and the
order of finality are enforced; and the gas of posting 1,000 one-line claims."""
import brownie
import pytest
from brownie import chain as bchain
from eth_utils import keccak

from claimledger.optimistic.batch import leaf, leaf_proof, leaf_root, leaves_of, short_root
from tests.conftest import claim, role
from tests.contracts.helpers import err, unauthorized
from tests.optimistic.conftest import ADJUDICATOR_BOND, GENESIS, WINDOW

POSTED, FINAL, CANCELLED = 1, 2, 3


def one_line_claims(n: int, prefix: str = "P") -> list[bytes]:
    return [claim(f"{prefix}{i}", lines=[("2026-03-01", "99213", 1, 12000 + i)]) for i in range(n)]


def roots_for(n: int, salt: str = "") -> list[bytes]:
    """n roots as the contract takes them: 28 bytes (random-looking, as real roots are)."""
    return [keccak(text=f"root{salt}{i}")[:28] for i in range(n)]


def post(settlement, adjudicator, claims, roots):
    return settlement.postBatch(b"".join(claims), roots, {"from": adjudicator})


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    pass


def test_a_batch_is_stored_by_its_leaf_root_and_chains_from_the_genesis(bonded, adjudicator):
    claims, roots = one_line_claims(5), roots_for(5)
    tx = post(bonded, adjudicator, claims, roots)
    leaves = leaves_of(claims, GENESIS, roots)
    assert tx.events["BatchPosted"]["leafRoot"] == "0x" + leaf_root(leaves).hex()
    b = bonded.batch(1)
    assert (b["preRoot"], b["postRoot"], b["count"], b["validCount"], b["status"], b["adjudicator"]) == (
        "0x" + GENESIS.hex(), "0x" + roots[-1].hex(), 5, 5, POSTED, adjudicator)
    assert bonded.lastRoot() == "0x" + roots[-1].hex()
    claims2, roots2 = one_line_claims(3, "Q"), roots_for(3, "b")
    post(bonded, adjudicator, claims2, roots2)
    assert bonded.batch(2)["preRoot"] == "0x" + roots[-1].hex()
    assert bonded.headBatch() == 2


def test_the_python_leaf_matches_the_contract_with_28_byte_roots(bonded):
    """bytes28 roots: abi.encode left-aligns each, zeros on the right; short_root is bytes28(root)."""
    root32 = keccak(text="a 32-byte root")
    assert short_root(root32) == root32[:28] and short_root(root32[:28]) == root32[:28]
    c = one_line_claims(1)[0]
    before, after = roots_for(2)
    assert bonded.leafOf(c, before, after) == "0x" + leaf(c, before, after).hex()
    assert leaf(c, before, after) == keccak(keccak(c) + before + bytes(4) + after + bytes(4))
    assert leaf(c, root32, after) == leaf(c, root32[:28], after)


def test_the_python_leaf_tree_matches_the_contract_for_every_size(bonded):
    for n in (1, 2, 3, 5, 8, 13):
        leaves = [keccak(text=f"l{i}") for i in range(n)]
        assert bonded.leafRootOf(leaves) == "0x" + leaf_root(leaves).hex()
        assert leaf_proof(leaves, n - 1) is not None


def test_counts_must_match(bonded, adjudicator):
    claims, roots = one_line_claims(3), roots_for(3)
    with brownie.reverts(err("CountMismatch", 3, 2)):
        post(bonded, adjudicator, claims, roots[:2])
    with brownie.reverts(err("CountMismatch", 2, 3)):
        post(bonded, adjudicator, claims[:2], roots)
    with brownie.reverts(err("CountMismatch", 0, 0)):
        post(bonded, adjudicator, [], [])
    with brownie.reverts(err("MalformedClaims", 0)):
        bonded.postBatch(b"\x01" * 20, roots[:1], {"from": adjudicator})


def test_posting_needs_the_role_and_a_bond(settlement, admin, accounts, outsider, token, treasurer):
    claims, roots = one_line_claims(1), roots_for(1)
    with brownie.reverts(unauthorized(outsider, "ADJUDICATOR")):
        post(settlement, outsider, claims, roots)
    adjudicator = accounts[8]  # a second adjudicator, without a bond
    settlement.grantRole(role("ADJUDICATOR"), adjudicator, {"from": admin})
    token.mint(adjudicator, ADJUDICATOR_BOND, {"from": treasurer})
    token.approve(settlement, ADJUDICATOR_BOND, {"from": adjudicator})
    with brownie.reverts(err("BondTooLow", 0, ADJUDICATOR_BOND)):
        post(settlement, adjudicator, claims, roots)
    with brownie.reverts(unauthorized(outsider, "ADJUDICATOR")):
        settlement.depositBond({"from": outsider})
    before = token.balanceOf(adjudicator)
    tx = settlement.depositBond({"from": adjudicator})
    assert tx.events["BondDeposited"]["amount"] == ADJUDICATOR_BOND
    assert token.balanceOf(adjudicator) == before - ADJUDICATOR_BOND
    post(settlement, adjudicator, claims, roots)


def test_a_bond_is_withdrawn_only_when_no_batch_is_pending(bonded, adjudicator, token):
    post(bonded, adjudicator, one_line_claims(1), roots_for(1))
    with brownie.reverts(err("BatchesPending", 1)):
        bonded.withdrawBond({"from": adjudicator})
    bchain.mine(WINDOW + 1)
    bonded.finalize(1, {"from": adjudicator})
    before = token.balanceOf(adjudicator)
    tx = bonded.withdrawBond({"from": adjudicator})
    assert tx.events["BondWithdrawn"]["amount"] == ADJUDICATOR_BOND
    assert token.balanceOf(adjudicator) == before + ADJUDICATOR_BOND
    with brownie.reverts(err("NoBond")):
        bonded.withdrawBond({"from": adjudicator})


def test_finality_waits_for_the_window_and_goes_in_order(bonded, adjudicator, outsider):
    post(bonded, adjudicator, one_line_claims(1), roots_for(1))
    posted = bonded.batch(1)["postedBlock"]
    post(bonded, adjudicator, one_line_claims(1, "Q"), roots_for(1, "b"))
    with brownie.reverts(err("WindowOpen", 1, posted + WINDOW)):
        bonded.finalize(1, {"from": outsider})
    bchain.mine(WINDOW + 1)
    with brownie.reverts(err("EarlierBatchNotFinal", 1)):
        bonded.finalize(2, {"from": outsider})
    tx = bonded.finalize(1, {"from": outsider})
    assert tx.events["BatchFinalized"]["batchId"] == 1
    assert bonded.batch(1)["status"] == FINAL
    with brownie.reverts(err("BatchNotPosted", 1, FINAL)):
        bonded.finalize(1, {"from": outsider})
    bonded.finalize(2, {"from": outsider})
    with brownie.reverts(err("UnknownBatch", 3)):
        bonded.finalize(3, {"from": outsider})


def test_parameters_are_the_admins(settlement, admin, outsider):
    with brownie.reverts(unauthorized(outsider, "DEFAULT_ADMIN")):
        settlement.setParameters(1, 1, 0, 0, {"from": outsider})
    with brownie.reverts(err("ZeroPeriod")):
        settlement.setParameters(0, 1, 0, 0, {"from": admin})
    tx = settlement.setParameters(30, 6, 7, 8, {"from": admin})
    assert dict(tx.events["ParametersSet"]) == {
        "challengeWindow": 30, "responsePeriod": 6, "adjudicatorBond": 7, "challengerBond": 8}
    tx = settlement.setReplayImplementation(outsider, {"from": admin})
    assert tx.events["ReplayImplementationSet"]["implementation"] == outsider
    with brownie.reverts(unauthorized(outsider, "DEFAULT_ADMIN")):
        settlement.setReplayImplementation(outsider, {"from": outsider})


def test_gas_of_posting_1000_one_line_claims(bonded, adjudicator):
    claims, roots = one_line_claims(1000), roots_for(1000)
    post(bonded, adjudicator, one_line_claims(1, "W"), roots_for(1, "w"))  # the first batch's cold slots
    tx = post(bonded, adjudicator, claims, roots)
    data = b"".join(claims)
    print(f"\npostBatch of 1,000 one-line claims: {tx.gas_used:,} gas, {tx.gas_used / 1000:,.0f} a claim; "
          f"claims {len(data):,} bytes ({len(data) / 1000:.1f} a claim), roots 28 bytes each")
    assert bonded.batch(2)["count"] == 1000
    assert tx.gas_used / 1000 <= 5_000  # the target
