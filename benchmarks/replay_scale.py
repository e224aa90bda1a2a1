"""Replay at scale: flat memory and steady throughput over a long run.

    .venv/bin/python benchmarks/replay_scale.py --claims 1000000 --out runs/scale-1m

Generates a synthetic scenario (streamed), replays every claim through `claimledger
adjudicate`'s pipeline on its embedded anvil (state not kept), and prints JSON with the throughput of the
first and last 10% of the claims, their ratio (target >= 0.9) and the replay client's peak RSS
(target < 1 GiB).
"""
import argparse
import csv
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from claimledger.pipeline import adjudicate_on_chain  # noqa: E402
from claimledger.synth import SynthConfig, generate  # noqa: E402


def crossing(rows, count):
    """Seconds into the replay at which ``count`` claims had been confirmed, interpolated
    between the two confirmations around it (confirmations come a block at a time; a block's
    claims are spread over the time since the one before)."""
    before = (0.0, 0)
    for seconds, confirmed in rows:
        if confirmed >= count:
            (s0, c0), (s1, c1) = before, (seconds, confirmed)
            return s0 + (s1 - s0) * (count - c0) / (c1 - c0) if c1 > c0 else s1
        before = (seconds, confirmed)
    raise ValueError(f"only {before[1]} claims confirmed, not {count}")


def window_rate(rows, lo, hi):
    """Claims per second while the confirmed count went from lo to hi."""
    return (hi - lo) / (crossing(rows, hi) - crossing(rows, lo))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    out = Path(args.out)
    started = time.monotonic()
    generate(out / "scenario", SynthConfig(claims=args.claims, seed=args.seed, families=max(3, args.claims // 40)))
    synth_s = time.monotonic() - started
    # the embedded anvil, as `claimledger adjudicate` runs it (a fork of an empty anvil, a block a second), without
    # keeping its state on disk
    result = adjudicate_on_chain(out / "scenario", out / "run", batch_claims=args.batch, keep_chain=False)
    with open(out / "run" / "timeline.csv") as fh:
        rows = [(float(r["seconds"]), int(r["claims_confirmed"])) for r in csv.DictReader(fh)]
    total = rows[-1][1]
    tenth = total // 10
    first, last = window_rate(rows, 0, tenth), window_rate(rows, total - tenth, total)
    figures = {
        "claims": args.claims, "synth_seconds": round(synth_s, 1),
        "replay_seconds": round(result.stats.seconds, 1),
        "claims_per_s": round(result.stats.claims_per_second, 1),
        "first_10pct_claims_per_s": round(first, 1), "last_10pct_claims_per_s": round(last, 1),
        "last_over_first": round(last / first, 3),
        "client_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "gas_per_claim": round(result.stats.gas_per_claim),
    }
    (out / "scale.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
