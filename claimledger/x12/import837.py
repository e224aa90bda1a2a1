"""837P/837I claims -> a scenario directory (A-2).

Every CLM of every transaction of every file is read into a draft; the draft maps to the rows
of ``claims.csv`` (A-2.5) or is rejected with every reason found, each naming the claim and
the loop/element (``2300/CLM05-3``, ``2400/SV104``, ...). What an 837 carries that A-2 has
no place for, and what A-2 needs that an 837 does not carry, is reported as a gap. Nothing is
guessed: a value that is not in the file is left empty and reported. A bad claim never costs
the other claims of the file their import. See docs/FORMATS-X12.md for the mapping tables.
"""
from __future__ import annotations

import csv
import datetime as _dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..records import Reject
from ..scenario import (
    _CODE, _ICD10, _ID, _NPI, AUTHORIZATION_COLUMNS, AUTHORIZATIONS_FILE, CLAIM_COLUMNS, CLAIMS_FILE,
    MAX_DIAGNOSES, MAX_LINES_PER_CLAIM, MAX_UNITS, MEMBER_COLUMNS, MEMBERS_FILE, PLANS_FILE,
    PROVIDER_COLUMNS, PROVIDERS_FILE, parse_claim,
)
from .segments import (
    ERROR, GAP, ISSUE_COLUMNS, VALIDATOR, FormatError, Issue, Segment, Transaction, parse_amount,
    parse_date, tokenize, transactions,
)
from .validate import library_version, validate

ISSUES_FILE = "import_issues.csv"
PROFESSIONAL = ("X222", "X098")  # 837P 5010 / 4010
INSTITUTIONAL = ("X223", "X096")  # 837I 5010 / 4010
DENTAL = ("X224", "X097")
ICD10_QUALIFIERS = {"ABK": "principal", "ABF": "other"}
ICD9_QUALIFIERS = {"BK", "BF", "BJ", "PR", "BN"}  # ICD-9-CM principal/other/admitting/reason/E-code
MAX_VALIDATOR_FINDINGS = 200  # per file

# claims.csv field -> where the 837 carries it (for the loader's own checks, A-3/R-4)
FIELD_PATHS = {
    "claim_id": "2300/CLM01", "frequency": "2300/CLM05-3", "original_claim_id": "2300/REF*F8",
    "member_id": "2010BA/NM109", "provider_npi": "2010AA/NM109", "received_date": "BHT04",
    "service_date": "2400/DTP*472", "procedure_code": "2400/SV101-2", "units": "2400/SV104",
    "billed": "2400/SV102", "diagnoses": "2300/HI",
}


@dataclass
class ImportedClaim:
    """One CLM found in the input, accepted or not."""

    claim_id: str
    file: str
    segment: int  # ordinal of its CLM in the file
    transaction: str  # ST02
    kind: str  # 837P or 837I
    lines: int  # service lines (2400 loops) found
    accepted: bool = False
    rows: list[dict] = field(default_factory=list)  # claims.csv rows when accepted
    member_id: str = ""
    subscriber_id: str = ""
    group_number: str = ""  # SBR03
    provider_npi: str = ""
    provider_name: str = ""
    last_segment: int = 0


@dataclass
class ImportReport:
    out_dir: Path
    files: list[str]
    claims: list[ImportedClaim]
    issues: list[Issue]
    written: dict[str, Path]
    validator: str

    @property
    def accepted(self) -> list[ImportedClaim]:
        return [c for c in self.claims if c.accepted]

    @property
    def rejected(self) -> list[ImportedClaim]:
        return [c for c in self.claims if not c.accepted]

    def issues_of(self, claim_id: str, severity: str | None = None) -> list[Issue]:
        return [i for i in self.issues if i.claim_id == claim_id and (severity is None or i.severity == severity)]

    def summary(self) -> str:
        count = {s: sum(1 for i in self.issues if i.severity == s) for s in (ERROR, GAP, VALIDATOR)}
        lines = sum(len(c.rows) for c in self.accepted)
        return (f"imported {len(self.accepted)} of {len(self.claims)} claims ({lines} lines) from "
                f"{len(self.files)} file(s) into {self.out_dir}: {len(self.rejected)} rejected, "
                f"{count[ERROR]} error(s), {count[GAP]} mapping gap(s), {count[VALIDATOR]} "
                f"{VALIDATOR_NAME} finding(s); see {self.out_dir / ISSUES_FILE}")


