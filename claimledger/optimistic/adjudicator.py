"""``adjudicate --mode optimistic``: the adjudicator's run (docs/OPTIMISTIC.md).

The claims go through the engine on the adjudicator's own anvil (the *shadow*,
:mod:`claimledger.optimistic.shadow`), one transaction a claim; the rows of ``results.csv``,
``rejects.csv`` and ``incentives.csv`` come from the shadow's events with the decoder the on-chain
mode uses, so the files are the same bytes. Every ``batch_claims`` claims the batch goes to
``OptimisticSettlement`` on the settlement chain: the claims as calldata and the 28-byte root of
the engine's state after each. Once every batch has outlived its challenge window, each is
finalized in order and the escrow pays every provider what the final root says it is owed (A-8),
each account proven against that root.

A checkpoint follows every posted batch: the shadow's chain is saved
(``optimistic/shadow-state.json``), the result files made durable up to the batch's last record,
and ``optimistic/progress.json`` written. ``resume`` goes on from there: the shadow reloaded
(its root must be the chain's last root), the files cut back, a batch the chain accepted after
the checkpoint (posted when the run died) taken as posted once the same claims give the same
roots, and the wait for the window, finality and payment done as far as they were not.
"""
from __future__ import annotations

import json
import time
from contextlib import ExitStack
from itertools import islice
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..atomic import write_text_atomically
from ..chain import ENGINE
from ..events import EventDecoder, outcomes_from_events
from ..keys import load_keys, refuse_dev_keys
from ..node import fund_on_anvil, run_chain
from ..pipeline import RunResult, count_records, write_timeline
from ..privacy.pseudonyms import new_keystore
from ..records import Claim
from ..replay import ReplayStats
from ..results import ResultWriter, write_input_errors
from ..scenario import iter_claims, load_scenario
from .settlement import WINDOW, OptimisticError, Parties, SettlementChain
from .shadow import Shadow, Step, save_shadow, saved_shadow, shadow_chain

PROGRESS = "optimistic/progress.json"
RUN_FILE = "optimistic/run.json"
BATCH_CLAIMS = 1000


class Honest:
    """What an adjudicator posts: what its shadow computed. Tests put a dishonest one in its
    place (tests/optimistic/dishonest.py)."""

    def admits(self, index: int) -> bool:
        """Whether claim ``index`` (counted over the run) is run and posted at all."""
        return True

    def after_claim(self, shadow: Shadow, step: Step, index: int) -> Step:
        """The step of claim ``index`` (counted over the run) as the adjudicator keeps it."""
        return step

    def before_post(self, claims: list[bytes], roots: list[bytes]) -> tuple[list[bytes], list[bytes]]:
        """The claims and 28-byte roots of one batch as the adjudicator posts them."""
        return claims, roots


@dataclass
class Progress:
    """``optimistic/progress.json``: where a resume starts."""

    records: int = 0  # records of claims.csv whose rows the checkpoint covers
    claims: int = 0  # claims among them (the run's claim index)
    batches: list[int] = field(default_factory=list)  # posted, in order
    last_block: int = 0  # the block the last batch was posted in
    all_posted: bool = False
    finalized: list[int] = field(default_factory=list)
    writer: dict | None = None  # ResultWriter.checkpoint()

    @classmethod
    def read(cls, run_dir: Path) -> "Progress":
        path = Path(run_dir) / PROGRESS
        if not path.exists():
            raise OptimisticError(f"{run_dir}: nothing to resume (no {PROGRESS})")
        return cls(**json.loads(path.read_text()))

    def write(self, run_dir: Path) -> None:
        write_text_atomically(Path(run_dir) / PROGRESS, json.dumps(self.__dict__), resumable=True)


