"""The gas floor probe (``contracts/bench/GasFloorProbe.sol``): not part of claimledger's
settlement and never deployed by a run, only by ``claimledger bench`` and
``benchmarks/gas_floor.py``. For each one-line claim it does only the state work the rules
require of an approved line, the cheapest way we know, so that its gas per claim, measured on
the same claims in the same run, is a floor under the engine's (benchmarks/README.md).
"""
from __future__ import annotations

from .chain import SETUP_GAS, artifact
from .codec import to_bytes8, to_id
from .money import parse_day
from .records import Claim
from .sender import TxSender

FAMILY_SIZE = 4  # as bench_scenario: members B000000..B000003 share family 0, and so on
PREFILL_BUCKETS_PER_TX = 1_000  # ~22 M gas a transaction
CALL_GAS = 90_000_000


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
        art = artifact("GasFloorProbe")
        self.sender = sender
        factory = w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"])
        deploy = factory.constructor(duplicate_buckets).data_in_transaction
        address = sender.transact(None, deploy, SETUP_GAS)["contractAddress"]
        self.contract = w3.eth.contract(address=address, abi=art["abi"])
        for start in range(0, members, 1_000):
            ids = [to_id(f"B{i:06d}") for i in range(start, min(members, start + 1_000))]
            families = [i // FAMILY_SIZE for i in range(start, min(members, start + 1_000))]
            self._call("enroll", ids, families, parse_day("2026-01-01"), 2**32 - 1)
        self._call("setFee", to_bytes8("99213"), 9_200, 2_500, True)
        for start in range(0, duplicate_buckets if duplicate_load else 0, PREFILL_BUCKETS_PER_TX):
            self._call("prefill", start, min(start + PREFILL_BUCKETS_PER_TX, duplicate_buckets), duplicate_load)

    @property
    def address(self) -> str:
        return self.contract.address

    def _call(self, fn: str, *args) -> dict:
        return self.sender.transact(self.contract.address, self.calldata(fn, *args), CALL_GAS)

    def calldata(self, fn: str, *args) -> bytes:
        return bytes.fromhex(self.contract.encode_abi(fn, list(args))[2:])

    def submit_data(self, claims: list[Claim]) -> bytes:
        """The calldata of one ``submit`` of ``claims``."""
        return self.calldata("submit", b"".join(pack(c) for c in claims))

    def submit(self, claims: list[Claim]) -> dict:
        """One transaction of ``claims``; its receipt."""
        return self.sender.transact(self.contract.address, self.submit_data(claims), CALL_GAS)

    def outcomes(self, receipt: dict) -> list[tuple[int, int, int, int]]:
        """(allowed, deductible, copay, coinsurance) of each line the receipt adjudicated."""
        mask = (1 << 64) - 1
        return [tuple((e["args"]["amounts"] >> shift) & mask for shift in (192, 128, 64, 0))
                for e in self.contract.events.LineAdjudicated().process_receipt(receipt)]
