"""OptimisticSettlement on brownie's network: the token, a ClaimReplay implementation, the
settlement with a genesis root (28 bytes) and the engine's ledger slots, an adjudicator and a
challenger with their roles and tokens, the treasurer with its role."""
import pytest
from eth_utils import keccak

from claimledger.optimistic.layout import ACCOUNTS_SLOT, PAYEES_SLOT
from tests.conftest import deploy_granting

WINDOW = 20  # blocks
RESPONSE = 5  # blocks
ADJUDICATOR_BOND = 1_000 * 10**6
CHALLENGER_BOND = 100 * 10**6
GENESIS = keccak(text="genesis")[:28]


@pytest.fixture(scope="module")
def replay_implementation(ClaimReplay, admin):
    return ClaimReplay.deploy({"from": admin})


@pytest.fixture(scope="module")
def settlement(OptimisticSettlement, token, replay_implementation, admin, adjudicator, challenger, treasurer):
    """The settlement on GENESIS; the adjudicator and the challenger hold their roles, ten bonds'
    worth of tokens each, approved; the treasurer holds TREASURER."""
    contract = deploy_granting(
        OptimisticSettlement, admin,
        [("ADJUDICATOR", adjudicator), ("CHALLENGER", challenger), ("TREASURER", treasurer)],
        token, replay_implementation, GENESIS, ACCOUNTS_SLOT.to_bytes(32, "big"), PAYEES_SLOT.to_bytes(32, "big"),
        WINDOW, RESPONSE, ADJUDICATOR_BOND, CHALLENGER_BOND,
    )
    for holder in (adjudicator, challenger):
        token.mint(holder, 10 * ADJUDICATOR_BOND, {"from": treasurer})
        token.approve(contract, 2**256 - 1, {"from": holder})
    return contract


@pytest.fixture(scope="module")
def bonded(settlement, adjudicator):
    """The settlement with the adjudicator's bond deposited."""
    settlement.depositBond({"from": adjudicator})
    return settlement
