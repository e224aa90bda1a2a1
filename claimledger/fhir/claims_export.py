""":func:`export_fhir_claims`: a scenario's claims -> a Bundle of Claim resources."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..claims_csv import row_problem
from ..fields import ROW_PROBLEM, csv_rows
from ..scenario import CLAIMS_FILE, MEMBERS_FILE, PROVIDERS_FILE, ScenarioError, iter_claim_rows
from .common import (
    CLAIM_ID_SYSTEM, CLAIM_TYPE, COVERAGE_CLASS, MEMBER_ID_SYSTEM, NPI_SYSTEM, diagnosis_coding, serviced,
    PROCESS_PRIORITY, RELATED_CLAIM, V2_0203, _BundleWriter, _DATE_PREFIX, _Gap, _dec, _member_ref,
    _procedure_coding, _provider_ref, _uuid,
)
from .mapping import _cents


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
    """The rows of members.csv or providers.csv, but for one with more fields than the header
    (the loader skips it too, R-46)."""
    if not path.is_file() or not path.stat().st_size:
        return []
    return [{k: v.strip() for k, v in r.items()} for _, _, r in csv_rows(path, []) if ROW_PROBLEM not in r]


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
                if row_problem(rows):  # the loader rejects it
                    raise _Gap("row", row_problem(rows))
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
    if any(str(r.get("other_payer_paid") or "").strip() or str(r.get("other_payer_allowed") or "").strip()
           for r in rows):  # exporting it without them would change what the plan pays
        raise _Gap("other_payer_paid", "a prior payer's result (A-11) has no element in a FHIR R4 Claim: "
                   "send this claim as an 837 (loops 2320/2430)")
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
            "coding": [diagnosis_coding(d)]}} for k, d in enumerate(dx, start=1)]
    items, total = [], 0
    for k, row in enumerate(rows, start=1):
        row = {c: str(v).strip() for c, v in row.items()}
        billed = _cents(row["billed"], "billed")
        total += billed
        item = {"sequence": k, "productOrService": _procedure_coding(row["procedure_code"]),
                **serviced(row["service_date"], row.get("service_date_end")), "net": {"value": _dec(billed), "currency": "USD"}}
        try:
            item["quantity"] = {"value": int(row["units"])}
        except ValueError:
            raise ValueError(f"units {row['units']!r} cannot be written as a FHIR quantity") from None
        items.append(item)
    resource["item"] = items
    resource["total"] = {"value": _dec(total), "currency": "USD"}
    return resource
