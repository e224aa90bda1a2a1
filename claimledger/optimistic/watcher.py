"""``claimledger watch`` and ``claimledger challenge``: checking an adjudicator's batches and
disputing a claim (docs/OPTIMISTIC.md).

The watcher builds its own engine: a private anvil with claimledger deployed and the run's
scenario loaded with the run's pseudonyms (the same storage on every machine), and checks that its
root is the genesis the settlement chain holds. Then it reads every posted batch from the chain
(the claims and roots of the posting transaction's calldata) and runs each claim through its
engine in order, comparing the root after it with the posted one. At the first claim whose root
differs it stops; ``watch`` challenges that claim (the keys it touched, their values before and
their proofs against the root before it, from the watcher's tree), waits the response period,
and resolves the challenge with the union of its keys and the adjudicator's.

It also compares the claims posted with the claims the biller handed in (the run's
``claims.csv``): a claim left out, two swapped or one never submitted is a finding even where the
roots are consistent with it (such a batch is a true execution of the wrong claims: no replay can
prove it wrong; see docs/OPTIMISTIC.md, trust assumptions).
"""
from __future__ import annotations

import json
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from web3.logs import DISCARD

from ..codec import HAS_ORIGINAL, ID_BYTES, content_hash, encode_claim
from ..privacy.pseudonyms import Pseudonyms, keystore_path
from ..records import Claim
from ..scenario import iter_claims, load_scenario
from .batch import leaf_proof, leaves_of
from .settlement import CANCELLED, OPEN, POSTED, RESPONDED, OptimisticError, PostedBatch, SettlementChain
from .shadow import Shadow, Step, shadow_chain

RUN_FILE = "optimistic/run.json"


@dataclass
class Finding:
    """Something posted that is not what the rules give for the claims handed in."""

    batch_id: int
    index: int  # the claim's index in its batch
    kind: str  # "wrong root", "dropped", "reordered", "not submitted"
    detail: str
    provable: bool  # a replay on chain can prove it (a challenge wins)


@dataclass
class WatchReport:
    batches: int = 0
    claims: int = 0
    seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list)
    challenges: list[dict] = field(default_factory=list)  # challenge id, batch, index, upheld

    @property
    def claims_per_second(self) -> float:
        return self.claims / self.seconds if self.seconds else 0.0


class PostedOriginals:
    """The contents a posted correction names (R-17): every posted claim, by claim key."""

    def __init__(self):
        self._by_key: dict[bytes, dict[bytes, bytes]] = {}

    def add(self, packed: bytes) -> None:
        self._by_key.setdefault(packed[:ID_BYTES], {}).setdefault(content_hash(packed), packed)

    def of(self, packed: bytes) -> bytes:
        if not packed[77] & HAS_ORIGINAL:
            return b""
        return b"".join(self._by_key.get(packed[80:80 + ID_BYTES], {}).values())


class Replayer:
    """The watcher's engine, claim after claim along the posted batches."""

    def __init__(self, shadow: Shadow, settlement: SettlementChain):
        self.shadow = shadow
        self.settlement = settlement
        self.originals = PostedOriginals()
        self.claims = 0

    def check_genesis(self) -> None:
        posted = bytes(self.settlement.contract.functions.genesisRoot().call())
        if self.shadow.genesis_root[:28] != posted:
            raise OptimisticError(f"the chain's genesis root {posted.hex()} is not the one this scenario and these "
                                  f"pseudonyms give ({self.shadow.genesis_root[:28].hex()}): not this run's chain")

    def run(self, packed: bytes) -> Step:
        self.originals.add(packed)
        step = self.shadow.submit_packed(packed, self.originals.of(packed))
        self.claims += 1
        return step

    def undo(self, step: Step) -> None:
        """Takes the tree back to before ``step`` (the node stays after it: only proofs follow)."""
        for key, value in zip(step.keys, step.pre_values):
            self.shadow.tree.update(key, value)

    def check(self, batch: PostedBatch, stop_at: int | None = None) -> tuple[int, Step] | None:
        """Runs the batch's valid claims (up to index ``stop_at``); the first whose root differs
        from the posted one, with its step and the tree taken back before it; else None."""
        for index, packed in enumerate(batch.claims[:batch.valid_count]):
            step = self.run(packed)
            if step.post_root[:28] != batch.roots[index] or index == stop_at:
                self.undo(step)
                return index, step
        return None


@contextmanager
def watcher_for(run_dir: Path, w3) -> Iterator[tuple[Replayer, list[bytes]]]:
    """The watcher's engine for ``run_dir``'s chain on ``w3``, and the packed claims the biller
    handed in (the run's claims.csv, then the files submitted after it, with the run's
    pseudonyms)."""
    run_dir = Path(run_dir)
    path = run_dir / RUN_FILE
    if not path.exists():
        raise OptimisticError(f"{run_dir}: no {RUN_FILE}: not a run of --mode optimistic")
    run = json.loads(path.read_text())
    scenario = load_scenario(Path(run["scenario"]))
    settlement = SettlementChain.load(w3, run_dir, _parties())
    pseudonyms = Pseudonyms.open(keystore_path(run_dir))
    submitted = handed_in(run_dir, pseudonyms, scenario)
    with shadow_chain(scenario, pseudonyms) as shadow:
        replayer = Replayer(shadow, settlement)
        replayer.check_genesis()
        yield replayer, submitted


