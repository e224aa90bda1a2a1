"""OptimisticSettlement's challenge game against the adjudicator's run
(claimledger/optimistic/shadow.py) of examples/basic: an honest batch stands a challenge (the
challenger's bond to the adjudicator), a batch with one wrong root after a claim is caught and
cut (later batches cancelled, the adjudicator's bond to the challenger), a correction whose
originals the challenger omits stands once the adjudicator adds them, a claim that cannot run on
its posted root before (the replay panics) is a fault, a replay starved of gas decides nothing,
and every refusal is a custom error. Plain web3 on the shadow's own anvil, as tests/optimistic/test_replay.py; a fresh
settlement a test."""
from __future__ import annotations

import pytest
from eth_account import Account
from eth_utils import keccak
from web3.exceptions import ContractCustomError, Web3Exception
from web3.logs import DISCARD

from claimledger import chain
from claimledger.node import dev_private_keys
from claimledger.optimistic.batch import leaf_proof, leaves_of, short_root
from claimledger.optimistic.layout import ACCOUNTS_SLOT, PAYEES_SLOT, claim_slot
from claimledger.optimistic.shadow import Step, shadow_chain
from claimledger.optimistic.smt import compute_root
from claimledger.scenario import load_scenario
from claimledger.sender import TxSender
from tests.conftest import EXAMPLES
from tests.optimistic.test_replay import claims_of

GAS = 30_000_000
WINDOW, RESPONSE = 40, 3
ADJ_BOND, CHAL_BOND = 1_000 * 10**6, 100 * 10**6
POSTED, FINAL, CANCELLED = 1, 2, 3
KEYS = dev_private_keys(8)
ADMIN, ADJUDICATOR, CHALLENGER = KEYS[0], KEYS[6], KEYS[7]


def b32(x: int) -> bytes:
    return x.to_bytes(32, "big")


def address(key: str) -> str:
    return Account.from_key(key).address


class Chain:
    """Senders, a token and a ClaimReplay implementation on the shadow's anvil."""

    def __init__(self, shadow):
        self.w3 = shadow.dep.w3
        self.senders = {k: TxSender(self.w3, k, window=1) for k in (ADMIN, ADJUDICATOR, CHALLENGER)}
        self.token = self.deploy("SettlementToken", address(ADMIN), 0)
        self.send(ADMIN, self.token, "grantRole", chain.ROLES["MINTER"], address(ADMIN))
        for key in (ADJUDICATOR, CHALLENGER):
            self.send(ADMIN, self.token, "mint", address(key), 10 * ADJ_BOND)
        self.implementation = self.deploy("ClaimReplay").address

    def deploy(self, name: str, *args):
        factory = self.w3.eth.contract(**chain.artifact(name))
        receipt = self.senders[ADMIN].transact(None, factory.constructor(*args).data_in_transaction, GAS)
        return self.w3.eth.contract(receipt["contractAddress"], abi=chain.artifact(name)["abi"])

    def send(self, key: str, contract, fn: str, *args) -> dict:
        receipt = self.senders[key].transact(contract.address, contract.encode_abi(fn, args=list(args)), GAS)
        assert receipt["status"] == 1, fn
        return receipt

    def fails(self, key: str, contract, fn: str, *args) -> str:
        """The custom error (its signature's selector, hex) `fn` reverts with, called from `key`."""
        with pytest.raises(ContractCustomError) as exc:
            getattr(contract.functions, fn)(*args).call({"from": address(key), "gas": GAS})
        return exc.value.data[:10]

    def mine(self, blocks: int) -> None:
        self.w3.provider.make_request("anvil_mine", [hex(blocks)])

    def balance(self, key: str) -> int:
        return self.token.functions.balanceOf(address(key)).call()


def error(signature: str) -> str:
    return "0x" + keccak(text=signature)[:4].hex()


@pytest.fixture(scope="module")
def run():
    """examples/basic through the shadow, each claim with its proofs."""
    scenario = load_scenario(EXAMPLES / "basic")
    with shadow_chain(scenario) as shadow:
        steps = [shadow.submit(c, with_proofs=True) for c in claims_of(scenario)]
        yield shadow, Chain(shadow), steps


