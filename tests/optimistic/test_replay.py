"""The replay sandbox (contracts/optimistic/ClaimReplay.sol) against the adjudicator's run
(claimledger/optimistic/shadow.py): every claim of examples/basic (corrections included) and 200
synthetic claims, run by the engine one per transaction on a private anvil, replayed in a fresh
clone on exactly the slots the engine touched, their values proven against the shadow's root
before the claim (contracts/test/ReplayHarness.sol): the same reject reason, result hash and
root after. Plain web3 on the shadow's own anvil: no brownie network is needed."""
from __future__ import annotations

import dataclasses

import pytest
from eth_utils import keccak
from web3.exceptions import ContractCustomError, ContractLogicError

from eth_account import Account

from claimledger import chain
from claimledger.claims_csv import iter_claims
from claimledger.money import parse_day
from claimledger.node import dev_private_keys
from claimledger.optimistic.shadow import Step, shadow_chain
from claimledger.optimistic.smt import compute_root
from claimledger.records import Claim, ClaimLine
from claimledger.scenario import load_scenario
from claimledger.sender import TxSender
from tests.conftest import EXAMPLES

GAS = 30_000_000
LINE_COUNT = 79  # the packed claim's byte that counts its lines (docs/ENGINE.md)
# AccessControl's _roles[BILLER].hasRole[biller] (slot 0 mapping): read by submitClaims, not by _submit
BILLER_ROLE_SLOT = int.from_bytes(keccak(
    bytes(12) + bytes.fromhex(Account.from_key(dev_private_keys(6)[2]).address[2:])
    + keccak(chain.ROLES["BILLER"] + bytes(32))), "big")


def b32(x: int) -> bytes:
    return x.to_bytes(32, "big")


def selector(signature: str) -> str:
    return "0x" + keccak(text=signature)[:4].hex()


def claims_of(scenario) -> list[Claim]:
    return [c for c in iter_claims(scenario.claims_path) if isinstance(c, Claim)]


class Replays:
    """ClaimReplay and the harness deployed on the shadow's chain."""

    def __init__(self, shadow):
        w3 = shadow.dep.w3
        self.w3 = w3
        self.sender = TxSender(w3, _dev_keys()[0], window=1)  # the admin's account: idle after the setup
        receipt = self.sender.transact(None, _bytecode("ClaimReplay"), GAS)
        self.implementation = receipt["contractAddress"]
        self.implementation_gas = receipt["gasUsed"]
        self.replay = w3.eth.contract(self.implementation, abi=chain.artifact("ClaimReplay")["abi"])
        constructor = w3.eth.contract(**chain.artifact("ReplayHarness")).constructor(self.implementation)
        address = self.sender.transact(None, constructor.data_in_transaction, GAS)["contractAddress"]
        self.harness = w3.eth.contract(address, abi=chain.artifact("ReplayHarness")["abi"])

    def check_args(self, step: Step, pre_values=None, drop: int | None = None):
        """The harness's arguments for ``step``: its pre-values or ``pre_values``, without key
        ``drop`` (an index) if given."""
        pre = step.pre_values if pre_values is None else pre_values
        kept = [i for i in range(len(step.keys)) if i != drop]
        return (step.pre_root, [b32(step.keys[i]) for i in kept], [b32(pre[i]) for i in kept],
                [(step.proofs[i][0], list(step.proofs[i][1])) for i in kept], step.claim, step.originals)

    def check(self, step: Step, pre_values=None, drop: int | None = None):
        args = self.check_args(step, pre_values, drop)
        reason, result, root = self.harness.functions.check(*args).call({"gas": GAS})
        return reason, bytes(result), bytes(root)

    def check_gas(self, step: Step) -> int:
        data = self.harness.encode_abi("check", args=list(self.check_args(step)))
        receipt = self.sender.transact(self.harness.address, data, GAS)
        assert receipt["status"] == 1
        return receipt["gasUsed"]

    def replay_only_gas(self, step: Step) -> int:
        data = self.harness.encode_abi("replayOnly", args=[
            [b32(k) for k in step.keys], [b32(v) for v in step.pre_values], step.claim, step.originals])
        receipt = self.sender.transact(self.harness.address, data, GAS)
        assert receipt["status"] == 1
        return receipt["gasUsed"]


def _dev_keys():
    return dev_private_keys(6)


def _bytecode(name: str) -> str:
    return chain.artifact(name)["bytecode"]


def ten_line_claim(like: Claim) -> Claim:
    """A new original claim of ``like``'s member and provider with ten lines of its first line's
    code on ten days."""
    first = like.lines[0]
    start = parse_day("2026-03-01")
    lines = tuple(ClaimLine(start + i, first.procedure_code, 1, first.billed) for i in range(10))
    return dataclasses.replace(like, claim_id="C9010", received_date=start + 20, lines=lines)


@pytest.fixture(scope="module")
def basic():
    """examples/basic run by the shadow, claim by claim with proofs, then a ten-line claim, and
    one more claim with extra slots it does not touch (proven, as they are)."""
    scenario = load_scenario(EXAMPLES / "basic")
    with shadow_chain(scenario) as shadow:
        replays = Replays(shadow)
        claims = claims_of(scenario)
        steps = [shadow.submit(c, with_proofs=True) for c in claims]
        ten = shadow.submit(ten_line_claim(claims[0]), with_proofs=True)
        untouched = sorted(k for k, _ in shadow.tree.items())[:5]
        extra = shadow.submit(dataclasses.replace(claims[1], claim_id="C9011"), with_proofs=True, also=untouched)
        yield shadow, replays, steps, ten, extra


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    from claimledger.synth import SynthConfig, generate

    out = tmp_path_factory.mktemp("synth")
    generate(out, SynthConfig(claims=200, seed=19))
    scenario = load_scenario(out)
    with shadow_chain(scenario) as shadow:
        replays = Replays(shadow)
        steps = [shadow.submit(c, with_proofs=True) for c in claims_of(scenario)]
        yield replays, steps


