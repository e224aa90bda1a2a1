"""adjudicate --mode optimistic, watch and challenge on examples/basic (issue 19): the run's files
are the on-chain mode's bytes and every provider is paid what the on-chain mode pays; an honest
batch stands any challenge; every dishonest adjudicator of tests/optimistic/dishonest.py is caught
by watch; a run killed during its window (or while posting) resumes to the same files and
payments. Plain web3: the settlement chain is an anvil of the module's own."""
from __future__ import annotations

import shutil

import pytest
from web3.logs import DISCARD

from claimledger.codec import packed_provider
from claimledger.optimistic.batch import leaf_proof, leaves_of
from claimledger.optimistic.layout import account_slot
from claimledger.optimistic.watcher import _smt_args, defend, watcher_for

from claimledger.node import AnvilNode, connect
from claimledger.optimistic.adjudicator import Progress, adjudicate_optimistic
from claimledger.optimistic.settlement import CANCELLED, FINAL, OptimisticError, Parties, SettlementChain
from claimledger.optimistic.watcher import challenge_claim, watch
from claimledger.keys import load_keys
from claimledger.pipeline import adjudicate_on_chain
from tests.conftest import EXAMPLES
from tests.optimistic import dishonest

BASIC = EXAMPLES / "basic"
REJECTED = 4  # IOptimisticSettlement.ChallengeStatus
BATCH = 5  # claims a batch: examples/basic's 23 claims in 5 batches (claim k: batch k // 5 + 1, index k % 5)
WINDOW = 10


@pytest.fixture(scope="module")
def node():
    with AnvilNode() as n:
        yield n


@pytest.fixture(scope="module")
def on_chain(tmp_path_factory):
    """examples/basic adjudicated on chain (the default mode), on its own embedded anvil."""
    out = tmp_path_factory.mktemp("chain")
    result = adjudicate_on_chain(BASIC, out)
    return out, result


def run(node, out, adjudicator=None, finalize=False, window=WINDOW):
    return adjudicate_optimistic(BASIC, out, rpc=node.url, batch_claims=BATCH, window=window,
                                 adjudicator=adjudicator, finalize=finalize)


def settlement_of(node, out) -> SettlementChain:
    return SettlementChain.load(connect(node.url), out, Parties.from_keys(load_keys()[0]))


def test_files_and_payments_are_the_on_chain_modes(node, on_chain, tmp_path):
    chain_out, chain_result = on_chain
    result = run(node, tmp_path, finalize=True)
    for name in ("results.csv", "rejects.csv", "incentives.csv"):
        assert (tmp_path / name).read_bytes() == (chain_out / name).read_bytes(), name
    assert (tmp_path / "results.csv").read_bytes() == (BASIC / "expected_results.csv").read_bytes()
    assert result.settlement["paid_cents"] == chain_result.settlement["paid_cents"] > 0
    assert result.settlement["outstanding_cents"] == chain_result.settlement["outstanding_cents"] == 0
    assert result.stats.transactions == 5 and result.stats.claims == 23
    settlement = settlement_of(node, tmp_path)
    assert all(settlement.batch(b)["status"] == FINAL for b in range(1, 6))
    assert settlement.contract.functions.escrowBalance().call() == 0  # funded with exactly what was owed


def test_an_honest_run_has_no_findings_and_stands_a_challenge(node, tmp_path):
    run(node, tmp_path)
    w3 = connect(node.url)
    report = watch(tmp_path, w3)
    assert report.findings == [] and report.batches == 5 and report.claims == 23
    settlement = settlement_of(node, tmp_path)
    before = settlement.token.functions.balanceOf(settlement.parties.address("adjudicator")).call()
    outcome = challenge_claim(tmp_path, w3, batch_id=2, index=2)
    assert outcome["upheld"] is False
    assert settlement.batch(2)["validCount"] == BATCH
    bond = settlement.contract.functions.challengerBond().call()
    assert settlement.token.functions.balanceOf(settlement.parties.address("adjudicator")).call() == before + bond


