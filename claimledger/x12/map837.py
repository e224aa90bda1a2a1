"""One 837 claim (a CLM and what belongs to it) -> the rows of ``claims.csv`` (A-2.5), or every
reason it cannot map, each naming the claim and the loop/element (``2300/CLM05-3``,
``2400/SV104``, ...). The loader's own record checks (A-3, R-4) run last, with X12 paths.
"""
from __future__ import annotations

import datetime as _dt

from ..codesets import CodeSet, chain_text, diagnosis_error, dotted_icd9, to_claim_code
from ..money import parse_day
from ..records import Reject
from ..roster import Roster
from ..scenario import (
    CODE_FORMAT, ID_FORMAT, ID_RULE, MAX_DIAGNOSES, MAX_LINES_PER_CLAIM, MAX_UNITS, NPI_FORMAT, parse_claim,
)
from .cob837 import line_other_payer
from .drafts837 import ImportedClaim, _Draft, _Line  # noqa: F401 - re-exported
from .segments import ERROR, GAP, Issue, Segment, Transaction, parse_amount, parse_date

ICD10_QUALIFIERS = {"ABK": "principal", "ABF": "other"}
ICD9_QUALIFIERS = {"BK": "principal", "BF": "other"}  # ICD-9-CM; BJ, PR, BN are gaps

# claims.csv field -> where the 837 carries it (for the loader's own checks, A-3/R-4)
FIELD_PATHS = {
    "claim_id": "2300/CLM01", "frequency": "2300/CLM05-3", "original_claim_id": "2300/REF*F8",
    "member_id": "2010BA/NM109", "provider_npi": "2010AA/NM109", "received_date": "BHT04",
    "service_date": "2400/DTP*472", "procedure_code": "2400/SV101-2", "units": "2400/SV104",
    "billed": "2400/SV102", "diagnoses": "2300/HI",
    "other_payer_allowed": "2430/SVD", "other_payer_paid": "2430/SVD02",
}


# ---------------------------------------------------------------------------------------------
# mapping one draft


