"""What a transaction offers to pay for gas, on a dev node, a free-gas network and a public chain.

- A chain whose blocks carry no base fee, or a zero one (anvil and hardhat as claimledger runs
  them, a Besu QBFT network with ``zeroBaseFee``), gets legacy transactions at the node's
  ``eth_gasPrice`` (zero there): the dev path signs exactly as before.
- A chain with a base fee gets EIP-1559 (type 2) transactions: the tip is the median of the
  tips paid in recent blocks (``eth_feeHistory``, 50th percentile), at least ``MIN_TIP_WEI``;
  the fee cap is twice the next block's base fee plus the tip (a margin for six full blocks of
  12.5% increases), never above the ``max_fee`` the operator allows.
- A stuck transaction is replaced at the same nonce with both fees raised by at least
  ``BUMP`` (nodes refuse a replacement that offers less than +10%), or to what the chain now
  asks if that is more; never above the cap. A free transaction cannot be outbid: it is sent
  again as it was.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

GWEI = 10**9
MIN_TIP_WEI = 10**8  # 0.1 gwei: a tip that block builders on public chains do not ignore
FEE_HISTORY_BLOCKS = 10
BUMP_NUM, BUMP_DEN = 1125, 1000  # +12.5% per replacement
BASE_FEE_MARGIN = 2


class FeeTooHigh(RuntimeError):
    """The chain asks more than the operator's cap: one-line reason."""


@dataclass(frozen=True)
class Fees:
    """The gas price fields of one transaction: ``gas_price`` (legacy) or the two EIP-1559 caps."""

    gas_price: int | None = None
    max_fee: int | None = None
    max_priority_fee: int | None = None

    @property
    def dynamic(self) -> bool:
        return self.max_fee is not None

    @property
    def free(self) -> bool:
        return not self.dynamic and not self.gas_price

    def fields(self) -> dict:
        """The fields to put in a transaction dict for eth-account."""
        if self.dynamic:
            return {"maxFeePerGas": self.max_fee, "maxPriorityFeePerGas": self.max_priority_fee, "type": 2}
        return {"gasPrice": self.gas_price or 0}

    def describe(self) -> str:
        if self.dynamic:
            return f"max fee {self.max_fee / GWEI:g} gwei, tip {self.max_priority_fee / GWEI:g} gwei"
        return f"gas price {(self.gas_price or 0) / GWEI:g} gwei"


def _bump(value: int) -> int:
    return -(-value * BUMP_NUM // BUMP_DEN) + 1


@dataclass(frozen=True)
class FeePolicy:
    """How fees are chosen; ``max_fee`` (wei, None: no cap) bounds what any transaction offers."""

    max_fee: int | None = None
    fixed_gas_price: int | None = None  # a legacy price to use as it is (tests, private chains)

    def quote(self, w3) -> Fees:
        """The fees for a transaction sent now."""
        if self.fixed_gas_price is not None:
            return self._capped(Fees(gas_price=self.fixed_gas_price))
        request = w3.provider.make_request
        latest = request("eth_getBlockByNumber", ["latest", False])["result"]
        if not int(latest.get("baseFeePerGas") or "0x0", 16):
            return self._capped(Fees(gas_price=int(request("eth_gasPrice", [])["result"], 16)))
        history = request("eth_feeHistory", [hex(FEE_HISTORY_BLOCKS), "latest", [50]])["result"]
        next_base = int(history["baseFeePerGas"][-1], 16)  # the block after the newest
        tips = sorted(int(r[0], 16) for r in history.get("reward") or [] if r)
        tip = max(MIN_TIP_WEI, tips[len(tips) // 2] if tips else 0)
        return self._capped(Fees(max_fee=BASE_FEE_MARGIN * next_base + tip, max_priority_fee=tip), next_base)

    def bumped(self, previous: Fees, now: Fees) -> Fees | None:
        """Fees for a replacement of a transaction sent with ``previous``: +12.5% on each, or
        ``now`` (a fresh quote) where that is more. None if the cap allows no such raise."""
        if previous.dynamic and now.dynamic:
            tip = max(_bump(previous.max_priority_fee), now.max_priority_fee)
            fees = Fees(max_fee=max(_bump(previous.max_fee), now.max_fee, tip), max_priority_fee=tip)
        elif not previous.dynamic and not now.dynamic:
            fees = Fees(gas_price=max(_bump(previous.gas_price or 0), now.gas_price or 0))
        else:  # the chain changed fee markets under us (a fork): take the fresh quote as it is
            fees = now
        if self.max_fee is not None and (fees.max_fee if fees.dynamic else fees.gas_price) > self.max_fee:
            return None
        return fees

    def _capped(self, fees: Fees, base_fee: int = 0) -> Fees:
        if self.max_fee is None:
            return fees
        if base_fee > self.max_fee:
            raise FeeTooHigh(f"the chain's base fee is {base_fee / GWEI:g} gwei, above the cap of "
                             f"{self.max_fee / GWEI:g} gwei (--max-fee-gwei)")
        if fees.dynamic:
            max_fee = min(fees.max_fee, self.max_fee)
            return replace(fees, max_fee=max_fee, max_priority_fee=min(fees.max_priority_fee, max_fee))
        if (fees.gas_price or 0) > self.max_fee:
            raise FeeTooHigh(f"the node's gas price is {fees.gas_price / GWEI:g} gwei, above the cap of "
                             f"{self.max_fee / GWEI:g} gwei (--max-fee-gwei)")
        return fees


def gwei(value: float | None) -> int | None:
    """Wei of a gwei figure given on the command line."""
    return None if value is None else int(round(value * GWEI))
