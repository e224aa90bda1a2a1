"""Where the gas of a batched one-line approved claim goes, traced opcode by opcode.

    .venv/bin/python benchmarks/gas_breakdown.py [--batch 50]

Starts its own anvil (with ``--steps-tracing``), deploys claimledger, loads the bench scenario
(``claimledger.bench``), submits one warm-up batch (so members' accumulators and the providers'
escrow accounts exist, as they do in a running system), then one measured batch of fresh
one-line approved claims, and classifies the measured transaction's gas per claim:
intrinsic and calldata, new storage slots, storage updates, storage reads, logs, calls and the
rest (computation, memory, hashing).
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from claimledger import chain  # noqa: E402
from claimledger.bench import BENCH_GAS_LIMIT, BATCH_GAS, bench_claims, bench_scenario  # noqa: E402
from claimledger.chain import ENGINE, Keys  # noqa: E402
from claimledger.codec import encode_claim  # noqa: E402
from claimledger.node import AnvilNode, connect, dev_private_keys  # noqa: E402
from claimledger.sender import TxSender  # noqa: E402

NEW_SLOT = 20_000  # an SSTORE that turns a zero slot non-zero costs 20,000 (+2,100 when cold)
CALLS = {"CALL", "STATICCALL", "DELEGATECALL"}
CALL_OVERHEAD = "calls between contracts (net of refunds)"


def classify(struct_logs: list[dict]) -> tuple[Counter, Counter]:
    """Gas and opcode count per category over every opcode of a trace, calls left out: a call's
    gasCost includes the gas it forwards, so calls are costed as what is left over."""
    gas: Counter = Counter()
    count: Counter = Counter()
    for step in struct_logs:
        op, cost = step["op"], step["gasCost"]
        if op in CALLS:
            count[CALL_OVERHEAD] += 1
            continue
        if op == "SSTORE":
            key = "new storage slots" if cost >= NEW_SLOT else "storage updates"
        elif op == "SLOAD":
            key = "storage reads (cold)" if cost >= 2_100 else "storage reads (warm)"
        elif op.startswith("LOG"):
            key = "events (LOG)"
        else:
            key = "computation, memory, hashing"
        gas[key] += cost
        count[key] += 1
    return gas, count


def report(receipt: dict, data: bytes, trace: dict, n: int, title: str) -> None:
    """Prints a traced transaction's gas per claim by part: intrinsic, calldata (priced from
    ``data``), the opcode classes of {classify} and, as the rest, the calls between contracts."""
    gas_used = int(receipt["gasUsed"], 16) if isinstance(receipt["gasUsed"], str) else receipt["gasUsed"]
    zeros = data.count(0)
    calldata = 4 * zeros + 16 * (len(data) - zeros)
    by_kind, counts = classify(trace["structLogs"])
    rows = [("intrinsic (21,000 per transaction)", 21_000, 1), ("calldata", calldata, len(data))]
    rows += sorted(((k, v, counts[k]) for k, v in by_kind.items()), key=lambda r: -r[1])
    rows.append((CALL_OVERHEAD, gas_used - sum(r[1] for r in rows), counts[CALL_OVERHEAD]))
    print(f"{title}: {gas_used:,} gas, {gas_used / n:,.0f} per claim")
    print(f"{'part':40s} {'gas/claim':>10s} {'ops/claim':>10s}")
    for name, gas, ops in rows:
        print(f"{name:40s} {gas / n:>10,.0f} {ops / n:>10.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=50, help="claims in the measured transaction")
    args = parser.parse_args()
    keys = Keys.from_list(dev_private_keys(6))
    members = args.batch  # the measured batch revisits the warm-up batch's members (accumulators exist)
    with AnvilNode(gas_limit=BENCH_GAS_LIMIT, accounts=10, extra_args=("--steps-tracing",)) as node:
        w3 = connect(node.url)
        dep = chain.deploy(w3, keys)
        chain.load_reference_data(dep, keys, bench_scenario(members))
        engine = dep[ENGINE]
        submit = chain.CallEncoder(engine, "submitClaims")
        encode = lambda batch: submit(b"".join(encode_claim(c, dep.ids) for c in batch), b"")  # noqa: E731
        claims = bench_claims("G", 2 * args.batch, members)
        biller = TxSender(w3, keys.biller)
        warm, measured = claims[:args.batch], claims[args.batch:]
        biller.transact(engine.address, encode(warm), BATCH_GAS)
        data = encode(measured)
        receipt = biller.transact(engine.address, data, BATCH_GAS)
        tx_hash = receipt["transactionHash"]
        tx_hash = tx_hash if isinstance(tx_hash, str) else "0x" + bytes(tx_hash).hex()
        trace = w3.provider.make_request("debug_traceTransaction", [tx_hash, {
            "disableStack": True, "disableMemory": True, "disableStorage": True}])["result"]
    report(receipt, data, trace, len(measured), f"one transaction of {len(measured)} one-line approved claims")
    return 0


if __name__ == "__main__":
    sys.exit(main())
