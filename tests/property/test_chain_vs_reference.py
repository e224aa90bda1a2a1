"""Property: for random plans, families and claim streams (with duplicates, resubmissions,
corrections and review decisions) the chain decides every line as the reference model does:
lines this plan pays second (A-11, both coordination rules) and the incentives they and the
others earn and give back (A-12) included.

Runs on its own anvil (free port), so the long profile can run beside other test runs:
`make test` runs a small profile; the full one is
`HYPOTHESIS_PROFILE=full .venv/bin/python -m pytest -p no:brownie tests/property/test_chain_vs_reference.py -s`.
"""
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3.exceptions import ContractLogicError

from claimledger import chain
from claimledger.events import REWARD_EVENTS, EventDecoder, reward_row
from claimledger.recorded import recorded_claim
from claimledger.money import parse_day
from claimledger.node import AnvilNode, connect, dev_private_keys
from claimledger.records import (
    COB_MODES, Authorization, Claim, ClaimLine, FeeEntry, Frequency, Member, Plan, Provider,
)
from claimledger.reference import ReferenceEngine, ReviewError
from claimledger.replay import replay
from claimledger.scenario import Scenario
from claimledger.sender import TxSender

settings.register_profile("ci", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("full", max_examples=10_000,  # >= 100,000 lines compared (issue 18)
                          deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")

CODES = ["99213", "71046", "70553", "97110", "20610", "27447"]
CATEGORIES = ["office_visit", "imaging", "therapy", "procedure"]
DX = ["M17.11", "J06.9", "R05.9", "M25.561"]
NPIS = ["1234567893", "1659478212", "1098765432"]  # two in network, one out
BASE = parse_day("2026-01-01")
KEYS = chain.Keys.from_list(dev_private_keys(5))

cents = st.integers(min_value=100, max_value=60_000)


@st.composite
def plans(draw):
    ded = draw(st.integers(0, 80_000))
    oop = draw(st.integers(ded, 200_000))
    fees = {}
    for code in draw(st.lists(st.sampled_from(CODES), min_size=3, max_size=6, unique=True)):
        fees[code] = FeeEntry(
            allowed=draw(cents), category=draw(st.sampled_from(CATEGORIES)),
            prior_auth=draw(st.booleans()) and draw(st.booleans()),
            review=draw(st.integers(0, 9)) == 0,
            max_units_per_day=draw(st.none() | st.integers(1, 4)),
            annual_limit=draw(st.none() | st.integers(1, 3)),
            dx_prefixes=tuple(draw(st.lists(st.sampled_from(["M17", "J06", "R05", "M25"]), max_size=2, unique=True))),
        )
    copays = {c: draw(st.integers(0, 5_000)) for c in draw(st.lists(st.sampled_from(CATEGORIES), max_size=2, unique=True))}
    incentives = {c: draw(st.integers(1, 9_000))  # at least one code rewarded, so that rewards are common
                  for c in draw(st.lists(st.sampled_from(sorted(fees)), min_size=1, max_size=3, unique=True))}
    return Plan(
        plan_id="P1", deductible_individual=ded, deductible_family=ded * draw(st.integers(1, 3)),
        oop_max_individual=oop, oop_max_family=oop * draw(st.integers(1, 3)),
        coinsurance_bps=draw(st.integers(0, 5_000)), out_of_network_covered=draw(st.booleans()),
        out_of_network_coinsurance_bps=draw(st.integers(0, 6_000)), copays=copays,
        timely_filing_days=draw(st.integers(20, 200)),
        pend_above=draw(st.none() | st.integers(10_000, 80_000)), fee_schedule=fees,
        cob=draw(st.sampled_from(COB_MODES)), incentives=incentives,
    )


@st.composite
def scenarios(draw):
    plan = draw(plans())
    members = {}
    for i in range(draw(st.integers(1, 4))):
        start = BASE + draw(st.integers(0, 40))
        end = draw(st.none() | st.integers(start + 10, start + 120))
        members[f"M{i}"] = Member(f"M{i}", f"S{i % 2}", "P1", start, end)
    providers = {npi: Provider(npi, npi, npi != "1098765432") for npi in NPIS[:draw(st.integers(2, 3))]}
    auths = [
        Authorization(f"A{i}", draw(st.sampled_from(sorted(members))), draw(st.sampled_from(CODES)),
                      draw(st.integers(1, 3)), BASE + draw(st.integers(0, 30)), BASE + draw(st.integers(30, 120)))
        for i in range(draw(st.integers(0, 4)))
    ]
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
    return Scenario({"P1": plan}, members, providers, auths), claims, decisions


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
def deployed():
    with AnvilNode() as node:
        yield chain.deploy(connect(node.url), KEYS)


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
    assert counter["secondary"] and counter["rewards"], "no line paid second or no reward was compared"


def rpc(w3, method, *params):
    return w3.provider.make_request(method, list(params))["result"]


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
