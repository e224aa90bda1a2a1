"""FHIR R4 claims in and out: Claim resources -> a scenario (A-2), a run (A-9) ->
ExplanationOfBenefit resources, and a scenario's claims -> Claim resources.

Validation uses ``fhir.resources`` (pinned in requirements.txt), subpackage ``R4B``: FHIR
4.3.0, the release of that library line that works with pydantic 2 (which eth-brownie pins).
The elements of Claim and ExplanationOfBenefit used here are the same in R4 (4.0.1) and R4B.

Everything the mapping does, and every gap it reports, is tabled in ``docs/FORMATS-FHIR.md``.
In short:

* :func:`import_fhir` reads JSON files (a resource or a Bundle each; directories are read
  for ``*.json`` in name order), validates **every** resource on its own, resolves references
  across all files of one import (``Type/id``, ``urn:uuid:`` full URLs, absolute URLs,
  ``#contained``, logical ``Reference.identifier``), maps each Claim to ``claims.csv`` rows
  and reports issues as (source, record, FHIR path, severity, message). A claim with an
  ``error`` issue is not written; a ``warning`` is an assumption that was made and said.
* :func:`export_eob` writes one ExplanationOfBenefit per adjudicated claim of a run, plus
  one ``outcome: error`` EOB per claim that was rejected, into one Bundle (``collection``).
* :func:`export_fhir_claims` writes a scenario's claims as a Bundle of Claim resources with
  the Patient, Coverage and Organization resources they reference (pseudonymous ids only).
"""
from __future__ import annotations

import csv
import json
import re
import shutil
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Iterable

from .money import FormatError, format_cents, format_day, parse_day
from .records import Claim as ScenarioClaim
from .scenario import (
    AUTHORIZATIONS_FILE, AUTHORIZATION_COLUMNS, CLAIM_COLUMNS, CLAIMS_FILE, MAX_DIAGNOSES,
    MAX_LINES_PER_CLAIM, MAX_UNITS, MEMBER_COLUMNS, MEMBERS_FILE, PLANS_FILE, PROVIDER_COLUMNS,
    PROVIDERS_FILE, ID_FORMAT, NPI_FORMAT, ScenarioError, iter_claim_rows, parse_claim,
)

FHIR_RELEASE = "R4B"

# code systems and identifier systems (docs/FORMATS-FHIR.md, "Systems")
NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
CPT_SYSTEM = "http://www.ama-assn.org/go/cpt"
HCPCS_SYSTEM = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
ICD10CM_SYSTEM = "http://hl7.org/fhir/sid/icd-10-cm"
CARC_SYSTEM = "https://x12.org/codes/claim-adjustment-reason-codes"
CPT_SYSTEMS = {CPT_SYSTEM, "urn:oid:2.16.840.1.113883.6.12"}
HCPCS_SYSTEMS = {
    HCPCS_SYSTEM, "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    "urn:oid:2.16.840.1.113883.6.285", "urn:oid:2.16.840.1.113883.6.14",
}
ICD10CM_SYSTEMS = {ICD10CM_SYSTEM, "urn:oid:2.16.840.1.113883.6.90"}
CLAIM_ID_SYSTEM = "urn:claimledger:claim-id"
MEMBER_ID_SYSTEM = "urn:claimledger:member-id"
PLAN_ID_SYSTEM = "urn:claimledger:plan-id"
LOCAL_CODE_SYSTEM = "urn:claimledger:procedure-code"  # export only: codes neither CPT nor HCPCS
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
CLAIM_TYPE = "http://terminology.hl7.org/CodeSystem/claim-type"
PROCESS_PRIORITY = "http://terminology.hl7.org/CodeSystem/processpriority"
RELATED_CLAIM = "http://terminology.hl7.org/CodeSystem/related-claim-relationship"
COVERAGE_CLASS = "http://terminology.hl7.org/CodeSystem/coverage-class"
ADJUDICATION = "http://terminology.hl7.org/CodeSystem/adjudication"
C4BB_ADJUDICATION = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication"
C4BB_DISCRIMINATOR = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudicationDiscriminator"
PAYMENT_TYPE = "http://terminology.hl7.org/CodeSystem/ex-paymenttype"
PAYMENT_ADJUSTMENT = "http://terminology.hl7.org/CodeSystem/payment-adjustment-reason"
ISSUES_FILE = "import_issues.csv"
ISSUE_COLUMNS = ["source", "record", "path", "severity", "message"]

_CODE = re.compile(r"^[A-Z0-9]{4,8}$")
_ICD10 = re.compile(r"^[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?$")
_DATE_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:T.*)?$")
_UUID_NAMESPACE = uuid.UUID("6f1d3f52-1c1e-4a57-9d2a-6c1a4b0e7a11")  # claimledger's own


# ---------------------------------------------------------------------------------------------
# reports shared by the FHIR and Synthea importers


@dataclass(frozen=True)
class Issue:
    """One thing an import could not map (``error``: the record was not written) or assumed
    (``warning``), or a resource that failed validation."""

    source: str  # file, with ``#entry[i]`` for a Bundle entry
    record: str  # claim id, ``Patient/123``, or a file row
    path: str  # FHIR path (``Claim.item[1].quantity``) or ``file.csv:COLUMN``
    severity: str  # "error" or "warning"
    message: str

    def __str__(self) -> str:
        record = f" {self.record}" if self.record else ""
        return f"{self.source}{record}: {self.path}: {self.message} [{self.severity}]"


@dataclass
class ClaimImport:
    """What became of one input claim."""

    claim_id: str
    source: str
    lines: int  # service lines it maps to: one per Claim.item (or CHARGE transaction)
    written: bool


@dataclass
class ImportReport:
    out_dir: Path
    files: int = 0
    resources: int = 0
    claims: list[ClaimImport] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    members: int = 0
    providers: int = 0
    plans_from: Path | None = None

    @property
    def written(self) -> list[ClaimImport]:
        return [c for c in self.claims if c.written]

    @property
    def rejected(self) -> list[ClaimImport]:
        return [c for c in self.claims if not c.written]

    @property
    def lines_written(self) -> int:
        return sum(c.lines for c in self.written)

    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    def issues_for(self, record: str) -> list[Issue]:
        return [i for i in self.issues if i.record == record]

    def summary(self) -> str:
        return (f"imported {len(self.written)} of {len(self.claims)} claims "
                f"({self.lines_written} lines) from {self.files} file(s); "
                f"{len(self.rejected)} rejected, {len(self.errors())} error(s), "
                f"{len(self.warnings())} warning(s) -> {self.out_dir}")

    def write_issues(self) -> Path:
        path = self.out_dir / ISSUES_FILE
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(ISSUE_COLUMNS)
            for i in self.issues:
                writer.writerow([i.source, i.record, i.path, i.severity, i.message])
        return path


