"""Dishonest adjudicators for the watch tests: each posts something other than what the rules
give, in one of the ways issue 19 names. Each is the honest run (claimledger/optimistic/
adjudicator.py) with one thing changed at claim ``at`` (counted over the run)."""
from __future__ import annotations

from dataclasses import replace

from eth_utils import keccak

from claimledger.codec import packed_provider
from claimledger.optimistic.adjudicator import Honest
from claimledger.optimistic.layout import account_slot

MEMBER_DEDUCTIBLE_BIT = 144  # contracts/libraries/Members.sol: the member word's deductible met


def set_slot(shadow, slot: int, value: int) -> None:
    """Writes ``value`` into engine slot ``slot`` on the shadow's node and in its tree: the
    adjudicator's state is wrong from here on, and its later claims build on it."""
    shadow.dep.w3.provider.make_request(
        "anvil_setStorageAt", [shadow.engine, hex(slot), "0x" + value.to_bytes(32, "big").hex()])
    shadow.tree.update(slot, value)


def member_slot(step) -> int:
    """The slot of the claim's member word among the slots it touched: the entry of the member's
    key in a mapping whose base slot is found by trying the engine's first slots."""
    member = step.claim[32:64]
    for base in range(64):
        slot = int.from_bytes(keccak(member + base.to_bytes(32, "big")), "big")
        if slot in step.keys:
            return slot
    raise AssertionError("the claim touched no member word")


class Tampering(Honest):
    """After claim ``at``, one slot of the state gets another value."""

    def __init__(self, at: int):
        self.at = at

    def slot_and_value(self, shadow, step) -> tuple[int, int]:
        raise NotImplementedError

    def after_claim(self, shadow, step, index):
        if index != self.at:
            return step
        slot, value = self.slot_and_value(shadow, step)
        set_slot(shadow, slot, value)
        return replace(step, post_root=shadow.tree.root)


class PaidAmount(Tampering):
    """The provider is owed $1.00 more than the claim's paid lines (its accrued amount)."""

    def slot_and_value(self, shadow, step):
        slot = account_slot(packed_provider(step.claim))
        return slot, shadow.tree.get(slot) + (100 << 8)


class Accumulator(Tampering):
    """The member's deductible met grows by $5.00 more than the claim's lines put in it."""

    def slot_and_value(self, shadow, step):
        slot = member_slot(step)
        return slot, shadow.tree.get(slot) + (500 << MEMBER_DEDUCTIBLE_BIT)


class PostingChange(Honest):
    """The run is honest; the batch holding claim ``at`` is posted changed."""

    def __init__(self, at: int):
        self.at = at
        self.seen = 0  # claims of the batches posted before

    def before_post(self, claims, roots):
        local = self.at - self.seen
        self.seen += len(claims)
        if 0 <= local < len(claims):
            return self.change(list(claims), list(roots), local)
        return claims, roots

    def change(self, claims, roots, i):
        raise NotImplementedError


class DroppedClaim(PostingChange):
    """Claim ``at`` left out of the posting, the roots as computed with it."""

    def change(self, claims, roots, i):
        del claims[i], roots[i]
        return claims, roots


class ReorderedClaims(PostingChange):
    """Claims ``at`` and ``at + 1`` posted swapped, the roots as computed in their order."""

    def change(self, claims, roots, i):
        claims[i], claims[i + 1] = claims[i + 1], claims[i]
        return claims, roots


class StaleRoot(PostingChange):
    """The root after claim ``at`` posted as the root before it (claim ``at`` changed nothing)."""

    def change(self, claims, roots, i):
        roots[i] = roots[i - 1]
        return claims, roots


class SkippedClaim(Honest):
    """Claim ``at`` neither run nor posted: every posted root is true for the claims posted."""

    def __init__(self, at: int):
        self.at = at

    def admits(self, index):
        return index != self.at