def handed_in(run_dir: Path, pseudonyms, scenario=None) -> list[bytes]:
    """The packed claims handed in to the run, in order: its claims.csv, then the files
    ``submit --mode optimistic`` kept (:mod:`claimledger.optimistic.submission`)."""
    from .submission import submitted_files

    if scenario is None:
        scenario = load_scenario(Path(json.loads((Path(run_dir) / RUN_FILE).read_text())["scenario"]))
    return [encode_claim(c, pseudonyms) for path in (scenario.claims_path, *submitted_files(run_dir))
            for c in iter_claims(path) if isinstance(c, Claim)]


def _parties():
    from ..keys import load_keys
    from .settlement import Parties

    return Parties.from_keys(load_keys()[0])


def compare_with_submitted(batch: PostedBatch, first: int, submitted: list[bytes]) -> Finding | None:
    """The first posted claim of ``batch`` (the run's claim ``first`` on) that is not the one the
    biller handed in at its place."""
    for index, packed in enumerate(batch.claims[:batch.valid_count]):
        at = first + index
        expected = submitted[at] if at < len(submitted) else None
        if packed == expected:
            continue
        if expected is not None and at + 1 < len(submitted) and packed == submitted[at + 1]:
            nxt = batch.claims[index + 1] if index + 1 < batch.valid_count else None
            kind = "reordered" if nxt == expected else "dropped"
            return Finding(batch.batch_id, index, kind, f"claim {at + 1} of claims.csv posted after claim {at + 2}"
                           if kind == "reordered" else f"claim {at + 1} of claims.csv is not posted", False)
        return Finding(batch.batch_id, index, "not submitted",
                       f"claim {packed[:ID_BYTES].hex()[:16]}.. is not claim {at + 1} of claims.csv", False)
    return None


def watch(run_dir: Path, w3, challenge: bool = True, follow: float | None = None,
          go_on: Callable[[WatchReport], bool] | None = None) -> WatchReport:
    """Checks every posted batch of ``run_dir``'s settlement; challenges the first claim whose
    root is wrong (with ``challenge``) and resolves the challenge. With ``follow`` it then looks
    for new batches every ``follow`` seconds, with the same engine, for as long as
    ``go_on(report)`` says (default: until interrupted) or until a wrong root."""
    report = WatchReport()
    started = time.monotonic()
    with watcher_for(run_dir, w3) as (replayer, submitted):
        first = 0  # the run's claims checked, in batches not cancelled
        in_order = True  # claims compared with those handed in until the first that differs
        next_batch = 1
        while True:
            for batch in replayer.settlement.posted_batches(first=next_batch):
                next_batch = batch.batch_id + 1
                if batch.status == CANCELLED:
                    continue
                report.batches += 1
                if in_order and first + batch.valid_count > len(submitted):
                    submitted = handed_in(run_dir, replayer.shadow.dep.ids)  # a file submitted since
                order = compare_with_submitted(batch, first, submitted) if in_order else None
                found = replayer.check(batch)
                report.claims = replayer.claims
                if order is not None:
                    report.findings.append(order)
                    in_order = False
                if found is not None:
                    index, step = found
                    report.findings.append(Finding(
                        batch.batch_id, index, "wrong root",
                        f"root after claim {step.claim[:ID_BYTES].hex()[:16]}..: posted {batch.roots[index].hex()}, "
                        f"the rules give {step.post_root[:28].hex()}", True))
                    if challenge and batch.status == POSTED:
                        report.challenges.append(dispute(replayer, batch, index, step))
                    report.seconds = time.monotonic() - started
                    return report
                first += batch.valid_count
            report.seconds = time.monotonic() - started
            if follow is None or (go_on is not None and not go_on(report)):
                return report
            time.sleep(follow)


def challenge_claim(run_dir: Path, w3, batch_id: int, index: int) -> dict:
    """Challenges claim ``index`` of batch ``batch_id`` whatever the watcher finds, and resolves
    the challenge: what ``claimledger challenge`` does."""
    with watcher_for(run_dir, w3) as (replayer, _):
        for batch in replayer.settlement.posted_batches():
            if batch.status == CANCELLED:
                continue
            if batch.batch_id != batch_id:
                if replayer.check(batch) is not None:
                    raise OptimisticError(f"batch {batch.batch_id}, before the claim named, has a wrong root: "
                                          "challenge that first (claimledger watch)")
                continue
            if index >= batch.valid_count:
                raise OptimisticError(f"batch {batch_id} has {batch.valid_count} valid claims: no claim {index}")
            _, step = replayer.check(batch, stop_at=index)
            return dispute(replayer, batch, index, step)
    raise OptimisticError(f"no batch {batch_id} is posted")


