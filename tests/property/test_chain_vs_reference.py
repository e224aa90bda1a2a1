"""Property: for random plans, families and claim streams (with duplicates, resubmissions,
corrections and review decisions) the chain decides every line as the reference model does:
lines this plan pays second (A-11, both coordination rules) and the incentives they and the
others earn and give back (A-12) included.

Runs on its own anvil (free port), so the long profile can run beside other test runs:
`make test` runs a small profile; the full one is
`HYPOTHESIS_PROFILE=full .venv/bin/python -m pytest -p no:pytest-brownie tests/property/test_chain_vs_reference.py -s`.
"""
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3.exceptions import ContractLogicError

from claimledger import chain
from claimledger.events import REWARD_EVENTS, EventDecoder, reward_row
from claimledger.recorded import recorded_claim
from claimledger.records import Claim, ClaimLine, Frequency
from claimledger.reference import ReferenceEngine
from claimledger.reference_review import ReviewError
from claimledger.replay import replay
from claimledger.sender import TxSender

from tests.property.ledger_checks import KEYS, rpc
from tests.property.scenario_strategies import BASE, CODES, DX, NPIS, reference_data

settings.register_profile("ci", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("full", max_examples=10_000,  # >= 100,000 lines compared (issue 18)
                          deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")


@st.composite
def scenarios(draw):
    scenario = draw(reference_data())
    members = scenario.members
    claims: list[Claim] = []
    for i in range(draw(st.integers(1, 14))):
        kind = draw(st.sampled_from(["new", "new", "new", "resubmit", "duplicate", "correct"]))
        if kind != "new" and claims:
            earlier = draw(st.sampled_from(claims))
            if kind == "resubmit":
                claims.append(earlier)
                continue
            if kind == "duplicate":
                claims.append(Claim(f"C{i}", Frequency.ORIGINAL, "", earlier.member_id, earlier.provider_npi,
                                    earlier.received_date, earlier.diagnoses, earlier.lines))
                continue
            frequency = draw(st.sampled_from([Frequency.REPLACEMENT, Frequency.VOID]))
            member = earlier.member_id if draw(st.integers(0, 5)) else "M0"
            new_lines = draw(st.just(earlier.lines) | lines())
            received = max(earlier.received_date, *(l.service_date for l in new_lines)) + draw(st.integers(0, 20))
            claims.append(Claim(f"C{i}", frequency, earlier.claim_id, member, earlier.provider_npi,
                                received, earlier.diagnoses, new_lines))
            continue
        member = draw(st.sampled_from(sorted(members) + ["MX"]))
        npi = draw(st.sampled_from(NPIS + ["1999999999"]))
        claim_lines = draw(lines())
        received = max(l.service_date for l in claim_lines) + draw(st.integers(0, 240))
        dx = tuple(draw(st.lists(st.sampled_from(DX), min_size=1, max_size=2, unique=True)))
        claims.append(Claim(f"C{i}", Frequency.ORIGINAL, "", member, npi, received, dx, claim_lines))
    decisions = draw(st.lists(st.tuples(st.booleans(), st.sampled_from(["50", "B5"])), max_size=6))
    return scenario, claims, decisions


@st.composite
def claim_line(draw):
    """A line, a third of them with the prior payer's result (A-11.1): allowed, and paid at
    most that, sometimes above what this plan allows."""
    other_allowed = other_paid = None
    if draw(st.integers(0, 2)) == 0:
        other_allowed = draw(st.integers(0, 60_000))
        other_paid = draw(st.integers(0, other_allowed))
    return ClaimLine(draw(st.integers(BASE, BASE + 90)), draw(st.sampled_from(CODES + ["99999"])),
                     draw(st.integers(1, 3)), draw(st.sampled_from([5_000, 12_000, 45_000, 90_000])), None,
                     other_allowed, other_paid)


def lines():
    return st.lists(claim_line(), min_size=1, max_size=3).map(tuple)


@pytest.fixture(scope="module")
def lines_compared(request):
    """Counts the lines the property compared and says how many at the end of the module's
    run (read in the closing note); a property that compared none has tested nothing."""
    counter = {"n": 0, "examples": 0, "secondary": 0, "rewards": 0}
    yield counter
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"property test compared {counter['n']} lines ({counter['secondary']} paid second) "
                                f"and {counter['rewards']} incentive rows chain vs reference "
                                f"in {counter['examples']} examples")
    assert counter["n"] > counter["examples"], "the scenarios drawn have (almost) no lines"
    assert counter["secondary"], "no line paid second was compared"
    # rewards need an approved line of a rewarded code, the member's first of the year: the CI
    # profile's 40 small examples may draw none (the examples and contract tests cover them
    # every run); the full profile compares over a thousand
    assert counter["rewards"] or PROFILE != "full", "no reward was compared"


@settings.get_profile(PROFILE)
@given(case=scenarios())
def test_chain_decides_every_line_as_the_reference(deployed, lines_compared, case):
    scenario, claims, decisions = case
    snapshot = rpc(deployed.w3, "evm_snapshot")
    try:
        chain.load_reference_data(deployed, KEYS, scenario)
        model = ReferenceEngine.from_scenario(scenario)
        expected, expected_rejects, expected_rewards = [], [], []
        for c in claims:
            rows, reject = model.submit(c)
            expected += rows
            expected_rejects += [reject] if reject else []
            expected_rewards += model.rewards.drain()
        got, got_rejects, got_rewards = [], [], []

        def collect(outcome):
            got.extend(outcome.rows)
            got_rewards.extend(outcome.rewards)
            if outcome.reject:
                got_rejects.append(outcome.reject)

        replay(deployed, KEYS.biller, claims, collect, batch_claims=5)
        assert got == expected
        assert got_rejects == expected_rejects
        assert got_rewards == expected_rewards
        compared_rewards = len(expected_rewards) + _decide_pended_lines_alike(deployed, model, decisions)
        escrow = deployed["ClaimsEngine"]
        for npi in scenario.providers:
            assert escrow.functions.owed(int(npi)).call() == model.accounts[npi].balance * 10_000
        for member in scenario.members:  # what each member is owed, earned net of taken back
            assert escrow.functions.rewardOwed(deployed.ids.member(member)).call() == model.rewards.accounts[member].owed * 10_000
        lines_compared["n"] += len(expected)
        lines_compared["secondary"] += sum(1 for c in claims for line in c.lines if line.secondary)
        lines_compared["rewards"] += compared_rewards
        lines_compared["examples"] += 1
    finally:
        rpc(deployed.w3, "evm_revert", snapshot)


def _decide_pended_lines_alike(dep, model, decisions) -> int:
    """Decides pended lines on chain and in the model alike; returns the reward rows compared."""
    engine = dep["ClaimsEngine"]
    reviewer = TxSender(dep.w3, KEYS.reviewer)
    decoder = EventDecoder(engine)
    rewards = 0
    for (claim_id, number), (approve, carc) in zip(model.pending_lines(), decisions):
        recorded = recorded_claim(dep, dep.ids.claim(claim_id))  # supplied again
        fn = (engine.functions.approvePended(recorded, number) if approve
              else engine.functions.denyPended(recorded, number, chain.to_bytes8(carc)))
        try:
            expected = model.decide(claim_id, number, approve, carc)
        except ReviewError:
            with pytest.raises(ContractLogicError) as refused:
                fn.call({"from": reviewer.address})
            assert chain.revert_reason(engine, refused.value) == "refused by the contract: ApprovalBlocked"
            continue
        receipt = reviewer.transact(engine.address, fn._encode_transaction_data(), 5_000_000)
        decoded = decoder.decode(receipt)
        assert [v["words"].result(claim_id) for name, v in decoded if name == "LineAdjudicated"] == [expected]
        member = model.claims[claim_id].claim.member_id
        earned = [reward_row(name, v, member, {dep.ids.claim(claim_id): claim_id})
                  for name, v in decoded if name in REWARD_EVENTS]
        assert earned == model.rewards.drain()
        rewards += len(earned)
    return rewards