def adjudicate_optimistic(
    scenario_dir: Path,
    out_dir: Path,
    rpc: str | None = None,
    batch_claims: int = BATCH_CLAIMS,
    window: int = WINDOW,
    funding_ratio: float = 1.0,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    resume: bool = False,
    adjudicator: Honest | None = None,
    finalize: bool = True,
) -> RunResult:
    """Adjudicates ``scenario_dir`` off chain, posts its batches to the settlement chain (``rpc``,
    else an anvil started here and kept in ``out_dir``), waits ``window`` blocks, finalizes and
    pays the providers; writes the run directory as the on-chain mode does. With ``finalize``
    False it stops once the batches are posted (a watcher's turn; ``resume`` finishes)."""
    scenario = load_scenario(scenario_dir)
    out_dir = Path(out_dir)
    (out_dir / PROGRESS).parent.mkdir(parents=True, exist_ok=True)
    progress = Progress.read(out_dir) if resume else Progress()
    adjudicator = adjudicator or Honest()
    keys, sources = load_keys()
    parties = Parties.from_keys(keys)
    stats = ReplayStats()
    with ExitStack() as stack:
        w3 = stack.enter_context(run_chain(out_dir, rpc, fresh=not resume))
        refuse_dev_keys(sources, w3.eth.chain_id, roles=("admin", "treasurer"))
        if resume:
            shadow = stack.enter_context(saved_shadow(out_dir, scenario.claims_path))
            settlement = SettlementChain.load(w3, out_dir, parties)
            if progress.batches and shadow.tree.root[:28] != bytes(settlement.batch(progress.batches[-1])["postRoot"]):
                raise OptimisticError(f"{out_dir}: the saved adjudicator chain is not at batch {progress.batches[-1]}'s root")
        else:
            shadow = stack.enter_context(shadow_chain(scenario, new_keystore(out_dir)))
            shadow.dep.ids.commit()
            save_shadow(shadow, out_dir)
            if rpc is None:
                fund_on_anvil(w3, [parties.address(r) for r in ("admin", "adjudicator", "challenger", "treasurer")])
            settlement = SettlementChain.deploy(w3, parties, shadow.genesis_root, window=window)
            settlement.save(out_dir)
            write_text_atomically(out_dir / RUN_FILE, json.dumps({
                "scenario": str(Path(scenario_dir).resolve()), "genesis_root": "0x" + shadow.genesis_root.hex(),
                "batch_claims": batch_claims, "window": window}, indent=2) + "\n")
            progress.write(out_dir)  # the first checkpoint: set up, no claim run (the files start anew)
        if not progress.all_posted:
            _post_all(scenario, shadow, settlement, progress, out_dir, batch_claims, adjudicator, stats,
                      on_start, on_progress)
        settled = {}
        if finalize:
            settled = finalize_and_pay(shadow, settlement, progress, out_dir, sorted(scenario.providers),
                                        funding_ratio)
    stats.finished = time.monotonic()
    write_input_errors(out_dir, scenario.input_errors)
    write_timeline(out_dir, stats)
    counts = dict((progress.writer or {}).get("counts", {}))
    billed = (progress.writer or {}).get("billed", 0)
    return RunResult(out_dir, counts, stats, settled, scenario, billed, None)


