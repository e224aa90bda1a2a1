"""``submit --mode optimistic`` and ``claimledger finalize``: claims handed to the adjudicator of
an optimistic run after it (docs/OPTIMISTIC.md).

A file of claims (837, FHIR or claims.csv, as ``submit`` reads them) goes through the run's saved
shadow (its root must be the chain's last root), its rows are the submission's outcomes, and its
claims are posted as new batches; the file is kept as ``optimistic/submitted/NNNN.csv`` so that a
watcher knows the claims handed in, in order. ``finalize`` waits out the windows of the batches
not yet final, finalizes them and pays the providers what the final root says.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from ..atomic import copy_atomically
from ..chain import ENGINE
from ..events import EventDecoder, outcomes_from_events
from ..keys import load_keys
from ..node import run_chain
from ..records import Claim
from .adjudicator import BATCH_CLAIMS, RUN_FILE, Progress, finalize_and_pay
from .settlement import OptimisticError, Parties, SettlementChain
from .shadow import Shadow, save_shadow, saved_shadow

SUBMITTED = "optimistic/submitted"


def submitted_files(run_dir: Path) -> list[Path]:
    """The claims files handed in after the run, in the order they were."""
    folder = Path(run_dir) / SUBMITTED
    return sorted(folder.glob("*.csv")) if folder.exists() else []


@contextmanager
def optimistic_run(run_dir: Path, rpc: str | None) -> Iterator[tuple[Shadow, SettlementChain, Progress]]:
    """The saved shadow, the settlement chain and the progress of an optimistic run directory."""
    run_dir = Path(run_dir)
    if not (run_dir / RUN_FILE).exists():
        raise OptimisticError(f"{run_dir}: no {RUN_FILE}: not a run of --mode optimistic")
    progress = Progress.read(run_dir)
    if not progress.all_posted:
        raise OptimisticError(f"{run_dir}: the run has claims not posted yet: adjudicate --mode optimistic --resume first")
    scenario = Path(json.loads((run_dir / RUN_FILE).read_text())["scenario"])
    with run_chain(run_dir, rpc) as w3, saved_shadow(run_dir, scenario / "claims.csv") as shadow:
        settlement = SettlementChain.load(w3, run_dir, Parties.from_keys(load_keys()[0]))
        last = bytes(settlement.contract.functions.lastRoot().call())
        if shadow.tree.root[:28] != last:
            raise OptimisticError(f"{run_dir}: the saved adjudicator chain ({shadow.tree.root[:28].hex()}) is not at the "
                                  f"settlement's last root ({last.hex()})")
        yield shadow, settlement, progress


@contextmanager
def optimistic_delivery(run_dir: Path, rpc: str | None, batch_claims: int = BATCH_CLAIMS
                        ) -> Iterator[Callable[[Path, list, Callable], None]]:
    """A ``deliver(source, items, on_outcome)`` for :func:`claimledger.billing.submit`: the items
    through the run's shadow, their claims posted in batches of ``batch_claims``."""
    run_dir = Path(run_dir)
    with optimistic_run(run_dir, rpc) as (shadow, settlement, progress):
        decoder = EventDecoder(shadow.dep[ENGINE])

        def deliver(source: Path, items: list, on_outcome: Callable) -> None:
            folder = run_dir / SUBMITTED
            folder.mkdir(parents=True, exist_ok=True)
            copy_atomically(source, folder / f"{len(submitted_files(run_dir)) + 1:04d}.csv")
            steps = []

            def post() -> None:
                batch_id, receipt = settlement.post_batch([s.claim for s in steps], [s.post_root[:28] for s in steps])
                save_shadow(shadow, run_dir)
                progress.batches.append(batch_id)
                progress.last_block = receipt["blockNumber"]
                progress.claims += len(steps)
                progress.write(run_dir)
                steps.clear()

            for item in items:
                if isinstance(item, Claim):
                    step = shadow.submit(item)
                    steps.append(step)
                    outcomes = outcomes_from_events([item], decoder.decode(step.receipt), shadow.dep.ids)
                else:
                    outcomes = outcomes_from_events([item], [], shadow.dep.ids)
                for outcome in outcomes:
                    on_outcome(outcome)
                if len(steps) == batch_claims:
                    post()
            if steps:
                post()

        yield deliver


def finalize_run(run_dir: Path, rpc: str | None, funding_ratio: float = 1.0) -> dict:
    """Waits out the window of every batch not final yet, finalizes them in order and pays the
    providers (A-8); what was paid."""
    run_dir = Path(run_dir)
    scenario = Path(json.loads((run_dir / RUN_FILE).read_text())["scenario"]) if (run_dir / RUN_FILE).exists() else None
    with optimistic_run(run_dir, rpc) as (shadow, settlement, progress):
        from ..scenario import load_scenario

        npis = sorted(load_scenario(scenario).providers)
        return finalize_and_pay(shadow, settlement, progress, run_dir, npis, funding_ratio)