@pytest.mark.parametrize("cheat, at, where", [
    (dishonest.PaidAmount, 7, (2, 2)),
    (dishonest.Accumulator, 11, (3, 1)),
    (dishonest.DroppedClaim, 6, (2, 1)),
    (dishonest.ReorderedClaims, 12, (3, 2)),
    (dishonest.StaleRoot, 8, (2, 3)),
    # at the edges: a run's first claim, a batch's last and first, and a
    # batch's last claim dropped with its root (its batch is then consistent: the next one's first
    # claim is judged against a root without the dropped claim's effects)
    (dishonest.PaidAmount, 0, (1, 0)),
    (dishonest.PaidAmount, 4, (1, 4)),
    (dishonest.Accumulator, 5, (2, 0)),
    (dishonest.StaleRoot, 19, (4, 4)),  # a replacement (the last claims, a resubmission and a reject, change nothing)
    (dishonest.DroppedClaim, 9, (3, 0)),
], ids=["paid amount", "accumulator", "dropped claim", "reordered claims", "stale root", "paid amount, first claim",
        "paid amount, last of a batch", "accumulator, first of a batch", "stale root, a replacement last of a batch",
        "dropped claim, last of a batch"])
def test_watch_catches_and_proves_a_dishonest_adjudicator(node, tmp_path, cheat, at, where):
    run(node, tmp_path, adjudicator=cheat(at))
    batch, index = where
    settlement = settlement_of(node, tmp_path)
    bond = settlement.contract.functions.bondOf(settlement.parties.address("adjudicator")).call()
    challenger = settlement.token.functions.balanceOf(settlement.parties.address("challenger")).call()
    report = watch(tmp_path, connect(node.url))
    wrong = [f for f in report.findings if f.kind == "wrong root"]
    assert [(f.batch_id, f.index, f.provable) for f in wrong] == [(batch, index, True)]
    (challenge,) = report.challenges
    assert challenge["upheld"] is True
    assert settlement.batch(batch)["validCount"] == index
    assert all(settlement.batch(b)["status"] == CANCELLED for b in range(batch + 1, settlement.batch_count() + 1))
    assert settlement.token.functions.balanceOf(settlement.parties.address("challenger")).call() == challenger + bond
    if cheat in (dishonest.DroppedClaim, dishonest.ReorderedClaims):
        assert {f.kind for f in report.findings} >= {"dropped" if cheat is dishonest.DroppedClaim else "reordered"}


def test_watch_reports_a_claim_left_out_consistently(node, tmp_path):
    """A claim neither run nor posted: every root is true for what is posted, so no replay can
    prove a fault; watch names the claim of claims.csv that is missing."""
    run(node, tmp_path, adjudicator=dishonest.SkippedClaim(9))
    report = watch(tmp_path, connect(node.url))
    assert [(f.kind, f.provable) for f in report.findings] == [("dropped", False)]
    assert report.challenges == []


class Killed(RuntimeError):
    pass


class DiesAt(dishonest.Honest):
    """Honest, but the process dies when claim ``at`` is run (after two batches are posted)."""

    def __init__(self, at):
        self.at = at

    def admits(self, index):
        if index == self.at:
            raise Killed(f"killed at claim {index}")
        return True


def test_killed_while_posting_then_during_the_window_resumes_to_the_same_files(node, on_chain, tmp_path):
    chain_out, chain_result = on_chain
    with pytest.raises(Killed):
        run(node, tmp_path, adjudicator=DiesAt(12))
    assert Progress.read(tmp_path).batches == [1, 2]
    # resumed: the rest posted, then it stops during the window (as if killed there)
    adjudicate_optimistic(BASIC, tmp_path, rpc=node.url, batch_claims=BATCH, resume=True, finalize=False)
    progress = Progress.read(tmp_path)
    assert progress.all_posted and progress.batches == [1, 2, 3, 4, 5] and progress.finalized == []
    result = adjudicate_optimistic(BASIC, tmp_path, rpc=node.url, batch_claims=BATCH, resume=True)
    assert (tmp_path / "results.csv").read_bytes() == (chain_out / "results.csv").read_bytes()
    assert result.settlement["paid_cents"] == chain_result.settlement["paid_cents"]
    # a third resume pays nobody twice
    again = adjudicate_optimistic(BASIC, tmp_path, rpc=node.url, batch_claims=BATCH, resume=True)
    assert again.settlement["paid_cents"] == 0 and again.settlement["funded_cents"] == 0


def test_a_run_directory_of_the_other_mode_is_refused(node, on_chain, tmp_path):
    chain_out, _ = on_chain
    shutil.copytree(chain_out, tmp_path / "run")
    with pytest.raises(OptimisticError, match="not a run of --mode optimistic"):
        watch(tmp_path / "run", connect(node.url))


