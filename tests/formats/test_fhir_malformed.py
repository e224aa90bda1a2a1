"""FHIR R4 Claim import (claimledger.fhir) of malformed input: each bad Claim rejected with its
FHIR path while the good claim beside it is kept; invalid JSON, unknown resource types, invalid
referenced resources, and unusable input raising one line.

Plain pytest, no chain: runs under ``brownie test`` too.
"""
from __future__ import annotations

import pytest

from claimledger.fhir import CPT_SYSTEM, ICD10CM_SYSTEM, NPI_SYSTEM, import_fhir
from claimledger.scenario import ScenarioError
from tests.formats.fhir_helpers import BASIC, bundle, good_claim, organization, patient, read_rows, write_json


def with_bad(bad_claim: dict) -> dict:
    """A Bundle with the references, one good claim, then the bad one."""
    return bundle(patient(), organization(), good_claim("GOOD1"), bad_claim)


# ---------------------------------------------------------------------------------------------
# malformed input: each case is rejected with its path, the good claim beside it is kept


def _drop(key):
    c = good_claim("BAD")
    del c[key]
    return c


def _item(**changes):
    c = good_claim("BAD")
    c["item"][0].update(changes)
    return c


def _item_without(key):
    c = good_claim("BAD")
    del c["item"][0][key]
    return c