VALIDATOR_NAME = "pyx12"


# ---------------------------------------------------------------------------------------------
# reading drafts


@dataclass
class _Line:
    number: int
    lx: Segment
    service: Segment | None = None
    dtp: Segment | None = None
    sub: str = ""  # inside 2410/2420x/2430: segments there are not the line's own
    extra_service: Segment | None = None


@dataclass
class _Draft:
    clm: Segment
    kind: str
    billing: Segment | None
    subscriber: Segment | None
    sbr: Segment | None
    patient_hl: Segment | None
    patient: Segment | None
    bht: Segment | None
    lines: list[_Line] = field(default_factory=list)
    his: list[Segment] = field(default_factory=list)
    f8: Segment | None = None
    g1: Segment | None = None
    dtp050: Segment | None = None
    dtp472: Segment | None = None
    dtp434: Segment | None = None
    sub: str = ""  # inside 2310x/2320/2330x
    last: int = 0
    incomplete: bool = False


def _kind(tx: Transaction) -> str:
    version = tx.version.upper()
    if any(v in version for v in PROFESSIONAL):
        return "837P"
    if any(v in version for v in INSTITUTIONAL):
        return "837I"
    if any(v in version for v in DENTAL):
        return "837D"
    ids = {s.id for s in tx.body}
    return "837I" if "SV2" in ids and "SV1" not in ids else "837P"


def _drafts(tx: Transaction, kind: str, file: str, issues: list[Issue]) -> list[_Draft]:
    drafts: list[_Draft] = []
    bht: Segment | None = None
    billing = subscriber = sbr = patient_hl = patient = None
    draft: _Draft | None = None
    for seg in tx.body:
        sid = seg.id
        if sid == "BHT":
            bht = seg
            continue
        if sid == "HL":
            draft = None
            code = seg.el(3)
            if code == "20":
                billing = subscriber = sbr = patient_hl = patient = None
            elif code == "22":
                subscriber = sbr = patient_hl = patient = None
            elif code == "23":
                patient_hl, patient = seg, None
            else:
                issues.append(Issue(file, seg.index, "", "HL/HL03",
                                    f"hierarchical level code {code!r} is not 20, 22 or 23"))
            continue
        if sid == "CLM":
            draft = _Draft(seg, kind, billing, subscriber, sbr, patient_hl, patient, bht, last=seg.index)
            drafts.append(draft)
            continue
        if draft is None:
            if sid == "NM1":
                qualifier = seg.el(1)
                if qualifier == "85":
                    billing = seg
                elif qualifier == "IL":
                    subscriber = seg
                elif qualifier == "QC":
                    patient = seg
            elif sid == "SBR":
                sbr = seg
            continue
        draft.last = seg.index
        if sid == "LX":
            draft.lines.append(_Line(len(draft.lines) + 1, seg))
            continue
        line = draft.lines[-1] if draft.lines else None
        if line is None:
            if sid in ("NM1", "SBR"):
                draft.sub = sid  # 2310x providers, 2320/2330x other payers: not this claim's own
            if draft.sub:
                continue
            if sid == "REF" and seg.el(1) == "F8":
                draft.f8 = seg
            elif sid == "REF" and seg.el(1) == "G1":
                draft.g1 = seg
            elif sid == "DTP" and seg.el(1) in ("050", "472", "434"):
                setattr(draft, f"dtp{seg.el(1)}", seg)
            elif sid == "HI":
                draft.his.append(seg)
        else:
            if sid in ("NM1", "LIN", "SVD"):
                line.sub = sid  # 2420x, 2410, 2430
            if line.sub:
                continue
            if sid in ("SV1", "SV2"):
                if line.service is None:
                    line.service = seg
                else:
                    line.extra_service = seg
            elif sid == "DTP" and seg.el(1) == "472":
                line.dtp = seg
    if drafts and not tx.complete:
        drafts[-1].incomplete = True
    return drafts


