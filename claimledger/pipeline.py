"""End-to-end jobs behind the CLI: adjudicate a scenario on chain or with the reference model,
settle providers, and write the run directory."""
from __future__ import annotations

import json
import time
from contextlib import nullcontext
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Callable

from . import chain, deployment_dir, node
from .atomic import atomic_output, write_text_atomically
from .chain import ENGINE, Deployment, Keys
from .clients import unkept_chain
from .events import ClaimOutcome
from .keys import load_keys, refuse_dev_keys
from .money import CENT_UNITS
from .node import fund_on_anvil, interval_mining, run_chain
from .originals import OriginalContents
from .privacy.pseudonyms import new_keystore
from .records import Claim
from .recorded import recorded_rows
from .reference import ReferenceEngine
from .replay import DEFAULT_BATCH_CLAIMS, ReplayStats, hex_hash, replay
from .results import ResultWriter, write_input_errors
from .scenario import Scenario, iter_claims, load_scenario
from .deployment_dir import DEPLOYMENTS_FILE  # networks: one name for the file

PROGRESS_FILE = "progress.json"
EMBEDDED_WINDOW = 256  # transactions in flight: more than a block's worth
RPC_WINDOW = 16
TIMELINE_FILE = "timeline.csv"
EARLIER_EVERY_S = 0.5  # progress.json keeps a checkpoint of every half second...
EARLIER_KEPT = 120  # ...of the last minute
REST_OF_BLOCK = 1 << 30  # a transaction index past a block's last: a position after the whole block


@dataclass
class RunResult:
    out_dir: Path
    counts: dict
    stats: ReplayStats | None
    settlement: dict
    scenario: Scenario
    billed_cents: int = 0
    anchor: dict | None = None  # privacy: the run's anchor on the privacy ledger


def count_records(scenario: Scenario, skip: int = 0) -> int:
    """Claim records in the claims file (runs of rows with one claim id, R-1), after ``skip``:
    a cheap count of the first column, not a parse, so a run reads the file once."""
    records, previous = 0, None
    with open(scenario.claims_path, "rb") as fh:
        next(fh, None)  # the header
        for row in fh:
            claim_id = row.split(b",", 1)[0]
            if claim_id != previous:
                records += 1
                previous = claim_id
    return max(0, records - skip)


def adjudicate_reference(scenario_dir: Path, out_dir: Path) -> RunResult:
    """The Python reference model over a scenario; writes results.csv and rejects.csv."""
    scenario = load_scenario(scenario_dir)
    engine = ReferenceEngine.from_scenario(scenario)
    with ResultWriter(out_dir, resumable=False) as writer:
        for item in iter_claims(scenario.claims_path):
            if isinstance(item, Claim):
                rows, reject = engine.submit(item)
                writer.rows(rows, item)
                writer.rewards(engine.rewards.drain())
                if reject is not None:
                    writer.reject(reject)
            else:
                writer.reject(item)
    write_input_errors(out_dir, scenario.input_errors)
    owed = {npi: a.balance for npi, a in engine.accounts.items()}
    settlement = {"owed_cents": sum(max(0, v) for v in owed.values()), "providers": len(owed)}
    return RunResult(out_dir, writer.counts, None, settlement, scenario, writer.billed)


def settle_all(dep: Deployment, keys: Keys, npis: list[str], funding_ratio: float = 1.0) -> dict:
    """Funds the escrow with ``funding_ratio`` x what is outstanding and pays providers (A-8)."""
    escrow, token = dep[ENGINE], dep["SettlementToken"]
    outstanding = escrow.functions.totalOutstanding().call()
    have = token.functions.balanceOf(escrow.address).call()
    need = max(0, int(outstanding * funding_ratio) - have)
    if need:
        chain.fund_escrow(dep, keys, need)
    paid = chain.settle_providers(dep, keys, npis)
    return {
        "funded_cents": need // CENT_UNITS,
        "paid_cents": paid // CENT_UNITS,
        "outstanding_cents": escrow.functions.totalOutstanding().call() // CENT_UNITS,
        "providers": len(npis),
    }