def test_every_claim_of_basic_replays_to_the_shadows_result_and_root(basic):
    _, replays, steps, ten, extra = basic
    assert any(s.originals for s in steps), "basic has corrections"
    assert any(s.reject_reason for s in steps), "and a rejected claim"
    for step in steps + [ten, extra]:
        assert compute_root(step.keys, step.post_values, step.proofs) == step.post_root
        assert replays.check(step) == (step.reject_reason, step.result_hash, step.post_root), step.claim_id


def test_200_synthetic_claims_replay_to_the_shadows_result_and_root(synthetic):
    replays, steps = synthetic
    assert len(steps) >= 190
    kinds = {(bool(s.originals), s.reject_reason) for s in steps}
    assert (True, 0) in kinds and (False, 0) in kinds
    for step in steps:
        assert replays.check(step) == (step.reject_reason, step.result_hash, step.post_root), step.claim_id


def test_a_wrong_pre_value_fails_the_proof(basic):
    _, replays, steps, _, _ = basic
    step = steps[0]
    for i in (0, len(step.keys) - 1):
        wrong = list(step.pre_values)
        wrong[i] += 1
        with pytest.raises((ContractCustomError, ContractLogicError)) as raised:
            replays.check(step, wrong)
        assert selector("PreStateMismatch(bytes32,bytes32)") in str(raised.value)


def test_leaving_out_a_touched_slot_changes_the_replay(basic):
    """Without one of the slots the claim touched, the replay (still proven: the other proofs
    stand alone) goes wrong: a slot written to a new value is missing from the root after, and a
    slot read for the rules reads zero (plan terms, fee entries, the member's word). Which is why
    the challenge lets the adjudicator add the keys a challenger left out. Not every slot read
    matters: the biller's role slot is read by submitClaims's role check, which the replay does
    not run, and a word a claim changes and changes back (a correction's provider account,
    recouped and accrued the same) reaches the same root without its read."""
    _, replays, steps, ten, _ = basic
    correction = next(s for s in steps if s.originals)
    for step in (steps[0], correction, ten):
        full = (step.reject_reason, step.result_hash, step.post_root)
        assert replays.check(step) == full
        unchanged_that_matter = 0
        for i, key in enumerate(step.keys):
            pre, post = step.pre_values[i], step.post_values[i]
            if pre == post == 0:
                continue  # zero is what a slot nobody supplied reads
            same = replays.check(step, drop=i) == full
            if pre != post:
                assert not same, f"written slot {key:#x} left out, same replay"
            elif key == BILLER_ROLE_SLOT:
                assert same
            else:
                unchanged_that_matter += not same
        assert unchanged_that_matter >= 2


def test_extra_true_slots_give_the_true_result(basic):
    """A replay given slots the claim does not touch, with their true values, gives the same
    result, and the same root after (those slots keep their values)."""
    _, replays, _, _, extra = basic
    unchanged = [k for k, pre, post in zip(extra.keys, extra.pre_values, extra.post_values) if pre == post and pre]
    assert len(unchanged) >= 5
    assert replays.check(extra) == (extra.reject_reason, extra.result_hash, extra.post_root)


def test_only_the_clones_creator_replays_and_only_on_a_clone(basic):
    shadow, replays, steps, _, _ = basic
    step = steps[0]
    args = ([b32(k) for k in step.keys], [b32(v) for v in step.pre_values], step.claim, step.originals)
    with pytest.raises((ContractCustomError, ContractLogicError)) as raised:
        replays.replay.functions.replay(*args).call({"gas": GAS})
    assert selector("NotAClone()") in str(raised.value)
    clone = replays.harness.functions.newClone().call({"gas": GAS})
    replays.sender.transact(replays.harness.address, replays.harness.encode_abi("newClone", args=[]), GAS)
    other = replays.w3.eth.contract(clone, abi=replays.replay.abi)
    with pytest.raises((ContractCustomError, ContractLogicError)) as raised:
        other.functions.replay(*args).call({"gas": GAS, "from": replays.sender.address})
    assert selector("NotReplayCreator(address)") in str(raised.value)


def test_gas_of_a_challenge_replay(basic):
    """A replay with its clone and both proofs (before and after), for a one-line and a
    ten-line claim: printed for benchmarks/README.md."""
    shadow, replays, steps, ten, _ = basic
    one = next(s for s in steps if s.claim[LINE_COUNT] == 1 and not s.originals and not s.reject_reason)
    tree = len(shadow.tree)
    for label, step in (("one-line", one), ("ten-line", ten)):
        gas = replays.check_gas(step)
        bare = replays.replay_only_gas(step)
        print(f"\nreplay of a {label} claim: {len(step.keys)} slots, {gas:,} gas with the proofs before and after "
              f"(tree of {tree} leaves); {bare:,} of it the clone and the replay; the claim on chain: {step.gas_used:,}")
    print(f"ClaimReplay implementation deployed once: {replays.implementation_gas:,} gas")


def test_the_replay_does_not_depend_on_when_it_runs(basic):
    """Ten years and a thousand blocks later the replays give the same: the claim path reads
    no block field, only storage and calldata."""
    shadow, replays, steps, ten, _ = basic
    request = replays.w3.provider.make_request
    request("evm_increaseTime", [10 * 366 * 86_400])
    request("anvil_mine", [1_000])
    for step in steps[:5] + [ten]:
        assert replays.check(step) == (step.reject_reason, step.result_hash, step.post_root)
