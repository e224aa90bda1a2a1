"""834 benefit enrollment (005010X220A1) -> ``members.csv`` and the off-chain ``roster.csv``
(A-2.2, A-10.3), validated with pyx12's 834 map.

Each member loop (2000, one INS) becomes a member: subscriber (INS01 Y) or dependent (N), its
family (REF*0F subscriber identifier), plan, coverage dates of its medical coverage (2300 HD)
and, for the roster, first and last name (2100A NM1) and birth date (DMG). A termination
(INS03 024) ends the coverage on its end date; a member sent again later (an addition, a
change, a termination in a later file) keeps its place and takes the later dates and plan.
A record that cannot be mapped is reported with its path (``2100A/NM109``, ``2300/DTP*348``)
and left out; what the 834 carries that A-2 has no place for is a gap. Mapping table:
docs/FORMATS-X12.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..atomic import write_csv_atomically
from ..csv_safety import text_row
from ..money import format_day, parse_day
from ..roster import ROSTER_COLUMNS, ROSTER_FILE
from ..fields import ID_RULE
from ..scenario import ID_FORMAT, MEMBER_COLUMNS, MEMBERS_FILE
from .read837 import _read
from .segments import ERROR, GAP, VALIDATOR, FormatError, Issue, Segment, parse_date, tokenize, transactions
from .validate import library_version, validate

ISSUES_FILE = "import_issues.csv"
ISSUE_COLUMNS = ["file", "segment", "member_id", "path", "severity", "message"]
MEDICAL_LINES = {"HLT", "HMO", "PPO", "POS", "EPO", "MM"}  # HD03 insurance lines A-2 adjudicates
TERMINATION = "024"  # INS03 maintenance type: cancellation or termination


@dataclass
class Enrollment:
    """One member as the 834 files leave it."""

    member_id: str
    subscriber_id: str
    plan_id: str
    start: int
    end: int | None
    first_name: str
    last_name: str
    birth_date: int


@dataclass
class Report834:
    out_dir: Path
    files: list[str]
    records: int = 0  # INS loops read
    members: dict[str, Enrollment] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    validator: str = ""

    @property
    def rejected(self) -> int:
        return len({(i.file, i.segment) for i in self.issues if i.severity == ERROR and i.path != "SE"})

    def summary(self) -> str:
        count = {s: sum(1 for i in self.issues if i.severity == s) for s in (ERROR, GAP, VALIDATOR)}
        return (f"imported {len(self.members)} member(s) from {self.records} enrollment record(s) in "
                f"{len(self.files)} file(s) into {self.out_dir} ({MEMBERS_FILE}, {ROSTER_FILE}): "
                f"{count[ERROR]} error(s), {count[GAP]} mapping gap(s), {count[VALIDATOR]} "
                f"{self.validator} finding(s); see {self.out_dir / ISSUES_FILE}")


class _Record:
    """The segments of one member loop (2000 and its 2100/2300 loops)."""

    def __init__(self, ins: Segment):
        self.ins = ins
        self.refs: dict[str, Segment] = {}
        self.dates: dict[str, Segment] = {}  # 2000 DTP by qualifier
        self.name: Segment | None = None
        self.dmg: Segment | None = None
        self.coverages: list[tuple[Segment, dict[str, Segment], dict[str, Segment]]] = []  # HD, DTPs, REFs
        self.loop = "2000"


def _records(tx) -> tuple[list[_Record], dict[str, Segment]]:
    records: list[_Record] = []
    header: dict[str, Segment] = {}
    current: _Record | None = None
    for seg in tx.body:
        sid, qualifier = seg.id, seg.el(1)
        if sid == "INS":
            current = _Record(seg)
            records.append(current)
            continue
        if current is None:
            if sid == "REF":
                header[qualifier] = seg
            continue
        if sid == "NM1":
            current.loop = "2100A" if qualifier in ("IL", "74") else "2100x"
            if current.loop == "2100A":
                current.name = seg
        elif sid == "HD":
            current.loop = "2300"
            current.coverages.append((seg, {}, {}))
        elif sid in ("COB", "LS", "DSB"):
            current.loop = sid
        elif sid == "DMG" and current.loop == "2100A":
            current.dmg = seg
        elif sid == "REF" and current.loop == "2000":
            current.refs.setdefault(qualifier, seg)
        elif sid == "DTP" and current.loop == "2000":
            current.dates[qualifier] = seg
        elif sid in ("DTP", "REF") and current.loop == "2300":
            current.coverages[-1][1 if sid == "DTP" else 2].setdefault(qualifier, seg)
    return records, header


class _Mapper:
    def __init__(self, file: str, record: _Record, header: dict[str, Segment], plan: str | None):
        self.file, self.r, self.header, self.plan = file, record, header, plan
        self.issues: list[Issue] = []
        self.member_id = ""

    def issue(self, seg: Segment | None, path: str, message: str, severity: str = ERROR) -> None:
        index = (seg or self.r.ins).index
        self.issues.append(Issue(self.file, index, self.member_id, path, message, severity))

    def day(self, seg: Segment | None, path: str, what: str) -> int | None:
        if seg is None:
            return None
        try:
            if seg.el(2) == "RD8":
                return parse_day(parse_date(seg.el(3).partition("-")[0]).isoformat())
            return parse_day(parse_date(seg.el(3)).isoformat())
        except ValueError as exc:
            self.issue(seg, path, f"{what}: {exc}")
            return None

    def run(self) -> Enrollment | None:
        r = self.r
        self.member_id = self.member()
        if r.name is not None and r.name.el(8) == "34":
            self.issue(r.name, "2100A/NM109", "SSN not kept (no personal identifiers leave the 834); the member "
                                              "id is REF*23", GAP)
        subscriber = r.refs.get("0F")
        subscriber_id = subscriber.el(2) if subscriber is not None else ""
        if not subscriber_id:
            self.issue(r.ins, "2000/REF*0F", "no subscriber identifier (REF*0F): the member's family is unknown")
        elif not ID_FORMAT.match(subscriber_id):
            self.issue(subscriber, "2000/REF*0F", f"subscriber identifier {subscriber_id!r} must be {ID_RULE} "
                                                  f"(R-4, R-46)")
        first = r.name.el(4) if r.name is not None else ""
        if not first:
            self.issue(r.name, "2100A/NM104", "no first name: the roster needs it to find the member in claims (A-10.3)")
        born = self.birth_date()
        plan, start, end = self.coverage()
        if any(i.severity == ERROR for i in self.issues):
            return None
        return Enrollment(self.member_id, subscriber_id, plan, start, end, first,
                          r.name.el(3) if r.name is not None else "", born)

    def birth_date(self) -> int | None:
        dmg = self.r.dmg
        if dmg is None or dmg.el(1) != "D8" or not dmg.el(2):
            self.issue(dmg or self.r.name, "2100A/DMG02", "no birth date (DMG*D8): the roster needs it (A-10.3)")
            return None
        try:
            return parse_day(parse_date(dmg.el(2)).isoformat())
        except ValueError as exc:
            self.issue(dmg, "2100A/DMG02", f"birth date: {exc}")
            return None

    def member(self) -> str:
        r = self.r
        name = r.name
        if name is None:
            self.issue(r.ins, "2100A/NM1", "no member name loop (NM1*IL)")
            return ""
        if name.el(8) == "ZZ" and name.el(9):
            member_id = name.el(9)
        elif "23" in r.refs:
            member_id = r.refs["23"].el(2)
        else:
            self.issue(name, "2100A/NM109", "no member id: NM109 with NM108 ZZ (mutually defined) or REF*23; an "
                                            "SSN (NM108 34) is never used as a member id")
            return ""
        if not ID_FORMAT.match(member_id):
            self.issue(name, "2100A/NM109", f"member id {member_id!r} must be {ID_RULE} (R-4, R-46)")
            return ""
        return member_id

    def coverage(self) -> tuple[str, int, int | None]:
        r = self.r
        medical = [c for c in r.coverages if c[0].el(3) in MEDICAL_LINES]
        for hd, _, _ in r.coverages:
            if hd.el(3) not in MEDICAL_LINES:
                self.issue(hd, "2300/HD03", f"insurance line {hd.el(3)!r} is not medical: not mapped", GAP)
        if not medical:
            self.issue(r.ins, "2300/HD", "no medical coverage (HD03 HLT, HMO, PPO, POS, EPO or MM)")
            return "", 0, None
        if len(medical) > 1:
            self.issue(medical[1][0], "2300/HD", "more than one medical coverage: the first is used", GAP)
        hd, dates, refs = medical[0]
        start = self.day(dates.get("348"), "2300/DTP*348", "benefit begin date")
        if start is None:
            start = self.day(r.dates.get("356"), "2000/DTP*356", "eligibility begin date")
        end = self.day(dates.get("349"), "2300/DTP*349", "benefit end date")
        if end is None:
            end = self.day(r.dates.get("357"), "2000/DTP*357", "eligibility end date")
        terminated = r.ins.el(3) == TERMINATION  # takes its start from the member's earlier record
        if start is None and not terminated and not any(i.severity == ERROR for i in self.issues):
            self.issue(hd, "2300/DTP*348", "no benefit begin date (DTP*348, nor DTP*356 eligibility begin)")
        if terminated and end is None:
            self.issue(r.ins, "2300/DTP*349", "a termination (INS03 024) without an end date (DTP*349 or DTP*357)")
        if start is not None and end is not None and end < start:
            self.issue(dates.get("349") or r.ins, "2300/DTP*349", "coverage ends before it begins")
        source = next((s for s in (r.refs.get("1L"), refs.get("1L"), self.header.get("38")) if s is not None), None)
        plan = source.el(2) if source is not None else (self.plan or "")
        if not plan:
            self.issue(hd, "2000/REF*1L", "no group or policy number (REF*1L, REF*38) and no --plan: plan_id left "
                                          "empty (the loader skips the member until it is filled in, R-10)", GAP)
        return plan, start or 0, end


def import_834(paths, out_dir, plan: str | None = None) -> Report834:
    """834 files -> ``OUT/members.csv`` and ``OUT/roster.csv`` (+ ``import_issues.csv``)."""
    paths = [Path(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths)]
    if not paths:
        raise FormatError("no 834 file given")
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise FormatError(f"{missing[0]}: no such file")
    out = Path(out_dir)
    report = Report834(out, [p.name for p in paths], validator=library_version())
    for path in paths:
        text = _read(path)
        for tx in transactions(tokenize(text, path.name, report.issues), path.name, report.issues):
            if tx.kind != "834":
                where = tx.st.index if tx.st is not None else 0
                report.issues.append(Issue(path.name, where, "", "ST/ST01", f"transaction set {tx.kind or '?'} is "
                                                                            f"not an 834 enrollment; skipped"))
                continue
            records, header = _records(tx)
            for record in records:
                report.records += 1
                mapper = _Mapper(path.name, record, header, plan)
                enrollment = mapper.run()
                report.issues.extend(mapper.issues)
                if enrollment is not None and not enrollment.start and enrollment.member_id not in report.members:
                    report.issues.append(Issue(path.name, record.ins.index, enrollment.member_id, "2300/DTP*348",
                                               "a termination of a member these files did not enroll before: "
                                               "its coverage start is unknown"))
                elif enrollment is not None:
                    _merge(report.members, enrollment)
        if text.strip():
            for finding in validate(text)[1]:
                report.issues.append(Issue(path.name, finding.segment, "", finding.element or finding.seg_id
                                           or "pyx12", finding.message, VALIDATOR))
    if report.records == 0:
        first = next((i for i in report.issues if i.severity == ERROR), None)
        raise FormatError(f"no 834 member record found in {', '.join(report.files)}" + (f": {first}" if first else ""))
    _write(report)
    return report


def _merge(members: dict[str, Enrollment], new: Enrollment) -> None:
    """A member sent again keeps its place; the later record's plan and dates win (a
    termination keeps the start it does not restate)."""
    old = members.get(new.member_id)
    if old is not None and not new.start:
        new.start = old.start
    members[new.member_id] = new


def _write(report: Report834) -> None:
    out = report.out_dir
    out.mkdir(parents=True, exist_ok=True)
    members = list(report.members.values())
    # each file whole or as it was
    write_csv_atomically(out / MEMBERS_FILE, MEMBER_COLUMNS, (
        text_row([m.member_id, m.subscriber_id, m.plan_id, format_day(m.start) if m.start else "",
                  format_day(m.end) if m.end is not None else ""]) for m in members))
    write_csv_atomically(out / ROSTER_FILE, ROSTER_COLUMNS, (
        text_row([m.member_id, m.subscriber_id, m.first_name, m.last_name, format_day(m.birth_date)])
        for m in members))
    write_csv_atomically(out / ISSUES_FILE, ISSUE_COLUMNS, (
        text_row([i.file, i.segment, i.claim_id, i.path, i.severity, i.message]) for i in report.issues))


def run_import_834(paths, out, plan: str | None = None) -> int:
    """CLI glue: one summary line; unusable input raises FormatError (one line)."""
    print(import_834([Path(p) for p in paths], Path(out), plan=plan).summary())
    return 0