@pytest.fixture
def game(run):
    """A fresh settlement on the shadow's genesis, the adjudicator bonded."""
    shadow, ch, steps = run
    settlement = ch.deploy("OptimisticSettlement", address(ADMIN), 0, ch.token.address, ch.implementation,
                           short_root(shadow.genesis_root), b32(ACCOUNTS_SLOT), b32(PAYEES_SLOT), WINDOW, RESPONSE,
                           ADJ_BOND, CHAL_BOND)
    ch.send(ADMIN, settlement, "grantRole", chain.ROLES["ADJUDICATOR"], address(ADJUDICATOR))
    ch.send(ADMIN, settlement, "grantRole", chain.ROLES["CHALLENGER"], address(CHALLENGER))
    for key in (ADJUDICATOR, CHALLENGER):
        ch.send(key, ch.token, "approve", settlement.address, 2**256 - 1)
    ch.send(ADJUDICATOR, settlement, "depositBond")
    return shadow, ch, steps, settlement


def smt_args(step: Step, indices) -> tuple[list, list, list]:
    return ([b32(step.keys[i]) for i in indices], [b32(step.pre_values[i]) for i in indices],
            [(step.proofs[i][0], list(step.proofs[i][1])) for i in indices])


def post(ch, settlement, steps: list[Step], roots: list[bytes]) -> list[bytes]:
    """Posts the steps' claims with ``roots`` (taken short); returns the leaves."""
    roots = [short_root(r) for r in roots]
    ch.send(ADJUDICATOR, settlement, "postBatch", b"".join(s.claim for s in steps), roots)
    assert settlement.functions.lastRoot().call() == roots[-1]
    return leaves_of([s.claim for s in steps], steps[0].pre_root, roots)


def challenge_args(batch_id: int, index: int, step: Step, root_before: bytes, root_after: bytes, leaves,
                   indices, originals: bytes | None = None) -> list:
    """``challenge``'s arguments (the roots taken short); the step's own originals unless
    ``originals`` is given."""
    return [batch_id, index, step.claim, step.originals if originals is None else originals, short_root(root_before),
            short_root(root_after), leaf_proof(leaves, index), *smt_args(step, indices)]


def honest_roots(steps):
    return [s.post_root for s in steps]


def pick(steps) -> int:
    """A claim the engine recorded, touching several slots."""
    return next(i for i, s in enumerate(steps) if s.reject_reason == 0 and len(s.keys) > 4 and i > 0)


def test_an_honest_batch_is_posted_on_the_genesis(game):
    shadow, ch, steps, settlement = game
    post(ch, settlement, steps, honest_roots(steps))
    b = settlement.functions.batch(1).call()
    assert b[1] == short_root(shadow.genesis_root) and b[2] == short_root(steps[-1].post_root) and b[6] == len(steps)


