"""Shared by the FHIR modules: code and identifier systems, the import report, validation with ``fhir.resources`` and the JSON writing helpers."""
from __future__ import annotations

import json
import re
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Iterable

from ..atomic import atomic_output, write_csv_atomically
from ..csv_safety import MAX_MESSAGE, single_line, text_row
from ..codesets import ICD9_PREFIX


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
ICD10_WHO_SYSTEM = "http://hl7.org/fhir/sid/icd-10"  # WHO ICD-10: feeds send ICD-10-CM codes under it
ICD9CM_SYSTEMS = {"http://hl7.org/fhir/sid/icd-9-cm", "urn:oid:2.16.840.1.113883.6.103"}  # diagnoses
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

ICD9CM_SYSTEM = "http://hl7.org/fhir/sid/icd-9-cm"


def diagnosis_coding(code: str) -> dict:
    """The FHIR coding of a claims.csv diagnosis: ICD-9-CM (``ICD9:`` prefix, A-10.1) or ICD-10-CM."""
    if code.startswith(ICD9_PREFIX):
        return {"system": ICD9CM_SYSTEM, "code": code[len(ICD9_PREFIX):]}
    return {"system": ICD10CM_SYSTEM, "code": code}


def serviced(first: str, last: str | None) -> dict:
    """``servicedDate``, or ``servicedPeriod`` for a range (A-10.2); ISO dates."""
    return {"servicedPeriod": {"start": first, "end": last}} if last and last != first else {"servicedDate": first}


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

    def __post_init__(self) -> None:  # one line each, however the input quoted reads
        for name, limit in (("record", 100), ("path", 200), ("message", MAX_MESSAGE)):
            object.__setattr__(self, name, single_line(getattr(self, name), limit))

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
        write_csv_atomically(path, ISSUE_COLUMNS, (text_row([i.source, i.record, i.path, i.severity, i.message])
                                                   for i in self.issues))
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
    except TypeError as exc:  # fhir.resources on a contained resource whose resourceType is not text
        return [(prefix, f"not a valid FHIR resource ({exc})")]
    return []


def validate_resource(resource: dict) -> None:
    """Raise ``ValueError`` naming the first path if ``resource`` is not valid FHIR R4B."""
    errors = validation_errors(resource)
    if errors:
        path, message = errors[0]
        raise ValueError(f"invalid {resource.get('resourceType')} {resource.get('id', '')}: {path}: {message}")


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
    """Streams a ``collection`` Bundle, validating each resource before it is written; the file
    takes the Bundle only once it is complete (R-48)."""

    def __init__(self, path: Path):
        self.path = path
        self.count = 0

    def __enter__(self) -> "_BundleWriter":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        shell = {"resourceType": "Bundle", "type": "collection"}
        validate_resource(shell)
        with ExitStack() as stack:
            self._fh = stack.enter_context(atomic_output(self.path, encoding="utf-8"))
            self._fh.write('{\n  "resourceType": "Bundle",\n  "type": "collection",\n  "entry": [')
            self._output = stack.pop_all()
        return self

    def add(self, full_url: str, resource: dict) -> None:
        validate_resource(resource)
        entry = _dumps({"fullUrl": full_url, "resource": resource}, indent=2).replace("\n", "\n    ")
        self._fh.write(("," if self.count else "") + "\n    " + entry)
        self.count += 1

    def __exit__(self, *exc) -> bool:
        if exc[0] is not None:  # the Bundle is not written: the file stays as it was
            return self._output.__exit__(*exc)
        with self._output:
            self._fh.write("\n  ]\n}\n")
        return False


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