# ---------------------------------------------------------------------------------------------
# mapping one draft


class _Mapper:
    def __init__(self, draft: _Draft, file: str, tx: Transaction):
        self.d = draft
        self.file = file
        self.tx = tx
        self.issues: list[Issue] = []
        self.claim_id = draft.clm.el(1)

    def error(self, seg: Segment | None, path: str, message: str, line: int = 0) -> None:
        index = seg.index if seg is not None else self.d.clm.index
        self.issues.append(Issue(self.file, index, self.claim_id, path, message, ERROR, line))

    def gap(self, seg: Segment | None, path: str, message: str, line: int = 0) -> None:
        index = seg.index if seg is not None else self.d.clm.index
        self.issues.append(Issue(self.file, index, self.claim_id, path, message, GAP, line))

    def day(self, seg: Segment, path: str, what: str, line: int = 0) -> _dt.date | None:
        """D8 date (or an RD8 range of one day) of a DTP segment."""
        fmt, value = seg.el(2), seg.el(3)
        try:
            if fmt == "D8":
                return parse_date(value)
            if fmt == "RD8":
                start, _, end = value.partition("-")
                first, last = parse_date(start), parse_date(end)
                if first != last:
                    self.error(seg, path, f"{what} is the range {value}: A-2 needs one date per "
                                          f"service line", line)
                    return None
                return first
            self.error(seg, f"{path.rsplit('/', 1)[0]}/DTP02",
                       f"{what} has date format {fmt!r}: expected D8 (CCYYMMDD)", line)
        except ValueError as exc:
            self.error(seg, path, f"{what}: {exc}", line)
        return None

    def run(self) -> ImportedClaim:
        d = self.d
        clm = d.clm
        if d.kind == "837D":
            self.error(clm, "ST", "837D (dental) claims are not mapped: A-2 has no tooth/surface data")
        if not self.claim_id:
            self.error(clm, "2300/CLM01", "claim id (CLM01, patient control number) is missing")
        elif not _ID.match(self.claim_id):
            self.error(clm, "2300/CLM01", f"claim id {self.claim_id!r} must be 1-64 letters, digits, "
                                          f"'.', '_' or '-' (R-4)")
        if d.incomplete:
            self.error(clm, "SE", "the file ends inside this claim (no SE after it): it may be "
                                  "incomplete, so it is not imported")
        frequency = self.frequency()
        original = self.original(frequency)
        member_id, subscriber_id = self.member()
        npi, name = self.provider()
        received = self.received()
        diagnoses = self.diagnoses()
        total = self.total()
        rows = self.lines(received, frequency, original, member_id, npi, diagnoses)
        if d.g1 is not None:
            self.gap(d.g1, "2300/REF*G1", f"prior authorization number {d.g1.el(2)!r} not mapped: "
                                          f"A-2.4 authorizations come from --plans-from")
        if rows is not None and total is not None:
            billed = sum(r["_billed"] for r in rows)
            if billed != total:
                self.error(clm, "2300/CLM02", f"claim total CLM02 {_dollars(total)} is not the sum of "
                                              f"the service lines' charges {_dollars(billed)}")
        claim = ImportedClaim(self.claim_id, self.file, clm.index, self.tx.control,
                              "837I" if d.kind == "837I" else "837P", len(d.lines),
                              member_id=member_id or "", subscriber_id=subscriber_id or "",
                              group_number=d.sbr.el(3) if d.sbr is not None else "",
                              provider_npi=npi or "", provider_name=name, last_segment=d.last)
        if any(i.severity == ERROR for i in self.issues) or rows is None:
            return claim
        for r in rows:
            r.pop("_billed")
        checked = parse_claim(rows)  # the loader's own record checks, with X12 paths
        if isinstance(checked, Reject):
            self.error(clm, FIELD_PATHS.get(checked.field, checked.field), checked.reason)
            return claim
        claim.rows = rows
        claim.accepted = True
        return claim

    def frequency(self) -> str:
        clm = self.d.clm
        if not clm.el(5):
            self.error(clm, "2300/CLM05", "CLM05 (place/facility code, qualifier, frequency) is missing")
            return ""
        code = clm.comp(5, 3)
        if not code:
            self.error(clm, "2300/CLM05-3", "claim frequency code (CLM05-3) is missing")
        elif code not in ("1", "7", "8"):
            self.error(clm, "2300/CLM05-3", f"claim frequency code {code!r} is not mapped: A-2.5 takes "
                                            f"1 (original), 7 (replacement) or 8 (void)")
        return code

    def original(self, frequency: str) -> str:
        f8 = self.d.f8
        value = f8.el(2) if f8 is not None else ""
        if frequency in ("7", "8") and not value:
            self.error(self.d.clm, "2300/REF*F8", f"frequency {frequency} needs the original claim "
                                                  f"(REF*F8 payer claim control number)")
        elif frequency == "1" and value:
            self.error(f8, "2300/REF*F8", f"an original claim (frequency 1) names an original claim "
                                          f"{value!r} (R-9)")
        return value

    def member(self) -> tuple[str | None, str | None]:
        d = self.d
        sub_id = d.subscriber.el(9) if d.subscriber is not None else ""
        if d.patient_hl is not None:
            patient_id = d.patient.el(9) if d.patient is not None else ""
            if not patient_id:
                self.error(d.patient or d.patient_hl, "2010CA/NM109",
                           "the patient is a dependent (HL 23, loop 2000C) without a member id of "
                           "their own: A-2 needs the patient's member id (a 5010 patient with a "
                           "unique member id is sent as the subscriber)")
                return None, sub_id
            return patient_id, sub_id
        if d.subscriber is None:
            self.error(d.clm, "2010BA/NM1", "no subscriber (NM1*IL) for this claim")
            return None, None
        if not sub_id:
            self.error(d.subscriber, "2010BA/NM109", "subscriber member id (NM109) is missing")
            return None, None
        if d.subscriber.el(8) not in ("MI", "II", ""):
            self.gap(d.subscriber, "2010BA/NM108", f"id qualifier {d.subscriber.el(8)!r} is not MI "
                                                   f"(member id); NM109 taken as the member id")
        return sub_id, sub_id

    def provider(self) -> tuple[str | None, str]:
        nm1 = self.d.billing
        if nm1 is None:
            self.error(self.d.clm, "2010AA/NM1", "no billing provider (NM1*85) for this claim")
            return None, ""
        name = " ".join(p for p in (nm1.el(3), nm1.el(4)) if p)
        npi = nm1.el(9)
        if nm1.el(8) != "XX" or not npi:
            self.error(nm1, "2010AA/NM109", "billing provider NPI is missing (NM108 must be XX and "
                                            "NM109 the 10-digit NPI)")
            return None, name
        if not _NPI.match(npi):
            self.error(nm1, "2010AA/NM109", f"billing provider NPI {npi!r} is not 10 digits")
            return None, name
        return npi, name

    def received(self) -> _dt.date | None:
        d = self.d
        if d.dtp050 is not None:
            return self.day(d.dtp050, "2300/DTP*050", "received date")
        if d.bht is None:
            self.error(d.clm, "BHT", "no BHT segment: the received date (BHT04) is unknown")
            return None
        try:
            return parse_date(d.bht.el(4))
        except ValueError as exc:
            self.error(d.bht, "BHT04", f"transaction date (the received date): {exc}")
        return None

    def diagnoses(self) -> list[str]:
        codes: list[str] = []
        unmapped: set[str] = set()
        for hi in self.d.his:
            for n in range(1, len(hi.elements)):
                if not hi.el(n):
                    continue
                qualifier, code = hi.comp(n, 1), hi.comp(n, 2)
                path = f"2300/HI{n:02d}-2"
                if qualifier in ICD10_QUALIFIERS:
                    if not code:
                        self.error(hi, path, f"diagnosis code missing after qualifier {qualifier}")
                        continue
                    dotted = code if ("." in code or len(code) <= 3) else f"{code[:3]}.{code[3:]}"
                    if not _ICD10.match(dotted) or len(dotted) > 8:
                        self.error(hi, path, f"{code!r} is not an ICD-10-CM code")
                        continue
                    codes.append(dotted)
                elif qualifier in ICD9_QUALIFIERS:
                    self.error(hi, f"2300/HI{n:02d}-1", f"ICD-9-CM code {code!r} (qualifier {qualifier}) "
                                                        f"is not mapped: A-2 takes ICD-10-CM (ABK/ABF)")
                else:
                    unmapped.add(qualifier or "?")
        if unmapped:
            self.gap(self.d.his[0], "2300/HI", f"codes with qualifier(s) {', '.join(sorted(unmapped))} "
                                               f"are not mapped: A-2 keeps ICD-10-CM diagnoses (ABK/ABF)")
        if not self.d.his:
            self.error(self.d.clm, "2300/HI", "no diagnosis (HI segment with ABK) for this claim")
        elif not codes and not any(i.path.startswith("2300/HI") and i.severity == ERROR for i in self.issues):
            self.error(self.d.his[0], "2300/HI", "no ICD-10-CM diagnosis (ABK/ABF) in HI")
        if len(codes) > MAX_DIAGNOSES:
            self.error(self.d.his[0], "2300/HI", f"{len(codes)} diagnoses: at most {MAX_DIAGNOSES} (R-4)")
        return codes

    def total(self) -> int | None:
        clm = self.d.clm
        try:
            total = parse_amount(clm.el(2))
        except ValueError as exc:
            self.error(clm, "2300/CLM02", f"claim total charge: {exc}")
            return None
        if total <= 0:
            self.error(clm, "2300/CLM02", f"claim total charge {clm.el(2)} must be positive")
        return total

    def lines(self, received, frequency, original, member_id, npi, diagnoses) -> list[dict] | None:
        d = self.d
        if not d.lines:
            self.error(d.clm, "2400", "claim has no service lines (no LX/2400 loop)")
            return None
        if len(d.lines) > MAX_LINES_PER_CLAIM:
            self.error(d.clm, "2400", f"{len(d.lines)} service lines: at most {MAX_LINES_PER_CLAIM} (R-4)")
        rows: list[dict] = []
        ok = True
        for line in d.lines:
            row = self.line(line, received)
            if row is None:
                ok = False
                continue
            rows.append({
                "claim_id": self.claim_id, "frequency": frequency, "original_claim_id": original,
                "member_id": member_id or "", "provider_npi": npi or "",
                "received_date": received.isoformat() if received else "",
                "diagnoses": ";".join(diagnoses), **row,
            })
        return rows if ok else None

    def line(self, line: _Line, received: _dt.date | None) -> dict | None:
        n = line.number
        svc = line.service
        errors_before = sum(1 for i in self.issues if i.severity == ERROR)
        if line.lx.el(1) != str(n):
            self.gap(line.lx, "2400/LX01", f"LX01 is {line.lx.el(1)!r} but this is service line {n}; "
                                           f"lines are numbered by position", n)
        if svc is None:
            what = "SV2" if self.d.kind == "837I" else "SV1"
            self.error(line.lx, f"2400/{what}", f"service line has no {what} segment", n)
            return None
        if line.extra_service is not None:
            self.error(line.extra_service, f"2400/{line.extra_service.id}",
                       "a second service segment in one service line", n)
        sid = svc.id
        code_el, amount_el, basis_el, qty_el = (1, 2, 3, 4) if sid == "SV1" else (2, 3, 4, 5)
        if sid == "SV2" and svc.el(1):
            self.gap(svc, "2400/SV201", f"revenue code {svc.el(1)} is not mapped (A-2 has no revenue code)", n)
        qualifier, code = svc.comp(code_el, 1), svc.comp(code_el, 2)
        ref = f"{sid}{code_el:02d}"
        if not svc.el(code_el):
            self.error(svc, f"2400/{ref}", "no procedure code (HCPCS/CPT): A-2 needs one per line", n)
        elif qualifier != "HC":
            self.error(svc, f"2400/{ref}-1", f"procedure code qualifier {qualifier!r} is not HC "
                                             f"(HCPCS/CPT); not mapped", n)
        elif not _CODE.match(code):
            self.error(svc, f"2400/{ref}-2", f"procedure code {code!r} must be 4-8 upper-case letters "
                                             f"or digits", n)
        modifiers = [m for m in svc.comps(code_el)[2:6] if m]
        if modifiers:
            self.gap(svc, f"2400/{ref}-3", f"modifier(s) {', '.join(modifiers)} not mapped (A-2 has "
                                           f"no modifiers)", n)
        billed = None
        ref = f"{sid}{amount_el:02d}"
        try:
            billed = parse_amount(svc.el(amount_el))
            if billed <= 0:
                self.error(svc, f"2400/{ref}", f"line charge {svc.el(amount_el)} must be positive", n)
        except ValueError as exc:
            self.error(svc, f"2400/{ref}", f"line charge: {exc}", n)
            billed = None
        basis = svc.el(basis_el)
        ref = f"{sid}{basis_el:02d}"
        if basis != "UN":
            what = {"MJ": "minutes", "DA": "days", "": "missing"}.get(basis, basis)
            self.error(svc, f"2400/{ref}", f"unit basis {basis!r} ({what}) is not mapped: A-2 units "
                                           f"are service units (UN)", n)
        units = None
        ref = f"{sid}{qty_el:02d}"
        quantity = svc.el(qty_el)
        if not quantity:
            self.error(svc, f"2400/{ref}", "service unit count is missing", n)
        else:
            try:
                value = float(quantity)
                if value != int(value) or "e" in quantity.lower():
                    raise ValueError
                units = int(value)
            except ValueError:
                self.error(svc, f"2400/{ref}", f"service unit count {quantity!r} is not a whole number", n)
            else:
                if not 1 <= units <= MAX_UNITS:
                    self.error(svc, f"2400/{ref}", f"service unit count {quantity} must be 1..{MAX_UNITS} (R-4)", n)
        dos = None
        if line.dtp is not None:
            dos = self.day(line.dtp, "2400/DTP*472", "date of service", n)
        elif self.d.dtp472 is not None:
            dos = self.day(self.d.dtp472, "2300/DTP*472", "date of service", n)
        elif self.d.dtp434 is not None:
            dos = self.day(self.d.dtp434, "2300/DTP*434", "statement period (no line date of service)", n)
        else:
            self.error(line.lx, "2400/DTP*472", "no date of service (DTP*472) for this line", n)
        if dos is not None and received is not None and dos > received:
            self.error(line.dtp or self.d.clm, "2400/DTP*472", f"date of service {dos} is after the "
                                                               f"received date {received}", n)
        if sum(1 for i in self.issues if i.severity == ERROR) > errors_before:
            return None
        return {"service_date": dos.isoformat(), "procedure_code": code, "units": str(units),
                "billed": _dollars(billed), "_billed": billed}