class _Mapper:
    def __init__(self, draft: _Draft, file: str, tx: Transaction, roster: Roster | None = None):
        self.d = draft
        self.file = file
        self.tx = tx
        self.roster = roster
        self.days_read: list[_dt.date] = []  # every date of service read (a range's both ends)
        self.issues: list[Issue] = []
        self.claim_id = draft.clm.el(1)

    def error(self, seg: Segment | None, path: str, message: str, line: int = 0) -> None:
        index = seg.index if seg is not None else self.d.clm.index
        self.issues.append(Issue(self.file, index, self.claim_id, path, message, ERROR, line))

    def gap(self, seg: Segment | None, path: str, message: str, line: int = 0) -> None:
        index = seg.index if seg is not None else self.d.clm.index
        self.issues.append(Issue(self.file, index, self.claim_id, path, message, GAP, line))

    def day(self, seg: Segment, path: str, what: str, line: int = 0) -> _dt.date | None:
        """The D8 date of a DTP segment (an RD8 range of one day too)."""
        days = self.days(seg, path, what, line)
        if days is None:
            return None
        if days[1] is not None:
            self.error(seg, path, f"{what} is the range {seg.el(3)}: one date is expected here", line)
            return None
        return days[0]

    def days(self, seg: Segment, path: str, what: str, line: int = 0) -> tuple[_dt.date, _dt.date | None] | None:
        """(first day, last day or None) of a DTP segment: D8, or an RD8 range (A-10.2)."""
        fmt, value = seg.el(2), seg.el(3)
        try:
            if fmt == "D8":
                return parse_date(value), None
            if fmt == "RD8":
                start, _, end = value.partition("-")
                first, last = parse_date(start), parse_date(end)
                if last < first:
                    self.error(seg, path, f"{what} is the range {value}: it ends before it starts", line)
                    return None
                return first, (last if last != first else None)
            self.error(seg, f"{path.rsplit('/', 1)[0]}/DTP02",
                       f"{what} has date format {fmt!r}: expected D8 (CCYYMMDD) or RD8", line)
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
        elif not ID_FORMAT.match(self.claim_id):
            self.error(clm, "2300/CLM01", f"claim id {self.claim_id!r} must be {ID_RULE} (R-4, R-46)")
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
                              provider_npi=npi or "", provider_name=name, last_segment=d.last,
                              charge=total or 0, first_day=min(self.days_read, default=None),
                              last_day=max(self.days_read, default=None))
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
        """(member id, subscriber id). With a roster every patient is found in it (A-10.3);
        without one the subscriber's NM109 is the member id, and a dependent (2000C) needs an
        NM109 of its own (as 4010 files carry it)."""
        d = self.d
        if d.subscriber is None:
            self.error(d.clm, "2010BA/NM1", "no subscriber (NM1*IL) for this claim")
            return None, None
        sub_id = d.subscriber.el(9)
        if not sub_id:
            self.error(d.subscriber, "2010BA/NM109", "subscriber member id (NM109) is missing")
            return None, None
        if d.patient_hl is not None:
            if self.roster is not None:
                return self.from_roster(sub_id, d.patient, d.patient_dmg, "2010CA", d.patient_hl)
            patient_id = d.patient.el(9) if d.patient is not None else ""
            if not patient_id:
                self.error(d.patient or d.patient_hl, "2010CA/NM109",
                           "the patient is a dependent (HL 23, loop 2000C) without a member id of "
                           "their own: pass the enrollment roster (--roster, or roster.csv in "
                           "--plans-from) to find it by subscriber id, birth date and first name (A-10.3)")
                return None, sub_id
            return patient_id, sub_id
        if self.roster is not None:
            return self.from_roster(sub_id, d.subscriber, d.subscriber_dmg, "2010BA", d.subscriber)
        if d.subscriber.el(8) not in ("MI", "II", ""):
            self.gap(d.subscriber, "2010BA/NM108", f"id qualifier {d.subscriber.el(8)!r} is not MI "
                                                   f"(member id); NM109 taken as the member id")
        return sub_id, sub_id

    def from_roster(self, sub_id: str, nm1: Segment | None, dmg: Segment | None, loop: str,
                    anchor: Segment) -> tuple[str | None, str | None]:
        """A-10.3: the roster member with the subscriber id, the patient's birth date (DMG02)
        and first name (NM104); none or several is a record error on member_id."""
        first = nm1.el(4) if nm1 is not None else ""
        if not first:
            self.error(nm1 or anchor, f"{loop}/NM104", "no first name (NM104) to find the patient in "
                                                       "the enrollment roster (A-10.3)")
            return None, sub_id
        if dmg is None or dmg.el(1) != "D8" or not dmg.el(2):
            self.error(dmg or nm1, f"{loop}/DMG02", "no birth date (DMG*D8) to find the patient in the "
                                                    "enrollment roster (A-10.3)")
            return None, sub_id
        try:
            born = parse_day(parse_date(dmg.el(2)).isoformat())
        except ValueError as exc:
            self.error(dmg, f"{loop}/DMG02", f"birth date: {exc}")
            return None, sub_id
        match = self.roster.find(sub_id, born, first)
        if match.member_id is None:
            self.error(nm1, f"{loop}/NM1", match.reason)
            return None, sub_id
        return match.member_id, match.subscriber_id

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
        if not NPI_FORMAT.match(npi):
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
                if qualifier in ICD10_QUALIFIERS or qualifier in ICD9_QUALIFIERS:
                    if not code:
                        self.error(hi, path, f"diagnosis code missing after qualifier {qualifier}")
                        continue
                    if qualifier in ICD9_QUALIFIERS:  # kept as ICD9:<code>; the loader checks the DOS
                        dotted = to_claim_code(CodeSet.ICD9, dotted_icd9(code))
                    else:
                        dotted = code if ("." in code or len(code) <= 3) else f"{code[:3]}.{code[3:]}"
                    reason = diagnosis_error(dotted)
                    if reason or len(chain_text(dotted)) > 8:
                        self.error(hi, path, f"{code!r} is not an {'ICD-9-CM' if qualifier in ICD9_QUALIFIERS else 'ICD-10-CM'} code")
                        continue
                    codes.append(dotted)
                else:
                    unmapped.add(qualifier or "?")
        if unmapped:
            self.gap(self.d.his[0], "2300/HI", f"codes with qualifier(s) {', '.join(sorted(unmapped))} "
                                               f"are not mapped: A-2 keeps principal and other diagnoses "
                                               f"(ABK/ABF, ICD-9-CM BK/BF)")
        if not self.d.his:
            self.error(self.d.clm, "2300/HI", "no diagnosis (HI segment with ABK) for this claim")
        elif not codes and not any(i.path.startswith("2300/HI") and i.severity == ERROR for i in self.issues):
            self.error(self.d.his[0], "2300/HI", "no principal or other diagnosis (ABK/ABF, BK/BF) in HI")
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
        elif not CODE_FORMAT.match(code):
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
            except (ValueError, OverflowError):  # OverflowError: 1e400 or inf is a float, no int
                self.error(svc, f"2400/{ref}", f"service unit count {quantity!r} is not a whole number", n)
            else:
                if not 1 <= units <= MAX_UNITS:
                    self.error(svc, f"2400/{ref}", f"service unit count {quantity} must be 1..{MAX_UNITS} (R-4)", n)
        days = None
        if line.dtp is not None:
            days = self.days(line.dtp, "2400/DTP*472", "date of service", n)
        elif self.d.dtp472 is not None:
            days = self.days(self.d.dtp472, "2300/DTP*472", "date of service", n)
        elif self.d.dtp434 is not None:
            days = self.days(self.d.dtp434, "2300/DTP*434", "statement period (no line date of service)", n)
        else:
            self.error(line.lx, "2400/DTP*472", "no date of service (DTP*472) for this line", n)
        dos, last = days if days is not None else (None, None)
        self.days_read.extend(d for d in (dos, last) if d is not None)
        if dos is not None and received is not None and (last or dos) > received:
            what = "the last day of the service date range" if last else "date of service"
            self.error(line.dtp or self.d.clm, "2400/DTP*472", f"{what} {last or dos} is after the "
                                                               f"received date {received} (A-10.2)", n)
        if sum(1 for i in self.issues if i.severity == ERROR) > errors_before:
            return None
        other = line_other_payer(self, self.d, line, n, _dollars)
        if sum(1 for i in self.issues if i.severity == ERROR) > errors_before:
            return None
        return {"service_date": dos.isoformat(), "service_date_end": last.isoformat() if last else "",
                "procedure_code": code, "units": str(units),
                "billed": _dollars(billed), "_billed": billed, **other}


def _dollars(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"
