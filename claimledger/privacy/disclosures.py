"""A member's claim history, shown to a party only where the privacy ledger grants it, and the
accounting of disclosures (45 CFR 164.528; R-35).

``history`` decides nothing itself: the ledger's ``recordAccess`` decides (the member's consent
for the purpose, or the PAYER role for payment) and records the access, granted or refused,
with the keccak256 of what is shown, in the transaction that must be confirmed before anything
is printed. ``audit`` reads that log back.
"""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from eth_utils import keccak
from web3 import Web3
from web3.logs import DISCARD

from ..chain import PRIVACY, Deployment
from ..sender import TxSender
from .consent import Purpose

ACCESS_GAS = 250_000


class DisclosureFailed(RuntimeError):
    """A history or audit that cannot be given: one line."""


@dataclass(frozen=True)
class Access:
    """One entry of the access log."""

    index: int
    party: str
    purpose: Purpose
    granted: bool
    at: int  # unix seconds (the block's)
    shown: bytes

    def line(self) -> str:
        when = dt.datetime.fromtimestamp(self.at, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        shown = f"shown 0x{self.shown.hex()}" if self.granted else "nothing shown"
        return (f"#{self.index:<4} {when}  {self.party}  {self.purpose.name.lower():<10} "
                f"{'granted' if self.granted else 'refused'}  {shown}")


@dataclass(frozen=True)
class Disclosure:
    access: Access
    rows: list[str]  # the lines shown (results.csv rows), empty when refused
    block: int


def party_address(text: str) -> str:
    if not Web3.is_address(text):
        raise ValueError(f"--as {text}: a party is an account address (0x and 40 hex digits)")
    return Web3.to_checksum_address(text)


def member_key(dep: Deployment, member_id: str) -> bytes:
    """The member's pseudonym; refuses an id whose salt the key store does not hold."""
    key = dep.ids.find_member(member_id)
    if key is None:
        raise DisclosureFailed(f"member {member_id}: no pseudonym in this deployment's key store "
                               f"(erased by `forget`, or never enrolled)")
    return key


def member_rows(run_dir: Path, scenario_dir: Path, member_id: str) -> list[str]:
    """The member's rows of the run's results (and review decisions), as CSV lines."""
    from ..scenario import CLAIMS_FILE, iter_claim_rows

    claims = {rows[0]["claim_id"] for rows in iter_claim_rows(Path(scenario_dir) / CLAIMS_FILE)
              if any(row["member_id"] == member_id for row in rows)}
    rows = []
    for name in ("results.csv", "review_results.csv"):
        path = Path(run_dir) / name
        if path.is_file():
            with open(path, newline="") as fh:
                rows += [",".join(r) for r in csv.reader(fh) if r and r[0] in claims]
    return rows


def history(dep: Deployment, records_officer_key: str, run_dir: Path, scenario_dir: Path, member_id: str,
            party: str, purpose: Purpose) -> Disclosure:
    """Records the access on chain (decided there), then returns what may be shown."""
    ledger = dep[PRIVACY]
    member = member_key(dep, member_id)
    allowed = ledger.functions.mayAccess(member, party, int(purpose)).call()
    rows = member_rows(run_dir, scenario_dir, member_id) if allowed else []
    shown = keccak(text="".join(r + "\n" for r in rows)) if allowed else b"\0" * 32
    data = ledger.encode_abi("recordAccess", args=[member, party, int(purpose), shown])
    receipt = TxSender(dep.w3, records_officer_key).transact(ledger.address, data, ACCESS_GAS)
    event, = ledger.events.AccessRecorded().process_receipt(receipt, errors=DISCARD)
    args = event["args"]
    block = dep.w3.eth.get_block(receipt["blockNumber"])
    access = Access(args["index"], args["party"], Purpose(args["purpose"]), args["granted"], block["timestamp"],
                    bytes(args["shown"]))
    return Disclosure(access, rows if access.granted else [], receipt["blockNumber"])


def audit(dep: Deployment, member_id: str) -> list[Access]:
    """Every access to the member's claims recorded on chain, oldest first."""
    ledger = dep[PRIVACY]
    member = member_key(dep, member_id)
    out = []
    for index in range(ledger.functions.accessCount(member).call()):
        party, purpose, granted, at, shown = ledger.functions.accessAt(member, index).call()
        out.append(Access(index, party, Purpose(purpose), granted, at, bytes(shown)))
    return out
