"""Stateful test: claims (some paid second, A-11), resubmissions, corrections, review
decisions, funding and payments of providers and of member rewards (A-12) in random order, on
chain and in the reference model, with invariants after every step (A-8, A-12.3):

- each provider's balance on chain equals the model's; what the escrow holds equals funded
  minus paid; `totalOutstanding` is the sum of positive balances;
- accumulators never go below zero nor above their plan maxima;
- no line is paid twice: accrued - recouped equals the paid amounts of the lines approved now;
- the incentive pool holds what was funded into it minus the rewards paid, and the engine's
  tokens are exactly the escrow's and the pool's;
- no reward is paid twice: each member's earned, taken back and paid equal the model's, and
  what was paid never exceeds what was earned net of what was taken back;
- rewards of reversed lines are taken back: every live reward belongs to an approved line of a
  claim that is not reversed, and the chain holds exactly the model's live rewards.

The basic example's plans get incentives (GOLD: 99213 10.00, 80053 5.00; BRONZE: 99213
15.00) and BRONZE coordinates by non-duplication; members M100, M101 and M200 have demo keys.
"""
import os
from dataclasses import replace

import pytest
from eth_account import Account
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from claimledger import chain
from claimledger.events import EventDecoder
from claimledger.recorded import recorded_claim
from claimledger.money import CENT_UNITS, parse_day
from claimledger.node import AnvilNode, connect
from claimledger.records import COB_NON_DUPLICATION, COB_STANDARD, Claim, ClaimLine, Frequency, LineStatus
from claimledger.reference import ReferenceEngine
from claimledger.reference_review import ReviewError
from claimledger.replay import replay
from claimledger.rewards import demo_member_key, fund_pool, register_payee
from claimledger.rewards import pay as pay_rewards
from claimledger.scenario import load_scenario
from claimledger.sender import TxSender

from tests.conftest import EXAMPLES
from tests.property.ledger_checks import (
    KEYS, Cashbook, check_accumulators, check_money_conserved, check_no_line_paid_twice, rpc,
)

MEMBERS = ["M100", "M101", "M200", "M300", "M999"]
SIGNED = MEMBERS[:3]  # members with a key of their own
INCENTIVES = {"GOLD-PPO-2026": {"99213": 10_00, "80053": 5_00}, "BRONZE-HMO-2026": {"99213": 15_00}}


def _scenario():
    """examples/basic with incentives, non-duplication for BRONZE and members' signers."""
    scenario = load_scenario(EXAMPLES / "basic")
    for plan_id, incentives in INCENTIVES.items():
        cob = COB_NON_DUPLICATION if plan_id.startswith("BRONZE") else COB_STANDARD
        scenario.plans[plan_id] = replace(scenario.plans[plan_id], incentives=incentives, cob=cob)
    for member in SIGNED:
        scenario.members[member] = replace(scenario.members[member],
                                           reward_signer=Account.from_key(demo_member_key(member)).address)
    return scenario


SCENARIO = _scenario()
NPIS = sorted(SCENARIO.providers) + ["1999999999"]
CODES = ["99213", "99214", "80053", "71046", "70553", "97110", "20610", "27447", "99999"]
DX = ["J06.9", "M17.11", "G43.909", "R05.9"]
STEPS = int(os.environ.get("STATEFUL_STEPS", "25"))
# hypothesis 6.27 (pinned by brownie) starts with very short runs: fewer than ~20 examples
# barely leave the first step
EXAMPLES_RUN = int(os.environ.get("STATEFUL_EXAMPLES", "20"))
CHECKED = {"states": 0}


class Ledger:
    """One deployment shared by every run of the machine; each run starts from a snapshot."""

    node = None
    dep = None

    @classmethod
    def get(cls):
        if cls.dep is None:
            cls.node = AnvilNode().start()
            cls.dep = chain.deploy(connect(cls.node.url), KEYS)
            chain.load_reference_data(cls.dep, KEYS, SCENARIO)
        return cls.dep