def test_claims_submitted_after_the_run_are_posted_watched_and_paid(node, tmp_path):
    """submit --mode optimistic: a file of claims through the run's adjudicator, posted as a batch
    of its own; watch knows them as handed in; finalize pays for them."""
    from claimledger.billing import submit
    from claimledger.optimistic.submission import finalize_run, optimistic_delivery

    run(node, tmp_path, finalize=True)
    late = tmp_path / "late.csv"
    lines = (BASIC / "claims.csv").read_text().splitlines()
    late.write_text("\n".join([lines[0], *(line.replace("C0001", "L0001").replace("2026-01-", "2026-02-")
                                           for line in lines[1:3])]) + "\n")
    with optimistic_delivery(tmp_path, node.url, batch_claims=BATCH) as deliver:
        summary = submit(None, "", late, deliver=deliver)
    assert summary.claims == 1 and summary.counts.get("approved", 0) >= 1
    assert Progress.read(tmp_path).batches == [1, 2, 3, 4, 5, 6]
    report = watch(tmp_path, connect(node.url))
    assert report.findings == [] and report.claims == 24
    paid = finalize_run(tmp_path, node.url)
    assert paid["paid_cents"] > 0 and paid["outstanding_cents"] == 0
    assert settlement_of(node, tmp_path).batch(6)["status"] == FINAL


def test_the_adjudicators_response_defeats_a_challenger_that_leaves_out_a_slot(node, tmp_path):
    """A challenger that leaves out a slot the claim reads (the provider's account) would make the
    replay read zero there and 'prove' a fault in an honest claim; the adjudicator's response
    (defend: the keys its own replay touched) puts the slot back and the challenge fails. Without
    a response the same trick wins: the response period is what keeps honest batches safe."""
    run(node, tmp_path, window=100)  # two challenges, each with a response period, within it
    w3 = connect(node.url)
    settlement = settlement_of(node, tmp_path)

    def resolve(challenge_id, replayer, opened_block):
        settlement.wait_blocks(opened_block + settlement.contract.functions.responsePeriod().call())
        mine, theirs = settlement.contract.functions.challengeKeys(challenge_id).call()
        union = sorted({int.from_bytes(k, "big") for k in [*mine, *theirs]})
        receipt = settlement.send("challenger", settlement.contract, "resolve", challenge_id,
                                  *_smt_args(replayer.shadow.tree, union))
        return bool(settlement.contract.events.ChallengeUpheld().process_receipt(receipt, errors=DISCARD))

    defended = challenge_without_account(node, tmp_path, 0)
    (answer,) = defend(tmp_path, w3)
    assert answer["challenge"] == defended[0] and answer["index"] == 0
    assert resolve(*defended) is False
    assert settlement.batch(1)["validCount"] == BATCH
    undefended = challenge_without_account(node, tmp_path, 1)
    assert resolve(*undefended) is True  # no response: the omitted slot read as zero


def test_watch_follows_new_batches_with_the_same_engine(node, tmp_path):
    """watch --follow: the run's five batches checked, then a file submitted meanwhile (a sixth
    batch) checked in the next round, against the claims handed in with it."""
    from claimledger.billing import submit
    from claimledger.optimistic.submission import optimistic_delivery

    run(node, tmp_path)
    late = tmp_path / "late.csv"
    lines = (BASIC / "claims.csv").read_text().splitlines()
    late.write_text("\n".join([lines[0], lines[3].replace("C0002", "L0002").replace("2026-01-", "2026-03-")]) + "\n")
    rounds = []

    def go_on(report):
        rounds.append((report.batches, report.claims))
        if len(rounds) == 1:
            with optimistic_delivery(tmp_path, node.url) as deliver:
                submit(None, "", late, deliver=deliver)
        return len(rounds) < 2

    report = watch(tmp_path, connect(node.url), follow=0.01, go_on=go_on)
    assert rounds == [(5, 23), (6, 24)] and report.findings == []


def challenge_without_account(node, out, index):
    w3 = connect(node.url)
    settlement = settlement_of(node, out)
    with watcher_for(out, w3) as (replayer, _):
        batch = replayer.settlement.posted_batches()[0]
        _, step = replayer.check(batch, stop_at=index)
        account = account_slot(packed_provider(step.claim))
        assert account in step.keys
        keys = [k for k in step.keys if k != account]
        leaves = leaves_of(batch.claims, batch.pre_root, batch.roots)
        before = batch.roots[index - 1] if index else batch.pre_root
        receipt = settlement.send("challenger", settlement.contract, "challenge", 1, index, step.claim,
                                  step.originals, before, batch.roots[index], leaf_proof(leaves, index),
                                  *_smt_args(replayer.shadow.tree, keys))
        (opened,) = settlement.contract.events.ChallengeOpened().process_receipt(receipt, errors=DISCARD)
        return opened["args"]["challengeId"], replayer, receipt["blockNumber"]


