"""A run's results (A-9) -> 835 remittance advice (005010X221A1), one per payee; and reading
an 835 back.

Each provider (payee) gets its own interchange and 835 transaction, claims in processing
order. A claim's adjudicated lines make one CLP (status 1 processed as primary, 2 as secondary
when a line carried a prior payer's result (A-11), or 4 denied when every line reported is
denied) with one SVC per line; a run of REVERSED rows (A-7) makes
a CLP with status 22 and negated amounts, naming the original claim. Adjustments go to CAS at
line level in the group codes and CARCs of results.csv (``CAS*OA*23``: the prior payer's
amount). Pended lines have no 835 status (a 277 reports them) and are left out until
``review_results.csv`` holds the reviewer's decision.

Balancing, as the TR3 requires: SVC02 - SVC03 = the line's CAS; CLP03/CLP04/CLP05 are the sums
of their lines' charge, payment and PR adjustments; BPR02 = sum of CLP04 - sum of PLB04. A
payee whose claims net to less than zero (recoupments larger than payments) gets BPR02 0 and a
PLB ``FB`` (forwarding balance) of the negative amount: the escrow recoups it from later
payments (A-7.1, R-11).
"""
from __future__ import annotations

import csv
import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

from ..money import format_day
from ..records import Claim
from ..scenario import iter_claims
from .common import DEFAULT_PARTIES, ExportReport, Parties, check_and_write
from .segments import FormatError, Segment, parse_amount, tokenize, transactions
from .writer import Writer, clean, x12_amount

VERSION_835 = "005010X221A1"
MAX_CLP01 = 38  # CLP01 is AN 1/38
RESULTS = "results.csv"
REVIEW_RESULTS = "review_results.csv"
AMOUNT_COLUMNS = ("allowed", "deductible", "copay", "coinsurance", "paid", "patient")


@dataclass
class _Row:
    claim_id: str
    line: int
    status: str
    amounts: dict[str, int]
    adjustments: list[tuple[str, str, int]]  # (group, CARC, cents)

    @property
    def billed(self) -> int | None:
        """The line's charge as results.csv implies it (A-4, A-6.1): allowed + CO-45, or the
        denial's CO amount; None for a pended line."""
        if self.status == "PENDED" or not _reported(self):
            return None
        if self.status == "DENIED" or (self.status == "REVERSED" and self.amounts["allowed"] == 0):
            return sum(a for g, _, a in self.adjustments if g == "CO")
        return self.amounts["allowed"] + sum(a for g, c, a in self.adjustments if (g, c) == ("CO", "45"))


def _parse_adjustments(text: str, where: str) -> list[tuple[str, str, int]]:
    out = []
    for item in filter(None, (t.strip() for t in text.split(";"))):
        head, _, amount = item.partition(":")
        group, _, code = head.partition("-")
        if group not in ("CO", "PR", "OA", "PI") or not code or not amount:
            raise FormatError(f"{where}: adjustment {item!r} is not GROUP-CODE:amount")
        out.append((group, code, parse_amount(amount)))
    return out


def _read_rows(path: Path) -> list[_Row]:
    rows = []
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = {"claim_id", "line", "status", "adjustments", *AMOUNT_COLUMNS} - set(reader.fieldnames or [])
        if missing:
            raise FormatError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        for number, row in enumerate(reader, start=2):
            where = f"{path.name} row {number}"
            try:
                amounts = {c: parse_amount(row[c]) for c in AMOUNT_COLUMNS}
                rows.append(_Row(row["claim_id"], int(row["line"]), row["status"], amounts,
                                 _parse_adjustments(row["adjustments"] or "", where)))
            except ValueError as exc:
                raise FormatError(f"{where}: {exc}") from None
    return rows


def _scenario_of(run_dir: Path, scenario_dir) -> Path:
    from ..scenario import scenario_of_run

    if scenario_dir is not None:
        return Path(scenario_dir)
    found = scenario_of_run(run_dir)
    if found is not None:
        return found
    raise FormatError(f"{run_dir}: no deployments.json (or summary.json) naming the run's scenario; "
                      f"the 835 needs the scenario's claims (codes, dates, member, provider)")


