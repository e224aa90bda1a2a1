"""Settlement of final batches through OptimisticSettlement's escrow (A-8) against the
adjudicator's run of examples/basic: claimledger/optimistic/layout.py's slots are the engine's
(pinned on the shadow's live engine), every provider is paid out of the escrow exactly what the
on-chain mode's engine owes it after the same claims, never twice, part now and the rest once
the escrow is funded again, and only against the final root. Plain web3 on the shadow's anvil,
the fixtures of test_settlement_game.py (a shadow of this module's own)."""
from __future__ import annotations

import pytest
from web3.logs import DISCARD

from claimledger import chain
from claimledger.chain import ENGINE
from claimledger.optimistic import layout
from claimledger.optimistic.batch import short_root
from claimledger.scenario import load_scenario
from claimledger.sender import TxSender
from tests.conftest import EXAMPLES
from tests.optimistic import test_settlement_game as g

run = g.run  # the shadow of examples/basic, each claim with its proofs
game = g.game  # a fresh settlement on its genesis, the adjudicator bonded
TREASURER = g.KEYS[5]
FUNDS = 10**15


def npis() -> list[int]:
    return [int(npi) for npi in load_scenario(EXAMPLES / "basic").providers]


def owed_by_engine(shadow) -> dict[int, int]:
    """What the on-chain mode's engine owes each provider after the run (token units)."""
    engine = shadow.dep[ENGINE]
    return {npi: engine.functions.owed(npi).call() for npi in npis()}


@pytest.fixture
def escrow(game):
    """The game's settlement with the treasurer's role; its tokens minted and approved."""
    shadow, ch, steps, settlement = game
    ch.senders.setdefault(TREASURER, TxSender(ch.w3, TREASURER, window=1))
    ch.send(g.ADMIN, settlement, "grantRole", chain.ROLES["TREASURER"], g.address(TREASURER))
    ch.send(g.ADMIN, ch.token, "mint", g.address(TREASURER), FUNDS)
    ch.send(TREASURER, ch.token, "approve", settlement.address, 2**256 - 1)
    return shadow, ch, steps, settlement


def final(ch, settlement, steps) -> None:
    """Posts the run honestly and makes the batch final."""
    g.post(ch, settlement, steps, g.honest_roots(steps))
    ch.mine(g.WINDOW + 1)
    ch.send(g.CHALLENGER, settlement, "finalize", 1)


def settle(ch, settlement, shadow, which) -> tuple[dict, list[dict]]:
    receipt = ch.send(TREASURER, settlement, "settle", *settle_args(shadow, which))
    return receipt, [e["args"] for e in settlement.events.ProviderPaid().process_receipt(receipt, errors=DISCARD)]


def settle_args(shadow, which) -> list:
    ids, values, proofs = layout.settle_args(shadow.tree, which)
    return [ids, values, [(bitmap, list(siblings)) for bitmap, siblings in proofs]]


def test_the_layout_is_the_engines(run):
    """The word at account_slot(npi) in the shadow's tree (the engine's storage) is the account
    the engine's views report, payee_slot(npi) holds the registered payee, claim_slot(id) the
    record of every claim the engine recorded."""
    shadow, ch, steps = run
    engine = shadow.dep[ENGINE]
    units = layout.UNITS_PER_CENT
    some_accrued = False
    for npi in npis():
        word = shadow.tree.get(layout.account_slot(npi))
        accrued, recouped, paid_out = engine.functions.account(npi).call()
        assert (layout.accrued(word) * units, layout.recouped(word) * units, layout.paid_out(word) * units) == (
            accrued, recouped, paid_out)
        assert layout.owed(word) * units == engine.functions.owed(npi).call()
        registered, in_network, payee = engine.functions.provider(npi).call()
        assert (layout.registered(word), layout.in_network(word)) == (registered, in_network) == (True, in_network)
        assert layout.payee(shadow.tree.get(layout.payee_slot(npi))) == payee.lower()
        some_accrued |= accrued > 0
    assert some_accrued
    for step in steps:
        if step.reject_reason == 0:
            assert shadow.tree.get(layout.claim_slot(step.claim_id)) != 0


def test_every_provider_is_paid_what_the_engine_owes_it_once(escrow):
    shadow, ch, steps, settlement = escrow
    owed = owed_by_engine(shadow)
    assert any(v > 0 for v in owed.values())
    final(ch, settlement, steps)
    assert settlement.functions.finalRoot().call() == short_root(shadow.tree.root)
    funded = ch.send(TREASURER, settlement, "fund", FUNDS)
    assert settlement.events.EscrowFunded().process_receipt(funded, errors=DISCARD)[0]["args"]["amount"] == FUNDS
    receipt, paid = settle(ch, settlement, shadow, npis())
    assert {e["npi"]: e["amount"] for e in paid} == {npi: v for npi, v in owed.items() if v > 0}
    assert all(e["stillOwed"] == 0 for e in paid)
    for npi, v in owed.items():
        assert settlement.functions.paidTo(npi).call() == max(v, 0)
        payee = layout.payee(shadow.tree.get(layout.payee_slot(npi)))
        assert ch.token.functions.balanceOf(ch.w3.to_checksum_address(payee)).call() == max(v, 0)
    total = sum(v for v in owed.values() if v > 0)
    assert settlement.functions.escrowBalance().call() == FUNDS - total
    again, paid_again = settle(ch, settlement, shadow, npis())
    assert paid_again == []
    assert settlement.functions.escrowBalance().call() == FUNDS - total
    print(f"\nsettle of {len(paid)} providers owed (of {len(owed)}): {receipt['gasUsed']:,} gas, "
          f"{receipt['gasUsed'] / len(owed):,.0f} a provider given; again, nothing owed: {again['gasUsed']:,}")


def test_a_short_escrow_pays_part_now_and_the_rest_later(escrow):
    shadow, ch, steps, settlement = escrow
    owed = {npi: v for npi, v in owed_by_engine(shadow).items() if v > 0}
    total = sum(owed.values())
    final(ch, settlement, steps)
    first = total // 2 // layout.UNITS_PER_CENT * layout.UNITS_PER_CENT + 5  # 5 units: under a cent, not paid
    ch.send(TREASURER, settlement, "fund", first)
    _, paid = settle(ch, settlement, shadow, npis())
    assert sum(e["amount"] for e in paid) == first - 5
    short = paid[-1]
    assert short["stillOwed"] == owed[short["npi"]] - short["amount"] > 0
    assert settlement.functions.escrowBalance().call() == 5
    _, nothing = settle(ch, settlement, shadow, npis())  # the escrow holds under a cent
    assert nothing == []
    ch.send(TREASURER, settlement, "fund", total - (first - 5))  # exactly what is still owed
    _, rest = settle(ch, settlement, shadow, npis())
    for npi, v in owed.items():
        assert settlement.functions.paidTo(npi).call() == v
    assert sum(e["amount"] for e in paid + rest) == total
    assert settlement.functions.escrowBalance().call() == 5


def test_settlement_is_refused_against_a_root_not_final(escrow):
    shadow, ch, steps, settlement = escrow
    g.post(ch, settlement, steps, g.honest_roots(steps))  # posted, its window open
    ch.send(TREASURER, settlement, "fund", FUNDS)
    which = npis()
    assert ch.fails(TREASURER, settlement, "settle", *settle_args(shadow, which)) == g.error(
        "NotFinalState(uint64,bytes28,bytes28)")
    ids, values, proofs = settle_args(shadow, which)
    assert ch.fails(TREASURER, settlement, "settle", ids, values[:-1], proofs) == g.error(
        "SettleLengthMismatch(uint256,uint256,uint256)")
    assert ch.fails(g.CHALLENGER, settlement, "settle", ids, values, proofs) == g.error(
        "AccessControlUnauthorizedAccount(address,bytes32)")
    assert ch.fails(g.CHALLENGER, settlement, "fund", 1) == g.error("AccessControlUnauthorizedAccount(address,bytes32)")
    assert ch.fails(TREASURER, settlement, "fund", 0) == g.error("ZeroAmount()")
    ch.mine(g.WINDOW + 1)
    ch.send(g.CHALLENGER, settlement, "finalize", 1)
    _, paid = settle(ch, settlement, shadow, which)
    assert paid
