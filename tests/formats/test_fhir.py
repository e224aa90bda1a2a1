"""FHIR R4 in and out (claimledger.fhir): HL7's example Claims, malformed input reported by
path, the scenario -> Claim Bundle -> scenario round trip, and ExplanationOfBenefit export.

Plain pytest, no chain: runs under ``brownie test`` too.
"""
from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest

from claimledger import fhir
from claimledger.fhir import (
    CARC_SYSTEM, CPT_SYSTEM, ICD10CM_SYSTEM, NPI_SYSTEM, export_eob, export_fhir_claims, import_fhir,
    read_bundle, validation_errors,
)
from claimledger.pipeline import adjudicate_reference
from claimledger.scenario import ScenarioError
from claimledger.synth import SynthConfig, generate

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = Path(__file__).resolve().parent / "samples" / "fhir"
BASIC = ROOT / "examples" / "basic"
HL7_EXAMPLES = sorted(SAMPLES.glob("claim-example*.json"))


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


def with_bad(bad_claim: dict) -> dict:
    """A Bundle with the references, one good claim, then the bad one."""
    return bundle(patient(), organization(), good_claim("GOOD1"), bad_claim)


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


# ---------------------------------------------------------------------------------------------
# round trip: synth -> Claim Bundle -> import -> the same adjudication


@pytest.mark.parametrize("claims,seed,reject_rate", [(40, 5, 0.002), (600, 2, 0.01)])
def test_round_trip_gives_the_same_results(tmp_path, claims, seed, reject_rate):
    """No claim paid second here: a FHIR R4 Claim has no place for the prior payer's result
    (see the test below)."""
    original = tmp_path / "synth"
    generate(original, SynthConfig(claims=claims, seed=seed, reject_rate=reject_rate, secondary_rate=0))
    exported = export_fhir_claims(original, tmp_path / "claims.json")
    resources = read_bundle(tmp_path / "claims.json")
    assert exported.claims == sum(1 for r in resources if r["resourceType"] == "Claim")
    for r in resources:
        assert validation_errors(r) == []
        assert "name" not in r or r["resourceType"] == "Organization"  # no member names anywhere
    back = tmp_path / "back"
    report = import_fhir([tmp_path / "claims.json"], back, plans_from=original)
    adjudicate_reference(original, tmp_path / "run1")
    adjudicate_reference(back, tmp_path / "run2")
    assert (tmp_path / "run2" / "results.csv").read_bytes() == (tmp_path / "run1" / "results.csv").read_bytes()
    # what the loader rejected, the importer rejects first (by FHIR path) or the loader again
    rejected_before = {r["claim_id"] for r in read_rows(tmp_path / "run1" / "rejects.csv")}
    rejected_after = {r["claim_id"] for r in read_rows(tmp_path / "run2" / "rejects.csv")}
    import_rejected = {c.claim_id for c in report.rejected}
    assert rejected_before == rejected_after | import_rejected
    if claims == 40:
        assert not import_rejected and exported.skipped == []
        assert (back / "claims.csv").read_bytes() == (original / "claims.csv").read_bytes()
    else:
        assert import_rejected  # zero units and negative amounts: rejected with their path
        for c in report.rejected:
            assert any(".item[" in i.path for i in report.errors() if i.record == c.claim_id)
    # and every EOB of the run validates
    eobs = export_eob(tmp_path / "run1", tmp_path / "eob.json", scenario_dir=original)
    resources = read_bundle(tmp_path / "eob.json")
    assert eobs.claims == len(resources)
    for r in resources:
        assert r["resourceType"] == "ExplanationOfBenefit"
        assert validation_errors(r) == [], r["identifier"]


# ---------------------------------------------------------------------------------------------
# ExplanationOfBenefit


@pytest.fixture(scope="module")
def basic_eobs(tmp_path_factory):
    run = tmp_path_factory.mktemp("run")
    adjudicate_reference(BASIC, run)
    (run / "deployments.json").write_text(json.dumps({"scenario": str(BASIC)}))
    report = export_eob(run, run / "eob.json")
    resources = read_bundle(run / "eob.json")
    return run, report, {r["identifier"][0]["value"]: r for r in resources}


def _adj(item, code):
    return [a for a in item["adjudication"] if a["category"]["coding"][0]["code"] == code]


def _total(eob, code):
    return next(t["amount"]["value"] for t in eob["total"] if t["category"]["coding"][0]["code"] == code)


def test_every_eob_validates_and_the_bundle_is_a_collection(basic_eobs):
    run, report, eobs = basic_eobs
    document = json.loads((run / "eob.json").read_text())
    assert document["resourceType"] == "Bundle" and document["type"] == "collection"
    assert validation_errors({k: v for k, v in document.items() if k != "entry"}) == []
    for eob in eobs.values():
        assert validation_errors(eob) == []
    # one EOB per claim of results.csv, plus C0018 (rejected); C0003's reject is a reused id
    results = read_rows(run / "results.csv")
    assert set(eobs) == {r["claim_id"] for r in results} | {"C0018"}
    assert report.counts == {"active/complete": 17, "active/partial": 1, "cancelled/complete": 2, "active/error": 1}