def defend(run_dir: Path, w3, resolve: bool = False) -> list[dict]:
    """The adjudicator's side: answers every open challenge of its batches, within its response
    period, with the keys its own replay of the claim touched and the originals the claim names
    (both proven or checked on chain), so that the replay runs on every slot the claim reads even
    if the challenger left some out; with ``resolve``, then resolves each (its own and the
    challenger's keys, proven from its tree), so that its batches can be finalized. A claim whose
    posted root the rules do not give is not defended."""
    with watcher_for(run_dir, w3) as (replayer, _):
        settlement = replayer.settlement
        contract = settlement.contract
        me = settlement.parties.address("adjudicator")
        response = contract.functions.responsePeriod().call()
        targets = {}
        for event in contract.events.ChallengeOpened().get_logs(from_block=settlement.from_block):
            challenge_id = event["args"]["challengeId"]
            c = contract.functions.challengeOf(challenge_id).call()
            if c[2] in (OPEN, RESPONDED) and settlement.batch(c[0])["adjudicator"] == me:
                targets.setdefault((c[0], c[1]), []).append((challenge_id, c[2], c[3]))
        answered = []
        for batch in settlement.posted_batches():
            if not targets:
                break
            if batch.status == CANCELLED:
                continue
            for index, packed in enumerate(batch.claims[:batch.valid_count]):
                step = replayer.run(packed)
                found = targets.pop((batch.batch_id, index), [])
                if found and step.post_root[:28] == batch.roots[index]:
                    replayer.undo(step)
                    for challenge_id, status, opened in found:
                        answered.append(_answer(replayer, challenge_id, status == OPEN and
                                                w3.eth.block_number <= opened + response, resolve, step,
                                                batch.batch_id, index))
                    for key, value in zip(step.keys, step.post_values):
                        replayer.shadow.tree.update(key, value)
        return answered


def _answer(replayer: Replayer, challenge_id: int, respond: bool, resolve: bool, step: Step, batch_id: int,
            index: int) -> dict:
    """Responds to challenge ``challenge_id`` with ``step`` (the tree before the claim) and, with
    ``resolve``, resolves it."""
    settlement, tree = replayer.settlement, replayer.shadow.tree
    out = {"challenge": challenge_id, "batch": batch_id, "index": index, "keys": len(step.keys), "gas": 0,
           "upheld": None}
    if respond:
        receipt = settlement.send("adjudicator", settlement.contract, "respond", challenge_id,
                                  *_smt_args(tree, step.keys), step.originals)
        out["gas"] = receipt["gasUsed"]
    if resolve:
        out["upheld"], _ = _resolve(settlement, tree, challenge_id, "adjudicator")
    return out


def _resolve(settlement: SettlementChain, tree, challenge_id: int, role: str) -> tuple[bool, int]:
    """Resolves the challenge with the union of both parties' keys, proven from ``tree`` (the
    state before the claim); whether a fault was upheld, and the gas."""
    challenger_keys, response_keys = settlement.contract.functions.challengeKeys(challenge_id).call()
    union = sorted({int.from_bytes(k, "big") for k in [*challenger_keys, *response_keys]})
    receipt = settlement.send(role, settlement.contract, "resolve", challenge_id, *_smt_args(tree, union))
    return bool(settlement.contract.events.ChallengeUpheld().process_receipt(receipt, errors=DISCARD)), receipt["gasUsed"]


def dispute(replayer: Replayer, batch: PostedBatch, index: int, step: Step) -> dict:
    """Opens a challenge of claim ``index`` of ``batch`` with ``step``'s keys (the tree before
    the claim), waits out the response period unless answered, and resolves it."""
    settlement, tree = replayer.settlement, replayer.shadow.tree
    leaves = leaves_of(batch.claims, batch.pre_root, batch.roots)
    before = batch.roots[index - 1] if index else batch.pre_root
    keys = step.keys
    receipt = settlement.send(
        "challenger", settlement.contract, "challenge", batch.batch_id, index, step.claim, step.originals, before,
        batch.roots[index], leaf_proof(leaves, index), *_smt_args(tree, keys))
    (opened,) = settlement.contract.events.ChallengeOpened().process_receipt(receipt, errors=DISCARD)
    gas_challenge = receipt["gasUsed"]
    challenge_id = opened["args"]["challengeId"]
    response = settlement.contract.functions.responsePeriod().call()
    settlement.wait_blocks(receipt["blockNumber"] + response)
    upheld, gas_resolve = _resolve(settlement, tree, challenge_id, "challenger")
    return {"challenge": challenge_id, "batch": batch.batch_id, "index": index, "upheld": upheld,
            "gas_challenge": gas_challenge, "gas_resolve": gas_resolve}


def _smt_args(tree, keys: list[int]) -> tuple[list, list, list]:
    proofs = tree.proofs(keys)
    return ([k.to_bytes(32, "big") for k in keys], [tree.get(k).to_bytes(32, "big") for k in keys],
            [(bitmap, list(siblings)) for bitmap, siblings in proofs])
