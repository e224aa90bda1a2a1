"""Reviewer and provider views of a run's deployment: the review queue (A-5) and what the
escrow owes each provider and why (A-8). Claim ids on chain are hashes; the run's
``results.csv`` names them back."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from web3 import Web3

from . import chain
from .chain import ENGINE, Deployment, Keys
from .codec import packed_lines, to_bytes8
from .events import EventDecoder, line_words
from .money import CENT_UNITS
from .pipeline import DEPLOYMENTS_FILE
from .records import Adjustment, LineResult, LineStatus, RESULT_COLUMNS
from .recorded import recorded_claims
from .atomic import atomic_output
from .results import RESULTS_FILE, partial_path, result_row

DECISIONS_FILE = "review_results.csv"


class ReviewFailed(RuntimeError):
    """A review command could not be carried out: one-line reason."""


def claim_names(run_dir: Path, ids) -> dict[bytes, str]:
    """The on-chain key (pseudonym in ``ids``) -> claim_id of every claim named in the run's results."""
    path = run_dir / RESULTS_FILE
    if not path.exists():  # a run still going (or that died): the rows it has written
        path = partial_path(path)
    if not path.exists():
        return {}
    with open(path, newline="") as fh:
        return {ids.claim(row["claim_id"]): row["claim_id"] for row in csv.DictReader(fh)}


def open_deployment(w3: Web3, run_dir: Path) -> Deployment:
    return Deployment.load(w3, run_dir / DEPLOYMENTS_FILE)


@dataclass(frozen=True)
class PendingLine:
    claim_id: str
    line: int
    procedure_code: str
    units: int
    billed: int


def pending_lines(dep: Deployment, names: dict[bytes, str]) -> list[PendingLine]:
    """The lines waiting for review, in the order they were pended, with the code, units and
    billed amount of each from its claim as recorded (one look-up for the whole queue)."""
    refs = [(bytes(claim_key), number) for claim_key, number in _pending_refs(dep[ENGINE])]
    claims = recorded_claims(dep, (claim_key for claim_key, _ in refs))
    out = []
    for claim_key, number in refs:
        name = names.get(claim_key, "0x" + claim_key.hex())
        line = packed_lines(_recorded_in(claims, claim_key, name))[number - 1]
        out.append(PendingLine(name, number, line.procedure_code, line.units, line.billed))
    return out


def _pending_refs(engine, page: int = 500):
    """(claim key, line) of every pending line, in the order they were pended."""
    cursor = 0
    while True:
        refs, cursor = engine.functions.pendingPage(cursor, page).call()
        yield from refs
        if cursor == 0:
            return


def decide(dep: Deployment, keys: Keys, run_dir: Path, claim_id: str, line: int, approve: bool, carc: str = "") -> LineResult:
    """Approve or deny a pended line as the reviewer; appends its new row to review_results.csv."""
    engine = dep[ENGINE]
    claim = _recorded(dep, dep.ids.claim(claim_id), claim_id)
    fn = (engine.functions.approvePended(claim, line) if approve
          else engine.functions.denyPended(claim, line, to_bytes8(carc)))
    receipt = _transact(dep, keys.reviewer, fn, claim_id, line)
    row = _line_events(engine, receipt)[0].result(claim_id)
    path = run_dir / DECISIONS_FILE
    new = not path.exists()
    with atomic_output(path, newline="", copy_existing=True) as fh:  # never a row cut short
        writer = csv.writer(fh)
        if new:
            writer.writerow(RESULT_COLUMNS)
        writer.writerow(result_row(row))
    return row


def _recorded(dep: Deployment, claim_key: bytes, name: str) -> bytes:
    """The claim as submitted, which review and appeal decisions supply again (R-13, R-17)."""
    return _recorded_in(recorded_claims(dep, [claim_key]), claim_key, name)


def _line_events(engine, receipt: dict) -> list:
    """The unpacked words of a receipt's LineAdjudicated events."""
    return [v["words"] for name, v in EventDecoder(engine).decode(receipt) if name == "LineAdjudicated"]


