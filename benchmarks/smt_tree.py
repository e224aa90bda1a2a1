"""The Python sparse Merkle tree of optimistic settlement (claimledger/optimistic/smt.py), in CPU
seconds on one core, for each hashing backend this machine can load.

    .venv/bin/python benchmarks/smt_tree.py [--leaves 100000] [--ops 3000]

Per backend (the C build of smt_chain.c, pycryptodome's Keccak core; keccak64.py picks the
first that loads): a tree of ``--leaves`` random leaves built at once, then ``--ops`` updates of
present keys, ``--ops`` new keys, ``--ops`` proofs and ``compute_root`` (the contract's algorithm)
of 20 keys. A backend other than the one in use runs in a child process
(``CLAIMLEDGER_NATIVE=0``), so the figures of the two sit side by side, as a ratio.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def measure(leaves: int, ops: int) -> dict:
    from claimledger.optimistic import keccak64
    from claimledger.optimistic.smt import SparseMerkleTree, compute_root

    rng = random.Random(1)
    items = [(rng.getrandbits(256), rng.getrandbits(256) | 1) for _ in range(leaves)]
    figures = {"backend": keccak64.BACKEND}
    started = time.process_time()
    tree = SparseMerkleTree.from_leaves(items)
    figures["build_s"] = round(time.process_time() - started, 1)
    keys = [k for k, _ in items[:ops]]

    def rate(work) -> float:
        started = time.process_time()
        work()
        return round(ops / (time.process_time() - started))

    figures["updates_per_s"] = rate(lambda: [tree.update(k, rng.getrandbits(256) | 1) for k in keys])
    figures["new_keys_per_s"] = rate(lambda: [tree.update(rng.getrandbits(256), 7) for _ in range(ops)])
    figures["proofs_per_s"] = rate(lambda: [tree.proof(k) for k in keys])
    twenty = sorted(keys[:20])
    started = time.process_time()
    for _ in range(20):
        assert compute_root(twenty, [tree.get(k) for k in twenty], tree.proofs(twenty)) == tree.root
    figures["compute_root_20_keys_ms"] = round((time.process_time() - started) / 20 * 1000, 1)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=100_000)
    parser.add_argument("--ops", type=int, default=3000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    here = measure(args.leaves, args.ops)
    if args.child:
        print(json.dumps(here))
        return 0
    runs = [here]
    if here["backend"] == "native":
        child = subprocess.run([sys.executable, __file__, "--leaves", str(args.leaves), "--ops", str(args.ops),
                                "--child"], env={**os.environ, "CLAIMLEDGER_NATIVE": "0"},
                               capture_output=True, text=True, check=True)
        runs.append(json.loads(child.stdout))
    names = [k for k in here if k != "backend"]
    print(f"{'':26}" + "".join(f"{r['backend']:>14}" for r in runs))
    for name in names:
        print(f"{name:26}" + "".join(f"{r[name]:>14,}" for r in runs))
    if len(runs) == 2:
        print(f"{'updates, native/fallback':26}{runs[0]['updates_per_s'] / runs[1]['updates_per_s']:>14.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
