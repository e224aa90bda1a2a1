"""Fixtures of the property tests: a deployment on an anvil of the module's own (free port)."""
import pytest

from claimledger import chain
from claimledger.node import AnvilNode, connect

from tests.property.ledger_checks import KEYS


@pytest.fixture(scope="module")
def deployed():
    """The contracts deployed on a fresh anvil that lives as long as the test module."""
    with AnvilNode() as node:
        yield chain.deploy(connect(node.url), KEYS)
