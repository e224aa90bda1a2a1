"""Synthea CSV export -> a claimledger scenario (A-2).

Synthea (synthetichealth/synthea) writes, with ``exporter.csv.export = true``, one CSV per
table. This module reads five of them, by the column names of Synthea's CSV exporter and its
"CSV File Data Dictionary" (``docs/FORMATS-FHIR.md`` tables every column used):

* ``patients.csv``: only the ``Id`` column is read. Names, birth dates, addresses, SSNs and the
  rest are never read, so they cannot reach the scenario: a member is the patient's UUID.
* ``payers.csv`` (``Id``, ``NAME``): the payer named by a claim's primary insurance.
* ``encounters.csv`` (``Id``, ``PROVIDER``, ``ORGANIZATION``): the provider of a claim that
  names none itself.
* ``claims.csv``: one claim per row: ``Id``, ``PATIENTID``, ``PROVIDERID``,
  ``PRIMARYPATIENTINSURANCEID``, ``DIAGNOSIS1..8``, ``APPOINTMENTID`` (the encounter),
  ``SERVICEDATE``, ``LASTBILLEDDATE1`` (billed to the primary payer: our received date).
* ``claims_transactions.csv``: the ``CHARGE`` rows of a claim are its service lines, in
  ``CHARGEID`` order: ``PROCEDURECODE``, ``UNITS``, ``AMOUNT``, ``FROMDATE``; payments,
  transfers and adjustments are Synthea's own adjudication and are not read.

Synthea codes procedures, encounters and conditions in SNOMED CT. claimledger adjudicates
CPT/HCPCS procedure codes and ICD-10-CM diagnoses, and there is no free, official
SNOMED -> CPT crosswalk. So a crosswalk is an input: ``procedure_map`` (SNOMED -> CPT/HCPCS)
and ``diagnosis_map`` (SNOMED -> ICD-10-CM), CSV files of ``snomed,code`` or dicts; a code
without a mapping is reported per record. Likewise NPIs: Synthea's CSV providers carry no
NPI column in the exporter read here, so ``npi_map`` (``synthea_id,npi``) gives them, or an
``NPI`` column of ``providers.csv`` / ``organizations.csv`` where a Synthea variant writes one.
Files named ``claimledger-procedures.csv``, ``claimledger-diagnoses.csv`` and
``claimledger-npi.csv`` in the export directory are used when the argument is not given.

Synthea has no families: every patient is its own subscriber (a family of one), so family
deductibles and out-of-pocket maximums never pool.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .atomic import atomic_output, copy_atomically, write_csv_atomically
from .fhir import ClaimImport, ImportReport, Issue
from .fhir.mapping import _normalize_icd10
from .csv_safety import text_row
from .fields import ROW_PROBLEM
from .money import FormatError, format_cents, parse_cents, parse_day
from .synthea_codes import DIAGNOSES, procedure_for, synthetic_npi
from .synthea_read import crosswalk, read_records, read_rows, skip_wide_rows
from .scenario import (
    AUTHORIZATION_COLUMNS, AUTHORIZATIONS_FILE, CLAIM_COLUMNS, CLAIMS_FILE, MAX_DIAGNOSES,
    MAX_LINES_PER_CLAIM, MAX_UNITS, MEMBER_COLUMNS, MEMBERS_FILE, PLANS_FILE, PROVIDER_COLUMNS,
    PROVIDERS_FILE, ID_FORMAT, NPI_FORMAT, ScenarioError,
)

PATIENTS = "patients.csv"
PAYERS = "payers.csv"
ENCOUNTERS = "encounters.csv"
CLAIMS = "claims.csv"
TRANSACTIONS = "claims_transactions.csv"
PROCEDURE_MAP_FILE = "claimledger-procedures.csv"
DIAGNOSIS_MAP_FILE = "claimledger-diagnoses.csv"
NPI_MAP_FILE = "claimledger-npi.csv"

_CODE = re.compile(r"^[A-Z0-9]{4,8}$")
_CPT_LIKE = re.compile(r"^(?:\d{4}[0-9A-Z]|[A-Z]\d{4})$")  # SNOMED concept ids have 6+ digits
_ICD10 = re.compile(r"^[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?$")
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")
_UNINSURED = {"", "0", "NO_INSURANCE"}


def _day(value: str) -> str | None:
    match = _DATE.match(str(value).strip())
    if not match:
        return None
    try:
        parse_day(match.group(1))
    except FormatError:
        return None
    return match.group(1)


def _age(birth: str | None, day: str | None) -> int | None:
    """Whole years between two ISO dates (for an age-dependent CPT code), or None."""
    if not birth or not day:
        return None
    (by, bm, bd), (y, m, d) = (map(int, birth.split("-")), map(int, day.split("-")))
    return y - by - ((m, d) < (bm, bd))


def _slug(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name.strip()).strip("-").upper()
    return slug[:64] or "PAYER"


@dataclass
class _Charge:
    charge_id: int
    code: str
    description: str
    units: str
    amount: str
    from_date: str


def import_synthea(csv_dir, out_dir, plans_from=None, *, plan_id: str | None = None,
                   npi_map=None, procedure_map=None, diagnosis_map=None,
                   in_network: bool | None = None) -> ImportReport:
    """Map a Synthea CSV export to the scenario directory ``out_dir``.

    ``plans_from``: a scenario directory whose ``plans.yaml`` (and ``providers.csv``, merged)
    is used; members then get ``plan_id``, else the plan named like their payer (``NAME`` in
    upper-case with dashes), else the only plan. Without it, members get that payer-named plan
    id and no ``plans.yaml`` is written (reported). ``in_network`` is the network status given
    to providers that ``plans_from`` does not list (unknown otherwise: reported)."""
    csv_dir, out_dir = Path(csv_dir), Path(out_dir)
    if not csv_dir.is_dir():
        raise ScenarioError(f"{csv_dir}: not a directory")
    plans_dir = Path(plans_from) if plans_from is not None else None
    plan_ids: list[str] = []
    if plans_dir is not None:
        try:
            document = yaml.safe_load((plans_dir / PLANS_FILE).read_text())
            plan_ids = [str(p) for p in (document or {}).get("plans", {})]
        except (OSError, yaml.YAMLError, AttributeError):
            raise ScenarioError(f"{plans_dir}: no readable {PLANS_FILE}") from None
        if plan_id is not None and plan_id not in plan_ids:
            raise ScenarioError(f"plan {plan_id!r} is not in {plans_dir / PLANS_FILE}")
    report = ImportReport(out_dir=out_dir, files=0, plans_from=plans_dir)
    procedures, proc_src = crosswalk(procedure_map, csv_dir / PROCEDURE_MAP_FILE, ("snomed", "code"), report)
    diagnoses_map, dx_src = crosswalk(diagnosis_map, csv_dir / DIAGNOSIS_MAP_FILE, ("snomed", "icd10"), report)
    npis, npi_src = crosswalk(npi_map, csv_dir / NPI_MAP_FILE, ("synthea_id", "npi"), report)

    # a row with more fields than its header is skipped with an issue naming file and line
    patient_rows = read_records(csv_dir / PATIENTS, ["Id", "BIRTHDATE"], ["Id"], report)
    patients = {r["Id"].strip() for r in patient_rows}
    # the birth date only picks an age-dependent CPT code (preventive visits); it is never written
    born = {r["Id"].strip(): _day(r["BIRTHDATE"]) for r in patient_rows}
    payer_rows = read_records(csv_dir / PAYERS, ["Id", "NAME"], ["Id", "NAME"], report)
    payers = {r["Id"].strip(): r["NAME"].strip() for r in payer_rows}
    encounters = {r["Id"]: (r["PROVIDER"], r["ORGANIZATION"])
                  for r in read_records(csv_dir / ENCOUNTERS, ["Id", "PROVIDER", "ORGANIZATION"], ["Id"], report)}
    names: dict[str, str] = {}
    for extra in ("organizations.csv", "providers.csv"):  # optional: names, and NPI where a variant has it
        path = csv_dir / extra
        if path.is_file():
            report.files += 1
            for r in read_records(path, ["Id", "NAME", "NPI"], ["Id"], report):
                names[r["Id"].strip()] = r["NAME"].strip()
                if r["NPI"].strip() and r["Id"].strip() not in npis:
                    npis[r["Id"].strip()] = r["NPI"].strip()
    charges: dict[str, list[_Charge]] = {}
    unread: dict[str, str] = {}  # claim id -> the line of a transaction of it that could not be read

    def unread_charge(line: int, r: dict) -> None:
        unread.setdefault(r["CLAIMID"].strip(), f"{TRANSACTIONS}:{line}")

    transactions = read_rows(csv_dir / TRANSACTIONS, ["CLAIMID", "CHARGEID", "TYPE", "AMOUNT", "FROMDATE",
                                                      "PROCEDURECODE", "UNITS", "NOTES"],
                             ["CLAIMID", "CHARGEID", "TYPE", "AMOUNT", "FROMDATE", "PROCEDURECODE"])
    for _, r in skip_wide_rows(csv_dir / TRANSACTIONS, transactions, report, "CLAIMID", unread_charge):
        if r["TYPE"].strip().upper() != "CHARGE":
            continue
        try:
            charge_id = int(r["CHARGEID"])
        except ValueError:
            charge_id = 1 << 30
        charges.setdefault(r["CLAIMID"].strip(), []).append(_Charge(
            charge_id, r["PROCEDURECODE"].strip(), r["NOTES"].strip(), r["UNITS"].strip(),
            r["AMOUNT"].strip(), r["FROMDATE"].strip()))
    claim_cols = ["Id", "PATIENTID", "PROVIDERID", "PRIMARYPATIENTINSURANCEID", "APPOINTMENTID",
                  "SERVICEDATE", "LASTBILLEDDATE1"] + [f"DIAGNOSIS{k}" for k in range(1, 9)]
    claims = list(read_rows(csv_dir / CLAIMS, claim_cols, ["Id", "PATIENTID", "PROVIDERID", "PRIMARYPATIENTINSURANCEID",
                                                          "SERVICEDATE", "LASTBILLEDDATE1", "DIAGNOSIS1"]))
    report.files += 5
    report.resources = len(claims)

    out_dir.mkdir(parents=True, exist_ok=True)
    mapped: list[tuple[str, str, list[dict]]] = []  # (received, service, rows)
    member_payer: dict[str, tuple[str, str]] = {}  # member -> (latest service date, payer id)
    member_first: dict[str, str] = {}
    provider_rows: dict[str, str] = {}  # npi -> name
    unmapped_procedures: dict[str, int] = {}
    for row_no, (line, r) in enumerate(claims, start=1):
        r = {k: v.strip() for k, v in r.items()}
        claim_id = r["Id"] or f"{CLAIMS}:{row_no}"
        where = f"{CLAIMS}:{line}"
        lines = charges.get(r["Id"], [])
        errors: list[tuple[str, str]] = []
        warnings: list[tuple[str, str]] = []
        if ROW_PROBLEM in r:  # which cell is which cannot be told; the id is read where its column is
            report.issues.append(Issue(where, claim_id, CLAIMS, "error", r[ROW_PROBLEM]))
            report.claims.append(ClaimImport(claim_id, where, len(lines), False))
            continue
        if r["Id"] in unread:
            errors.append((f"{TRANSACTIONS}:CLAIMID", f"a transaction of the claim ({unread[r['Id']]}) has more fields "
                                                      "than the header: its lines cannot be known"))
        if not ID_FORMAT.match(r["Id"]):
            errors.append((f"{CLAIMS}:Id", "claim Id is not a usable claim id"))
        payer = r["PRIMARYPATIENTINSURANCEID"]
        if payer in _UNINSURED or payers.get(payer, "").upper() == "NO_INSURANCE":
            errors.append((f"{CLAIMS}:PRIMARYPATIENTINSURANCEID", "no primary insurance (self-pay): nothing to adjudicate"))
        elif payer not in payers:
            warnings.append((f"{CLAIMS}:PRIMARYPATIENTINSURANCEID", f"payer {payer} is not in {PAYERS}"))
        member = r["PATIENTID"]
        if member not in patients:
            errors.append((f"{CLAIMS}:PATIENTID", f"patient {member!r} is not in {PATIENTS}"))
        elif not ID_FORMAT.match(member):
            errors.append((f"{CLAIMS}:PATIENTID", "patient id is not a usable member id"))
        provider = r["PROVIDERID"] or next((p for p in encounters.get(r.get("APPOINTMENTID", ""), ()) if p), "")
        npi = npis.get(provider, "")
        if provider and not npi:  # Synthea's providers have none: a deterministic synthetic one, flagged
            npi = npis[provider] = synthetic_npi(provider)
            report.issues.append(Issue(PROVIDERS_FILE, npi, f"{PROVIDERS_FILE}:npi", "warning",
                                       f"Synthea provider {provider} has no NPI (npi_map: {npi_src}): synthetic NPI "
                                       f"{npi} (deterministic, valid check digit, not a real NPI)"))
        if not provider:
            errors.append((f"{CLAIMS}:PROVIDERID", "no provider (nor on the encounter)"))
        elif not NPI_FORMAT.match(npi):
            errors.append((f"{CLAIMS}:PROVIDERID", f"NPI {npi!r} of provider {provider} is not 10 digits"))
        received = _day(r["LASTBILLEDDATE1"])
        if received is None:
            errors.append((f"{CLAIMS}:LASTBILLEDDATE1", f"no billed date: {r['LASTBILLEDDATE1']!r}"))
        dx: list[str] = []
        for k in range(1, 9):
            code = r.get(f"DIAGNOSIS{k}", "")
            if not code:
                continue
            if code in diagnoses_map or code in DIAGNOSES:  # the user's map first, then claimledger's
                icd = _normalize_icd10(diagnoses_map.get(code) or DIAGNOSES[code])
            elif re.match(r"^[A-Za-z]", code):
                icd = _normalize_icd10(code)  # already ICD-10 shaped: SNOMED ids are numeric
            else:
                warnings.append((f"{CLAIMS}:DIAGNOSIS{k}", f"SNOMED {code} has no ICD-10-CM mapping "
                                                           f"(diagnosis_map: {dx_src}): dropped"))
                continue
            if not _ICD10.match(icd) or len(icd) > 8:
                errors.append((f"{CLAIMS}:DIAGNOSIS{k}", f"{icd!r} is not an ICD-10-CM code"))
            elif icd not in dx:
                dx.append(icd)
        if not dx:
            errors.append((f"{CLAIMS}:DIAGNOSIS1", "no diagnosis maps to ICD-10-CM"))
        if len(dx) > MAX_DIAGNOSES:
            errors.append((f"{CLAIMS}:DIAGNOSIS1", f"more than {MAX_DIAGNOSES} diagnoses"))
        if not lines:
            errors.append((f"{TRANSACTIONS}:TYPE", "the claim has no CHARGE transaction"))
        if len(lines) > MAX_LINES_PER_CLAIM:
            errors.append((f"{TRANSACTIONS}:CLAIMID", f"{len(lines)} charges: at most {MAX_LINES_PER_CLAIM}"))
        rows = []
        for ch in sorted(lines, key=lambda c: c.charge_id):
            path = f"{TRANSACTIONS}:CHARGEID={ch.charge_id}"
            dos = _day(ch.from_date) or _day(r["SERVICEDATE"])
            age = _age(born.get(member), dos)
            code = (procedures.get(ch.code) or procedure_for(ch.code, age) or "").upper()
            if not code:
                if _CPT_LIKE.match(ch.code.upper()):
                    code = ch.code.upper()
                    warnings.append((f"{path}:PROCEDURECODE", f"{ch.code} taken as CPT/HCPCS as written"))
                else:
                    what = f" ({ch.description})" if ch.description else ""
                    errors.append((f"{path}:PROCEDURECODE", f"SNOMED {ch.code}{what} has no CPT/HCPCS mapping "
                                                            f"(procedure_map: {proc_src})"))
                    unmapped_procedures[ch.code] = unmapped_procedures.get(ch.code, 0) + 1
                    continue
            if not _CODE.match(code):
                errors.append((f"{path}:PROCEDURECODE", f"mapped code {code!r} is not 4-8 letters or digits"))
                continue
            units = ch.units or "1"
            if not re.fullmatch(r"\d{1,9}", units) or not 1 <= int(units) <= MAX_UNITS:
                errors.append((f"{path}:UNITS", f"units {ch.units!r} must be a whole number 1..{MAX_UNITS}"))
                continue
            try:
                billed = parse_cents(ch.amount)
            except FormatError as exc:
                errors.append((f"{path}:AMOUNT", str(exc)))
                continue
            if billed <= 0:
                errors.append((f"{path}:AMOUNT", f"charge {ch.amount} must be positive"))
                continue
            if dos is None:
                errors.append((f"{path}:FROMDATE", f"no service date: {ch.from_date!r}"))
                continue
            rows.append({"claim_id": r["Id"], "frequency": "1", "original_claim_id": "", "member_id": member,
                         "provider_npi": npi, "received_date": received or "", "service_date": dos,
                         "procedure_code": code, "units": str(int(units)), "billed": format_cents(billed),
                         "diagnoses": ";".join(dx)})
        for p, m in warnings:
            report.issues.append(Issue(where, claim_id, p, "warning", m))
        for p, m in errors:
            report.issues.append(Issue(where, claim_id, p, "error", m))
        if errors:
            report.claims.append(ClaimImport(claim_id, where, len(lines), False))
            continue
        report.claims.append(ClaimImport(claim_id, where, len(rows), True))
        mapped.append((received, rows[0]["service_date"], rows))
        last = member_payer.get(member)
        if last is None or rows[0]["service_date"] >= last[0]:
            if last is not None and last[1] != payer:
                report.issues.append(Issue(where, member, f"{CLAIMS}:PRIMARYPATIENTINSURANCEID", "warning",
                                           "the member's payer changed: members.csv holds the latest one"))
            member_payer[member] = (rows[0]["service_date"], payer)
        member_first[member] = min(member_first.get(member, "9999"), min(x["service_date"] for x in rows))
        provider_rows.setdefault(npi, names.get(provider, ""))

    mapped.sort(key=lambda m: (m[0], m[1]))  # submission order: by the billed date
    with atomic_output(out_dir / CLAIMS_FILE, newline="", encoding="utf-8") as fh:  # R-48, as every file here
        writer = csv.DictWriter(fh, fieldnames=CLAIM_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for _, _, rows in mapped:
            writer.writerows(rows)
    _write_members(out_dir, member_payer, member_first, payers, plan_ids, plan_id, plans_dir, report)
    _write_providers(out_dir, provider_rows, plans_dir, in_network, report)
    if unmapped_procedures:
        top = sorted(unmapped_procedures.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
        report.issues.append(Issue(TRANSACTIONS, "", f"{TRANSACTIONS}:PROCEDURECODE", "error",
                                   "SNOMED codes without a CPT/HCPCS mapping, most frequent first: "
                                   + ", ".join(f"{c} x{n}" for c, n in top)))
    report.write_issues()
    return report


def _write_members(out_dir: Path, member_payer: dict, member_first: dict, payers: dict, plan_ids: list[str],
                   plan_id: str | None, plans_dir: Path | None, report: ImportReport) -> None:
    if plans_dir is not None:
        copy_atomically(plans_dir / PLANS_FILE, out_dir / PLANS_FILE)
    else:
        report.issues.append(Issue(PLANS_FILE, "", PLANS_FILE, "error",
                                   "benefit plans are not in a Synthea export: no plans.yaml written (pass plans_from); "
                                   "members.csv names each member's plan after its payer"))
    if member_first:
        report.issues.append(Issue(MEMBERS_FILE, "", f"{MEMBERS_FILE}:coverage_start", "warning",
                                   "Synthea's CSV gives no coverage dates: coverage_start is 1 January of the year of "
                                   "the member's first insured claim, coverage open-ended"))
    with atomic_output(out_dir / MEMBERS_FILE, newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(MEMBER_COLUMNS)
        for member in sorted(member_payer):
            payer = member_payer[member][1]
            named = _slug(payers.get(payer, payer))
            plan = plan_id or (named if not plan_ids or named in plan_ids else
                               (plan_ids[0] if len(plan_ids) == 1 else ""))
            if not plan:
                report.issues.append(Issue(MEMBERS_FILE, member, f"{MEMBERS_FILE}:plan_id", "error",
                                           f"payer {payers.get(payer, payer)!r} matches no plan of {plans_dir}: "
                                           "plan_id left empty (pass plan_id)"))
            elif plan_ids and plan != named and plan_id is None:
                report.issues.append(Issue(MEMBERS_FILE, member, f"{MEMBERS_FILE}:plan_id", "warning",
                                           f"payer {payers.get(payer, payer)!r}: the only plan {plan} is used"))
            start = f"{member_first[member][:4]}-01-01"
            writer.writerow(text_row([member, member, plan, start, ""]))  # Synthea has no families
    report.members = len(member_payer)
    write_csv_atomically(out_dir / AUTHORIZATIONS_FILE, AUTHORIZATION_COLUMNS, [])


def _write_providers(out_dir: Path, provider_rows: dict[str, str], plans_dir: Path | None,
                     in_network: bool | None, report: ImportReport) -> None:
    rows: list[list[str]] = []
    known: set[str] = set()
    if plans_dir is not None and (plans_dir / PROVIDERS_FILE).is_file():
        with open(plans_dir / PROVIDERS_FILE, newline="", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                rows.append([r.get(c, "") for c in PROVIDER_COLUMNS])
                known.add(r.get("npi", "").strip())
    for npi, name in sorted(provider_rows.items()):
        if npi in known:
            continue
        status = "" if in_network is None else ("true" if in_network else "false")
        if in_network is None:
            report.issues.append(Issue(PROVIDERS_FILE, npi, f"{PROVIDERS_FILE}:in_network", "error",
                                       "network status is not in a Synthea export: in_network left empty "
                                       "(pass in_network)"))
        rows.append([npi, name, status])
    write_csv_atomically(out_dir / PROVIDERS_FILE, PROVIDER_COLUMNS, (text_row(r) for r in rows))
    report.providers = len(rows)


def run_import_synthea(path, out, plans_from=None, **options) -> int:
    """CLI glue: prints one line; raises ScenarioError (one line) on unusable input."""
    report = import_synthea(Path(path), Path(out), Path(plans_from) if plans_from else None, **options)
    print(report.summary())
    return 0


__all__ = ["import_synthea", "run_import_synthea"]