@st.composite
def line_strategy(draw):
    """A line; a quarter of them carry a prior payer's result (A-11.1)."""
    other_allowed = other_paid = None
    if draw(st.integers(0, 3)) == 0:
        other_allowed = draw(st.integers(0, 20_000))
        other_paid = draw(st.integers(0, other_allowed))
    return ClaimLine(draw(st.integers(parse_day("2026-01-01"), parse_day("2026-04-30"))), draw(st.sampled_from(CODES)),
                     draw(st.integers(1, 3)), draw(st.sampled_from([4_000, 12_000, 90_000, 3_200_000])), None,
                     other_allowed, other_paid)


class SettlementMachine(RuleBasedStateMachine):
    @initialize()
    def start(self):
        self.dep = Ledger.get()
        self.w3 = self.dep.w3
        self.snapshot = rpc(self.w3, "evm_snapshot")
        self.model = ReferenceEngine.from_scenario(SCENARIO)
        self.claims: list[Claim] = []
        self.serial = 0
        self.cash = Cashbook()
        self.model.rewards.drain()

    def teardown(self):
        if hasattr(self, "snapshot"):
            rpc(self.w3, "evm_revert", self.snapshot)

    def _submit(self, claim: Claim):
        expected, expected_reject = self.model.submit(claim)
        got = []
        replay(self.dep, KEYS.biller, [claim], got.append, batch_claims=1)
        assert got[0].rows == expected
        assert got[0].reject == expected_reject
        assert got[0].rewards == self.model.rewards.drain()
        if expected_reject is None:
            self.claims.append(claim)

    @rule(member=st.sampled_from(MEMBERS), npi=st.sampled_from(NPIS),
          lines=st.lists(line_strategy(), min_size=1, max_size=3), lag=st.integers(0, 200),
          dx=st.lists(st.sampled_from(DX), min_size=1, max_size=2, unique=True))
    def submit_claim(self, member, npi, lines, lag, dx):
        self.serial += 1
        received = max(l.service_date for l in lines) + lag
        self._submit(Claim(f"S{self.serial}", Frequency.ORIGINAL, "", member, npi, received, tuple(dx), tuple(lines)))

    @precondition(lambda self: self.claims)
    @rule(data=st.data())
    def resubmit_identical(self, data):
        self._submit(data.draw(st.sampled_from(self.claims)))

    @precondition(lambda self: self.claims)
    @rule(data=st.data(), void=st.booleans(), lines=st.lists(line_strategy(), min_size=1, max_size=2))
    def correct_claim(self, data, void, lines):
        original = data.draw(st.sampled_from(self.claims))
        self.serial += 1
        received = max([original.received_date] + [l.service_date for l in lines])
        self._submit(Claim(f"K{self.serial}", Frequency.VOID if void else Frequency.REPLACEMENT,
                           original.claim_id, original.member_id, original.provider_npi, received,
                           original.diagnoses, tuple(lines)))

    @precondition(lambda self: self.model.pending)
    @rule(approve=st.booleans())
    def review_oldest_pending(self, approve):
        claim_id, number = self.model.pending_lines()[0]
        engine = self.dep["ClaimsEngine"]
        recorded = recorded_claim(self.dep, self.dep.ids.claim(claim_id))  # supplied again
        fn = (engine.functions.approvePended(recorded, number) if approve
              else engine.functions.denyPended(recorded, number, chain.to_bytes8("50")))
        reviewer = TxSender(self.w3, KEYS.reviewer)
        try:
            expected = self.model.decide(claim_id, number, approve, "50")
        except ReviewError:
            with pytest.raises(Exception) as refused:
                fn.call({"from": reviewer.address})
            assert chain.revert_reason(engine, refused.value) == "refused by the contract: ApprovalBlocked"
            self.model.decide(claim_id, number, False, "50")  # the reviewer then denies
            fn = engine.functions.denyPended(recorded, number, chain.to_bytes8("50"))
            expected = None
        receipt = reviewer.transact(engine.address, fn._encode_transaction_data(), 5_000_000)
        earned = [v["amount"] for n, v in EventDecoder(engine).decode(receipt) if n == "RewardEarned"]
        assert earned == [r.amount for r in self.model.rewards.drain()]
        if expected is not None:
            events = [v["words"] for n, v in EventDecoder(engine).decode(receipt) if n == "LineAdjudicated"]
            assert [w.result(claim_id) for w in events] == [expected]

    @rule(cents=st.integers(1, 200_000))
    def fund_escrow(self, cents):
        chain.fund_escrow(self.dep, KEYS, cents * CENT_UNITS)
        self.model.fund(cents)
        self.cash.funded += cents

    @rule(npis=st.lists(st.sampled_from(NPIS[:-1]), min_size=1, max_size=4, unique=True))
    def settle(self, npis):
        paid = chain.settle_providers(self.dep, KEYS, npis)
        expected = sum(self.model.settle(n) for n in npis)
        assert paid == expected * CENT_UNITS
        self.cash.paid_out += expected

    @precondition(lambda self: [m for m in SIGNED if m not in self.model.rewards.payees])
    @rule(data=st.data())
    def member_registers_a_payee(self, data):
        """A-12.3: the member's own signed act, relayed by the treasurer (R-43)."""
        member = data.draw(st.sampled_from([m for m in SIGNED if m not in self.model.rewards.payees]))
        payee = Account.from_key(demo_member_key(member + "-payee")).address
        register_payee(self.dep, KEYS, demo_member_key(member), member, payee)
        self.model.rewards.register(member, payee)

    @rule(cents=st.integers(1, 10_000))
    def fund_incentive_pool(self, cents):
        fund_pool(self.dep, KEYS, cents * CENT_UNITS)
        self.model.rewards.fund(cents)
        self.cash.pool_funded += cents

    @rule(members=st.lists(st.sampled_from(MEMBERS), min_size=1, max_size=3, unique=True))
    def pay_rewards(self, members):
        rows = pay_rewards(self.dep, KEYS, members)
        expected = [c for c in (self.model.rewards.pay(m) for m in members) if c]
        assert [r.amount for r in rows] == expected
        self.model.rewards.drain()
        self.cash.rewards_paid += sum(expected)

    @invariant()
    def balances_match_and_add_up(self):
        if not hasattr(self, "dep"):
            return
        CHECKED["states"] += 1
        check_money_conserved(self.dep, self.model, NPIS[:-1], self.cash)

    @invariant()
    def accumulators_stay_within_plan_maxima(self):
        if hasattr(self, "dep"):
            check_accumulators(self.dep, SCENARIO, self.model, years_of=lambda member: {2026})

    @invariant()
    def no_line_is_paid_twice(self):
        if hasattr(self, "dep"):
            check_no_line_paid_twice(self.dep, self.model, NPIS[:-1])

    @invariant()
    def no_reward_is_paid_twice(self):
        if not hasattr(self, "dep"):
            return
        engine = self.dep["ClaimsEngine"]
        for member in MEMBERS:
            _, _, _, earned, taken, paid = engine.functions.rewardAccount(self.dep.ids.member(member)).call()
            model = self.model.rewards.accounts[member]
            assert (earned, taken, paid) == (model.earned * CENT_UNITS, model.taken_back * CENT_UNITS,
                                             model.paid * CENT_UNITS)
            assert paid <= earned  # and a member owed less than nothing is paid nothing

    @invariant()
    def rewards_of_reversed_lines_are_taken_back(self):
        if not hasattr(self, "dep"):
            return
        engine = self.dep["ClaimsEngine"]
        earners = {
            (claim.claim.member_id, record.line.procedure_code)
            for claim in self.model.claims.values() if not claim.reversed
            for record in claim.lines if record.reward and record.result.status == LineStatus.APPROVED
        }
        assert {(m, code) for (m, code, _) in self.model.rewards.live} == earners
        for member in MEMBERS[:-1]:
            for code in ("99213", "80053"):
                live = self.model.rewards.live.get((member, code, 2026), 0)
                assert engine.functions.rewardOf(self.dep.ids.member(member), chain.to_bytes8(code), 2026).call() == live


SettlementMachine.TestCase.settings = settings(
    max_examples=EXAMPLES_RUN, stateful_step_count=STEPS, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestSettlementStateMachine = SettlementMachine.TestCase


def teardown_module():
    print(f"\nstate machine: invariants checked in {CHECKED['states']} states")
    if Ledger.node is not None:
        Ledger.node.stop()
        Ledger.node = Ledger.dep = None
