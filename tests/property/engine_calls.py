"""Calling the engine's entry points with arbitrary bytes and reading what came back: a refusal
decoded against the custom errors of `IClaimsEngine` (a bare revert, an `Error(string)`, a
`Panic` or running out of gas fails the test), or the call's events; and the books the chain
keeps by itself, checked without the reference model."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from eth_abi import decode as abi_decode
from eth_utils import function_abi_to_4byte_selector

from claimledger.chain import CallEncoder, _abi_type
from claimledger.events import EventDecoder
from claimledger.records import LineStatus
from claimledger.replay import BATCH_GAS
from claimledger.sender import TxSender

from tests.property.ledger_checks import KEYS

_ERROR_STRING = bytes.fromhex("08c379a0")  # Error(string)
_PANIC = bytes.fromhex("4e487b71")  # Panic(uint256)


@dataclass(frozen=True)
class Refusal:
    """A call the engine refused: the custom error's name and arguments."""

    name: str
    args: tuple


class EngineCaller:
    """Sends `submitClaim` and `submitClaims` as the biller: a dry run (eth_call) first, whose
    revert data must be one of the ABI's custom errors; the transaction only when it passes."""

    def __init__(self, dep, ids):
        self.dep, self.ids = dep, ids
        self.engine = dep["ClaimsEngine"]
        self.sender = TxSender(dep.w3, KEYS.biller)
        self.decoder = EventDecoder(self.engine)
        self.encoders = {name: CallEncoder(self.engine, name) for name in ("submitClaim", "submitClaims")}
        self.errors = {}
        for item in self.engine.abi:
            if item.get("type") == "error":
                item = dict(item, outputs=[])
                types = [_abi_type(i) for i in item["inputs"]]
                self.errors[function_abi_to_4byte_selector(item)] = (item["name"], types)

    def submit_one(self, claim: bytes, originals: bytes):
        return self._send("submitClaim", claim, originals)

    def submit_batch(self, claims: bytes, originals: bytes):
        return self._send("submitClaims", claims, originals)

    def _send(self, fn: str, claims: bytes, originals: bytes):
        data = self.encoders[fn](claims, originals)
        self.ids.commit()
        w3 = self.dep.w3
        try:
            w3.eth.call({"from": self.sender.address, "to": self.engine.address, "data": data, "gas": BATCH_GAS})
        except Exception as exc:  # noqa: BLE001 - every refusal is read from its revert data
            return self.refusal(exc)
        receipt = self.sender.transact(self.engine.address, data, BATCH_GAS)
        return self.decoder.decode(receipt)

    def refusal(self, exc: Exception) -> Refusal:
        raw = getattr(exc, "data", None) or (exc.args[1] if len(exc.args) > 1 else None)
        assert isinstance(raw, str) and raw.startswith("0x") and len(raw) >= 10, f"not a custom error: {exc!r}"
        payload = bytes.fromhex(raw[2:])
        selector = payload[:4]
        assert selector not in (_ERROR_STRING, _PANIC), f"Error(string) or Panic: {raw}"
        assert selector in self.errors, f"revert data of no error of the ABI: {raw}"
        name, types = self.errors[selector]
        return Refusal(name, tuple(abi_decode(types, payload[4:])))


def chain_year(day: int) -> int:
    """`Dates.yearOf`: the calendar year of a day since 1970-01-01 (Hinnant's civil_from_days),
    as the uint16 the engine keys accumulators by."""
    z = day + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    year = yoe + era * 400
    return (year if mp < 10 else year + 1) % 65_536


def check_chain_books(dep, scenario, npis, rows, years) -> None:
    """Without the model: the engine holds exactly the escrow and the incentive pool; providers'
    accruals net of recoupments are the paid amounts of the rows the chain reported; no line is
    paid more than it allows nor below zero over its rows (approved, then reversed); every
    member's accumulators in every plan year a line fell in are within 0..the plan's maxima."""
    engine, token = dep["ClaimsEngine"], dep["SettlementToken"]
    assert token.functions.balanceOf(engine.address).call() == (
        engine.functions.escrowBalance().call() + engine.functions.incentivePool().call())
    net = sum(a[0] - a[1] for a in (engine.functions.account(int(npi)).call() for npi in npis))
    assert net == sum(r.paid for r in rows) * 10_000
    by_line = defaultdict(list)
    for row in rows:
        by_line[(row.claim_id, row.line)].append(row)
    for key, line_rows in by_line.items():
        approved = [r for r in line_rows if r.status == LineStatus.APPROVED]
        paid = sum(r.paid for r in line_rows)
        assert 0 <= paid <= max([r.allowed for r in approved] or [0]), f"line {key} paid {paid} over {line_rows}"
    for member_id, member in scenario.members.items():
        plan = scenario.plans[member.plan_id]
        for year in years:
            ind, fam = engine.functions.accumulators(dep.ids.member(member_id), year).call()
            assert 0 <= ind[0] <= plan.deductible_individual and 0 <= ind[1] <= plan.oop_max_individual
            assert 0 <= fam[0] <= plan.deductible_family and 0 <= fam[1] <= plan.oop_max_family