def _fold_review(rows: list[_Row], run_dir: Path) -> list[_Row]:
    """A reviewer's decision (review_results.csv) replaces the PENDED row it decided."""
    path = run_dir / REVIEW_RESULTS
    if not path.is_file():
        return rows
    decided = {(r.claim_id, r.line): r for r in _read_rows(path) if r.status in ("APPROVED", "DENIED")}
    return [decided.get((r.claim_id, r.line), r) if r.status == "PENDED" else r for r in rows]


@dataclass
class _Remit:
    claim_id: str
    reversal: bool
    rows: list[_Row]
    claim: Claim | None = None


def _groups(rows: list[_Row]) -> list[_Remit]:
    groups: list[_Remit] = []
    for row in rows:
        reversal = row.status == "REVERSED"
        if groups and groups[-1].claim_id == row.claim_id and groups[-1].reversal == reversal:
            groups[-1].rows.append(row)
        else:
            groups.append(_Remit(row.claim_id, reversal, [row]))
    return groups


def _match(remit: _Remit, candidates: list[Claim]) -> Claim:
    """The scenario claim whose lines results.csv describes (a claim_id may recur, A-3)."""
    for claim in candidates:
        ok = True
        for row in remit.rows:
            billed = row.billed
            if row.line > len(claim.lines):
                ok = False
            elif billed is not None and abs(billed) != claim.lines[row.line - 1].billed:
                ok = False
        if ok:
            return claim
    raise FormatError(f"results.csv claim {remit.claim_id} line(s) "
                      f"{', '.join(str(r.line) for r in remit.rows)} match no claim of the scenario "
                      f"(charge or line count differ)")


def _reported(row: _Row) -> bool:
    """Rows an 835 carries: not pended lines, not the zero reversal of a pended line (R-7)."""
    if row.status == "PENDED":
        return False
    return not (row.status == "REVERSED" and not row.adjustments and not any(row.amounts.values()))


def export_835(run_dir, out_path, scenario_dir=None, when: _dt.datetime | None = None,
               parties: Parties = DEFAULT_PARTIES) -> ExportReport:
    """Write the 835s of a run directory (results.csv + its scenario's claims) to ``out_path``."""
    run = Path(run_dir)
    if not (run / RESULTS).is_file():
        raise FormatError(f"{run}: no {RESULTS} (not a run directory)")
    scenario = _scenario_of(run, scenario_dir)
    if not (scenario / "claims.csv").is_file():
        raise FormatError(f"{scenario}: the run's scenario has no claims.csv")
    providers = _provider_names(scenario)
    rows = _fold_review(_read_rows(run / RESULTS), run)
    candidates: dict[str, list[Claim]] = {}
    for item in iter_claims(scenario / "claims.csv"):
        if isinstance(item, Claim):
            candidates.setdefault(item.claim_id, []).append(item)
    report = ExportReport("x12-835", Path(out_path))
    by_payee: dict[str, list[_Remit]] = {}
    pended = 0
    for remit in _groups(rows):
        if len(remit.claim_id) > MAX_CLP01:
            report.skipped.append((remit.claim_id, f"claim_id longer than {MAX_CLP01} characters (CLP01)"))
            continue
        if remit.claim_id not in candidates:
            raise FormatError(f"results.csv names claim {remit.claim_id}, which the scenario {scenario} "
                              f"does not have")
        remit.claim = _match(remit, candidates[remit.claim_id])
        pended += sum(1 for r in remit.rows if r.status == "PENDED")
        remit.rows = [r for r in remit.rows if _reported(r)]
        if remit.rows:
            by_payee.setdefault(remit.claim.provider_npi, []).append(remit)
    if not by_payee:
        raise FormatError(f"{run}: no adjudicated line to remit (all pended, or no results)")
    if pended:
        report.notes.append(f"{pended} pended line(s) left out (no 835 status; a 277 reports them)")
    last_received = max(r.claim.received_date for rs in by_payee.values() for r in rs)
    when = when or _dt.datetime.combine(_dt.date(1970, 1, 1) + _dt.timedelta(days=last_received), _dt.time())
    w = Writer(parties.sender_id, "", when)
    for npi, remits in by_payee.items():
        _payee(w, npi, providers.get(npi, ""), remits, when, parties, report)
    report.validator = check_and_write(w.text(), report.out_path, "the 835")
    return report


