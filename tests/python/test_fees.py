"""Fee quotes: legacy where the chain has no base fee, EIP-1559 from eth_feeHistory with a cap,
and the raise of a replacement (claimledger.fees)."""
import pytest

from claimledger.fees import GWEI, MIN_TIP_WEI, Fees, FeePolicy, FeeTooHigh


class Node:
    """A node's answers to the three calls a quote makes."""

    def __init__(self, base_fee=None, gas_price=0, next_base=0, tips=()):
        self.answers = {
            "eth_getBlockByNumber": {} if base_fee is None else {"baseFeePerGas": hex(base_fee)},
            "eth_gasPrice": hex(gas_price),
            "eth_feeHistory": {"baseFeePerGas": [hex(base_fee or 0), hex(next_base)], "reward": [[hex(t)] for t in tips]},
        }
        self.provider = self

    def make_request(self, method, params):
        return {"result": self.answers[method]}


@pytest.mark.parametrize("base_fee", [None, 0])
def test_a_chain_without_a_base_fee_gets_legacy_at_the_nodes_gas_price(base_fee):
    assert FeePolicy().quote(Node(base_fee, gas_price=0)) == Fees(gas_price=0)  # anvil, hardhat, free QBFT
    assert FeePolicy().quote(Node(base_fee, gas_price=3 * GWEI)).fields() == {"gasPrice": 3 * GWEI}


def test_a_chain_with_a_base_fee_gets_twice_the_next_base_fee_plus_the_median_tip():
    fees = FeePolicy().quote(Node(10 * GWEI, next_base=12 * GWEI, tips=[1 * GWEI, 2 * GWEI, 5 * GWEI]))
    assert fees == Fees(max_fee=26 * GWEI, max_priority_fee=2 * GWEI)
    assert fees.fields() == {"maxFeePerGas": 26 * GWEI, "maxPriorityFeePerGas": 2 * GWEI, "type": 2}
    assert FeePolicy().quote(Node(GWEI, next_base=GWEI, tips=[0, 0])).max_priority_fee == MIN_TIP_WEI


def test_the_cap_bounds_the_fee_and_refuses_a_base_fee_above_it():
    capped = FeePolicy(max_fee=20 * GWEI).quote(Node(10 * GWEI, next_base=12 * GWEI, tips=[2 * GWEI]))
    assert capped == Fees(max_fee=20 * GWEI, max_priority_fee=2 * GWEI)
    with pytest.raises(FeeTooHigh) as failure:
        FeePolicy(max_fee=10 * GWEI).quote(Node(10 * GWEI, next_base=11 * GWEI, tips=[GWEI]))
    assert str(failure.value) == "the chain's base fee is 11 gwei, above the cap of 10 gwei (--max-fee-gwei)"
    with pytest.raises(FeeTooHigh, match="gas price is 5 gwei, above the cap of 1 gwei"):
        FeePolicy(max_fee=GWEI).quote(Node(None, gas_price=5 * GWEI))


def test_a_replacement_raises_each_fee_by_an_eighth_or_to_the_fresh_quote():
    old = Fees(max_fee=16 * GWEI, max_priority_fee=GWEI)
    assert FeePolicy().bumped(old, Fees(max_fee=10 * GWEI, max_priority_fee=GWEI)) == \
        Fees(max_fee=18 * GWEI + 1, max_priority_fee=1_125_000_001)
    assert FeePolicy().bumped(old, Fees(max_fee=90 * GWEI, max_priority_fee=3 * GWEI)) == \
        Fees(max_fee=90 * GWEI, max_priority_fee=3 * GWEI)
    assert FeePolicy().bumped(Fees(gas_price=8 * GWEI), Fees(gas_price=8 * GWEI)) == Fees(gas_price=9 * GWEI + 1)
    assert FeePolicy(max_fee=17 * GWEI).bumped(old, old) is None  # the cap allows no raise