def _dollars(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


# ---------------------------------------------------------------------------------------------
# files


def _read(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_837(path: Path) -> tuple[list[ImportedClaim], list[Issue]]:
    """Claims and issues of one 837 file (nothing written)."""
    name = path.name
    issues: list[Issue] = []
    text = _read(path)
    claims: list[ImportedClaim] = []
    for tx in transactions(tokenize(text, name, issues), name, issues):
        if tx.kind != "837":
            first = tx.st or (tx.body[0] if tx.body else None)
            issues.append(Issue(name, first.index if first else 0, "", "ST/ST01",
                                f"transaction set {tx.kind or '?'} ({tx.control}) is not an 837 claim; skipped"))
            continue
        for draft in _drafts(tx, _kind(tx), name, issues):
            mapper = _Mapper(draft, name, tx)
            claims.append(mapper.run())
            issues.extend(mapper.issues)
    if text.strip():
        ok, findings = validate(text)
        _attach_findings(name, findings, claims, issues)
    return claims, issues


def _attach_findings(name: str, findings, claims: list[ImportedClaim], issues: list[Issue]) -> None:
    for number, finding in enumerate(findings):
        if number == MAX_VALIDATOR_FINDINGS:
            issues.append(Issue(name, 0, "", VALIDATOR_NAME, f"{len(findings) - number} more "
                                                             f"{VALIDATOR_NAME} findings not listed", VALIDATOR))
            break
        owner = next((c for c in claims if c.segment <= finding.segment <= c.last_segment), None)
        issues.append(Issue(name, finding.segment, owner.claim_id if owner else "",
                            finding.element or finding.seg_id or VALIDATOR_NAME, finding.message, VALIDATOR))


def import_837(paths, out_dir, plans_from=None, plan: str | None = None) -> ImportReport:
    """Read 837P/837I files into the scenario directory ``out_dir`` (A-2).

    ``claims.csv`` gets every claim that maps, in file order; ``import_issues.csv`` every
    error, gap and validator finding. With ``plans_from`` (a scenario directory) its
    plans.yaml, members.csv, providers.csv and authorizations.csv are copied; otherwise
    members.csv and providers.csv get the rows the 837 can give (plan id from SBR03 or
    ``plan``), with what it cannot give left empty and reported.
    """
    paths = [Path(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths)]
    if not paths:
        raise FormatError("no 837 file given")
    for p in paths:
        if not p.is_file():
            raise FormatError(f"{p}: no such file")
    source = Path(plans_from) if plans_from is not None else None
    if source is not None:
        missing = [f for f in (PLANS_FILE, MEMBERS_FILE, PROVIDERS_FILE) if not (source / f).is_file()]
        if missing:
            raise FormatError(f"--plans-from {source}: {', '.join(missing)} not found")
    out = Path(out_dir)
    claims: list[ImportedClaim] = []
    issues: list[Issue] = []
    for p in paths:
        file_claims, file_issues = read_837(p)
        claims.extend(file_claims)
        issues.extend(file_issues)
    if not claims:
        first = next((i for i in issues if i.severity == ERROR), None)
        raise FormatError(f"no 837 claim found in {', '.join(p.name for p in paths)}"
                          + (f": {first}" if first else ""))
    _drop_consecutive_repeats(claims, issues)
    out.mkdir(parents=True, exist_ok=True)
    written = {CLAIMS_FILE: out / CLAIMS_FILE}
    with open(out / CLAIMS_FILE, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, CLAIM_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for claim in claims:
            if claim.accepted:
                writer.writerows(claim.rows)
    if source is not None:
        for name in (PLANS_FILE, MEMBERS_FILE, PROVIDERS_FILE, AUTHORIZATIONS_FILE):
            if (source / name).is_file():
                shutil.copyfile(source / name, out / name)
                written[name] = out / name
        _check_against(source, claims, issues)
    else:
        written.update(_derive_reference_data(out, claims, plan, issues))
    issues.sort(key=lambda i: (paths_index(paths, i.file), i.segment))
    with open(out / ISSUES_FILE, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(ISSUE_COLUMNS)
        w.writerows(i.row() for i in issues)
    written[ISSUES_FILE] = out / ISSUES_FILE
    return ImportReport(out, [p.name for p in paths], claims, issues, written, library_version())


def paths_index(paths: list[Path], name: str) -> int:
    for n, p in enumerate(paths):
        if p.name == name:
            return n
    return len(paths)


def _drop_consecutive_repeats(claims: list[ImportedClaim], issues: list[Issue]) -> None:
    """claims.csv keeps a claim as consecutive rows (R-1): a claim right after another with the
    same id would merge into it. An identical repeat is a no-op (A-3) and is left out; a
    different one cannot be written and is rejected."""
    previous: ImportedClaim | None = None
    for claim in claims:
        if not claim.accepted:
            continue
        if previous is not None and previous.claim_id == claim.claim_id:
            claim.accepted = False
            if claim.rows == previous.rows:
                issues.append(Issue(claim.file, claim.segment, claim.claim_id, "2300/CLM01",
                                    "repeats the claim just before it with the same content: an "
                                    "idempotent resubmission (A-3) that changes nothing; not written "
                                    "(consecutive rows of one id would merge, R-1)", GAP))
            else:
                issues.append(Issue(claim.file, claim.segment, claim.claim_id, "2300/CLM01",
                                    "claim id reused right after a claim with the same id but other "
                                    "content (A-3, R-1); not written"))
            claim.rows = []
            continue
        previous = claim


def _read_ids(path: Path, column: str) -> dict[str, dict]:
    if not path.is_file():
        return {}
    with open(path, newline="", encoding="utf-8") as fh:
        return {row.get(column, "").strip(): row for row in csv.DictReader(fh)}


def _check_against(source: Path, claims: list[ImportedClaim], issues: list[Issue]) -> None:
    """Members and providers the claims name but --plans-from does not list (reported, not
    invented: the lines will be denied CO-31 / B7 as the rules say)."""
    members = _read_ids(source / MEMBERS_FILE, "member_id")
    providers = _read_ids(source / PROVIDERS_FILE, "npi")
    for claim in claims:
        if not claim.accepted:
            continue
        if claim.member_id not in members:
            issues.append(Issue(claim.file, claim.segment, claim.claim_id, "2010BA/NM109",
                                f"member {claim.member_id} is not in {source / MEMBERS_FILE}: its "
                                f"lines will be denied CO-31", GAP))
        elif claim.group_number and claim.group_number != members[claim.member_id].get("plan_id", ""):
            issues.append(Issue(claim.file, claim.segment, claim.claim_id, "2000B/SBR03",
                                f"group number {claim.group_number!r} differs from member "
                                f"{claim.member_id}'s plan {members[claim.member_id].get('plan_id')!r} "
                                f"in {MEMBERS_FILE}; the plan of {MEMBERS_FILE} is used", GAP))
        if claim.provider_npi not in providers:
            issues.append(Issue(claim.file, claim.segment, claim.claim_id, "2010AA/NM109",
                                f"provider {claim.provider_npi} is not in {source / PROVIDERS_FILE}: "
                                f"its lines will be denied B7", GAP))


def _derive_reference_data(out: Path, claims: list[ImportedClaim], plan: str | None,
                           issues: list[Issue]) -> dict[str, Path]:
    members: dict[str, list[str]] = {}
    providers: dict[str, list[str]] = {}
    for claim in claims:
        if not claim.accepted:
            continue
        plan_id = claim.group_number or plan or ""
        if claim.member_id not in members:
            members[claim.member_id] = [claim.member_id, claim.subscriber_id, plan_id, "", ""]
            if not plan_id:
                issues.append(Issue(claim.file, claim.segment, claim.claim_id, "2000B/SBR03",
                                    f"member {claim.member_id}: no group number (SBR03) and no --plan: "
                                    f"plan_id left empty", GAP))
            issues.append(Issue(claim.file, claim.segment, claim.claim_id, "2010BA",
                                f"member {claim.member_id}: coverage_start/coverage_end are not in an "
                                f"837; left empty (the loader skips the row until they are filled in, "
                                f"R-10)", GAP))
        elif plan_id and members[claim.member_id][2] != plan_id:
            issues.append(Issue(claim.file, claim.segment, claim.claim_id, "2000B/SBR03",
                                f"member {claim.member_id} has group {plan_id!r} here but "
                                f"{members[claim.member_id][2]!r} on an earlier claim; the first is kept", GAP))
        if claim.provider_npi not in providers:
            providers[claim.provider_npi] = [claim.provider_npi, claim.provider_name, ""]
            issues.append(Issue(claim.file, claim.segment, claim.claim_id, "2010AA",
                                f"provider {claim.provider_npi}: in_network is not in an 837; left "
                                f"empty, not guessed (the loader skips the row until it is filled in)", GAP))
    written: dict[str, Path] = {}
    for name, header, rows in ((MEMBERS_FILE, MEMBER_COLUMNS, members.values()),
                               (PROVIDERS_FILE, PROVIDER_COLUMNS, providers.values()),
                               (AUTHORIZATIONS_FILE, AUTHORIZATION_COLUMNS, [])):
        with open(out / name, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows)
        written[name] = out / name
    issues.append(Issue("", 0, "", PLANS_FILE, "plans.yaml not written: benefit plans are not in an "
                                               "837; pass --plans-from SCENARIO_DIR", GAP))
    issues.append(Issue("", 0, "", AUTHORIZATIONS_FILE, "authorizations are not in an 837 (REF*G1 "
                                                        "carries a number only); written empty", GAP))
    return written


__all__ = ["import_837", "read_837", "ImportReport", "ImportedClaim", "ISSUES_FILE", "FIELD_PATHS"]