class _Gap(Exception):
    """A mapping error: the record cannot be written (path, message)."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


# ---------------------------------------------------------------------------------------------
# fhir.resources


def _model(resource_type: str):
    from fhir.resources.R4B import get_fhir_model_class

    return get_fhir_model_class(resource_type)


def _fhir_path(prefix: str, loc: Iterable) -> str:
    out = prefix
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}"
    return out


def validation_errors(resource: dict, prefix: str | None = None, model_name: str | None = None) -> list[tuple[str, str]]:
    """Validate one resource with fhir.resources (R4B): a list of (FHIR path, message), empty
    when it is valid. The path starts with ``prefix`` (default: the resourceType).
    ``model_name`` validates against a named element type instead (e.g. ``BundleEntry``)."""
    from pydantic import ValidationError

    resource_type = resource.get("resourceType") if isinstance(resource, dict) else None
    prefix = prefix or str(model_name or resource_type or "$")
    if not isinstance(resource, dict):
        return [(prefix, "a resource must be a JSON object")]
    if model_name is None:
        if not isinstance(resource_type, str) or not resource_type:
            return [(f"{prefix}.resourceType", "resourceType is missing")]
        model_name = resource_type
    try:
        model = _model(model_name)
    except (KeyError, LookupError, ValueError):
        return [(f"{prefix}.resourceType", f"unknown resourceType {model_name!r} (FHIR {FHIR_RELEASE})")]
    try:
        model.model_validate(resource)
    except ValidationError as exc:
        out = []
        for err in exc.errors():
            message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
            if err.get("type") == "missing":
                message = "required element is missing"
            elif err.get("type") == "extra_forbidden":
                message = "element is not defined for this resource"
            out.append((_fhir_path(prefix, err.get("loc", ())), message))
        return out or [(prefix, str(exc).splitlines()[0])]
    return []


def validate_resource(resource: dict) -> None:
    """Raise ``ValueError`` naming the first path if ``resource`` is not valid FHIR R4B."""
    errors = validation_errors(resource)
    if errors:
        path, message = errors[0]
        raise ValueError(f"invalid {resource.get('resourceType')} {resource.get('id', '')}: {path}: {message}")


# ---------------------------------------------------------------------------------------------
# reading input


@dataclass
class _Entry:
    """One resource of the input, validated. Issue paths are rooted at the resource
    (``Claim.item[1].quantity``); the issue's source names the file and the Bundle entry."""

    source: str
    resource: dict
    full_url: str
    valid: bool


