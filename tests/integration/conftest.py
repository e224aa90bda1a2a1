import pytest


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    """Every test starts from the chain state the module fixtures left (brownie snapshot)."""