def _post_all(scenario, shadow: Shadow, settlement: SettlementChain, progress: Progress, out_dir: Path,
              batch_claims: int, adjudicator: Honest, stats: ReplayStats, on_start, on_progress) -> None:
    """Runs the claims from the checkpoint on, writes their rows, posts a batch every
    ``batch_claims`` claims with a checkpoint after each."""
    decoder = EventDecoder(shadow.dep[ENGINE])
    ids = shadow.dep.ids
    if on_start is not None:
        on_start(count_records(scenario, progress.records))
    adopt = [b for b in settlement.posted_batches(first=len(progress.batches) + 1)
             if b.adjudicator == settlement.parties.address("adjudicator")]
    steps: list[Step] = []
    with ResultWriter(out_dir, resume_from=progress.writer) as writer:

        def post(upto: int) -> None:
            claims, roots = adjudicator.before_post([s.claim for s in steps], [s.post_root[:28] for s in steps])
            found = adopt.pop(0) if adopt else None
            if found is not None:  # posted when the run died, after its checkpoint
                if (found.claims, found.roots) != (claims, roots):
                    raise OptimisticError(f"batch {found.batch_id} on chain is not what this run gives for its claims "
                                          f"from record {progress.records + 1}: the run directory and the chain differ")
                batch_id, block, gas = found.batch_id, found.posted_block, 0
            else:
                batch_id, receipt = settlement.post_batch(claims, roots)
                block, gas = receipt["blockNumber"], receipt["gasUsed"]
            stats.transactions += 1
            stats.gas_used += gas
            stats.timeline.append((time.monotonic() - stats.started, stats.claims, gas, len(steps)))
            save_shadow(shadow, out_dir)
            progress.batches.append(batch_id)
            progress.last_block = block
            progress.records = upto
            progress.claims += len(steps)
            progress.writer = writer.checkpoint()
            progress.write(out_dir)
            steps.clear()

        n = first = progress.records
        dropped = 0  # claims a dishonest adjudicator left out
        for n, item in enumerate(islice(iter_claims(scenario.claims_path), first, None), start=first + 1):
            if isinstance(item, Claim) and not adjudicator.admits(progress.claims + len(steps) + dropped):
                dropped += 1
                continue
            if isinstance(item, Claim):
                step = shadow.submit(item)
                step = adjudicator.after_claim(shadow, step, progress.claims + len(steps) + dropped)
                outcomes = outcomes_from_events([item], decoder.decode(step.receipt), ids)
                steps.append(step)
                stats.claims += 1
                stats.lines += len(item.lines)
            else:
                outcomes = outcomes_from_events([item], [], ids)
            for outcome in outcomes:
                writer.rows(outcome.rows, outcome.claim)
                writer.rewards(outcome.rewards)
                if outcome.reject is not None:
                    writer.reject(outcome.reject)
            if len(steps) == batch_claims:
                post(n)
            if on_progress is not None:
                on_progress(1)
        if steps:
            post(n)
        progress.all_posted = True
        progress.records = n
        progress.writer = writer.checkpoint()
        progress.write(out_dir)


def finalize_and_pay(shadow: Shadow, settlement: SettlementChain, progress: Progress, out_dir: Path,
                      npis: list[str], funding_ratio: float) -> dict:
    """Waits out the last batch's window (answering challenges of its batches meanwhile, on a
    chain where others can send), answers and resolves the challenges still open, finalizes every
    batch in order, pays the providers."""
    wait_out_window(out_dir, settlement, [b for b in progress.batches if b not in progress.finalized],
                    progress.last_block)
    for batch_id in progress.batches:
        if batch_id in progress.finalized:
            continue
        status = settlement.batch(batch_id)["status"]
        if status == 1:  # posted: a batch finalized when the run died is final already
            settlement.finalize(batch_id)
        elif status != 2:
            raise OptimisticError(f"batch {batch_id} was cancelled by a proven fault: its claims must be posted "
                                  f"again by another adjudicator (claimledger repost {out_dir})")
        progress.finalized.append(batch_id)
        progress.write(out_dir)
    return settlement.settle(shadow.tree, [int(n) for n in npis], funding_ratio)


def wait_out_window(run_dir: Path, settlement: SettlementChain, batch_ids: list[int], last_block: int) -> None:
    """Until the window of a batch posted in ``last_block`` is over, answering the challenges of
    ``batch_ids`` meanwhile (on a chain where others can send), then answering and resolving those
    still open, so that the batches can be finalized."""
    from .watcher import defend

    def challenged() -> bool:
        return any(settlement.batch(b)["openChallenges"] for b in batch_ids)

    settlement.wait_blocks(last_block + settlement.contract.functions.challengeWindow().call(),
                           on_poll=lambda: challenged() and defend(run_dir, settlement.w3))
    if challenged():
        defend(run_dir, settlement.w3, resolve=True)
