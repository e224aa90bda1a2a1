"""``claimledger repost RUN_DIR``: another adjudicator posts what the chain lost (docs/OPTIMISTIC.md,
R-56).

A challenge that proves a fault cuts the batch at the faulted claim, cancels every later batch,
makes the root before that claim the chain's last root again and takes the adjudicator's whole
bond: the claims cut off must be posted again, and the adjudicator that posted them wrong cannot
(it has no bond). Whoever holds the ADJUDICATOR role runs ``repost`` with its own key
(``CLAIMLEDGER_ADJUDICATOR_KEY``). It does what a watcher does first: builds its own engine from
the run's scenario and pseudonyms (checked against the chain's genesis root) and runs every claim
the chain holds as valid, in order, each posted root checked. That history must be the start of
the claims handed in (the run's claims.csv, then the files ``submit`` kept); then every claim
handed in after it is run and posted, in batches of the run's size, with this engine's roots. So
it also posts what an adjudicator that stopped never posted, and a repost killed half way is run
again: what it posted is history by then. Last, unless told not to, it waits out the window
(answering challenges of its batches), finalizes every batch in order and pays the providers
against the final root from its own tree (A-8).

It refuses, in one line, a chain whose history it cannot build on: a posted root the rules do not
give that no challenge has cut (challenge it first: ``claimledger watch``), or valid claims other
than those handed in, in that order (a dropped or swapped claim with consistent roots: no replay
proves it, see the trust assumptions).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import chain
from ..codec import ID_BYTES
from ..keys import DEV_CHAIN_IDS
from ..scenario import load_scenario
from .settlement import CANCELLED, POSTED, OptimisticError, SettlementChain
from .adjudicator import wait_out_window
from .watcher import RUN_FILE, Replayer, compare_with_submitted, watcher_for


@dataclass
class RepostReport:
    history: int = 0  # claims the chain held as valid, checked
    posted: int = 0  # claims posted by this repost
    batches: list[int] = field(default_factory=list)  # the batches it posted
    finalized: list[int] = field(default_factory=list)
    settlement: dict = field(default_factory=dict)  # SettlementChain.settle's figures


def repost(run_dir: Path, w3, finalize: bool = True, funding_ratio: float = 1.0,
           on_progress: Callable[[int], None] | None = None) -> RepostReport:
    """Posts every claim handed in to ``run_dir``'s run that the chain does not hold as valid, as
    the adjudicator of the run's keys; with ``finalize``, then finalizes and pays (see the
    module)."""
    run_dir = Path(run_dir)
    run = json.loads((run_dir / RUN_FILE).read_text())
    report = RepostReport()
    with watcher_for(run_dir, w3) as (replayer, submitted):
        settlement = replayer.settlement
        report.history = _check_history(replayer, submitted)
        pending = submitted[report.history:]
        if pending:
            _bonded(settlement)
        size = int(run["batch_claims"])
        for at in range(0, len(pending), size):
            steps = [replayer.run(packed) for packed in pending[at:at + size]]
            batch_id, _ = settlement.post_batch([s.claim for s in steps], [s.post_root[:28] for s in steps])
            report.batches.append(batch_id)
            report.posted += len(steps)
            if on_progress is not None:
                on_progress(len(steps))
        if finalize:
            npis = sorted(int(n) for n in load_scenario(Path(run["scenario"])).providers)
            report.finalized = finalize_posted(run_dir, settlement)
            if bytes(settlement.contract.functions.finalRoot().call()) != replayer.shadow.tree.root[:28]:
                raise OptimisticError("the chain's final root is not this engine's: a batch is not final yet")
            report.settlement = settlement.settle(replayer.shadow.tree, npis, funding_ratio)
    return report


def _check_history(replayer: Replayer, submitted: list[bytes]) -> int:
    """Runs the claims the chain holds as valid through the engine, each root checked and each
    claim compared with the one handed in at its place; how many there are."""
    accepted = 0
    for batch in replayer.settlement.posted_batches():
        if batch.status == CANCELLED:
            continue
        found = replayer.check(batch)
        if found is not None:
            raise OptimisticError(f"batch {batch.batch_id} claim {found[0]}: the posted root is not the one the rules "
                                  "give and no challenge has cut it there: challenge it first (claimledger watch)")
        differs = compare_with_submitted(batch, accepted, submitted)
        if differs is not None:
            packed = batch.claims[differs.index]
            raise OptimisticError(
                f"batch {batch.batch_id} claim {differs.index} ({packed[:ID_BYTES].hex()[:16]}..) is not claim "
                f"{accepted + differs.index + 1} handed in: the chain's history is not the claims handed in, in "
                "order, and repost builds only on that (claimledger watch names the difference)")
        accepted += batch.valid_count
    return accepted


def _bonded(settlement: SettlementChain) -> None:
    """The poster holds the ADJUDICATOR role and a full bond; on a dev chain the admin grants the
    role and mints the bond's tokens, on any other the poster must have both."""
    contract, token = settlement.contract, settlement.token
    me = settlement.parties.address("adjudicator")
    dev = settlement.w3.eth.chain_id in DEV_CHAIN_IDS
    if not contract.functions.hasRole(chain.ROLES["ADJUDICATOR"], me).call():
        if not dev:
            raise OptimisticError(f"{me} does not hold the ADJUDICATOR role of {contract.address}: the settlement's "
                                  "admin grants it (docs/ROLES.md)")
        settlement.send("admin", contract, "grantRole", chain.ROLES["ADJUDICATOR"], me)
    bond = contract.functions.adjudicatorBond().call()
    if contract.functions.bondOf(me).call() >= bond:
        return
    if dev and token.functions.balanceOf(me).call() < bond:
        settlement.send("admin", token, "mint", me, bond)
    if token.functions.allowance(me, contract.address).call() < bond:
        settlement.send("adjudicator", token, "approve", contract.address, 2**256 - 1)
    settlement.send("adjudicator", contract, "depositBond")


def finalize_posted(run_dir: Path, settlement: SettlementChain) -> list[int]:
    """Waits out the window of the last batch still open (answering challenges of this
    adjudicator's batches meanwhile), resolves the challenges still open, and finalizes every
    open batch in order; the batches finalized."""
    states = {b: settlement.batch(b) for b in range(1, settlement.batch_count() + 1)}
    open_ = [b for b, state in states.items() if state["status"] == POSTED]
    if not open_:
        return []
    wait_out_window(run_dir, settlement, open_, max(states[b]["postedBlock"] for b in open_))
    done = []
    for batch_id in open_:
        if settlement.batch(batch_id)["status"] == POSTED:
            settlement.finalize(batch_id)
            done.append(batch_id)
    return done
