"""A measured floor under the gas of a batched one-line approved claim.

    .venv/bin/python benchmarks/gas_floor.py [--batch 50]

Compiles ``benchmarks/contracts/GasFloorProbe.sol`` (a probe, not part of claimledger), which
does for each claim of a batch only the state work the rules require of an approved line:
the claim id taken (A-3), eligibility read (A-4.1/2), the duplicate index (A-4.8), the fee,
the individual and family accumulators of the year (A-6.6), the provider's balance (A-8) and
one event with the line's A-9 outcome, from calldata packed into 106 bytes a claim, in one
contract with no roles. It runs the bench's members, families, providers and claims (a warm-up
batch, then a measured batch of fresh claims for the same members, as ``gas_breakdown.py``
does) and classifies the measured transaction's gas the same way.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import solcx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from claimledger.bench import BATCH_GAS, BENCH_GAS_LIMIT, bench_claims  # noqa: E402
from claimledger.chain import SETUP_GAS, to_bytes8, to_id  # noqa: E402
from claimledger.node import AnvilNode, connect, dev_private_keys  # noqa: E402
from claimledger.sender import TxSender  # noqa: E402
from claimledger.money import parse_day  # noqa: E402

from gas_breakdown import report  # noqa: E402

PROBE = Path(__file__).resolve().parent / "contracts" / "GasFloorProbe.sol"
SOLC = "0.8.28"
FAMILY_SIZE = 4  # as bench_scenario: members B000000..B000003 share family 0, and so on


def compile_probe() -> tuple[list, str]:
    """The probe's ABI and bytecode, from the solc the project registers (make setup)."""
    out = solcx.compile_standard({
        "language": "Solidity",
        "sources": {PROBE.name: {"content": PROBE.read_text()}},
        "settings": {"optimizer": {"enabled": True, "runs": 200}, "evmVersion": "cancun",
                     "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}}},
    }, solc_version=SOLC)
    errors = [e for e in out.get("errors", []) if e["severity"] == "error"]
    if errors:
        raise SystemExit(f"{PROBE.name}: {errors[0]['formattedMessage']}")
    contract = out["contracts"][PROBE.name]["GasFloorProbe"]
    return contract["abi"], contract["evm"]["bytecode"]["object"]


def pack(claim) -> bytes:
    """One claim as the probe's 106 packed bytes."""
    line = claim.lines[0]
    return b"".join((
        to_id(claim.claim_id), to_id(claim.member_id), int(claim.provider_npi).to_bytes(8, "big"),
        line.service_date.to_bytes(4, "big"), claim.received_date.to_bytes(4, "big"),
        to_bytes8(line.procedure_code), line.units.to_bytes(2, "big"), line.billed.to_bytes(8, "big"),
        to_bytes8(claim.diagnoses[0]),
    ))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=50, help="claims in the measured transaction")
    args = parser.parse_args()
    abi, bytecode = compile_probe()
    members = args.batch  # the measured batch revisits the warm-up batch's members, as gas_breakdown does
    claims = bench_claims("G", 2 * args.batch, members)
    with AnvilNode(gas_limit=BENCH_GAS_LIMIT, accounts=10, extra_args=("--steps-tracing",)) as node:
        w3 = connect(node.url)
        sender = TxSender(w3, dev_private_keys(1)[0])
        factory = w3.eth.contract(abi=abi, bytecode=bytecode)
        probe = w3.eth.contract(address=sender.transact(None, factory.constructor().data_in_transaction,
                                                        SETUP_GAS)["contractAddress"], abi=abi)
        ids = [to_id(f"B{i:06d}") for i in range(members)]
        families = [i // FAMILY_SIZE for i in range(members)]
        sender.transact(probe.address, probe.encode_abi("enroll", [ids, families, parse_day("2026-01-01"),
                                                                    2**32 - 1]), SETUP_GAS)
        sender.transact(probe.address, probe.encode_abi("setFee", [to_bytes8("99213"), 9_200]), SETUP_GAS)
        submit = lambda batch: sender.transact(  # noqa: E731
            probe.address, probe.encode_abi("submit", [b"".join(pack(c) for c in batch)]), BATCH_GAS)
        submit(claims[:args.batch])
        receipt = submit(claims[args.batch:])
        trace = w3.provider.make_request("debug_traceTransaction", [receipt["transactionHash"].hex()
                                                                    if not isinstance(receipt["transactionHash"], str)
                                                                    else receipt["transactionHash"], {
            "disableStack": True, "disableMemory": True, "disableStorage": True}])["result"]
        data = probe.encode_abi("submit", [b"".join(pack(c) for c in claims[args.batch:])])
    report(receipt, bytes.fromhex(data[2:]), trace, args.batch,
           f"GasFloorProbe: one transaction of {args.batch} one-line approved claims")
    return 0


if __name__ == "__main__":
    sys.exit(main())
