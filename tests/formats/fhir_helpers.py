"""Helpers shared by the FHIR test modules (test_fhir_import.py, test_fhir_malformed.py,
test_fhir_export.py): the specification example's folder, CSV and JSON files, and a small valid
professional Claim with the Patient and Organization it references, in a Bundle."""
from __future__ import annotations

import csv
import json
from pathlib import Path

from claimledger.fhir import CPT_SYSTEM, ICD10CM_SYSTEM, NPI_SYSTEM

ROOT = Path(__file__).resolve().parents[2]
BASIC = ROOT / "examples" / "basic"


def read_rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def write_json(path: Path, document) -> Path:
    path.write_text(json.dumps(document, indent=2))
    return path


# ---------------------------------------------------------------------------------------------
# a small, valid professional claim and the resources it references


def patient(pid="pat-1", member="M100"):
    return {"resourceType": "Patient", "id": pid,
            "identifier": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                                                 "code": "MB"}]},
                            "system": "http://payer.example/member", "value": member}]}


def organization(oid="org-1", npi="1234567893"):
    ident = [{"system": NPI_SYSTEM, "value": npi}] if npi else [{"system": "http://example.org/tax", "value": "99-1"}]
    return {"resourceType": "Organization", "id": oid, "name": "Riverside Family Medicine", "identifier": ident}


def good_claim(claim_id="FC1", **changes):
    claim = {
        "resourceType": "Claim", "id": f"claim-{claim_id.lower()}",
        "identifier": [{"system": "http://provider.example/claims", "value": claim_id}],
        "status": "active",
        "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "professional"}]},
        "use": "claim",
        "patient": {"reference": "Patient/pat-1"},
        "created": "2026-01-12",
        "provider": {"reference": "Organization/org-1"},
        "priority": {"coding": [{"code": "normal"}]},
        "insurance": [{"sequence": 1, "focal": True, "coverage": {"reference": "Coverage/cov-1"}}],
        "diagnosis": [{"sequence": 1, "diagnosisCodeableConcept": {
            "coding": [{"system": ICD10CM_SYSTEM, "code": "J06.9"}]}}],
        "item": [
            {"sequence": 1, "productOrService": {"coding": [{"system": CPT_SYSTEM, "code": "99213"}]},
             "servicedDate": "2026-01-10", "quantity": {"value": 1}, "net": {"value": 120.00, "currency": "USD"}},
            {"sequence": 2, "productOrService": {"coding": [{"system": CPT_SYSTEM, "code": "80053"}]},
             "servicedDate": "2026-01-10", "quantity": {"value": 1}, "net": {"value": 40.00, "currency": "USD"}},
        ],
    }
    claim.update(changes)
    return claim


def bundle(*resources):
    return {"resourceType": "Bundle", "type": "collection",
            "entry": [{"fullUrl": f"http://x.example/fhir/{r['resourceType']}/{r.get('id', k)}", "resource": r}
                      for k, r in enumerate(resources)]}
