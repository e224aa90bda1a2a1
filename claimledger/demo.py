"""``make demo``: synthesize claims, replay them on a local anvil, settle, compare with the
reference model, and write a report a person can open."""
from __future__ import annotations

import filecmp
from pathlib import Path

from .pipeline import adjudicate_on_chain, adjudicate_reference, write_summary
from .report import write_report
from .summary import print_summary
from .synth import SynthConfig, generate


def run_demo(run_dir: Path, claims: int = 2000, seed: int = 7, batch_claims: int = 100) -> int:
    from tqdm import tqdm

    scenario_dir = run_dir / "scenario"
    print(f"generating {claims:,} synthetic claims (seed {seed}) in {scenario_dir}")
    generate(scenario_dir, SynthConfig(claims=claims, seed=seed))
    bar: dict = {}

    def on_start(total: int) -> None:
        print("deployed contracts and loaded plans, members, providers, authorizations on a local anvil")
        bar["bar"] = tqdm(total=total, unit="claim", desc="replaying", dynamic_ncols=True)

    try:
        result = adjudicate_on_chain(scenario_dir, run_dir, batch_claims=batch_claims,
                                     on_start=on_start, on_progress=lambda n: bar["bar"].update(n))
    finally:
        if "bar" in bar:
            bar["bar"].close()
    reference_dir = run_dir / "reference"
    adjudicate_reference(scenario_dir, reference_dir)
    match = all(
        filecmp.cmp(run_dir / name, reference_dir / name, shallow=False)
        for name in ("results.csv", "rejects.csv")
    )
    summary = write_summary(result, {"mode": "chain", "claims_requested": claims, "seed": seed,
                                     "reference_match": match})
    report = write_report(run_dir, summary, result.stats.timeline if result.stats else None)
    print_summary(summary, result.scenario.input_errors)
    print(f"\nrun directory: {run_dir}\nreport: {report}")
    return 0 if match else 1
