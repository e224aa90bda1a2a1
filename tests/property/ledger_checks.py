"""The invariants the property tests check after every step, chain against the reference model
(A-6.6, A-8, A-12.3): shared by the settlement state machine and the entry-point fuzz tests."""
from __future__ import annotations

from dataclasses import dataclass

from claimledger import chain
from claimledger.money import CENT_UNITS
from claimledger.node import dev_private_keys
from claimledger.records import LineStatus
from claimledger.reference import ReferenceEngine

KEYS = chain.Keys.from_list(dev_private_keys(5))  # admin, plan manager, biller, reviewer, treasurer


def rpc(w3, method, *params):
    """A raw JSON-RPC call (anvil's evm_snapshot / evm_revert)."""
    return w3.provider.make_request(method, list(params))["result"]


@dataclass
class Cashbook:
    """What went into and out of the engine's token balance in a run, in cents."""

    funded: int = 0
    paid_out: int = 0
    pool_funded: int = 0
    rewards_paid: int = 0


def check_money_conserved(dep, model: ReferenceEngine, npis, cash: Cashbook) -> None:
    """Each provider's balance on chain equals the model's; `totalOutstanding` is the sum of the
    positive ones; the escrow holds funded minus paid, the incentive pool its funding minus the
    rewards paid, and the engine's tokens are exactly those two."""
    engine, token = dep["ClaimsEngine"], dep["SettlementToken"]
    positive = 0
    for npi in npis:
        owed = engine.functions.owed(int(npi)).call()
        assert owed == model.accounts[npi].balance * CENT_UNITS, f"provider {npi}"
        positive += max(0, owed)
    assert engine.functions.totalOutstanding().call() == positive
    assert engine.functions.escrowBalance().call() == (cash.funded - cash.paid_out) * CENT_UNITS
    assert engine.functions.incentivePool().call() == (cash.pool_funded - cash.rewards_paid) * CENT_UNITS
    assert token.functions.balanceOf(engine.address).call() == (
        cash.funded - cash.paid_out + cash.pool_funded - cash.rewards_paid) * CENT_UNITS


def check_accumulators(dep, scenario, model: ReferenceEngine, years_of=None) -> int:
    """Every member's individual and family accumulators, in every plan year the model has
    touched (or ``years_of(member)``), are within 0..the plan's maxima and equal the model's;
    returns the accumulator pairs checked."""
    engine = dep["ClaimsEngine"]
    checked = 0
    for member_id, member in scenario.members.items():
        plan = scenario.plans[member.plan_id]
        years = years_of(member_id) if years_of else {y for (m, y) in model.individual if m == member_id}
        for year in sorted(years):
            ind, fam = engine.functions.accumulators(dep.ids.member(member_id), year).call()
            assert 0 <= ind[0] <= plan.deductible_individual and 0 <= ind[1] <= plan.oop_max_individual
            assert 0 <= fam[0] <= plan.deductible_family and 0 <= fam[1] <= plan.oop_max_family
            expected_ind = model.individual[(member_id, year)]
            expected_fam = model.family[(member.subscriber_id, year)]
            assert (ind[0], ind[1]) == (expected_ind.deductible, expected_ind.oop), f"member {member_id} {year}"
            assert (fam[0], fam[1]) == (expected_fam.deductible, expected_fam.oop), f"family of {member_id} {year}"
            checked += 1
    return checked


def check_no_line_paid_twice(dep, model: ReferenceEngine, npis) -> None:
    """What providers accrued net of recoupments equals the paid amounts of the lines approved
    now (claims not reversed); no line is paid more than it allows; no two live lines of
    different claims share an A-4.8 key (a duplicate is denied, not paid)."""
    engine = dep["ClaimsEngine"]
    approved_now = 0
    live_keys: dict[tuple, str] = {}
    for claim in model.claims.values():
        if claim.reversed:
            continue
        for record in claim.lines:
            result = record.result
            if result.status == LineStatus.APPROVED:
                assert 0 <= result.paid <= result.allowed, f"{claim.claim.claim_id} line {record.number}"
                approved_now += result.paid
            if record.duplicate_key is not None:
                other = live_keys.setdefault(record.duplicate_key, claim.claim.claim_id)
                assert other == claim.claim.claim_id, f"{claim.claim.claim_id} line {record.number} duplicates {other}"
    net = 0
    for npi in npis:
        accrued, recouped = engine.functions.account(int(npi)).call()[:2]
        net += accrued - recouped
    assert net == approved_now * CENT_UNITS