def adjudicate_on_chain(
    scenario_dir: Path,
    out_dir: Path,
    rpc: str | None = None,
    batch_claims: int = DEFAULT_BATCH_CLAIMS,
    funding_ratio: float = 1.0,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    resume: bool = False,
    keep_chain: bool = True,
    deployment: Path | None = None,
    client: str = "anvil",
) -> RunResult:
    """Deploy to ``rpc`` (or to an anvil started and stopped here, its chain kept in the run
    directory), load the scenario, replay its claims, settle, and write the run directory.

    With ``resume`` the deployment and the results already in ``out_dir`` are kept and the
    replay goes on from the last checkpoint (``progress.json``): claims the chain accepted
    after it (in flight when the run died) get their rows read back from the chain; nothing
    is submitted twice to effect, since the engine treats a known claim as a no-op (A-3).

    With ``deployment`` (a directory written by ``claimledger deploy``) nothing is deployed or
    loaded: the claims go to that deployment, which must hold the scenario's reference data
    (``claimledger load``). ``client`` is the embedded node's (``hardhat``: not kept)."""
    scenario = load_scenario(scenario_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    checkpoint = _read_progress(out_dir) if resume else None
    keys, sources = load_keys()
    if deployment is None and resume:
        deployment = deployment_dir.recorded_deployment(out_dir)
    embedded = rpc is None and deployment is None
    # --- networks: a deployment directory's node, or an embedded hardhat node
    if deployment is not None:
        chain_context = deployment_dir.run_node(out_dir, rpc, deployment)
    elif client != "anvil" and rpc is None:
        chain_context = unkept_chain(client)
    else:
        chain_context = run_chain(out_dir, rpc, fresh=not resume, keep=keep_chain)
    with chain_context as w3:
        refuse_dev_keys(sources, w3.eth.chain_id)
        # --- end networks
        if resume:
            dep = Deployment.load(w3, out_dir / DEPLOYMENTS_FILE)
            newest = checkpoint
            checkpoint = _checkpoint_on_chain(checkpoint, w3.eth.block_number, out_dir, block_hash_of(w3))
            if checkpoint is not newest:  # before the files are cut back to it: a later resume starts there too
                _write_progress(out_dir, checkpoint)
        elif deployment is not None:  # networks: claims only, on a deployment that lives
            (out_dir / PROGRESS_FILE).unlink(missing_ok=True)
            dep = Deployment.load(w3, Path(deployment) / DEPLOYMENTS_FILE)
            deployment_dir.start_run(dep, deployment, scenario, scenario_dir, out_dir)
        else:
            (out_dir / PROGRESS_FILE).unlink(missing_ok=True)
            if rpc is None:
                fund_on_anvil(w3, keys.addresses())  # role keys from the environment pay gas too
            dep = chain.deploy(w3, keys, pseudonyms=new_keystore(out_dir))
            dep.scenario = str(Path(scenario_dir).resolve())
            dep.history_blocks = node.HISTORY_BLOCKS if rpc is None and client == "anvil" else None
            dep.save(out_dir / DEPLOYMENTS_FILE)
            chain.load_reference_data(dep, keys, scenario, mine_in_bulk=rpc is None)
            if embedded and keep_chain and client == "anvil":  # a chain to resume from, whatever befalls its dump
                node.save_state(w3, out_dir / node.CHAIN_STATE_FILE)
        skip = checkpoint["records"] if checkpoint else 0
        if on_start is not None:
            on_start(count_records(scenario, skip))
        # why the claims in flight at the checkpoint cannot be read back, if the node dropped them
        dropped_since_checkpoint = _dropped_since(dep, checkpoint, out_dir) if checkpoint else None
        # claim ids whose rows the files kept: a later record with one of them is a resubmission
        written_before = _claim_ids(scenario, skip) if checkpoint else set()
        with ResultWriter(out_dir, resume_from=checkpoint) as writer:
            recovered: set[str] = set()  # claims whose rows this session has written

            def on_outcome(outcome: ClaimOutcome) -> None:
                if outcome.already_recorded and checkpoint and outcome.claim_id not in recovered:
                    if dropped_since_checkpoint:
                        raise chain.ChainError(dropped_since_checkpoint)
                    resubmitted = outcome.claim_id in written_before
                    # a resubmission's rows are in the kept files unless the chain accepted it only
                    # after the checkpoint; any other claim's are in no file, so they come from
                    # the chain wherever it accepted the claim, or the resume stops
                    since = checkpoint["position"] if resubmitted else (dep.from_block, -1)
                    found = recorded_rows(dep, outcome.claim, since)
                    if found is None and not resubmitted:
                        raise chain.ChainError(
                            f"{outcome.claim_id}: recorded on chain but no event of its acceptance is "
                            "found: the node's state and its blocks disagree, so its rows cannot be read back")
                    if found is not None:  # accepted while the previous run was in flight
                        outcome.rows, outcome.rewards = found[0], found[2]
                recovered.add(outcome.claim_id)
                writer.rows(outcome.rows, outcome.claim)
                writer.rewards(outcome.rewards)
                if outcome.reject is not None:
                    writer.reject(outcome.reject)

            earlier = EarlierCheckpoints(checkpoint)

            def on_checkpoint(records: int, position: tuple[int, int], block_hash: str) -> None:
                state = writer.checkpoint(records=skip + records, position=list(position), block_hash=block_hash)
                _write_progress(out_dir, {**state, "earlier": earlier.after(state)})

            if checkpoint is None:  # the first checkpoint: the setup done, no claim sent yet
                tip = w3.eth.get_block("latest")
                on_checkpoint(0, (tip["number"], REST_OF_BLOCK), hex_hash(tip["hash"]))

            # our own anvil (a fork of an empty one: no state root, see node.AnvilNode) mines a
            # block a second; a node given with --rpc is left as it is
            with interval_mining(w3) if embedded else nullcontext():
                stats = replay(dep, keys.biller, islice(iter_claims(scenario.claims_path), skip, None), on_outcome,
                               batch_claims=batch_claims, on_progress=on_progress, on_checkpoint=on_checkpoint,
                               window=EMBEDDED_WINDOW if embedded else RPC_WINDOW,
                               originals=OriginalContents(dep.ids, dep, scenario.claims_path))
        settle_started = time.monotonic()
        settlement = settle_all(dep, keys, sorted(scenario.providers), funding_ratio)
        settlement["seconds"] = round(time.monotonic() - settle_started, 3)
        # privacy: one Merkle root over the run's inputs and outputs; not for a chain not kept
        anchor = _anchor(dep, keys, scenario_dir, out_dir) if keep_chain and chain_kept(client, rpc, deployment) else None
    write_input_errors(out_dir, scenario.input_errors)
    write_timeline(out_dir, stats)
    return RunResult(out_dir, writer.counts, stats, settlement, scenario, writer.billed, anchor)


def chain_kept(client: str, rpc: str | None, deployment: Path | None) -> bool:
    """Whether the run's chain outlives it (not an embedded hardhat node)."""
    return client == "anvil" or rpc is not None or deployment is not None


def _anchor(dep: Deployment, keys: Keys, scenario_dir: Path, out_dir: Path) -> dict | None:
    from .privacy.anchoring import anchor_run

    if chain.PRIVACY not in dep.addresses:  # a deployment older than the privacy ledger
        return None
    anchor = anchor_run(dep, keys.records_officer, scenario_dir, out_dir)
    return {"anchor_id": anchor.anchor_id, "root": anchor.root, "leaves": anchor.leaves, "block": anchor.block}


def write_timeline(out_dir: Path, stats: ReplayStats) -> None:
    """One row per confirmed transaction, for throughput analysis (see benchmarks/)."""
    with atomic_output(out_dir / TIMELINE_FILE, resumable=True) as fh:
        fh.write("seconds,claims_confirmed,gas_used,claims_in_tx\n")
        for seconds, confirmed, gas, claims in stats.timeline:
            fh.write(f"{seconds:.4f},{confirmed},{gas},{claims}\n")


def _dropped_since(dep: Deployment, checkpoint: dict, out_dir: Path) -> str | None:
    """Why a resume cannot read back the claims in flight at ``checkpoint``, if the node has
    dropped the transactions of the checkpoint's block (it keeps its last ``history_blocks``);
    None if it has them. Asked once, as the resume starts: they are read back in its first blocks."""
    first_kept = dep.forgotten_before()
    if first_kept is None or checkpoint["position"][0] >= first_kept:
        return None
    return (f"{out_dir}: the node keeps the transactions of blocks {first_kept} on, and the checkpoint is at "
            f"block {checkpoint['position'][0]}: the claims in flight then cannot be read back; cannot resume")


class EarlierCheckpoints:
    """Some checkpoints before the last, kept in progress.json (one per ``EARLIER_EVERY_S``,
    the last ``EARLIER_KEPT``): a node that restarts from an older copy of its chain (killed
    between two saves of its state, R-49) has lost the blocks of the newest ones, and a resume
    starts from the newest it still has. The checkpoint each session started from (the setup's,
    or the one a resume went on from) is kept for good, marked ``pinned``: the embedded node's
    save from that moment is kept (``node.previous_state``), and a resume whose node could only
    start from it goes on from there (R-53)."""

    def __init__(self, checkpoint: dict | None):
        self.entries: list[dict] = list(checkpoint.get("earlier", [])) if checkpoint else []
        self._kept_at = float("-inf")
        self._last: dict | None = _without_earlier(checkpoint) if checkpoint else None
        self._first = self._last  # the session's first checkpoint (None: the next one)

    def after(self, state: dict) -> list[dict]:
        """The earlier checkpoints to write beside ``state``, the newest last."""
        now = time.monotonic()
        self._first = self._first or state
        if self._last is self._first:
            self.entries = _trimmed([*self.entries, {**self._last, "pinned": True}])
        elif self._last is not None and now - self._kept_at >= EARLIER_EVERY_S:
            self.entries = _trimmed([*self.entries, self._last])
            self._kept_at = now
        self._last = state
        return self.entries


def _trimmed(entries: list[dict]) -> list[dict]:
    """``entries`` without the oldest of those not pinned beyond the last ``EARLIER_KEPT``."""
    unpinned = [n for n, entry in enumerate(entries) if not entry.get("pinned")]
    dropped = set(unpinned[:-EARLIER_KEPT])
    return [entry for n, entry in enumerate(entries) if n not in dropped]


def _without_earlier(checkpoint: dict) -> dict:
    return {k: v for k, v in checkpoint.items() if k != "earlier"}


def block_hash_of(w3) -> Callable[[int], str | None]:
    """The hash of the chain's block ``number`` (None if the node has no such block)."""
    def block_hash(number: int) -> str | None:
        block = w3.provider.make_request("eth_getBlockByNumber", [hex(number), False]).get("result")
        return hex_hash(block["hash"]) if block else None
    return block_hash


def _checkpoint_on_chain(checkpoint: dict, tip: int, out_dir: Path,
                         block_hash: Callable[[int], str | None] | None = None) -> dict:
    """The newest checkpoint whose block the chain has (the last one, unless the node lost
    blocks): at or below the tip and, given ``block_hash`` (the chain's hash at a height), the
    very block the checkpoint was confirmed in. A node restarted on an older copy of its chain
    that goes on mining (a block time) reaches the lost heights again with other blocks, which
    do not hold the claims the checkpoint counted. A checkpoint written before checkpoints kept
    their block's hash is taken by its height. A chain that has no kept checkpoint's block
    cannot be resumed."""
    candidates = [checkpoint, *reversed(checkpoint.get("earlier", []))]

    def on_chain(candidate: dict) -> bool:
        number, known = candidate["position"][0], candidate.get("block_hash")
        return number <= tip and (known is None or block_hash is None or block_hash(number) == known.lower())

    if on_chain(checkpoint):
        return checkpoint
    for n, candidate in enumerate(candidates[1:], start=1):
        if on_chain(candidate):
            return {**candidate, "earlier": checkpoint.get("earlier", [])[:len(candidates) - 1 - n]}
    oldest = candidates[-1]["position"][0]
    if tip < oldest:
        raise chain.ChainError(f"{out_dir}: the chain is behind the results (block {tip} < checkpoint "
                               f"{checkpoint['position'][0]}, and < {oldest}, the oldest checkpoint kept); cannot resume")
    raise chain.ChainError(f"{out_dir}: the chain does not hold the blocks the results were confirmed in (from block "
                           f"{oldest}, the oldest checkpoint kept, it has other blocks); cannot resume")


def _read_progress(out_dir: Path) -> dict:
    path = out_dir / PROGRESS_FILE
    if not path.exists():
        raise chain.ChainError(f"{out_dir}: nothing to resume (no {PROGRESS_FILE})")
    return json.loads(path.read_text())


def _claim_ids(scenario, records: int) -> set[str]:
    """The claim ids of a scenario's first ``records`` records (those a checkpoint has written)."""
    return {item.claim_id for item in islice(iter_claims(scenario.claims_path), records) if isinstance(item, Claim)}


def _write_progress(out_dir: Path, state: dict) -> None:
    # atomic: a crash leaves the old or the new one; not synced (the results it names are):
    # after a power cut an older checkpoint is as good a place to go on from
    write_text_atomically(out_dir / PROGRESS_FILE, json.dumps(state), resumable=True, durable=False)


def write_summary(result: RunResult, extra: dict | None = None) -> dict:
    from .report_rewards import reward_totals
    from .results import outcome_totals, read_results

    frame = read_results(result.out_dir)
    summary = {"outcomes": outcome_totals(frame, result.billed_cents), "counts": result.counts,
               "settlement": result.settlement, "scenario": str(result.scenario.directory.resolve())}
    rewards = reward_totals(result.out_dir)  # A-12: beside the providers' settlement
    if rewards is not None:
        summary["incentives_cents"] = rewards
    if result.anchor is not None:
        summary["anchor"] = result.anchor
    if result.stats is not None:
        s = result.stats
        summary["replay"] = {
            "claims": s.claims, "lines": s.lines, "transactions": s.transactions, "gas_used": s.gas_used,
            "seconds": round(s.seconds, 3), "claims_per_second": round(s.claims_per_second, 1),
            "gas_per_claim": round(s.gas_per_claim),
        }
    summary.update(extra or {})
    write_text_atomically(result.out_dir / "summary.json", json.dumps(summary, indent=2) + "\n",
                          resumable=result.stats is not None)  # a replay's: --resume writes it
    return summary