def _provider_names(scenario: Path) -> dict[str, str]:
    path = scenario / "providers.csv"
    if not path.is_file():
        return {}
    with open(path, newline="", encoding="utf-8") as fh:
        return {r.get("npi", "").strip(): r.get("name", "").strip() for r in csv.DictReader(fh)}


def _payee(w: Writer, npi: str, name: str, remits: list[_Remit], when: _dt.datetime,
           parties: Parties, report: ExportReport) -> None:
    total = sum(r.amounts["paid"] for remit in remits for r in remit.rows)
    forward = min(total, 0)  # negative net: carried forward (PLB FB), BPR02 never below zero
    payment = total - forward
    trace = f"{when:%Y%m%d}{npi}"
    w.open_interchange(receiver=npi)
    w.open_group("HP", VERSION_835, receiver=npi)
    w.open_transaction("835", None)
    w.seg("BPR", "I" if payment else "H", x12_amount(payment), "C", "NON", *([""] * 11), f"{when:%Y%m%d}")
    w.seg("TRN", "1", trace, parties.payer_tin)
    w.seg("DTM", "405", f"{when:%Y%m%d}")
    w.seg("N1", "PR", parties.payer_name)
    w.seg("N3", parties.address)
    w.seg("N4", parties.city)
    w.seg("PER", "BL", parties.contact_name, "TE", parties.contact_phone)
    w.seg("N1", "PE", clean(name, 60) or f"PROVIDER {npi}", "XX", npi)
    w.seg("LX", "1")
    for remit in remits:
        _clp(w, remit, parties)
        report.claims += 1
        report.lines += len(remit.rows)
    if forward:
        w.seg("PLB", npi, f"{when:%Y}1231", ("FB", trace), x12_amount(forward))
    w.close_transaction()
    w.close_group()
    w.close_interchange()
    report.transactions += 1
    report.totals[npi] = {"paid_cents": total, "bpr02_cents": payment, "plb_cents": forward}


def _cas(w: Writer, adjustments: list[tuple[str, str, int]]) -> None:
    """One CAS per group code (in the order the groups first appear), up to six reasons each."""
    order: list[str] = []
    for group, _, _ in adjustments:
        if group not in order:
            order.append(group)
    for group in order:
        items = [(code, amount) for g, code, amount in adjustments if g == group]
        for start in range(0, len(items), 6):
            chunk = items[start:start + 6]
            elements = []
            for code, amount in chunk:
                elements += [code, x12_amount(amount), ""]
            w.seg("CAS", group, *elements)


def _clp(w: Writer, remit: _Remit, parties: Parties) -> None:
    claim = remit.claim
    sign = -1 if remit.reversal else 1
    charge = sum(sign * claim.lines[r.line - 1].billed for r in remit.rows)
    paid = sum(r.amounts["paid"] for r in remit.rows)
    patient = sum(r.amounts["patient"] for r in remit.rows)
    if remit.reversal:
        status = "22"
    elif all(r.status == "DENIED" for r in remit.rows):
        status = "4"
    else:
        status = "2" if claim.secondary else "1"  # processed as secondary: a prior payer paid
    w.seg("CLP", claim.claim_id, status, x12_amount(charge), x12_amount(paid), x12_amount(patient),
          parties.claim_filing_835, claim.claim_id)
    w.seg("NM1", "QC", "1", "", "", "", "", "", "MI", claim.member_id)
    w.seg("DTM", "050", format_day(claim.received_date).replace("-", ""))
    for row in remit.rows:
        line = claim.lines[row.line - 1]
        w.seg("SVC", ("HC", line.procedure_code), x12_amount(sign * line.billed), x12_amount(row.amounts["paid"]),
              "", line.units)
        w.seg("DTM", "472", format_day(line.service_date).replace("-", ""))
        _cas(w, row.adjustments)
        w.seg("REF", "6R", row.line)
        if row.amounts["allowed"]:
            w.seg("AMT", "B6", x12_amount(row.amounts["allowed"]))


# ---------------------------------------------------------------------------------------------
# reading an 835 back


@dataclass
class RemitLine:
    procedure_code: str
    charge: int
    paid: int
    units: str
    line: int | None  # REF*6R, when present and numeric
    allowed: int | None
    adjustments: list[tuple[str, str, int]] = field(default_factory=list)