def _json_files(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            files.extend(sorted(x for x in p.iterdir() if x.suffix.lower() == ".json" and x.is_file()))
        elif p.is_file():
            files.append(p)
        else:
            raise ScenarioError(f"{p}: no such file or directory")
    if not files:
        raise ScenarioError("no FHIR JSON files given")
    return files


def _read_entries(path: Path, report: ImportReport) -> list[_Entry]:
    source = path.name
    try:
        document = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except UnicodeDecodeError:
        report.issues.append(Issue(source, "", "$", "error", "not UTF-8 text"))
        return []
    except json.JSONDecodeError as exc:
        report.issues.append(Issue(source, "", "$", "error",
                                   f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"))
        return []
    if not isinstance(document, dict):
        report.issues.append(Issue(source, "", "$", "error", "expected a JSON object (a FHIR resource)"))
        return []
    if document.get("resourceType") != "Bundle":
        errors = validation_errors(document)
        record = _record_label(document)
        for p, m in errors:
            report.issues.append(Issue(source, record, p, "error", f"invalid FHIR: {m}"))
        report.resources += 1
        return [_Entry(source, document, "", not errors)]
    shell = {k: v for k, v in document.items() if k != "entry"}
    for p, m in validation_errors(shell, "Bundle"):
        report.issues.append(Issue(source, "Bundle", p, "error", f"invalid FHIR: {m}"))
    entries = document.get("entry") or []
    if not isinstance(entries, list):
        report.issues.append(Issue(source, "Bundle", "Bundle.entry", "error", "entry must be a list"))
        return []
    out = []
    for i, entry in enumerate(entries):
        where = f"{source}#entry[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
            report.issues.append(Issue(where, "", f"Bundle.entry[{i}].resource", "error", "entry has no resource"))
            continue
        resource = entry["resource"]
        report.resources += 1
        errors = validation_errors({k: v for k, v in entry.items() if k != "resource"}, f"Bundle.entry[{i}]",
                                   "BundleEntry")
        errors += validation_errors(resource)
        record = _record_label(resource)
        for p, m in errors:
            report.issues.append(Issue(where, record, p, "error", f"invalid FHIR: {m}"))
        out.append(_Entry(where, resource, str(entry.get("fullUrl") or ""), not errors))
    return out


def _record_label(resource: dict) -> str:
    if not isinstance(resource, dict):
        return ""
    rtype = resource.get("resourceType") or "resource"
    if rtype == "Claim":
        cid = _claim_identifier(resource)
        if cid:
            return cid
    rid = resource.get("id")
    return f"{rtype}/{rid}" if rid else str(rtype)


def _claim_identifier(resource: dict) -> str:
    identifiers = resource.get("identifier")
    if isinstance(identifiers, list) and identifiers and isinstance(identifiers[0], dict):
        value = identifiers[0].get("value")
        if isinstance(value, str) and value.strip():
            return value.strip()
    rid = resource.get("id")
    return rid.strip() if isinstance(rid, str) else ""


class _Index:
    """Every valid resource of one import by ``Type/id`` and by full URL."""

    def __init__(self, entries: list[_Entry]):
        self.by_key: dict[str, _Entry] = {}
        self.invalid: set[str] = set()
        for e in entries:
            r = e.resource
            key = f"{r.get('resourceType')}/{r.get('id')}" if r.get("id") else ""
            if not e.valid:
                self.invalid.update(k for k in (key, e.full_url) if k)
                continue
            for k in (key, e.full_url):
                if k and k not in self.by_key:
                    self.by_key[k] = e

    def resolve(self, reference: str, claim: dict) -> tuple[dict | None, str]:
        """(resource or None, the literal id the reference names)."""
        if reference.startswith("#"):
            for c in claim.get("contained") or []:
                if isinstance(c, dict) and c.get("id") == reference[1:]:
                    return c, reference[1:]
            return None, reference[1:]
        if reference in self.by_key:
            return self.by_key[reference].resource, reference.rsplit("/", 1)[-1].removeprefix("urn:uuid:")
        match = re.search(r"([A-Za-z]+)/([A-Za-z0-9\-.]{1,64})(?:/_history/[^/]+)?$", reference)
        if match:
            key = f"{match.group(1)}/{match.group(2)}"
            found = self.by_key.get(key)
            return (found.resource if found else None), match.group(2)
        return None, reference.removeprefix("urn:uuid:").removeprefix("urn:oid:")

    def is_invalid(self, reference: str) -> bool:
        if reference in self.invalid:
            return True
        match = re.search(r"([A-Za-z]+)/([A-Za-z0-9\-.]{1,64})$", reference)
        return bool(match and f"{match.group(1)}/{match.group(2)}" in self.invalid)


# ---------------------------------------------------------------------------------------------
# Claim -> claims.csv rows


def _codings(concept) -> list[dict]:
    if not isinstance(concept, dict):
        return []
    return [c for c in concept.get("coding") or [] if isinstance(c, dict)]


def _date(value, path: str) -> int:
    """A FHIR date or dateTime -> days; the calendar date as written (no time-zone shift)."""
    if not isinstance(value, str):
        raise _Gap(path, "no date")
    match = _DATE_PREFIX.match(value.strip())
    if not match:
        raise _Gap(path, f"partial or malformed date {value!r}: a full YYYY-MM-DD is needed")
    try:
        return parse_day(match.group(1))
    except FormatError as exc:
        raise _Gap(path, str(exc)) from None


def _cents(value, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        raise _Gap(path, "no amount")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise _Gap(path, f"not a decimal amount: {value!r}") from None
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise _Gap(path, f"amount {value} has more than two decimals")
    return int(cents)


def _money(money, path: str) -> int:
    if not isinstance(money, dict) or "value" not in money:
        raise _Gap(f"{path}.value", "no amount")
    currency = money.get("currency")
    if currency not in (None, "USD"):
        raise _Gap(f"{path}.currency", f"currency {currency!r}: only USD can be adjudicated")
    return _cents(money["value"], f"{path}.value")


def _identifier_value(identifiers, system: str | None = None, type_code: str | None = None) -> str:
    for ident in identifiers or []:
        if not isinstance(ident, dict) or not ident.get("value"):
            continue
        if system is not None and ident.get("system") != system:
            continue
        if type_code is not None and type_code not in {c.get("code") for c in _codings(ident.get("type"))}:
            continue
        return str(ident["value"]).strip()
    return ""


def _member_id(resource: dict | None, ref_id: str) -> tuple[str, str | None]:
    """(member id, warning) from a Patient: its member identifier (type MB, or our system),
    else its first identifier, else the reference id."""
    if resource is not None:
        idents = resource.get("identifier")
        for finder in ({"system": MEMBER_ID_SYSTEM}, {"type_code": "MB"}, {}):
            value = _identifier_value(idents, **finder)
            if value:
                return value, None
        return ref_id, "the Patient has no identifier: its resource id is used as member id"
    return ref_id, None


def _normalize_icd10(code: str) -> str:
    code = code.strip().upper()
    if "." not in code and len(code) > 3:
        code = f"{code[:3]}.{code[3:]}"
    return code


def _procedure(item: dict, path: str) -> str:
    codings = _codings(item.get("productOrService"))
    if not codings:
        raise _Gap(f"{path}.productOrService.coding", "no coding (a CPT or HCPCS code is needed)")
    for k, c in enumerate(codings):
        if c.get("system") in CPT_SYSTEMS | HCPCS_SYSTEMS:
            code = str(c.get("code") or "").strip().upper()
            if not _CODE.match(code):
                raise _Gap(f"{path}.productOrService.coding[{k}].code",
                           f"{code!r} is not a CPT/HCPCS code (4-8 letters or digits)")
            return code
    found = ", ".join(f"{c.get('system') or '(no system)'}|{c.get('code')}" for c in codings)
    raise _Gap(f"{path}.productOrService.coding", f"no CPT or HCPCS coding (found {found})")


def _units(item: dict, path: str, warnings: list[tuple[str, str]]) -> int:
    quantity = item.get("quantity")
    if quantity is None:
        warnings.append((f"{path}.quantity", "no quantity: 1 unit assumed"))
        return 1
    if not isinstance(quantity, dict) or "value" not in quantity:
        raise _Gap(f"{path}.quantity.value", "quantity has no value")
    value = quantity["value"]
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise _Gap(f"{path}.quantity.value", f"not a number: {value!r}") from None
    if number != number.to_integral_value():
        raise _Gap(f"{path}.quantity.value", f"units must be a whole number, got {value}")
    if not 1 <= number <= MAX_UNITS:
        raise _Gap(f"{path}.quantity.value", f"units must be 1..{MAX_UNITS}, got {value}")
    return int(number)


def _billed(item: dict, path: str, units_value, warnings: list[tuple[str, str]]) -> int:
    if item.get("net") is not None:
        cents = _money(item["net"], f"{path}.net")
        where = f"{path}.net.value"
    elif item.get("unitPrice") is not None:
        unit = _money(item["unitPrice"], f"{path}.unitPrice")
        cents = unit * units_value
        where = f"{path}.unitPrice.value"
        warnings.append((f"{path}.net", "no net: billed = unitPrice x quantity"))
    else:
        raise _Gap(f"{path}.net", "no amount (neither net nor unitPrice)")
    if cents <= 0:
        raise _Gap(where, "billed amount must be positive")
    return cents


def _diagnoses(claim: dict, index: _Index) -> list[str]:
    items = [d for d in claim.get("diagnosis") or [] if isinstance(d, dict)]
    if not items:
        raise _Gap("Claim.diagnosis", "no diagnosis (at least one ICD-10-CM code is needed)")
    order = sorted(range(len(items)), key=lambda k: (items[k].get("sequence") or 0, k))
    codes: list[str] = []
    for k in order:
        d, path = items[k], f"Claim.diagnosis[{k}]"
        if "diagnosisCodeableConcept" in d:
            codings, cpath = _codings(d["diagnosisCodeableConcept"]), f"{path}.diagnosisCodeableConcept.coding"
        else:
            ref = (d.get("diagnosisReference") or {}).get("reference", "")
            condition, _ = index.resolve(ref, claim) if ref else (None, "")
            if condition is None:
                raise _Gap(f"{path}.diagnosisReference", f"Condition {ref!r} is not in the input")
            codings, cpath = _codings(condition.get("code")), f"{path}.diagnosisReference -> Condition.code.coding"
        chosen = next((c for c in codings if c.get("system") in ICD10CM_SYSTEMS), None)
        if chosen is None:
            found = ", ".join(f"{c.get('system') or '(no system)'}|{c.get('code')}" for c in codings) or "none"
            raise _Gap(cpath, f"no ICD-10-CM coding (system {ICD10CM_SYSTEM}; found {found})")
        code = _normalize_icd10(str(chosen.get("code") or ""))
        if not _ICD10.match(code) or len(code) > 8:
            raise _Gap(f"{cpath}[{codings.index(chosen)}].code", f"{chosen.get('code')!r} is not an ICD-10-CM code")
        if code not in codes:
            codes.append(code)
    if len(codes) > MAX_DIAGNOSES:
        raise _Gap("Claim.diagnosis", f"{len(codes)} diagnoses: at most {MAX_DIAGNOSES}")
    return codes


def _correction(claim: dict, index: _Index, warnings: list[tuple[str, str]]) -> tuple[str, str]:
    """(frequency, original claim id) from Claim.status and Claim.related."""
    status = claim.get("status")
    related = [r for r in claim.get("related") or [] if isinstance(r, dict)]
    prior = None
    for k, r in enumerate(related):
        codes = {c.get("code") for c in _codings(r.get("relationship"))}
        if codes & {"prior", "replaces"}:
            prior = (k, r)
            break
    if status in ("cancelled", "entered-in-error"):
        target = prior or next(((k, r) for k, r in enumerate(related) if r.get("claim")), None)
        if target is None:
            raise _Gap("Claim.related", f"status {status!r} without Claim.related: nothing names the claim to void")
        frequency, (k, r) = "8", target
    elif status == "active":
        if prior is None:
            if related:
                warnings.append(("Claim.related", "related claims that are not 'prior' are not corrections: ignored"))
            return "1", ""
        frequency, (k, r) = "7", prior
    else:
        raise _Gap("Claim.status", f"status {status!r}: only active, cancelled or entered-in-error claims are adjudicated")
    ref = r.get("claim")
    path = f"Claim.related[{k}].claim"
    if not isinstance(ref, dict):
        raise _Gap(path, "the related claim is not named")
    original = str((ref.get("identifier") or {}).get("value") or "").strip()
    if not original and ref.get("reference"):
        resource, ref_id = index.resolve(ref["reference"], claim)
        original = _claim_identifier(resource) if resource else ref_id
    if not original:
        raise _Gap(path, "the related claim has no identifier")
    if not ID_FORMAT.match(original):
        raise _Gap(path, f"{original!r} is not a usable claim id (1-64 of A-Z a-z 0-9 . _ -)")
    return frequency, original


def _party(claim: dict, element: str, index: _Index) -> tuple[dict | None, str, str]:
    """(resolved resource, literal id, logical identifier value) of Claim.<element>."""
    ref = claim.get(element)
    if not isinstance(ref, dict):
        raise _Gap(f"Claim.{element}", "missing")
    reference = ref.get("reference")
    if reference:
        if index.is_invalid(reference):
            raise _Gap(f"Claim.{element}", f"{reference} failed validation (see its issues)")
        resource, ref_id = index.resolve(reference, claim)
        return resource, ref_id, ""
    ident = ref.get("identifier") if isinstance(ref.get("identifier"), dict) else {}
    return None, "", str(ident.get("value") or "").strip()


def _provider_npi(claim: dict, index: _Index) -> str:
    resource, ref_id, logical = _party(claim, "provider", index)
    ref = claim["provider"]
    if logical:
        if (ref.get("identifier") or {}).get("system") != NPI_SYSTEM:
            raise _Gap("Claim.provider.identifier.system", f"not an NPI (system {NPI_SYSTEM} expected)")
        npi = logical
    elif resource is not None:
        npi = _identifier_value(resource.get("identifier"), system=NPI_SYSTEM)
        if not npi:
            raise _Gap("Claim.provider", f"{resource.get('resourceType')}/{resource.get('id') or ref_id} "
                                         f"has no identifier with system {NPI_SYSTEM}")
    else:
        raise _Gap("Claim.provider", f"{ref.get('reference') or ref.get('display') or 'the provider'} is not in "
                                     "the input and the reference carries no NPI identifier")
    if not NPI_FORMAT.match(npi):
        raise _Gap("Claim.provider", f"NPI {npi!r} is not 10 digits")
    return npi


def _member(claim: dict, index: _Index, warnings: list[tuple[str, str]]) -> str:
    resource, ref_id, logical = _party(claim, "patient", index)
    if logical:
        member = logical
    else:
        if resource is None and not ref_id:
            raise _Gap("Claim.patient", "no reference and no identifier")
        if resource is None and claim["patient"].get("reference", "").startswith(("urn:uuid:", "#")):
            raise _Gap("Claim.patient", f"{claim['patient']['reference']} is not in the input")
        member, warning = _member_id(resource, ref_id)
        if warning:
            warnings.append(("Claim.patient", warning))
    if not ID_FORMAT.match(member):
        raise _Gap("Claim.patient", f"member id {member!r} is not usable (1-64 of A-Z a-z 0-9 . _ -)")
    return member


class _Gaps(Exception):
    """Every mapping error of one claim."""

    def __init__(self, gaps: list[_Gap]):
        super().__init__("; ".join(str(g) for g in gaps))
        self.gaps = gaps


def claim_rows(claim: dict, index: _Index | None = None) -> tuple[list[dict], list[tuple[str, str]]]:
    """Map one Claim resource (already valid FHIR) to claims.csv rows, with warnings.
    Raises :class:`_Gaps` with every part that cannot be mapped (the claim level, then each
    item's first gap)."""
    index = index or _Index([])
    warnings: list[tuple[str, str]] = []
    gaps: list[_Gap] = []

    def attempt(fn, *args):
        try:
            return fn(*args)
        except _Gap as gap:
            gaps.append(gap)
            return None

    claim_id = _claim_identifier(claim)
    if not claim_id:
        raise _Gaps([_Gap("Claim.identifier", "no identifier value and no id")])
    if not ID_FORMAT.match(claim_id):
        raise _Gaps([_Gap("Claim.identifier[0].value",
                          f"{claim_id!r} is not a usable claim id (1-64 of A-Z a-z 0-9 . _ -)")])
    if claim.get("use") != "claim":
        raise _Gaps([_Gap("Claim.use", f"use {claim.get('use')!r}: only 'claim' asks for payment")])
    correction = attempt(_correction, claim, index, warnings)
    member = attempt(_member, claim, index, warnings)
    npi = attempt(_provider_npi, claim, index)
    received = attempt(_date, claim.get("created"), "Claim.created")
    diagnoses = attempt(_diagnoses, claim, index)
    items = [i for i in claim.get("item") or [] if isinstance(i, dict)]
    if not items:
        gaps.append(_Gap("Claim.item", "no items: a claim needs at least one service line"))
    if len(items) > MAX_LINES_PER_CLAIM:
        raise _Gaps(gaps + [_Gap("Claim.item", f"{len(items)} items: at most {MAX_LINES_PER_CLAIM}")])
    billable_start = (claim.get("billablePeriod") or {}).get("start")
    lines, total = [], 0
    for k, item in enumerate(items):
        path = f"Claim.item[{k}]"

        def line(item=item, path=path):
            if "servicedDate" in item:
                dos = _date(item["servicedDate"], f"{path}.servicedDate")
            elif "servicedPeriod" in item:
                dos = _date((item["servicedPeriod"] or {}).get("start"), f"{path}.servicedPeriod.start")
            elif billable_start:
                dos = _date(billable_start, "Claim.billablePeriod.start")
            else:
                raise _Gap(f"{path}.servicedDate",
                           "no date of service (nor servicedPeriod.start, nor Claim.billablePeriod.start)")
            code = _procedure(item, path)
            units = _units(item, path, warnings)
            return dos, code, units, _billed(item, path, units, warnings)

        mapped = attempt(line)
        if mapped is None:
            continue
        lines.append(mapped)
        total += mapped[3]
        if item.get("modifier"):
            warnings.append((f"{path}.modifier", "modifiers are not adjudicated: ignored"))
        if item.get("detail"):
            warnings.append((f"{path}.detail", "detail lines are not adjudicated: the item is billed as a whole"))
        if "factor" in item:
            warnings.append((f"{path}.factor", "factor ignored: billed is the net amount"))
    if gaps:
        raise _Gaps(gaps)
    frequency, original = correction
    rows = [{
        "claim_id": claim_id, "frequency": frequency, "original_claim_id": original,
        "member_id": member, "provider_npi": npi, "received_date": _iso(received),
        "service_date": _iso(dos), "procedure_code": code, "units": str(units),
        "billed": format_cents(billed), "diagnoses": ";".join(diagnoses),
    } for dos, code, units, billed in lines]
    claim_total = claim.get("total")
    if isinstance(claim_total, dict) and "value" in claim_total:
        try:
            if _cents(claim_total["value"], "Claim.total.value") != total:
                warnings.append(("Claim.total", f"total {claim_total['value']} differs from the sum of the items "
                                                f"({format_cents(total)}): items are adjudicated"))
        except _Gap:
            warnings.append(("Claim.total", "total is not a usable amount: ignored"))
    return rows, warnings


def _iso(day: int) -> str:
    return format_day(day)


# ---------------------------------------------------------------------------------------------
# import_fhir


def import_fhir(paths, out_dir, plans_from=None) -> ImportReport:
    """Read FHIR R4 Claim resources or Bundles (JSON) into the scenario directory ``out_dir``.

    ``paths``: files and/or directories (``*.json``). Writes ``claims.csv``, and with
    ``plans_from`` (a scenario directory) copies its plans, members, providers and
    authorizations; without it derives ``members.csv`` and ``providers.csv`` from the Patient,
    Coverage, Practitioner and Organization resources where it can and reports the gaps
    (no ``plans.yaml``: benefit plans are not in FHIR Claims). Always writes
    ``import_issues.csv``. Raises :class:`ScenarioError` only when nothing can be read."""
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
    out_dir.mkdir(parents=True, exist_ok=True)
    members: dict[str, dict] = {}
    providers: dict[str, dict] = {}
    n_claims = 0
    with open(out_dir / CLAIMS_FILE, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=CLAIM_COLUMNS, lineterminator="\n")
        writer.writeheader()
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
                rows, warnings = claim_rows(e.resource, index)
            except _Gaps as failed:
                for gap in failed.gaps:
                    report.issues.append(Issue(e.source, record, gap.path, "error", gap.message))
                report.claims.append(ClaimImport(record, e.source, n_items, False))
                continue
            for p, m in warnings:
                report.issues.append(Issue(e.source, record, p, "warning", m))
            writer.writerows(rows)
            report.claims.append(ClaimImport(rows[0]["claim_id"], e.source, len(rows), True))
            if plans_dir is None:
                _derive_reference_data(e, rows[0], index, members, providers)
    if plans_dir is not None:
        _copy_reference_data(plans_dir, out_dir, report)
    else:
        _write_derived(out_dir, members, providers, report)
    report.write_issues()
    return report


def _copy_reference_data(plans_dir: Path, out_dir: Path, report: ImportReport) -> None:
    for name in (PLANS_FILE, MEMBERS_FILE, PROVIDERS_FILE, AUTHORIZATIONS_FILE):
        src = plans_dir / name
        if src.is_file():
            shutil.copyfile(src, out_dir / name)
        elif name != AUTHORIZATIONS_FILE:
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
    with open(out_dir / MEMBERS_FILE, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(MEMBER_COLUMNS)
        for m in members.values():
            writer.writerow([m[c] for c in MEMBER_COLUMNS])
            for severity, column, message in m["_gaps"]:
                report.issues.append(Issue(MEMBERS_FILE, m["member_id"], f"{MEMBERS_FILE}:{column}", severity, message))
    with open(out_dir / PROVIDERS_FILE, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(PROVIDER_COLUMNS)
        for p in providers.values():
            writer.writerow([p[c] for c in PROVIDER_COLUMNS])
            report.issues.append(Issue(PROVIDERS_FILE, p["npi"], f"{PROVIDERS_FILE}:in_network", "error",
                                       "network status is not in FHIR Claims: in_network left empty"))
    with open(out_dir / AUTHORIZATIONS_FILE, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerow(AUTHORIZATION_COLUMNS)
    report.members, report.providers = len(members), len(providers)


# ---------------------------------------------------------------------------------------------
# writing FHIR JSON


def _dec(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2).quantize(Decimal("0.01"))


def _dumps(document: dict, indent: int | None = None) -> str:
    """JSON with Decimals written as numbers exactly as they are (``92.00``)."""
    def default(o):
        if isinstance(o, Decimal):
            return f"__decimal__{o}__"
        raise TypeError(type(o).__name__)

    text = json.dumps(document, default=default, indent=indent, ensure_ascii=False)
    return re.sub(r'"__decimal__(-?[0-9.]+)__"', r"\1", text)


def _uuid(kind: str, key: str) -> str:
    return str(uuid.uuid5(_UUID_NAMESPACE, f"{kind}:{key}"))


class _BundleWriter:
    """Streams a ``collection`` Bundle, validating each resource before it is written."""

    def __init__(self, path: Path):
        self.path = path
        self.count = 0

    def __enter__(self) -> "_BundleWriter":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        shell = {"resourceType": "Bundle", "type": "collection"}
        validate_resource(shell)
        self._fh = open(self.path, "w", encoding="utf-8")
        self._fh.write('{\n  "resourceType": "Bundle",\n  "type": "collection",\n  "entry": [')
        return self

    def add(self, full_url: str, resource: dict) -> None:
        validate_resource(resource)
        entry = _dumps({"fullUrl": full_url, "resource": resource}, indent=2).replace("\n", "\n    ")
        self._fh.write(("," if self.count else "") + "\n    " + entry)
        self.count += 1

    def __exit__(self, *exc) -> None:
        self._fh.write("\n  ]\n}\n")
        self._fh.close()


def _procedure_coding(code: str) -> dict:
    if re.fullmatch(r"\d{4}[0-9A-Z]", code):
        system = CPT_SYSTEM
    elif re.fullmatch(r"[A-Z]\d{4}", code):
        system = HCPCS_SYSTEM
    else:
        system = LOCAL_CODE_SYSTEM
    return {"coding": [{"system": system, "code": code}]}


def _member_ref(member_id: str, patients: dict[str, str]) -> dict:
    if member_id in patients:
        return {"reference": patients[member_id]}
    return {"identifier": {"system": MEMBER_ID_SYSTEM, "value": member_id or "unknown"}}


def _provider_ref(npi: str, orgs: dict[str, str]) -> dict:
    if npi in orgs:
        return {"reference": orgs[npi]}
    return {"identifier": {"system": NPI_SYSTEM, "value": npi or "unknown"}}


# ---------------------------------------------------------------------------------------------
# export_fhir_claims


@dataclass
class ExportReport:
    out_path: Path
    resources: int = 0
    claims: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (claim id, reason)
    counts: dict[str, int] = field(default_factory=dict)

    def summary(self, what: str) -> str:
        extra = f", {len(self.skipped)} skipped" if self.skipped else ""
        return f"wrote {self.claims} {what} ({self.resources} resources){extra} -> {self.out_path}"


def _read_reference_csv(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with open(path, newline="", encoding="utf-8") as fh:
        return [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(fh)]


def export_fhir_claims(scenario_dir, out_path) -> ExportReport:
    """A scenario's claims (A-2) as a Bundle (``collection``) of Claim resources, one per claim
    record in file order (resubmissions included), with a Patient and a Coverage per member
    (identifier and plan only: no names, no birth dates) and an Organization per provider."""
    scenario_dir, out_path = Path(scenario_dir), Path(out_path)
    if not (scenario_dir / CLAIMS_FILE).is_file():
        raise ScenarioError(f"{scenario_dir}: no {CLAIMS_FILE}")
    report = ExportReport(out_path)
    members = _read_reference_csv(scenario_dir / MEMBERS_FILE)
    providers = _read_reference_csv(scenario_dir / PROVIDERS_FILE)
    patients: dict[str, str] = {}
    orgs: dict[str, str] = {}
    coverages: dict[str, str] = {}
    with _BundleWriter(out_path) as bundle:
        for m in members:
            mid = m.get("member_id", "")
            if not mid or mid in patients:
                continue
            pid = _uuid("patient", mid)
            patient = {"resourceType": "Patient", "id": pid, "identifier": [{
                "type": {"coding": [{"system": V2_0203, "code": "MB"}]}, "system": MEMBER_ID_SYSTEM, "value": mid}]}
            bundle.add(f"urn:uuid:{pid}", patient)
            patients[mid] = f"urn:uuid:{pid}"
        for m in members:
            mid = m.get("member_id", "")
            if mid not in patients or mid in coverages:
                continue
            cid = _uuid("coverage", mid)
            coverage = {"resourceType": "Coverage", "id": cid, "status": "active",
                        "beneficiary": {"reference": patients[mid]},
                        "payor": [{"display": "claimledger"}]}
            if m.get("subscriber_id"):
                coverage["subscriberId"] = m["subscriber_id"]
            if m.get("plan_id"):
                coverage["class"] = [{"type": {"coding": [{"system": COVERAGE_CLASS, "code": "plan"}]},
                                      "value": m["plan_id"]}]
            period = {k: m[c] for k, c in (("start", "coverage_start"), ("end", "coverage_end"))
                      if _DATE_PREFIX.match(m.get(c, ""))}
            if period:
                coverage["period"] = period
            bundle.add(f"urn:uuid:{cid}", coverage)
            coverages[mid] = f"urn:uuid:{cid}"
        for p in providers:
            npi = p.get("npi", "")
            if not npi or npi in orgs:
                continue
            oid = _uuid("organization", npi)
            org = {"resourceType": "Organization", "id": oid,
                   "identifier": [{"system": NPI_SYSTEM, "value": npi}]}
            if p.get("name"):
                org["name"] = p["name"]
            bundle.add(f"urn:uuid:{oid}", org)
            orgs[npi] = f"urn:uuid:{oid}"
        for n, rows in enumerate(iter_claim_rows(scenario_dir / CLAIMS_FILE), start=1):
            claim_id = str(rows[0].get("claim_id", "")).strip()
            try:
                resource = _claim_resource(rows, n, patients, orgs, coverages)
                bundle.add(f"urn:uuid:{resource['id']}", resource)
            except (ValueError, _Gap) as exc:
                report.skipped.append((claim_id, str(exc)))
                continue
            report.claims += 1
        report.resources = bundle.count
    return report


def _claim_resource(rows: list[dict], n: int, patients, orgs, coverages) -> dict:
    head = {k: str(v).strip() for k, v in rows[0].items()}
    claim_id = head["claim_id"]
    frequency = head["frequency"]
    status = "cancelled" if frequency == "8" else "active"
    rid = _uuid("claim", f"{n}:{claim_id}")
    member = head["member_id"]
    resource: dict = {
        "resourceType": "Claim", "id": rid,
        "identifier": [{"system": CLAIM_ID_SYSTEM, "value": claim_id}],
        "status": status,
        "type": {"coding": [{"system": CLAIM_TYPE, "code": "professional"}]},
        "use": "claim",
        "patient": _member_ref(member, patients),
        "created": head["received_date"],
        "provider": _provider_ref(head["provider_npi"], orgs),
        "priority": {"coding": [{"system": PROCESS_PRIORITY, "code": "normal"}]},
        "insurance": [{"sequence": 1, "focal": True,
                       "coverage": {"reference": coverages[member]} if member in coverages
                       else {"display": "coverage unknown"}}],
    }
    if frequency in ("7", "8") and head.get("original_claim_id"):
        resource["related"] = [{
            "claim": {"identifier": {"system": CLAIM_ID_SYSTEM, "value": head["original_claim_id"]}},
            "relationship": {"coding": [{"system": RELATED_CLAIM, "code": "prior"}]}}]
    dx = [d.strip() for d in head.get("diagnoses", "").split(";") if d.strip()]
    if dx:
        resource["diagnosis"] = [{"sequence": k, "diagnosisCodeableConcept": {
            "coding": [{"system": ICD10CM_SYSTEM, "code": d}]}} for k, d in enumerate(dx, start=1)]
    items, total = [], 0
    for k, row in enumerate(rows, start=1):
        row = {c: str(v).strip() for c, v in row.items()}
        billed = _cents(row["billed"], "billed")
        total += billed
        item = {"sequence": k, "productOrService": _procedure_coding(row["procedure_code"]),
                "servicedDate": row["service_date"], "net": {"value": _dec(billed), "currency": "USD"}}
        try:
            item["quantity"] = {"value": int(row["units"])}
        except ValueError:
            raise ValueError(f"units {row['units']!r} cannot be written as a FHIR quantity") from None
        items.append(item)
    resource["item"] = items
    resource["total"] = {"value": _dec(total), "currency": "USD"}
    return resource


# ---------------------------------------------------------------------------------------------
# export_eob

_RESULT_AMOUNTS = ("allowed", "deductible", "copay", "coinsurance", "paid", "patient")


def _scenario_of_run(run_dir: Path, scenario_dir) -> Path:
    if scenario_dir is not None:
        return Path(scenario_dir)
    dep = run_dir / "deployments.json"
    if dep.is_file():
        try:
            scenario = json.loads(dep.read_text()).get("scenario")
        except (json.JSONDecodeError, AttributeError):
            scenario = None
        if scenario:
            return Path(scenario)
    raise ScenarioError(f"{run_dir}: no deployments.json naming the scenario (pass scenario_dir)")


def _read_results(path: Path) -> list[dict]:
    if not path.is_file():
        raise ScenarioError(f"{path.parent}: no {path.name} (not a run directory)")
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = {"claim_id", "line", "status", *_RESULT_AMOUNTS, "adjustments"} - set(reader.fieldnames or [])
        if missing:
            raise ScenarioError(f"{path.name}: missing column(s) {', '.join(sorted(missing))}")
        rows = []
        for r in reader:
            try:
                r["line"] = int(r["line"])
                for c in _RESULT_AMOUNTS:
                    r[c] = _cents(r[c], c)
            except (ValueError, _Gap):
                raise ScenarioError(f"{path.name}: malformed row for claim {r.get('claim_id')!r}") from None
            r["adjustments"] = _parse_adjustments(r.get("adjustments") or "")
            rows.append(r)
        return rows


def _parse_adjustments(text: str) -> list[tuple[str, str, int]]:
    out = []
    for part in filter(None, text.split(";")):
        head, _, amount = part.partition(":")
        group, _, code = head.partition("-")
        out.append((group, code, _cents(amount, "adjustments")))
    return out


def _adjudication(category: str, cents: int | None = None, carc: str | None = None,
                  system: str = ADJUDICATION) -> dict:
    entry: dict = {"category": {"coding": [{"system": system, "code": category}]}}
    if carc:
        entry["reason"] = {"coding": [{"system": CARC_SYSTEM, "code": carc}]}
    if cents is not None:
        entry["amount"] = {"value": _dec(cents), "currency": "USD"}
    return entry


def _line_adjudication(row: dict, billed: int) -> list[dict]:
    status = row["status"]
    out = [_adjudication("submitted", billed)]
    if status == "PENDED":
        return out
    if status == "DENIED":
        carc = next((code for group, code, _ in row["adjustments"] if group == "CO"), "")
        out.append(_adjudication("eligible", 0))
        out.append(_adjudication("denialreason", billed, carc, C4BB_DISCRIMINATOR))
        out.append(_adjudication("benefit", 0))
        return out
    out.append(_adjudication("eligible", row["allowed"]))
    for group, code, amount in row["adjustments"]:
        if group == "CO":
            out.append(_adjudication("discount", amount, code, C4BB_ADJUDICATION))
    by_code = {code: amount for group, code, amount in row["adjustments"] if group == "PR"}
    out.append(_adjudication("deductible", row["deductible"], "1" if by_code.get("1") else None))
    out.append(_adjudication("copay", row["copay"], "3" if by_code.get("3") else None))
    out.append(_adjudication("coinsurance", row["coinsurance"], "2" if by_code.get("2") else None, C4BB_ADJUDICATION))
    out.append(_adjudication("benefit", row["paid"]))
    out.append(_adjudication("memberliability", row["patient"], None, C4BB_ADJUDICATION))
    return out


def _first_occurrences(scenario_dir: Path) -> tuple[dict[str, list[list[dict]]], dict[str, list[str]]]:
    """claim_id -> the row groups submitted under it, in file order; original -> correctors."""
    occurrences: dict[str, list[list[dict]]] = defaultdict(list)
    correctors: dict[str, list[str]] = defaultdict(list)
    for rows in iter_claim_rows(scenario_dir / CLAIMS_FILE):
        rows = [{k: str(v).strip() for k, v in r.items()} for r in rows]
        cid = rows[0].get("claim_id", "")
        occurrences[cid].append(rows)
        if rows[0].get("frequency") in ("7", "8") and rows[0].get("original_claim_id"):
            if cid not in correctors[rows[0]["original_claim_id"]]:
                correctors[rows[0]["original_claim_id"]].append(cid)
    return occurrences, correctors


def _adjudicated_occurrence(groups: list[list[dict]], n_lines: int) -> ScenarioClaim | None:
    parsed = [p for p in (parse_claim(g) for g in groups) if isinstance(p, ScenarioClaim)]
    for p in parsed:
        if len(p.lines) == n_lines:
            return p
    return parsed[0] if parsed else None


def export_eob(run_dir, out_path, scenario_dir=None) -> ExportReport:
    """One ExplanationOfBenefit per claim of a run, in a ``collection`` Bundle at ``out_path``.

    Adjudicated claims (``results.csv``) get ``outcome`` complete (or partial when a line is
    pended), item adjudications (submitted, eligible, CO-45 as discount, deductible, copay,
    coinsurance, benefit, member liability; a denial as ``denialreason`` with its CARC) and
    totals. A claim whose lines were all reversed by a later void or replacement keeps its
    adjudication but has ``status: cancelled`` and a payment adjustment that takes its payment
    back. A rejected claim (``rejects.csv``) gets ``outcome: error`` with the reason as a
    process note. Every EOB is validated with fhir.resources before it is written."""
    run_dir, out_path = Path(run_dir), Path(out_path)
    results = _read_results(run_dir / "results.csv")
    rejects = _read_reference_csv(run_dir / "rejects.csv")
    scenario = _scenario_of_run(run_dir, scenario_dir)
    if not (scenario / CLAIMS_FILE).is_file():
        raise ScenarioError(f"{scenario}: no {CLAIMS_FILE} (the run's scenario is gone)")
    occurrences, correctors = _first_occurrences(scenario)
    plans = {m.get("member_id"): m.get("plan_id", "") for m in _read_reference_csv(scenario / MEMBERS_FILE)}
    by_claim: dict[str, dict] = {}
    for r in results:
        entry = by_claim.setdefault(r["claim_id"], {"rows": [], "reversed": set()})
        if r["status"] == "REVERSED":
            entry["reversed"].add(r["line"])
        else:
            entry["rows"].append(r)
    rejected_ids = {r.get("claim_id", "") for r in rejects}
    report = ExportReport(out_path)
    with _BundleWriter(out_path) as bundle:
        for cid, entry in by_claim.items():
            if not entry["rows"]:
                continue  # only REVERSED rows: cannot happen for a run written by claimledger
            claim = _adjudicated_occurrence(occurrences.get(cid, []), len(entry["rows"]))
            if claim is None:
                raise ScenarioError(f"{CLAIMS_FILE}: claim {cid} of results.csv is not in {scenario}")
            fixers = [c for c in correctors.get(cid, []) if c in by_claim or c not in rejected_ids]
            eob = _eob(claim, entry["rows"], entry["reversed"], plans.get(claim.member_id, ""), fixers)
            bundle.add(f"urn:uuid:{eob['id']}", eob)
            report.claims += 1
            key = f"{eob['status']}/{eob['outcome']}"
            report.counts[key] = report.counts.get(key, 0) + 1
        notes: dict[str, list[str]] = defaultdict(list)
        for r in rejects:
            if r.get("claim_id", "") not in by_claim:
                notes[r.get("claim_id", "")].append(f"{r.get('field')}: {r.get('reason')}")
        for cid, reasons in notes.items():
            groups = occurrences.get(cid) or [[{"claim_id": cid}]]
            eob = _error_eob(cid, groups[0][0], reasons, plans)
            bundle.add(f"urn:uuid:{eob['id']}", eob)
            report.claims += 1
            report.counts["active/error"] = report.counts.get("active/error", 0) + 1
        report.resources = bundle.count
    return report


def _eob_shell(claim_id: str, member: str, npi: str, created: str, plan: str) -> dict:
    return {
        "resourceType": "ExplanationOfBenefit",
        "id": _uuid("eob", claim_id),
        "identifier": [{"system": CLAIM_ID_SYSTEM, "value": claim_id}],
        "status": "active",
        "type": {"coding": [{"system": CLAIM_TYPE, "code": "professional"}]},
        "use": "claim",
        "patient": {"identifier": {"system": MEMBER_ID_SYSTEM, "value": member or "unknown"}},
        "created": created,
        "insurer": {"display": "claimledger"},
        "provider": {"identifier": {"system": NPI_SYSTEM, "value": npi or "unknown"}},
        "claim": {"identifier": {"system": CLAIM_ID_SYSTEM, "value": claim_id}},
        "outcome": "complete",
        "insurance": [{"focal": True, "coverage": (
            {"identifier": {"system": PLAN_ID_SYSTEM, "value": plan}, "display": plan} if plan
            else {"display": "coverage unknown"})}],
    }


def _eob(claim: ScenarioClaim, rows: list[dict], reversed_lines: set[int], plan: str,
         correctors: list[str]) -> dict:
    eob = _eob_shell(claim.claim_id, claim.member_id, claim.provider_npi, _iso(claim.received_date), plan)
    dates = [ln.service_date for ln in claim.lines]
    eob["billablePeriod"] = {"start": _iso(min(dates)), "end": _iso(max(dates))}
    if claim.original_claim_id:
        eob["related"] = [{"claim": {"identifier": {"system": CLAIM_ID_SYSTEM, "value": claim.original_claim_id}},
                           "relationship": {"coding": [{"system": RELATED_CLAIM, "code": "prior"}]}}]
    eob["diagnosis"] = [{"sequence": k, "diagnosisCodeableConcept": {
        "coding": [{"system": ICD10CM_SYSTEM, "code": d}]}} for k, d in enumerate(claim.diagnoses, start=1)]
    notes: list[dict] = []
    items = []
    totals = dict.fromkeys(("submitted", "eligible", "deductible", "copay", "coinsurance", "benefit",
                            "memberliability"), 0)
    pended = False
    for r in rows:
        line = claim.lines[r["line"] - 1]
        item = {"sequence": r["line"], "diagnosisSequence": list(range(1, len(claim.diagnoses) + 1)),
                "productOrService": _procedure_coding(line.procedure_code),
                "servicedDate": _iso(line.service_date), "quantity": {"value": line.units},
                "net": {"value": _dec(line.billed), "currency": "USD"},
                "adjudication": _line_adjudication(r, line.billed)}
        if r["status"] == "PENDED":
            pended = True
            notes.append({"number": len(notes) + 1, "type": "display",
                          "text": f"line {r['line']} pended for review (A-5): not yet adjudicated"})
            item["noteNumber"] = [len(notes)]
        items.append(item)
        totals["submitted"] += line.billed
        totals["eligible"] += r["allowed"]
        totals["deductible"] += r["deductible"]
        totals["copay"] += r["copay"]
        totals["coinsurance"] += r["coinsurance"]
        totals["benefit"] += r["paid"]
        totals["memberliability"] += r["patient"]
    eob["item"] = items
    systems = {"coinsurance": C4BB_ADJUDICATION, "memberliability": C4BB_ADJUDICATION}
    eob["total"] = [{"category": {"coding": [{"system": systems.get(k, ADJUDICATION), "code": k}]},
                     "amount": {"value": _dec(v), "currency": "USD"}} for k, v in totals.items()]
    paid = totals["benefit"]
    cancelled = bool(reversed_lines) and reversed_lines >= {r["line"] for r in rows}
    payment: dict = {"type": {"coding": [{"system": PAYMENT_TYPE, "code": "partial" if pended else "complete"}]},
                     "amount": {"value": _dec(paid), "currency": "USD"}}
    if cancelled:
        eob["status"] = "cancelled"
        by = " and ".join(correctors) if correctors else "a later correction"
        notes.append({"number": len(notes) + 1, "type": "display",
                      "text": f"reversed by {by} (A-7): every line taken back, payment recouped"})
        payment["adjustment"] = {"value": _dec(-paid), "currency": "USD"}
        payment["adjustmentReason"] = {"coding": [{"system": PAYMENT_ADJUSTMENT, "code": "a001",
                                                   "display": "Prior Payment Reversal"}]}
        payment["amount"] = {"value": _dec(0), "currency": "USD"}
    elif pended:
        eob["outcome"] = "partial"
    eob["payment"] = payment
    if notes:
        eob["processNote"] = notes
    return eob


def _error_eob(claim_id: str, head: dict, reasons: list[str], plans: dict) -> dict:
    created = str(head.get("received_date", ""))
    if not _DATE_PREFIX.match(created):
        import datetime as _dt

        created = _dt.date.today().isoformat()
    member = str(head.get("member_id", "")).strip()
    eob = _eob_shell(claim_id or "unknown", member, str(head.get("provider_npi", "")).strip(),
                     created[:10], plans.get(member, ""))
    eob["outcome"] = "error"
    eob["processNote"] = [{"number": k, "type": "display", "text": f"rejected (A-3): {reason}"}
                          for k, reason in enumerate(reasons, start=1)]
    return eob


def read_bundle(path) -> list[dict]:
    """The resources of a Bundle written by this module (for tests and round trips)."""
    document = json.loads(Path(path).read_text(encoding="utf-8"), parse_float=Decimal)
    return [e["resource"] for e in document.get("entry") or []]


# ---------------------------------------------------------------------------------------------
# CLI glue (wired into claimledger/cli.py by the CLI's owner)


def run_import_fhir(paths, out, plans_from=None) -> int:
    report = import_fhir(paths, Path(out), Path(plans_from) if plans_from else None)
    print(report.summary())
    return 0


def run_export_eob(run_dir, out, scenario_dir=None) -> int:
    report = export_eob(Path(run_dir), Path(out), scenario_dir)
    outcomes = ", ".join(f"{v} {k}" for k, v in sorted(report.counts.items()))
    print(f"{report.summary('ExplanationOfBenefit resources')}" + (f" [{outcomes}]" if outcomes else ""))
    return 0


def run_export_fhir_claims(scenario_dir, out) -> int:
    report = export_fhir_claims(Path(scenario_dir), Path(out))
    print(report.summary("Claim resources"))
    return 0


__all__ = [
    "FHIR_RELEASE", "Issue", "ClaimImport", "ImportReport", "ExportReport", "import_fhir",
    "export_eob", "export_fhir_claims", "validation_errors", "validate_resource", "claim_rows",
    "read_bundle", "run_import_fhir", "run_export_eob", "run_export_fhir_claims",
]
