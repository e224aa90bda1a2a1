"""End-to-end jobs behind the CLI: adjudicate a scenario on chain or with the reference model,
settle providers, and write the run directory."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import chain
from .chain import ClaimOutcome, Deployment, Keys
from .money import CENT_UNITS
from .node import dev_private_keys, run_chain
from .records import Claim
from .reference import ReferenceEngine
from .replay import ReplayStats, replay
from .results import ResultWriter, write_input_errors
from .scenario import Scenario, iter_claims, load_scenario

DEPLOYMENTS_FILE = "deployments.json"


@dataclass
class RunResult:
    out_dir: Path
    counts: dict
    stats: ReplayStats | None
    settlement: dict
    scenario: Scenario
    billed_cents: int = 0


def count_claims(scenario: Scenario) -> int:
    """Claims that will be sent (records the loader rejects are not)."""
    return sum(1 for item in iter_claims(scenario.claims_path) if isinstance(item, Claim))


def adjudicate_reference(scenario_dir: Path, out_dir: Path) -> RunResult:
    """The Python reference model over a scenario; writes results.csv and rejects.csv."""
    scenario = load_scenario(scenario_dir)
    engine = ReferenceEngine.from_scenario(scenario)
    with ResultWriter(out_dir) as writer:
        for item in iter_claims(scenario.claims_path):
            if isinstance(item, Claim):
                rows, reject = engine.submit(item)
                writer.rows(rows, item)
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
    escrow, token = dep["SettlementEscrow"], dep["SettlementToken"]
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
    batch_claims: int = 25,
    funding_ratio: float = 1.0,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> RunResult:
    """Deploy to ``rpc`` (or to an anvil started and stopped here), load the scenario, replay
    its claims, settle, and write the run directory."""
    scenario = load_scenario(scenario_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with run_chain(out_dir, rpc, fresh=True) as w3:
        keys = Keys.from_list(dev_private_keys(5))
        dep = chain.deploy(w3, keys)
        dep.save(out_dir / DEPLOYMENTS_FILE, scenario=str(Path(scenario_dir).resolve()))
        chain.load_reference_data(dep, keys, scenario)
        if on_start is not None:
            on_start(count_claims(scenario))
        with ResultWriter(out_dir) as writer:
            def on_outcome(outcome: ClaimOutcome) -> None:
                writer.rows(outcome.rows, outcome.claim)
                if outcome.reject is not None:
                    writer.reject(outcome.reject)

            stats = replay(dep, keys.biller, iter_claims(scenario.claims_path), on_outcome,
                           batch_claims=batch_claims, on_progress=on_progress)
        settle_started = time.monotonic()
        settlement = settle_all(dep, keys, sorted(scenario.providers), funding_ratio)
        settlement["seconds"] = round(time.monotonic() - settle_started, 3)
    write_input_errors(out_dir, scenario.input_errors)
    return RunResult(out_dir, writer.counts, stats, settlement, scenario, writer.billed)


def write_summary(result: RunResult, extra: dict | None = None) -> dict:
    from .results import outcome_totals, read_results

    frame = read_results(result.out_dir)
    summary = {"outcomes": outcome_totals(frame, result.billed_cents), "counts": result.counts,
               "settlement": result.settlement}
    if result.stats is not None:
        s = result.stats
        summary["replay"] = {
            "claims": s.claims, "lines": s.lines, "transactions": s.transactions, "gas_used": s.gas_used,
            "seconds": round(s.seconds, 3), "claims_per_second": round(s.claims_per_second, 1),
            "gas_per_claim": round(s.gas_per_claim),
        }
    summary.update(extra or {})
    (result.out_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary
