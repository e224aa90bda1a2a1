"""837P/837I files -> a scenario directory (A-2).

Every CLM of every transaction of every file is read (:mod:`.read837`) and mapped
(:mod:`.map837`) to the rows of ``claims.csv`` or rejected with every reason found. What an
837 carries that A-2 has no place for, and what A-2 needs that an 837 does not carry, is
reported as a gap. Nothing is guessed: a value that is not in the file is left empty and
reported. A bad claim never costs the other claims of the file their import. See
docs/FORMATS-X12.md for the mapping tables.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from ..atomic import copy_atomically, write_csv_atomically
from ..csv_safety import text_row
from ..roster import ROSTER_FILE, Roster, load_roster
from ..scenario import (
    AUTHORIZATION_COLUMNS, AUTHORIZATIONS_FILE, CLAIMS_FILE, MEMBER_COLUMNS,
    MEMBERS_FILE, PLANS_FILE, PROVIDER_COLUMNS, PROVIDERS_FILE,
)
from ..claims_csv import write_claims_csv
from .acks import write_answers
from .map837 import FIELD_PATHS, ImportedClaim
from .read837 import VALIDATOR_NAME, read_837
from .segments import ERROR, GAP, ISSUE_COLUMNS, NOTE, VALIDATOR, FormatError, Issue
from .validate import library_version

ISSUES_FILE = "import_issues.csv"


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
        notes = "".join(f"; {i.file}: {i.message}" for i in self.issues if i.severity == NOTE)
        answers = sorted(name for name in self.written if name.endswith((".999", ".277")))
        if answers:
            notes += f"; answered with {', '.join(answers)} (valid per {VALIDATOR_NAME})"
        return (f"imported {len(self.accepted)} of {len(self.claims)} claims ({lines} lines) from "
                f"{len(self.files)} file(s) into {self.out_dir}: {len(self.rejected)} rejected, "
                f"{count[ERROR]} error(s), {count[GAP]} mapping gap(s), {count[VALIDATOR]} "
                f"{VALIDATOR_NAME} finding(s){notes}; see {self.out_dir / ISSUES_FILE}")



def find_roster(roster, plans_from: Path | None, issues: list[Issue]) -> Roster | None:
    """The enrollment roster (A-10.3): the file given, else ``roster.csv`` of ``plans_from``;
    its bad rows are reported (R-10) and left out."""
    path = Path(roster) if roster is not None else (plans_from / ROSTER_FILE if plans_from else None)
    if roster is not None and not path.is_file():
        raise FormatError(f"--roster {path}: no such file")
    if path is None or not path.is_file():
        return None
    errors: list = []
    found = load_roster(path, errors)
    issues.extend(Issue(path.name, e.row, "", f"{ROSTER_FILE}/{e.field}", f"{e.record_id}: {e.reason}; "
                        f"left out of the roster") for e in errors)
    return found


def import_837(paths, out_dir, plans_from=None, plan: str | None = None, roster=None,
               answer: bool = True) -> ImportReport:
    """Read 837P/837I files into the scenario directory ``out_dir`` (A-2).

    ``claims.csv`` gets every claim that maps, in file order; ``import_issues.csv`` every
    error, gap and validator finding. With ``plans_from`` (a scenario directory) its
    plans.yaml, members.csv, providers.csv and authorizations.csv are copied; otherwise
    members.csv and providers.csv get the rows the 837 can give (plan id from SBR03 or
    ``plan``), with what it cannot give left empty and reported. ``roster`` (a roster.csv;
    default: the one in ``plans_from``) finds each patient's member id (A-10.3). With
    ``answer`` each file gets its 999 and 277CA, ``OUT/<file name>.999`` and ``.277`` (A-10.5).
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
    found_roster = find_roster(roster, source, issues)
    per_file: list[tuple[Path, list[ImportedClaim]]] = []
    for p in paths:
        file_claims, file_issues = read_837(p, found_roster)
        per_file.append((p, file_claims))
        claims.extend(file_claims)
        issues.extend(file_issues)
    if not claims:
        first = next((i for i in issues if i.severity == ERROR), None)
        raise FormatError(f"no 837 claim found in {', '.join(p.name for p in paths)}"
                          + (f": {first}" if first else ""))
    _drop_consecutive_repeats(claims, issues)
    out.mkdir(parents=True, exist_ok=True)
    written = {CLAIMS_FILE: out / CLAIMS_FILE}
    write_claims_csv(out / CLAIMS_FILE, [row for claim in claims if claim.accepted for row in claim.rows])
    if source is not None:
        for name in (PLANS_FILE, MEMBERS_FILE, PROVIDERS_FILE, AUTHORIZATIONS_FILE, ROSTER_FILE):
            if (source / name).is_file():
                copy_atomically(source / name, out / name)
                written[name] = out / name
        _check_against(source, claims, issues)
    else:
        written.update(_derive_reference_data(out, claims, plan, issues))
    if answer:  # a 999 and a 277CA per file received, beside the report
        for p, file_claims in per_file:
            answers = write_answers(p, file_claims, issues, out)
            written.update({a.name: a for a in answers.written})
            issues.extend(Issue(p.name, 0, "", "999/277", note, NOTE) for note in answers.notes)
    issues.sort(key=lambda i: (paths_index(paths, i.file), i.segment))
    write_csv_atomically(out / ISSUES_FILE, ISSUE_COLUMNS, (text_row(i.row()) for i in issues))
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
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            return {str(row.get(column) or "").strip(): row for row in csv.DictReader(fh)}
    except (UnicodeDecodeError, csv.Error) as exc:  # csv.Error: a field past the limit (fields.py raises it)
        raise FormatError(f"--plans-from {path}: not a readable UTF-8 CSV ({str(exc).splitlines()[0][:120]})") from None


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
        write_csv_atomically(out / name, header, (text_row(r) for r in rows))
        written[name] = out / name
    issues.append(Issue("", 0, "", PLANS_FILE, "plans.yaml not written: benefit plans are not in an "
                                               "837; pass --plans-from SCENARIO_DIR", GAP))
    issues.append(Issue("", 0, "", AUTHORIZATIONS_FILE, "authorizations are not in an 837 (REF*G1 "
                                                        "carries a number only); written empty", GAP))
    return written


__all__ = ["import_837", "read_837", "ImportReport", "ImportedClaim", "ISSUES_FILE", "FIELD_PATHS"]
