"""A measured floor under the gas of a batched one-line approved claim.

    .venv/bin/python benchmarks/gas_floor.py [--batch 50]

Deploys ``contracts/bench/GasFloorProbe.sol`` (a probe, not part of claimledger's settlement), which
does for each claim of a batch only the state work the rules require of an approved line:
the claim id taken (A-3), eligibility read (A-4.1/2), the duplicate index (A-4.8), the fee,
the individual and family accumulators of the year (A-6.6), the provider's balance (A-8) and
one event with the line's A-9 outcome, from calldata packed into 106 bytes a claim, in one
contract with no roles. It runs the bench's members, families, providers and claims (a warm-up
batch, then a measured batch of fresh claims for the same members, as ``gas_breakdown.py``
does) and classifies the measured transaction's gas the same way.

With ``--duplicate-buckets N`` the probe keeps the duplicate index (A-4.8) as a table of N
buckets of four 64-bit key fingerprints a slot instead of a slot per key, and with
``--duplicate-load K`` the table is first filled with K made-up fingerprints a bucket (0-3), as
a table in use for a while would be: what that lever saves, empty and at a steady load.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from claimledger.bench import BENCH_GAS_LIMIT, bench_claims  # noqa: E402
from claimledger.node import AnvilNode, connect, dev_private_keys  # noqa: E402
from claimledger.probe import Probe  # noqa: E402
from claimledger.sender import TxSender  # noqa: E402

from gas_breakdown import report  # noqa: E402

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=50, help="claims in the measured transaction")
    parser.add_argument("--duplicate-buckets", type=int, default=0,
                        help="keep A-4.8 keys as fingerprints in a table of this many buckets (0: a slot per key)")
    parser.add_argument("--duplicate-load", type=int, default=0, choices=range(4),
                        help="fingerprints a bucket of that table holds before the run")
    args = parser.parse_args()
    if args.duplicate_load and not args.duplicate_buckets:
        parser.error("--duplicate-load needs --duplicate-buckets")
    members = args.batch  # the measured batch revisits the warm-up batch's members, as gas_breakdown does
    claims = bench_claims("G", 2 * args.batch, members)
    with AnvilNode(gas_limit=BENCH_GAS_LIMIT, accounts=10, extra_args=("--steps-tracing",)) as node:
        w3 = connect(node.url)
        probe = Probe(w3, TxSender(w3, dev_private_keys(1)[0]), members, args.duplicate_buckets, args.duplicate_load)
        probe.submit(claims[:args.batch])
        receipt = probe.submit(claims[args.batch:])
        tx_hash = receipt["transactionHash"]
        tx_hash = tx_hash if isinstance(tx_hash, str) else "0x" + bytes(tx_hash).hex()
        trace = w3.provider.make_request("debug_traceTransaction", [tx_hash, {
            "disableStack": True, "disableMemory": True, "disableStorage": True}])["result"]
    data = probe.submit_data(claims[args.batch:])
    layout = (f"duplicate keys as fingerprints, {args.duplicate_buckets:,} buckets, {args.duplicate_load} a bucket before"
              if args.duplicate_buckets else "a slot per duplicate key")
    report(receipt, data, trace, args.batch,
           f"GasFloorProbe ({layout}): one transaction of {args.batch} one-line approved claims")
    return 0


if __name__ == "__main__":
    sys.exit(main())
