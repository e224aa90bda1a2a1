import pytest


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    """Every test starts from the chain state the module fixtures left (brownie snapshot)."""


@pytest.fixture(scope="module")
def new_admin(accounts):
    """The account an admin handover goes to."""
    return accounts[8]
