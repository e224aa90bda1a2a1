"""FHIR R4 Claim import (claimledger.fhir): HL7's example Claims (valid, one line per item, what
they lack reported by path), and the mapping of a valid Claim to scenario rows (codes, dates,
amounts, references, corrections and voids; members and providers from --plans-from or derived,
with the gaps reported).

Plain pytest, no chain: runs under ``brownie test`` too.
"""
from __future__ import annotations

import json
from pathlib import Path

from claimledger.fhir import CPT_SYSTEM, ICD10CM_SYSTEM, NPI_SYSTEM, import_fhir, validation_errors
from claimledger.pipeline import adjudicate_reference
from tests.formats.fhir_helpers import BASIC, bundle, good_claim, organization, patient, read_rows, write_json

SAMPLES = Path(__file__).resolve().parent / "samples" / "fhir"
HL7_EXAMPLES = sorted(SAMPLES.glob("claim-example*.json"))


# ---------------------------------------------------------------------------------------------
# HL7's example Claims (rebuilt from fhir.resources' own R4B tests: see samples/fhir/HL7-EXAMPLES.md)


def test_hl7_examples_are_there_and_valid_fhir():
    assert len(HL7_EXAMPLES) == 7
    for path in HL7_EXAMPLES:
        assert validation_errors(json.loads(path.read_text())) == [], path.name


def test_hl7_examples_import_one_line_per_item_and_report_what_they_lack(tmp_path):
    report = import_fhir(HL7_EXAMPLES, tmp_path / "out")
    expected = {}
    for path in HL7_EXAMPLES:
        doc = json.loads(path.read_text())
        expected[doc["identifier"][0]["value"]] = (path.name, len(doc["item"]))
    assert {c.claim_id: (c.source, c.lines) for c in report.claims} == expected
    # none is written: HL7's examples name no provider by NPI and code their services and
    # diagnoses in example code systems; one is a pre-authorization. Each gap has its path.
    assert report.written == []
    gaps = {(i.record, i.path) for i in report.errors()}
    assert gaps >= {
        ("12355", "Claim.use"),  # oral-orthoplan: use = preauthorization (nothing else is looked at)
        ("96123451", "Claim.provider.identifier.system"),  # institutional-rich: an npid.org id
        ("96123451", "Claim.item[0].productOrService.coding"),
        ("96123451", "Claim.diagnosis[0].diagnosisCodeableConcept.coding"),
    }
    for cid in ("12345", "8612345", "6612345", "7612345", "9612345"):
        assert (cid, "Claim.provider") in gaps
        assert (cid, "Claim.item[0].productOrService.coding") in gaps
        assert (cid, "Claim.diagnosis[0].diagnosisCodeableConcept.coding") in gaps
    messages = {(i.record, i.path): i.message for i in report.errors()}
    assert messages[("12345", "Claim.provider")] == (
        "Organization/1 is not in the input and the reference carries no NPI identifier")
    assert messages[("12345", "Claim.item[0].productOrService.coding")] == \
        "no CPT or HCPCS coding (found (no system)|1200)"
    assert messages[("12345", "Claim.diagnosis[0].diagnosisCodeableConcept.coding")] == \
        f"no ICD-10-CM coding (system {ICD10CM_SYSTEM}; found (no system)|123456)"
    assert "http://www.nlm.nih.gov/research/umls/rxnorm|562721" in \
        messages[("7612345", "Claim.item[0].productOrService.coding")]
    assert (tmp_path / "out" / "import_issues.csv").is_file()


def test_hl7_examples_with_the_organization_they_reference(tmp_path):
    """Given Organization/1 with an NPI, the provider gap closes and only the coding gaps stay."""
    org = write_json(tmp_path / "org.json", organization("1", "1234567893"))
    report = import_fhir([*HL7_EXAMPLES, org], tmp_path / "out")
    gaps = {(i.record, i.path) for i in report.errors()}
    assert ("12345", "Claim.provider") not in gaps
    assert ("12345", "Claim.item[0].productOrService.coding") in gaps
    assert report.written == []


# ---------------------------------------------------------------------------------------------
# mapping


def test_good_claim_maps_to_a_rows(tmp_path):
    path = write_json(tmp_path / "b.json", bundle(patient(), organization(), good_claim()))
    report = import_fhir([path], tmp_path / "out", plans_from=BASIC)
    assert [c.claim_id for c in report.written] == ["FC1"]
    rows = read_rows(tmp_path / "out" / "claims.csv")
    assert rows == [
        {"claim_id": "FC1", "frequency": "1", "original_claim_id": "", "member_id": "M100",
         "provider_npi": "1234567893", "received_date": "2026-01-12", "service_date": "2026-01-10",
         "procedure_code": "99213", "units": "1", "billed": "120.00", "diagnoses": "J06.9"},
        {"claim_id": "FC1", "frequency": "1", "original_claim_id": "", "member_id": "M100",
         "provider_npi": "1234567893", "received_date": "2026-01-12", "service_date": "2026-01-10",
         "procedure_code": "80053", "units": "1", "billed": "40.00", "diagnoses": "J06.9"},
    ]
    for name in ("plans.yaml", "members.csv", "providers.csv", "authorizations.csv"):
        assert (tmp_path / "out" / name).read_bytes() == (BASIC / name).read_bytes()
    assert report.issues == []
    # the imported scenario adjudicates like the example's own C0001
    adjudicate_reference(tmp_path / "out", tmp_path / "run")
    results = read_rows(tmp_path / "run" / "results.csv")
    assert [r["adjustments"] for r in results] == ["CO-45:28.00;PR-3:25.00", "CO-45:25.50;PR-1:14.50"]


