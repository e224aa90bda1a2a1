""":func:`import_fhir`: FHIR files -> a scenario directory (claims, and the members and providers they name)."""
from __future__ import annotations

import csv
from pathlib import Path

from ..atomic import copy_atomically, write_csv_atomically
from ..claims_csv import write_claims_csv
from ..csv_safety import text_row
from ..roster import ROSTER_FILE, load_roster
from ..scenario import (
    AUTHORIZATIONS_FILE, AUTHORIZATION_COLUMNS, CLAIMS_FILE, MEMBER_COLUMNS, MEMBERS_FILE,
    PLANS_FILE, PROVIDER_COLUMNS, PROVIDERS_FILE, ScenarioError,
)
from .common import ClaimImport, ImportReport, Issue, _DATE_PREFIX
from .mapping import _Gaps, _codings, _member_id, claim_rows
from .reading import _Entry, _Index, _json_files, _read_entries, _record_label


# ---------------------------------------------------------------------------------------------
# import_fhir


def import_fhir(paths, out_dir, plans_from=None, roster=None) -> ImportReport:
    """Read FHIR R4 Claim resources or Bundles (JSON) into the scenario directory ``out_dir``.

    ``paths``: files and/or directories (``*.json``). Writes ``claims.csv``, and with
    ``plans_from`` (a scenario directory) copies its plans, members, providers and
    authorizations; without it derives ``members.csv`` and ``providers.csv`` from the Patient,
    Coverage, Practitioner and Organization resources where it can and reports the gaps
    (no ``plans.yaml``: benefit plans are not in FHIR Claims). Always writes
    ``import_issues.csv``. ``roster`` (a roster.csv; default: the one in ``plans_from``) finds
    each patient's member id from its Coverage (A-10.3). Raises :class:`ScenarioError` only when
    nothing can be read."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files = _json_files(paths)
    out_dir = Path(out_dir)
    plans_dir = Path(plans_from) if plans_from is not None else None
    if plans_dir is not None and not (plans_dir / PLANS_FILE).is_file():
        raise ScenarioError(f"{plans_dir}: not a scenario directory (no {PLANS_FILE})")
    report = ImportReport(out_dir=out_dir, files=len(files), plans_from=plans_dir)
    entries: list[_Entry] = []
    for f in files:
        entries.extend(_read_entries(f, report))
    index = _Index(entries)
    roster_path = Path(roster) if roster is not None else (plans_dir / ROSTER_FILE if plans_dir else None)
    if roster is not None and not roster_path.is_file():
        raise ScenarioError(f"--roster {roster_path}: no such file")
    found_roster = load_roster(roster_path, []) if roster_path is not None else None
    out_dir.mkdir(parents=True, exist_ok=True)
    members: dict[str, dict] = {}
    providers: dict[str, dict] = {}
    n_claims = 0
    written: list[dict] = []
    # rows are gathered first: service_date_end is a column only when a line has a range
    for e in entries:
        if e.resource.get("resourceType") != "Claim":
            continue
        n_claims += 1
        record = _record_label(e.resource) or f"Claim #{n_claims}"
        items = e.resource.get("item")
        n_items = len(items) if isinstance(items, list) else 0
        if not e.valid:
            report.claims.append(ClaimImport(record, e.source, n_items, False))
            continue
        try:
            rows, warnings = claim_rows(e.resource, index, found_roster)
        except _Gaps as failed:
            for gap in failed.gaps:
                report.issues.append(Issue(e.source, record, gap.path, "error", gap.message))
            report.claims.append(ClaimImport(record, e.source, n_items, False))
            continue
        for p, m in warnings:
            report.issues.append(Issue(e.source, record, p, "warning", m))
        written.extend(rows)
        report.claims.append(ClaimImport(rows[0]["claim_id"], e.source, len(rows), True))
        if plans_dir is None:
            _derive_reference_data(e, rows[0], index, members, providers)
    write_claims_csv(out_dir / CLAIMS_FILE, written)
    if plans_dir is not None:
        _copy_reference_data(plans_dir, out_dir, report)
    else:
        _write_derived(out_dir, members, providers, report)
    report.write_issues()
    return report


def _copy_reference_data(plans_dir: Path, out_dir: Path, report: ImportReport) -> None:
    for name in (PLANS_FILE, MEMBERS_FILE, PROVIDERS_FILE, AUTHORIZATIONS_FILE, ROSTER_FILE):
        src = plans_dir / name
        if src.is_file():
            copy_atomically(src, out_dir / name)
        elif name not in (AUTHORIZATIONS_FILE, ROSTER_FILE):  # both optional
            raise ScenarioError(f"{plans_dir}: {name} not found")
    known_members = _column(out_dir / MEMBERS_FILE, "member_id")
    known_npis = _column(out_dir / PROVIDERS_FILE, "npi")
    report.members, report.providers = len(known_members), len(known_npis)
    seen: set[tuple[str, str]] = set()
    with open(out_dir / CLAIMS_FILE, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for kind, value, known, carc in (("member", row["member_id"], known_members, "31"),
                                             ("provider", row["provider_npi"], known_npis, "B7")):
                if value not in known and (kind, value) not in seen:
                    seen.add((kind, value))
                    report.issues.append(Issue(
                        CLAIMS_FILE, row["claim_id"], f"{kind} {value}", "warning",
                        f"{kind} {value} is not in {plans_dir.name}/{MEMBERS_FILE if kind == 'member' else PROVIDERS_FILE}: "
                        f"its lines will be denied CO-{carc}"))


def _column(path: Path, name: str) -> set[str]:
    if not path.is_file():
        return set()
    with open(path, newline="", encoding="utf-8") as fh:
        return {r.get(name, "").strip() for r in csv.DictReader(fh)}


def _derive_reference_data(e: _Entry, row: dict, index: _Index, members: dict, providers: dict) -> None:
    claim = e.resource
    member = row["member_id"]
    if member not in members:
        info = {"member_id": member, "subscriber_id": "", "plan_id": "", "coverage_start": "", "coverage_end": "",
                "_gaps": []}
        coverage = None
        for ins in claim.get("insurance") or []:
            if isinstance(ins, dict) and ins.get("focal") and isinstance(ins.get("coverage"), dict):
                ref = ins["coverage"].get("reference")
                coverage = index.resolve(ref, claim)[0] if ref else None
                break
        if coverage is not None:
            sub = str(coverage.get("subscriberId") or "").strip()
            if not sub and isinstance(coverage.get("subscriber"), dict) and coverage["subscriber"].get("reference"):
                patient, ref_id = index.resolve(coverage["subscriber"]["reference"], claim)
                sub = _member_id(patient, ref_id)[0]
            info["subscriber_id"] = sub
            for cls in coverage.get("class") or []:
                if "plan" in {c.get("code") for c in _codings(cls.get("type"))}:
                    info["plan_id"] = str(cls.get("value") or "")
            period = coverage.get("period") or {}
            for key, col in (("start", "coverage_start"), ("end", "coverage_end")):
                m = _DATE_PREFIX.match(str(period.get(key) or ""))
                info[col] = m.group(1) if m else ""
        if not info["subscriber_id"]:
            info["subscriber_id"] = member
            info["_gaps"].append(("warning", "subscriber_id", "no Coverage.subscriberId: the member is its own subscriber"))
        if not info["plan_id"]:
            info["_gaps"].append(("error", "plan_id", "no Coverage.class of type 'plan': plan unknown"))
        if not info["coverage_start"]:
            info["_gaps"].append(("error", "coverage_start", "no Coverage.period.start: coverage dates unknown"))
        info["_source"] = e.source
        members[member] = info
    npi = row["provider_npi"]
    if npi not in providers:
        ref = (claim.get("provider") or {}).get("reference")
        resource = index.resolve(ref, claim)[0] if ref else None
        name = ""
        if resource is not None:
            if isinstance(resource.get("name"), str):
                name = resource["name"]
            elif isinstance(resource.get("name"), list) and resource["name"]:
                n = resource["name"][0] if isinstance(resource["name"][0], dict) else {}
                name = n.get("text") or " ".join([*(n.get("given") or []), n.get("family") or ""]).strip()
        providers[npi] = {"npi": npi, "name": name, "in_network": "", "_source": e.source}


def _write_derived(out_dir: Path, members: dict, providers: dict, report: ImportReport) -> None:
    report.issues.append(Issue(PLANS_FILE, "", PLANS_FILE, "error",
                               "benefit plans are not in FHIR Claims: no plans.yaml written (pass plans_from)"))
    write_csv_atomically(out_dir / MEMBERS_FILE, MEMBER_COLUMNS,
                         [text_row(m[c] for c in MEMBER_COLUMNS) for m in members.values()])
    for m in members.values():
        for severity, column, message in m["_gaps"]:
            report.issues.append(Issue(MEMBERS_FILE, m["member_id"], f"{MEMBERS_FILE}:{column}", severity, message))
    write_csv_atomically(out_dir / PROVIDERS_FILE, PROVIDER_COLUMNS,
                         [text_row(p[c] for c in PROVIDER_COLUMNS) for p in providers.values()])
    for p in providers.values():
        report.issues.append(Issue(PROVIDERS_FILE, p["npi"], f"{PROVIDERS_FILE}:in_network", "error",
                                   "network status is not in FHIR Claims: in_network left empty"))
    write_csv_atomically(out_dir / AUTHORIZATIONS_FILE, AUTHORIZATION_COLUMNS, [])
    report.members, report.providers = len(members), len(providers)
