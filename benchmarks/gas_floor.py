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

With ``--duplicate-buckets N`` the probe keeps the duplicate index (A-4.8) as a table of N
buckets of four 64-bit key fingerprints a slot instead of a slot per key, and with
``--duplicate-load K`` the table is first filled with K made-up fingerprints a bucket (0-3), as
a table in use for a while would be: what that lever saves, empty and at a steady load.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import solcx
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from claimledger.bench import BATCH_GAS, BENCH_GAS_LIMIT, bench_claims  # noqa: E402
from claimledger.chain import SETUP_GAS, to_bytes8, to_id  # noqa: E402
from claimledger.node import AnvilNode, connect, dev_private_keys  # noqa: E402
from claimledger.sender import TxSender  # noqa: E402
from claimledger.money import parse_day  # noqa: E402
from claimledger.records import Claim  # noqa: E402

from gas_breakdown import report  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PROBE = ROOT / "benchmarks" / "contracts" / "GasFloorProbe.sol"
PRICING_PATH = "contracts/libraries/Pricing.sol"
SOLC = "0.8.28"
FAMILY_SIZE = 4  # as bench_scenario: members B000000..B000003 share family 0, and so on
PREFILL_BUCKETS_PER_TX = 1_000  # ~22 M gas a transaction


def compiler_settings() -> dict:
    """The optimizer, pipeline and EVM version the project compiles the engine with
    (brownie-config.yaml), so that probe and engine are compared like for like."""
    solc = yaml.safe_load((ROOT / "brownie-config.yaml").read_text())["compiler"]
    optimizer = solc["solc"]["optimizer"]
    settings = {"optimizer": {"enabled": optimizer["enabled"], "runs": optimizer["runs"]},
                "evmVersion": solc["evm_version"]}
    if solc["solc"].get("viaIR"):
        settings["viaIR"] = True
    return settings


def compile_probe() -> tuple[list, str]:
    """The probe's ABI and bytecode, from the solc the project registers (make setup); it
    prices with the engine's own ``Pricing`` library."""
    sources = {PROBE.name: PROBE, PRICING_PATH: ROOT / PRICING_PATH}
    out = solcx.compile_standard({
        "language": "Solidity",
        "sources": {name: {"content": path.read_text()} for name, path in sources.items()},
        "settings": {**compiler_settings(), "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}}},
    }, solc_version=SOLC)
    errors = [e for e in out.get("errors", []) if e["severity"] == "error"]
    if errors:
        raise SystemExit(f"{PROBE.name}: {errors[0]['formattedMessage']}")
    contract = out["contracts"][PROBE.name]["GasFloorProbe"]
    return contract["abi"], contract["evm"]["bytecode"]["object"]


def pack(claim: Claim) -> bytes:
    """One one-line claim as the probe's 106 packed bytes."""
    line = claim.lines[0]
    return b"".join((
        to_id(claim.claim_id), to_id(claim.member_id), int(claim.provider_npi).to_bytes(8, "big"),
        line.service_date.to_bytes(4, "big"), claim.received_date.to_bytes(4, "big"),
        to_bytes8(line.procedure_code), line.units.to_bytes(2, "big"), line.billed.to_bytes(8, "big"),
        to_bytes8(claim.diagnoses[0]),
    ))


class Probe:
    """The probe deployed and loaded with the bench scenario's members (families of four, as
    ``bench_scenario``) and office-visit fee with its copay."""

    def __init__(self, w3, sender: TxSender, members: int, duplicate_buckets: int = 0, duplicate_load: int = 0):
        abi, bytecode = compile_probe()
        self.sender = sender
        factory = w3.eth.contract(abi=abi, bytecode=bytecode)
        deploy = factory.constructor(duplicate_buckets).data_in_transaction
        address = sender.transact(None, deploy, SETUP_GAS)["contractAddress"]
        self.contract = w3.eth.contract(address=address, abi=abi)
        ids = [to_id(f"B{i:06d}") for i in range(members)]
        families = [i // FAMILY_SIZE for i in range(members)]
        self._call("enroll", ids, families, parse_day("2026-01-01"), 2**32 - 1)
        self._call("setFee", to_bytes8("99213"), 9_200, 2_500, True)
        for start in range(0, duplicate_buckets if duplicate_load else 0, PREFILL_BUCKETS_PER_TX):
            self._call("prefill", start, min(start + PREFILL_BUCKETS_PER_TX, duplicate_buckets), duplicate_load)

    def _call(self, fn: str, *args) -> dict:
        return self.sender.transact(self.contract.address, self.calldata(fn, *args), BATCH_GAS)

    def calldata(self, fn: str, *args) -> bytes:
        return bytes.fromhex(self.contract.encode_abi(fn, list(args))[2:])

    def submit(self, claims: list[Claim]) -> dict:
        """One transaction of ``claims``; its receipt."""
        return self._call("submit", b"".join(pack(c) for c in claims))

    def outcomes(self, receipt: dict) -> list[tuple[int, int, int, int]]:
        """(allowed, deductible, copay, coinsurance) of each line the receipt adjudicated."""
        mask = (1 << 64) - 1
        return [tuple((e["args"]["amounts"] >> shift) & mask for shift in (192, 128, 64, 0))
                for e in self.contract.events.LineAdjudicated().process_receipt(receipt)]


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
    data = probe.calldata("submit", b"".join(pack(c) for c in claims[args.batch:]))
    layout = (f"duplicate keys as fingerprints, {args.duplicate_buckets:,} buckets, {args.duplicate_load} a bucket before"
              if args.duplicate_buckets else "a slot per duplicate key")
    report(receipt, data, trace, args.batch,
           f"GasFloorProbe ({layout}): one transaction of {args.batch} one-line approved claims")
    return 0


if __name__ == "__main__":
    sys.exit(main())