@dataclass
class RemitClaim:
    claim_id: str
    status: str
    charge: int
    paid: int
    patient: int
    payer_control: str
    member_id: str = ""
    adjustments: list[tuple[str, str, int]] = field(default_factory=list)  # claim level
    lines: list[RemitLine] = field(default_factory=list)

    def all_adjustments(self) -> list[tuple[str, str, int]]:
        return self.adjustments + [a for line in self.lines for a in line.adjustments]


@dataclass
class Remittance:
    payee_name: str
    payee_id: str  # N104
    payment: int  # BPR02
    credit_debit: str
    trace: str
    claims: list[RemitClaim] = field(default_factory=list)
    plb: list[tuple[str, str, int]] = field(default_factory=list)  # (reason, reference, cents)

    def balances(self) -> bool:
        """BPR02 = sum CLP04 - sum PLB (the TR3's balancing rule)."""
        return self.payment == sum(c.paid for c in self.claims) - sum(a for _, _, a in self.plb)


def _cas_items(seg: Segment) -> list[tuple[str, str, int]]:
    items = []
    for start in range(2, 20, 3):
        code = seg.el(start)
        if code:
            items.append((seg.el(1), code, parse_amount(seg.el(start + 1))))
    return items


def read_835(path) -> list[Remittance]:
    """The remittances of an 835 file (any delimiters, any number of interchanges)."""
    path = Path(path)
    issues = []
    text = path.read_bytes().decode("latin-1")
    out: list[Remittance] = []
    for tx in transactions(tokenize(text, path.name, issues), path.name, issues):
        if tx.kind != "835":
            continue
        remit = Remittance("", "", 0, "", "")
        claim: RemitClaim | None = None
        line: RemitLine | None = None
        for seg in tx.body:
            try:
                claim, line = _read_segment(seg, remit, claim, line)
            except ValueError as exc:
                raise FormatError(f"{path.name} segment {seg.index} {seg.id}: {exc}") from None
        out.append(remit)
    errors = [i for i in issues if i.severity == "error"]
    if not out:
        raise FormatError(f"{path}: no 835 transaction" + (f" ({errors[0]})" if errors else ""))
    return out


def _read_segment(seg: Segment, remit: Remittance, claim: RemitClaim | None,
                  line: RemitLine | None) -> tuple[RemitClaim | None, RemitLine | None]:
    """Fold one 835 segment into ``remit``; returns the claim and line now open."""
    sid = seg.id
    if sid == "BPR":
        remit.payment, remit.credit_debit = parse_amount(seg.el(2)), seg.el(3)
    elif sid == "TRN":
        remit.trace = seg.el(2)
    elif sid == "N1" and seg.el(1) == "PE":
        remit.payee_name, remit.payee_id = seg.el(2), seg.el(4)
    elif sid == "CLP":
        claim = RemitClaim(seg.el(1), seg.el(2), parse_amount(seg.el(3)), parse_amount(seg.el(4)),
                           parse_amount(seg.el(5) or "0"), seg.el(7))
        remit.claims.append(claim)
        line = None
    elif sid == "SVC" and claim is not None:
        line = RemitLine(seg.comp(1, 2), parse_amount(seg.el(2)), parse_amount(seg.el(3)),
                         seg.el(5), None, None)
        claim.lines.append(line)
    elif sid == "CAS" and claim is not None:
        (line.adjustments if line is not None else claim.adjustments).extend(_cas_items(seg))
    elif sid == "NM1" and seg.el(1) == "QC" and claim is not None:
        claim.member_id = seg.el(9)
    elif sid == "REF" and seg.el(1) == "6R" and line is not None and seg.el(2).isdigit():
        line.line = int(seg.el(2))
    elif sid == "AMT" and seg.el(1) == "B6" and line is not None:
        line.allowed = parse_amount(seg.el(2))
    elif sid == "PLB":
        for start in range(3, 15, 2):
            if seg.el(start):
                remit.plb.append((seg.comp(start, 1), seg.comp(start, 2), parse_amount(seg.el(start + 1))))
        claim = line = None
    return claim, line


__all__ = ["export_835", "read_835", "Remittance", "RemitClaim", "RemitLine"]