def test_eob_amounts_match_results(basic_eobs):
    run, _, eobs = basic_eobs
    c1 = eobs["C0001"]
    assert c1["outcome"] == "complete" and c1["status"] == "active"
    line1 = c1["item"][0]
    assert _adj(line1, "submitted")[0]["amount"]["value"] == Decimal("120.00")
    assert _adj(line1, "eligible")[0]["amount"]["value"] == Decimal("92.00")
    discount = _adj(line1, "discount")[0]
    assert discount["reason"]["coding"][0] == {"system": CARC_SYSTEM, "code": "45"}
    assert discount["amount"]["value"] == Decimal("28.00")
    assert _adj(line1, "copay")[0]["reason"]["coding"][0]["code"] == "3"
    assert _adj(line1, "benefit")[0]["amount"]["value"] == Decimal("67.00")
    assert _total(c1, "benefit") == Decimal("67.00") and c1["payment"]["amount"]["value"] == Decimal("67.00")
    assert _total(c1, "submitted") == Decimal("160.00")
    results = read_rows(run / "results.csv")
    paid = sum(Decimal(r["paid"]) for r in results if r["status"] != "REVERSED")
    assert sum(_total(e, "benefit") for e in eobs.values() if e["outcome"] != "error") == paid
    assert sum(e["payment"]["amount"]["value"] for e in eobs.values() if "payment" in e) == \
        sum(Decimal(r["paid"]) for r in results)


def test_eob_denial_carries_its_carc(basic_eobs):
    _, _, eobs = basic_eobs
    item = eobs["C0004"]["item"][0]
    denial = _adj(item, "denialreason")[0]
    assert denial["category"]["coding"][0]["system"] == fhir.C4BB_DISCRIMINATOR
    assert denial["reason"]["coding"][0] == {"system": CARC_SYSTEM, "code": "197"}
    assert denial["amount"]["value"] == Decimal("900.00")
    assert _adj(item, "benefit")[0]["amount"]["value"] == Decimal("0.00")


def test_eob_pended_is_partial_and_reversal_is_cancelled(basic_eobs):
    _, _, eobs = basic_eobs
    pended = eobs["C0016"]
    assert pended["outcome"] == "partial"
    assert [a["category"]["coding"][0]["code"] for a in pended["item"][0]["adjudication"]] == ["submitted"]
    assert "pended for review" in pended["processNote"][0]["text"]
    replaced = eobs["C0002"]
    assert replaced["status"] == "cancelled"
    assert _total(replaced, "deductible") == Decimal("38.00")  # the adjudication is kept
    assert replaced["payment"]["amount"]["value"] == Decimal("0.00")
    assert replaced["payment"]["adjustmentReason"]["coding"][0]["code"] == "a001"
    assert "reversed by C0021" in replaced["processNote"][-1]["text"]
    voided = eobs["C0011"]
    assert voided["status"] == "cancelled" and "reversed by C0022" in voided["processNote"][-1]["text"]
    assert _total(voided, "deductible") == Decimal("38.00")
    replacement = eobs["C0021"]
    assert replacement["related"][0]["claim"]["identifier"]["value"] == "C0002"
    assert replacement["related"][0]["relationship"]["coding"][0]["code"] == "prior"


def test_eob_for_a_rejected_claim_is_an_error(basic_eobs):
    _, _, eobs = basic_eobs
    rejected = eobs["C0018"]
    assert rejected["outcome"] == "error" and "item" not in rejected
    assert rejected["processNote"][0]["text"] == "rejected (A-3): units: units must be positive"


def test_export_eob_needs_a_run_and_its_scenario(tmp_path):
    with pytest.raises(ScenarioError, match="no results.csv"):
        export_eob(tmp_path, tmp_path / "eob.json")
    adjudicate_reference(BASIC, tmp_path / "run")
    with pytest.raises(ScenarioError, match="no deployments.json naming the scenario"):
        export_eob(tmp_path / "run", tmp_path / "eob.json")


# ---------------------------------------------------------------------------------------------
# CLI glue


def test_cli_glue_prints_one_line(tmp_path, capsys):
    src = write_json(tmp_path / "b.json", bundle(patient(), organization(), good_claim()))
    assert fhir.run_import_fhir([src], tmp_path / "scn", BASIC) == 0
    assert fhir.run_export_fhir_claims(BASIC, tmp_path / "claims.json") == 0
    adjudicate_reference(BASIC, tmp_path / "run")
    (tmp_path / "run" / "deployments.json").write_text(json.dumps({"scenario": str(BASIC)}))
    assert fhir.run_export_eob(tmp_path / "run", tmp_path / "eob.json") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("imported 1 of 1 claims (2 lines) from 1 file(s)")
    assert lines[1].startswith("wrote 24 Claim resources")
    assert lines[2].startswith("wrote 21 ExplanationOfBenefit resources")
    with pytest.raises(ScenarioError) as exc:
        fhir.run_export_fhir_claims(tmp_path / "nowhere", tmp_path / "x.json")
    assert "\n" not in str(exc.value)


def test_a_claim_paid_second_is_not_exported_as_a_fhir_claim(tmp_path):
    """A-11: a FHIR R4 Claim has no element for a prior payer's allowed and paid amounts, so a
    claim that carries them is skipped with the reason (never exported without them, which would
    change what this plan pays); the claims without them are exported."""
    original = tmp_path / "synth"
    generate(original, SynthConfig(claims=60, seed=3, secondary_rate=0.5))
    secondary = {r["claim_id"] for r in read_rows(original / "claims.csv") if r["other_payer_paid"]}
    assert secondary
    exported = export_fhir_claims(original, tmp_path / "claims.json")
    assert {claim_id for claim_id, _ in exported.skipped} == secondary
    assert all(reason.startswith("other_payer_paid: a prior payer's result (A-11)") for _, reason in exported.skipped)
    resources = read_bundle(tmp_path / "claims.json")
    exported_ids = {i["value"] for r in resources if r["resourceType"] == "Claim" for i in r["identifier"]}
    assert exported_ids.isdisjoint(secondary) and exported.claims == len(exported_ids)
