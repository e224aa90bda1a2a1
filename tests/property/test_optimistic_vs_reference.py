"""Property (issue 19): for the random plans, families and claim streams of
tests/property/test_chain_vs_reference.py, the adjudicator's shadow decides every line as the
reference model does (its rows are what optimistic mode writes), and the chain's re-execution of
every claim from its proofs (ClaimReplay, through contracts/test/ReplayHarness.sol) gives the
shadow's result and root after it: an honest adjudicator's batch cannot be challenged
successfully, whatever the claims.

One anvil for the module (kept states for the tracer), a snapshot reverted after each example.
`make test` runs the CI profile; `HYPOTHESIS_PROFILE=full` runs the long one."""
import pytest
from hypothesis import given, settings

from claimledger import chain
from claimledger.codec import encode_claim
from claimledger.events import EventDecoder, outcomes_from_events
from claimledger.node import AnvilNode, connect
from claimledger.optimistic.shadow import KEPT_STATES, Shadow
from claimledger.privacy.pseudonyms import Pseudonyms
from claimledger.reference import ReferenceEngine

from tests.optimistic.test_replay import Replays
from tests.property.ledger_checks import KEYS, rpc
from tests.property.test_chain_vs_reference import PROFILE, scenarios


class _Node:
    """What Replays reads of a shadow: its deployment's web3."""

    def __init__(self, dep):
        self.dep = dep


@pytest.fixture(scope="module")
def deployed():
    with AnvilNode(flat=False, kept_states=KEPT_STATES) as node:
        dep = chain.deploy(connect(node.url), chain.Keys.from_list(list(KEYS.__dict__.values())),
                           pseudonyms=Pseudonyms.in_memory())
        yield dep, Replays(_Node(dep))


@pytest.fixture(scope="module")
def claims_replayed():
    counter = {"claims": 0, "examples": 0}
    yield counter
    assert counter["claims"] > counter["examples"], "the scenarios drawn have (almost) no claims"


@settings.get_profile(PROFILE)
@given(case=scenarios())
def test_an_honest_shadow_matches_the_reference_and_every_replay(deployed, claims_replayed, case):
    dep, replays = deployed
    scenario, claims, _ = case
    snapshot = rpc(dep.w3, "evm_snapshot")
    try:
        chain.load_reference_data(dep, KEYS, scenario)
        shadow = Shadow(dep, KEYS)
        model = ReferenceEngine.from_scenario(scenario)
        decoder = EventDecoder(dep["ClaimsEngine"])
        for claim in claims:
            rows, reject = model.submit(claim)
            packed = encode_claim(claim, dep.ids)
            shadow.originals.add(packed)
            step = shadow.submit_packed(packed, shadow.originals.for_claims([claim]), with_proofs=True)
            (outcome,) = outcomes_from_events([claim], decoder.decode(step.receipt), dep.ids)
            assert (outcome.rows, outcome.reject, outcome.rewards) == (rows, reject, model.rewards.drain())
            reason, result, root = replays.check(step)
            assert (reason, result, root) == (step.reject_reason, step.result_hash, step.post_root)
            claims_replayed["claims"] += 1
        claims_replayed["examples"] += 1
    finally:
        rpc(dep.w3, "evm_revert", snapshot)