def test_mapping_choices(tmp_path):
    """Dot added to ICD-10 codes, period start and billablePeriod as DOS, unitPrice x quantity,
    missing quantity (warned), logical references, corrections and voids."""
    c1 = good_claim("FC1", diagnosis=[
        {"sequence": 2, "diagnosisCodeableConcept": {"coding": [{"system": ICD10CM_SYSTEM, "code": "r059"}]}},
        {"sequence": 1, "diagnosisCodeableConcept": {"coding": [
            {"system": "http://snomed.info/sct", "code": "54150009"}, {"system": ICD10CM_SYSTEM, "code": "J069"}]}}])
    c1["item"][0] = {"sequence": 1, "productOrService": {"coding": [{"system": CPT_SYSTEM, "code": "97110"}]},
                     "servicedPeriod": {"start": "2026-01-09T08:00:00-05:00", "end": "2026-01-09T09:00:00-05:00"},
                     "quantity": {"value": 3}, "unitPrice": {"value": 40.00, "currency": "USD"}}
    del c1["item"][1]["servicedDate"]
    del c1["item"][1]["quantity"]
    c1["billablePeriod"] = {"start": "2026-01-08", "end": "2026-01-10"}
    c2 = good_claim("FC2", related=[{"claim": {"identifier": {"value": "FC1"}},
                                     "relationship": {"coding": [{"code": "prior"}]}}],
                    patient={"identifier": {"system": "urn:x", "value": "M101"}},
                    provider={"identifier": {"system": NPI_SYSTEM, "value": "1659478212"}})
    c3 = good_claim("FC3", status="cancelled", related=[{"claim": {"reference": "Claim/claim-fc2"}}])
    path = write_json(tmp_path / "b.json", bundle(patient(), organization(), c1, c2, c3))
    report = import_fhir([path], tmp_path / "out", plans_from=BASIC)
    rows = read_rows(tmp_path / "out" / "claims.csv")
    assert [(r["claim_id"], r["frequency"], r["original_claim_id"]) for r in rows] == [
        ("FC1", "1", ""), ("FC1", "1", ""), ("FC2", "7", "FC1"), ("FC2", "7", "FC1"), ("FC3", "8", "FC2"), ("FC3", "8", "FC2")]
    assert rows[0]["diagnoses"] == "J06.9;R05.9"
    assert (rows[0]["service_date"], rows[0]["units"], rows[0]["billed"]) == ("2026-01-09", "3", "120.00")
    assert (rows[1]["service_date"], rows[1]["units"]) == ("2026-01-08", "1")
    assert (rows[2]["member_id"], rows[2]["provider_npi"]) == ("M101", "1659478212")
    warnings = [(i.record, i.path) for i in report.warnings()]
    assert ("FC1", "Claim.item[1].quantity") in warnings
    assert ("FC1", "Claim.item[0].net") in warnings


def test_without_plans_from_members_and_providers_are_derived_and_gaps_reported(tmp_path):
    coverage = {"resourceType": "Coverage", "id": "cov-1", "status": "active",
                "beneficiary": {"reference": "Patient/pat-1"}, "payor": [{"display": "x"}],
                "subscriberId": "S100", "period": {"start": "2026-01-01"},
                "class": [{"type": {"coding": [{"code": "plan"}]}, "value": "GOLD-PPO-2026"}]}
    c2 = good_claim("FC2", patient={"reference": "Patient/pat-2"}, insurance=[
        {"sequence": 1, "focal": True, "coverage": {"display": "none"}}])
    path = write_json(tmp_path / "b.json", bundle(patient(), patient("pat-2", "M200"), organization(), coverage,
                                                  good_claim(), c2))
    report = import_fhir([path], tmp_path / "out")
    out = tmp_path / "out"
    assert not (out / "plans.yaml").exists()
    assert read_rows(out / "members.csv") == [
        {"member_id": "M100", "subscriber_id": "S100", "plan_id": "GOLD-PPO-2026", "coverage_start": "2026-01-01",
         "coverage_end": ""},
        {"member_id": "M200", "subscriber_id": "M200", "plan_id": "", "coverage_start": "", "coverage_end": ""}]
    assert read_rows(out / "providers.csv") == [{"npi": "1234567893", "name": "Riverside Family Medicine",
                                                 "in_network": ""}]
    gaps = {(i.record, i.path, i.severity) for i in report.issues}
    assert ("", "plans.yaml", "error") in gaps
    assert ("M200", "members.csv:plan_id", "error") in gaps
    assert ("M200", "members.csv:coverage_start", "error") in gaps
    assert ("M200", "members.csv:subscriber_id", "warning") in gaps
    assert ("1234567893", "providers.csv:in_network", "error") in gaps
    issues = read_rows(out / "import_issues.csv")
    assert len(issues) == len(report.issues) and set(issues[0]) == {"source", "record", "path", "severity", "message"}


def test_plans_from_warns_about_members_and_providers_it_does_not_list(tmp_path):
    claim = good_claim(patient={"identifier": {"value": "M999"}},
                       provider={"identifier": {"system": NPI_SYSTEM, "value": "1111111112"}})
    path = write_json(tmp_path / "c.json", claim)
    report = import_fhir([path], tmp_path / "out", plans_from=BASIC)
    assert len(report.written) == 1
    messages = [i.message for i in report.warnings()]
    assert any("member M999 is not in basic/members.csv" in m and "CO-31" in m for m in messages)
    assert any("provider 1111111112 is not in basic/providers.csv" in m and "CO-B7" in m for m in messages)