def test_the_adjudicator_answers_and_resolves_open_challenges_before_it_finalizes(node, tmp_path):
    """A challenge left open when the window ends would block finality: the adjudicator's
    finalization answers it (its keys put back the slot the challenger left out), resolves it (no
    fault: the challenger's bond is the adjudicator's) and then finalizes and pays."""
    run(node, tmp_path, window=100)
    challenge_id, _, _ = challenge_without_account(node, tmp_path, 0)
    settlement = settlement_of(node, tmp_path)
    assert settlement.batch(1)["openChallenges"] == 1
    result = adjudicate_optimistic(BASIC, tmp_path, rpc=node.url, batch_claims=BATCH, resume=True)
    assert settlement.contract.functions.challengeOf(challenge_id).call()[2] == REJECTED
    assert all(settlement.batch(b)["status"] == FINAL for b in range(1, 6))
    assert result.settlement["paid_cents"] > 0 and result.settlement["outstanding_cents"] == 0



def test_killed_before_its_first_batch_resumes_from_the_setup(node, on_chain, tmp_path):
    chain_out, _ = on_chain
    with pytest.raises(Killed):
        run(node, tmp_path, adjudicator=DiesAt(2))
    assert Progress.read(tmp_path).batches == []
    adjudicate_optimistic(BASIC, tmp_path, rpc=node.url, batch_claims=BATCH, resume=True)
    assert (tmp_path / "results.csv").read_bytes() == (chain_out / "results.csv").read_bytes()
    assert Progress.read(tmp_path).batches == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("cheat, at, cut", [(dishonest.PaidAmount, 7, (2, 2)), (dishonest.DroppedClaim, 6, (2, 1))],
                         ids=["paid amount", "dropped claim"])
def test_after_a_proven_fault_another_adjudicator_reposts_and_pays_what_the_chain_mode_pays(
        node, on_chain, tmp_path, monkeypatch, cheat, at, cut):
    """The fault proven and cut, a second adjudicator (its own key, the role granted, a bond of its
    own) posts the claims cut off with its engine's roots, finalizes every batch and pays: each
    provider what the on-chain mode pays it. A second repost finds nothing to do."""
    from claimledger.node import dev_private_keys
    from claimledger.optimistic.takeover import repost

    _, chain_result = on_chain
    run(node, tmp_path, adjudicator=cheat(at))
    report = watch(tmp_path, connect(node.url))
    assert [(c["batch"], c["index"], c["upheld"]) for c in report.challenges] == [(*cut, True)]
    history = (cut[0] - 1) * BATCH + cut[1]
    monkeypatch.setenv("CLAIMLEDGER_ADJUDICATOR_KEY", dev_private_keys(6)[5])
    taken = repost(tmp_path, connect(node.url))
    assert taken.history == history and taken.posted == 23 - history
    assert taken.batches == list(range(6, 6 + -(-taken.posted // BATCH)))
    assert taken.finalized == [1, 2, *taken.batches]
    assert taken.settlement["paid_cents"] == chain_result.settlement["paid_cents"]
    assert taken.settlement["outstanding_cents"] == 0
    settlement = settlement_of(node, tmp_path)
    assert {settlement.batch(b)["adjudicator"] for b in taken.batches} == {settlement.parties.address("adjudicator")}
    assert settlement.contract.functions.escrowBalance().call() == 0
    assert watch(tmp_path, connect(node.url)).findings == []
    again = repost(tmp_path, connect(node.url))
    assert (again.posted, again.batches, again.finalized, again.settlement["paid_cents"]) == (0, [], [], 0)


def test_repost_refuses_a_history_it_cannot_build_on(node, tmp_path):
    from claimledger.optimistic.takeover import repost

    run(node, tmp_path, adjudicator=dishonest.PaidAmount(7))
    with pytest.raises(OptimisticError, match="batch 2 claim 2: the posted root is not the one the rules give"):
        repost(tmp_path, connect(node.url))  # not challenged yet
    skipped = tmp_path / "skipped"
    run(node, skipped, adjudicator=dishonest.SkippedClaim(9))
    with pytest.raises(OptimisticError, match=r"batch 2 claim 4 \(.*\) is not claim 10 handed in"):
        repost(skipped, connect(node.url))