def _recorded_in(claims: dict[bytes, bytes], claim_key: bytes, name: str) -> bytes:
    if claim_key not in claims:
        raise ReviewFailed(f"{name}: no claim of this id was recorded on chain")
    return claims[claim_key]


def _transact(dep: Deployment, key: str, fn, claim_id: str, line: int) -> dict:
    """Dry-runs ``fn`` (so a refusal names its custom error), then sends it."""
    return chain.checked_transact(dep, key, fn, lambda reason: ReviewFailed(f"{claim_id} line {line}: {reason}"))


def appeal(dep: Deployment, keys: Keys, claim_id: str, line: int, document: Path) -> bytes:
    """The biller appeals a denied line (R-13) with the keccak hash of the appeal document;
    only the hash goes on chain. Returns the hash."""
    if not document.is_file():
        raise ReviewFailed(f"{document}: appeal document not found")
    digest = Web3.keccak(document.read_bytes())
    engine = dep[ENGINE]
    claim = _recorded(dep, dep.ids.claim(claim_id), claim_id)
    _transact(dep, keys.biller, engine.functions.appeal(claim, line, digest), claim_id, line)
    return digest


def decide_appeal(dep: Deployment, keys: Keys, claim_id: str, line: int, overturn: bool) -> LineResult:
    """The reviewer upholds or overturns an open appeal (R-13) of a line of the claim as
    submitted, read back from the chain."""
    engine = dep[ENGINE]
    claim = _recorded(dep, dep.ids.claim(claim_id), claim_id)
    fn = engine.functions.decideAppeal(claim, line, overturn)
    receipt = _transact(dep, keys.reviewer, fn, claim_id, line)
    events = _line_events(engine, receipt)
    if events:
        return events[0].result(claim_id)
    record = engine.functions.lineOf(claim, line).call()  # upheld: the line stays as it was, denied
    billed = packed_lines(claim)[line - 1].billed
    return LineResult(claim_id, line, LineStatus.DENIED,
                      adjustments=(Adjustment("CO", chain.from_fixed_bytes(record[2]), billed),))


@dataclass(frozen=True)
class Movement:
    """One accrual or recoupment of a provider's account: the why of what is owed."""

    kind: str  # "accrued" or "recouped" or "paid"
    claim_id: str
    cents: int
    block: int


def provider_statement(dep: Deployment, names: dict[bytes, str], npi: str) -> tuple[dict, list[Movement]]:
    """A provider's account (cents) and every movement behind it: the paid amounts of its
    claims' lines as they were approved (accrued) or reversed (recouped), and its payments,
    from the engine's events (A-8)."""
    engine = dep[ENGINE]
    account = engine.functions.account(int(npi)).call()
    owed = engine.functions.owed(int(npi)).call()
    claims = [bytes(log["args"]["claimId"]) for log in engine.events.ClaimAccepted.get_logs(
        from_block=dep.from_block, argument_filters={"providerNpi": int(npi)})]
    movements = []
    for at in range(0, len(claims), 200):
        chunk = claims[at:at + 200]
        for kind, event in (("accrued", engine.events.ClaimAccepted), ("accrued", engine.events.LineAdjudicated),
                            ("recouped", engine.events.ClaimReversed)):
            for log in event.get_logs(from_block=dep.from_block, argument_filters={"claimId": chunk}):
                paid = sum(w.paid for w in line_words(log["args"]) if w.status == LineStatus.APPROVED)
                if paid:
                    claim_key = bytes(log["args"]["claimId"])
                    movements.append(Movement(kind, names.get(claim_key, "0x" + claim_key.hex()), paid,
                                              log["blockNumber"]))
    for log in engine.events.ProviderPaid.get_logs(from_block=dep.from_block, argument_filters={"npi": int(npi)}):
        movements.append(Movement("paid", "", log["args"]["amount"] // CENT_UNITS, log["blockNumber"]))
    movements.sort(key=lambda m: m.block)
    summary = {"accrued": account[0] // CENT_UNITS, "recouped": account[1] // CENT_UNITS,
               "paid": account[2] // CENT_UNITS, "owed": owed // CENT_UNITS}
    return summary, movements