def test_a_challenge_of_an_honest_claim_fails_and_pays_the_adjudicator(game):
    shadow, ch, steps, settlement = game
    leaves = post(ch, settlement, steps, honest_roots(steps))
    k = pick(steps)
    step = steps[k]
    n = len(step.keys)
    half = range(n // 2)  # the challenger names half the slots; the adjudicator adds the rest
    rest = range(n // 2, n)
    adj, chal = ch.balance(ADJUDICATOR), ch.balance(CHALLENGER)
    ch.send(CHALLENGER, settlement, "challenge", *challenge_args(1, k, step, step.pre_root, step.post_root, leaves, half))
    assert ch.balance(CHALLENGER) == chal - CHAL_BOND
    # without the adjudicator's keys the union lacks slots: no resolution yet, and none without them
    assert ch.fails(CHALLENGER, settlement, "resolve", 1, *smt_args(step, half)) == error(
        "ResponsePeriodRunning(uint256,uint256)")
    assert ch.fails(CHALLENGER, settlement, "respond", 1, *smt_args(step, rest), b"") == error(
        "NotBatchAdjudicator(address,address)")
    ch.send(ADJUDICATOR, settlement, "respond", 1, *smt_args(step, rest), b"")
    assert ch.fails(CHALLENGER, settlement, "resolve", 1, *smt_args(step, half)) == error("KeyMissing(bytes32)")
    assert ch.fails(CHALLENGER, settlement, "finalize", 1) == error("WindowOpen(uint256,uint256)")
    receipt = ch.send(CHALLENGER, settlement, "resolve", 1, *smt_args(step, range(n)))
    assert settlement.events.ChallengeRejected().process_receipt(receipt, errors=DISCARD)[0]["args"]["paid"] == CHAL_BOND
    assert ch.balance(ADJUDICATOR) == adj + CHAL_BOND
    assert settlement.functions.batch(1).call()[7] == len(steps)  # nothing cut
    ch.mine(WINDOW + 1)
    ch.send(CHALLENGER, settlement, "finalize", 1)
    assert settlement.functions.batch(1).call()[5] == FINAL
    print(f"\nresolve of a {n}-slot claim: {receipt['gasUsed']:,} gas")


def test_a_wrong_root_after_a_claim_is_caught_and_the_batch_cut(game):
    shadow, ch, steps, settlement = game
    k = pick(steps)
    step = steps[k]
    # the adjudicator's tree has one value wrong after claim k (the largest word it wrote, plus one)
    wrong = list(step.post_values)
    j = max(range(len(wrong)), key=lambda i: wrong[i] if wrong[i] != step.pre_values[i] else -1)
    wrong[j] += 1
    roots = honest_roots(steps)
    roots[k] = compute_root(step.keys, wrong, step.proofs)
    assert roots[k] != step.post_root
    leaves = post(ch, settlement, steps, roots)
    later = post(ch, settlement, steps[:1], [b32(7)])  # a second batch on top of the first
    del later
    adj_bond = settlement.functions.bondOf(address(ADJUDICATOR)).call()
    chal = ch.balance(CHALLENGER)
    every = range(len(step.keys))
    ch.send(CHALLENGER, settlement, "challenge", *challenge_args(1, k, step, step.pre_root, roots[k], leaves, every))
    assert ch.fails(ADJUDICATOR, settlement, "finalize", 1) == error("WindowOpen(uint256,uint256)")
    ch.mine(RESPONSE + 1)  # the adjudicator does not respond
    assert ch.fails(ADJUDICATOR, settlement, "respond", 1, *smt_args(step, every), b"") == error(
        "ResponsePeriodOver(uint256,uint256)")
    receipt = ch.send(ADJUDICATOR, settlement, "resolve", 1, *smt_args(step, every))
    upheld = settlement.events.ChallengeUpheld().process_receipt(receipt, errors=DISCARD)[0]["args"]
    assert upheld["computedRoot"] == short_root(step.post_root) and upheld["postedRoot"] == short_root(roots[k])
    assert ch.balance(CHALLENGER) == chal + adj_bond
    b = settlement.functions.batch(1).call()
    assert b[7] == k and b[2] == short_root(step.pre_root)  # cut at k: claims k on are void
    assert settlement.functions.batch(2).call()[5] == CANCELLED
    assert settlement.functions.lastRoot().call() == short_root(step.pre_root)
    assert settlement.functions.headBatch().call() == 1
    assert settlement.functions.bondOf(address(ADJUDICATOR)).call() == 0
    # the void claims cannot be challenged; posting again needs a new bond
    assert ch.fails(CHALLENGER, settlement, "challenge", *challenge_args(
        1, k, step, step.pre_root, roots[k], leaves, every)) == error("IndexOutOfRange(uint256,uint256)")
    assert ch.fails(ADJUDICATOR, settlement, "postBatch", step.claim, [short_root(step.post_root)]) == error(
        "BondTooLow(uint256,uint256)")
    ch.send(ADJUDICATOR, settlement, "depositBond")
    post(ch, settlement, steps[k:], honest_roots(steps[k:]))
    assert settlement.functions.batch(3).call()[1] == short_root(step.pre_root)
    ch.mine(WINDOW + 1)
    ch.send(CHALLENGER, settlement, "finalize", 1)
    ch.send(CHALLENGER, settlement, "finalize", 3)  # batch 2 is cancelled, not in the way
    print(f"\nresolve with a fault, {len(step.keys)} slots: {receipt['gasUsed']:,} gas")


def test_challenges_are_refused_with_custom_errors(game):
    shadow, ch, steps, settlement = game
    leaves = post(ch, settlement, steps, honest_roots(steps))
    k = pick(steps)
    step = steps[k]
    every = range(len(step.keys))
    good = challenge_args(1, k, step, step.pre_root, step.post_root, leaves, every)
    assert ch.fails(ADJUDICATOR, settlement, "challenge", *good) == error(
        "AccessControlUnauthorizedAccount(address,bytes32)")
    wrong_leaf = list(good)
    wrong_leaf[5] = b32(1)[:28]  # another root after
    assert ch.fails(CHALLENGER, settlement, "challenge", *wrong_leaf) == error("LeafNotInBatch(uint256,uint256)")
    wrong_value = list(good)
    wrong_value[8] = [b32(int.from_bytes(v, "big") + 1) for v in good[8]]
    assert ch.fails(CHALLENGER, settlement, "challenge", *wrong_value) == error("PreStateMismatch(bytes28,bytes28)")
    beyond = challenge_args(1, len(steps), step, step.pre_root, step.post_root, leaves, every)
    beyond[6] = []
    assert ch.fails(CHALLENGER, settlement, "challenge", *beyond) == error("IndexOutOfRange(uint256,uint256)")
    assert ch.fails(CHALLENGER, settlement, "challenge", 2, *good[1:]) == error("UnknownBatch(uint256)")
    assert ch.fails(CHALLENGER, settlement, "resolve", 1, *smt_args(step, every)) == error("UnknownChallenge(uint256)")
    ch.send(CHALLENGER, settlement, "challenge", *good)
    ch.mine(WINDOW + 1)
    assert ch.fails(CHALLENGER, settlement, "challenge", *good) == error("WindowClosed(uint256,uint256)")
    assert ch.fails(CHALLENGER, settlement, "finalize", 1) == error("ChallengesOpen(uint256,uint256)")
    ch.send(CHALLENGER, settlement, "resolve", 1, *smt_args(step, every))
    assert ch.fails(CHALLENGER, settlement, "resolve", 1, *smt_args(step, every)) == error(
        "ChallengeNotOpen(uint256,uint8)")
    ch.send(CHALLENGER, settlement, "finalize", 1)


def correction(steps) -> int:
    """A correction (replacement or void) the engine recorded: its replay needs its originals."""
    return next(i for i, s in enumerate(steps) if s.originals and s.reject_reason == 0)


def resolve_call(ch, settlement, step: Step, indices, gas: int = GAS):
    return settlement.functions.resolve(1, *smt_args(step, indices)).call({"from": address(CHALLENGER), "gas": gas})


def test_originals_are_the_union_of_both_parties(game):
    """R-17: a challenger who omits a correction's originals would make an honest claim replay as
    rejected (OriginalNotSupplied), a false fault; the adjudicator's response adds them and the
    challenge fails. Originals that do not parse are refused from either side."""
    shadow, ch, steps, settlement = game
    leaves = post(ch, settlement, steps, honest_roots(steps))
    k = correction(steps)
    step = steps[k]
    every = range(len(step.keys))
    assert ch.fails(CHALLENGER, settlement, "challenge", *challenge_args(
        1, k, step, step.pre_root, step.post_root, leaves, every, originals=b"\x01" * 20)) == error(
        "MalformedOriginals(uint256)")
    ch.send(CHALLENGER, settlement, "challenge", *challenge_args(
        1, k, step, step.pre_root, step.post_root, leaves, every, originals=b""))
    # without a response: the replay rejects the claim, and the fault would be upheld
    snapshot = ch.w3.provider.make_request("evm_snapshot", [])["result"]
    ch.mine(RESPONSE + 1)
    assert resolve_call(ch, settlement, step, every) is True
    ch.w3.provider.make_request("evm_revert", [snapshot])
    assert ch.fails(ADJUDICATOR, settlement, "respond", 1, [], [], [], step.originals + b"\x01") == error(
        "MalformedOriginals(uint256)")
    receipt = ch.send(ADJUDICATOR, settlement, "respond", 1, [], [], [], step.originals)
    responded = settlement.events.ChallengeResponded().process_receipt(receipt, errors=DISCARD)[0]["args"]
    assert (responded["keys"], responded["originals"]) == (0, len(step.originals))
    assert settlement.functions.challengeOriginals(1).call() == [b"", step.originals]
    assert resolve_call(ch, settlement, step, every) is False
    receipt = ch.send(CHALLENGER, settlement, "resolve", 1, *smt_args(step, every))
    assert settlement.events.ChallengeRejected().process_receipt(receipt, errors=DISCARD)
    assert settlement.functions.batch(1).call()[7] == len(steps)  # nothing cut


def test_a_claim_that_cannot_run_on_its_posted_state_is_a_fault(game):
    """The root after claim k - 1 is posted with claim k's record holding a state no ClaimState
    names: claim k's replay panics (enum conversion, 0x21), which is a fault (computed root 0),
    not a challenge stuck open."""
    shadow, ch, steps, settlement = game
    k = pick(steps)
    step = steps[k]
    i = step.keys.index(claim_slot(step.claim_id))
    assert step.pre_values[i] == 0
    bad = list(step.pre_values)
    bad[i] = 0xFF
    roots = honest_roots(steps)
    roots[k - 1] = compute_root(step.keys, bad, step.proofs)
    leaves = post(ch, settlement, steps, roots)
    every = range(len(step.keys))
    keys, _, proofs = smt_args(step, every)
    ch.send(CHALLENGER, settlement, "challenge", 1, k, step.claim, step.originals, short_root(roots[k - 1]),
            short_root(roots[k]), leaf_proof(leaves, k), keys, [b32(v) for v in bad], proofs)
    ch.mine(RESPONSE + 1)
    receipt = ch.send(CHALLENGER, settlement, "resolve", 1, keys, [b32(v) for v in bad], proofs)
    reverted = settlement.events.ReplayReverted().process_receipt(receipt, errors=DISCARD)[0]["args"]
    assert reverted["reason"] == bytes.fromhex("4e487b71") + b32(0x21)  # Panic(0x21)
    upheld = settlement.events.ChallengeUpheld().process_receipt(receipt, errors=DISCARD)[0]["args"]
    assert upheld["computedRoot"] == bytes(28) and upheld["postedRoot"] == short_root(roots[k])
    assert settlement.functions.batch(1).call()[7] == k
    print(f"\nresolve with a replay that panics: {receipt['gasUsed']:,} gas")


def test_a_replay_starved_of_gas_forces_no_fault(game):
    """resolve of an honest claim under every gas limit from 300,000 up: it either reverts (out
    of gas; ReplayOutOfGas when the replay ran out; OpenZeppelin's FailedDeployment when the
    clone's creation did) or finds no fault; never a fault."""
    shadow, ch, steps, settlement = game
    leaves = post(ch, settlement, steps, honest_roots(steps))
    k = pick(steps)
    step = steps[k]
    every = range(len(step.keys))
    ch.send(CHALLENGER, settlement, "challenge", *challenge_args(1, k, step, step.pre_root, step.post_root, leaves, every))
    ch.mine(RESPONSE + 1)
    outcomes = set()
    for gas in range(300_000, 2_000_001, 20_000):
        try:
            outcomes.add(("returned", resolve_call(ch, settlement, step, every, gas)))
        except ContractCustomError as exc:
            outcomes.add(("error", exc.data[:10]))
        except Web3Exception:
            outcomes.add(("reverted", None))
    assert ("error", error("ReplayOutOfGas(uint256)")) in outcomes
    assert ("returned", False) in outcomes and ("returned", True) not in outcomes
    assert outcomes <= {("error", error("ReplayOutOfGas(uint256)")), ("error", error("FailedDeployment()")),
                        ("returned", False), ("reverted", None)}
