import pytest


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    """Every test starts from the chain state the module fixtures left (brownie snapshot)."""


@pytest.fixture(scope="module")
def engine_account(accounts, members, authorizations, escrow, admin):
    """A plain account holding ENGINE on the registries and the escrow, to drive the
    engine-only entry points directly (role ids as in claimledger.chain.ROLES)."""
    from claimledger.chain import ROLES

    account = accounts[5]
    for contract in (members, authorizations, escrow):
        contract.grantRole(ROLES["ENGINE"], account, {"from": admin})
    return account


@pytest.fixture(scope="module")
def new_admin(accounts):
    """The account an admin handover goes to."""
    return accounts[8]