MALFORMED = {
    "missing patient": (_drop("patient"), "Claim.patient", "required element is missing"),
    "missing provider": (_drop("provider"), "Claim.provider", "required element is missing"),
    "missing created": (_drop("created"), "Claim.created", "required"),
    "missing items": (_drop("item"), "Claim.item", "no items"),
    "item without code": (_item(productOrService={"text": "office visit"}),
                          "Claim.item[0].productOrService.coding", "no coding"),
    "unknown code system": (_item(productOrService={"coding": [{"system": "http://snomed.info/sct", "code": "185345009"}]}),
                            "Claim.item[0].productOrService.coding",
                            "no CPT or HCPCS coding (found http://snomed.info/sct|185345009)"),
    "malformed CPT code": (_item(productOrService={"coding": [{"system": CPT_SYSTEM, "code": "99-213"}]}),
                           "Claim.item[0].productOrService.coding[0].code", "not a CPT/HCPCS code"),
    "fractional quantity": (_item(quantity={"value": 1.5}), "Claim.item[0].quantity.value",
                            "whole number"),
    "zero quantity": (_item(quantity={"value": 0}), "Claim.item[0].quantity.value", "1..9999"),
    "quantity not a number": (_item(quantity={"value": "two"}), "Claim.item[0].quantity.value",
                              "invalid FHIR"),
    "quantity without value": (_item(quantity={"unit": "visit"}), "Claim.item[0].quantity.value",
                               "quantity has no value"),
    "money with 3 decimals": (_item(net={"value": 120.005, "currency": "USD"}),
                              "Claim.item[0].net.value", "more than two decimals"),
    "money in euros": (_item(net={"value": 120.00, "currency": "EUR"}), "Claim.item[0].net.currency",
                       "only USD"),
    "negative money": (_item(net={"value": -5, "currency": "USD"}), "Claim.item[0].net.value",
                       "must be positive"),
    "no amount": (_item_without("net"), "Claim.item[0].net", "neither net nor unitPrice"),
    "impossible date": (good_claim("BAD", created="2026-02-30"), "Claim.created", "invalid FHIR"),
    "partial service date": (_item(servicedDate="2026-01"), "Claim.item[0].servicedDate",
                             "partial or malformed date"),
    "no service date": (_item_without("servicedDate"), "Claim.item[0].servicedDate",
                        "no date of service"),
    "diagnosis in SNOMED only": (good_claim("BAD", diagnosis=[{"sequence": 1, "diagnosisCodeableConcept": {
        "coding": [{"system": "http://snomed.info/sct", "code": "54150009"}]}}]),
        "Claim.diagnosis[0].diagnosisCodeableConcept.coding", "no ICD-10-CM coding"),
    "malformed ICD-10 code": (good_claim("BAD", diagnosis=[{"sequence": 1, "diagnosisCodeableConcept": {
        "coding": [{"system": ICD10CM_SYSTEM, "code": "106.9"}]}}]),
        "Claim.diagnosis[0].diagnosisCodeableConcept.coding[0].code", "not an ICD-10-CM code"),
    "no diagnosis": (_drop("diagnosis"), "Claim.diagnosis", "no diagnosis"),
    "provider without NPI": (good_claim("BAD", provider={"reference": "Organization/org-2"}),
                             "Claim.provider", "has no identifier with system http://hl7.org/fhir/sid/us-npi"),
    "NPI of 9 digits": (good_claim("BAD", provider={"identifier": {"system": NPI_SYSTEM, "value": "123456789"}}),
                        "Claim.provider", "not 10 digits"),
    "dangling patient reference": (good_claim("BAD", patient={"reference": "urn:uuid:0b4b5c0e-0000-4000-8000-000000000001"}),
                                   "Claim.patient", "is not in the input"),
    "draft claim": (good_claim("BAD", status="draft"), "Claim.status", "only active, cancelled"),
    "pre-authorization": (good_claim("BAD", use="preauthorization"), "Claim.use",
                          "only 'claim' asks for payment"),
    "void naming nothing": (good_claim("BAD", status="cancelled"), "Claim.related",
                            "nothing names the claim to void"),
    "unknown element": (good_claim("BAD", itemz=[]), "Claim.itemz", "element is not defined"),
    "claim id with a space": (good_claim("BAD", identifier=[{"value": "BAD 1"}]),
                              "Claim.identifier[0].value", "not a usable claim id"),
    "too many items": (good_claim("BAD", item=[dict(good_claim()["item"][0], sequence=k) for k in range(1, 52)]),
                       "Claim.item", "at most 50"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_claim_is_rejected_by_path_and_the_good_one_is_kept(tmp_path, case):
    bad, path, text = MALFORMED[case]
    document = with_bad(bad)
    if case == "provider without NPI":
        document["entry"].insert(2, {"resource": organization("org-2", None)})
        path = path
    source = write_json(tmp_path / "bundle.json", document)
    report = import_fhir([source], tmp_path / "out", plans_from=BASIC)
    assert [c.claim_id for c in report.written] == ["GOOD1"]
    rejected = [c for c in report.claims if not c.written]
    assert len(rejected) == 1
    errors = [i for i in report.errors() if i.record == rejected[0].claim_id]
    assert errors, report.issues
    assert any(i.path == path and text in i.message for i in errors), [str(i) for i in errors]
    entry = 4 if case == "provider without NPI" else 3
    assert all(i.source == f"bundle.json#entry[{entry}]" for i in errors)
    assert {r["claim_id"] for r in read_rows(tmp_path / "out" / "claims.csv")} == {"GOOD1"}


def test_invalid_json_file_is_reported_and_other_files_are_read(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a-broken.json").write_text('{"resourceType": "Claim", "id": ')
    (tmp_path / "in" / "b-array.json").write_text("[1, 2]")
    write_json(tmp_path / "in" / "c-wrong-type.json", {"resourceType": "Claimz", "id": "x"})
    write_json(tmp_path / "in" / "d-good.json", bundle(patient(), organization(), good_claim("GOOD1")))
    write_json(tmp_path / "in" / "e-entry-without-resource.json", {"resourceType": "Bundle", "type": "collection",
                                                                  "entry": [{"fullUrl": "urn:uuid:x"}]})
    report = import_fhir([tmp_path / "in"], tmp_path / "out", plans_from=BASIC)
    assert [c.claim_id for c in report.written] == ["GOOD1"]
    issues = {(i.source, i.path): i.message for i in report.errors()}
    assert issues[("a-broken.json", "$")].startswith("not valid JSON: Expecting value at line 1 column")
    assert issues[("b-array.json", "$")] == "expected a JSON object (a FHIR resource)"
    assert issues[("c-wrong-type.json", "Claimz.resourceType")] == "invalid FHIR: unknown resourceType 'Claimz' (FHIR R4B)"
    assert issues[("e-entry-without-resource.json#entry[0]", "Bundle.entry[0].resource")] == "entry has no resource"


def test_invalid_patient_fails_validation_and_its_claim_says_so(tmp_path):
    bad_patient = patient("pat-9", "M900")
    bad_patient["birthDate"] = "1970-13-01"
    claim = good_claim("BAD", patient={"reference": "Patient/pat-9"})
    path = write_json(tmp_path / "b.json", bundle(patient(), organization(), good_claim("GOOD1"), bad_patient, claim))
    report = import_fhir([path], tmp_path / "out", plans_from=BASIC)
    assert [c.claim_id for c in report.written] == ["GOOD1"]
    paths = {(i.record, i.path) for i in report.errors()}
    assert ("Patient/pat-9", "Patient.birthDate") in paths
    assert ("BAD", "Claim.patient") in paths


def test_unusable_input_raises_one_line(tmp_path):
    with pytest.raises(ScenarioError, match="no such file"):
        import_fhir([tmp_path / "missing.json"], tmp_path / "out")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ScenarioError, match="no FHIR JSON files"):
        import_fhir([tmp_path / "empty"], tmp_path / "out")
    write_json(tmp_path / "c.json", good_claim())
    with pytest.raises(ScenarioError, match="not a scenario directory"):
        import_fhir([tmp_path / "c.json"], tmp_path / "out", plans_from=tmp_path / "empty")
