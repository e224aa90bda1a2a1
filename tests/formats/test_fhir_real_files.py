"""FHIR Claims as real feeds send them (A-10): patients found through Coverage and the roster,
providers as an Organization in the Bundle or a contained Practitioner, ICD-10-CM codes under
the WHO ICD-10 system, ICD-9-CM before 2015-10-01, servicedPeriod ranges."""
from __future__ import annotations

import copy
import csv
import json
from pathlib import Path

import pytest

from claimledger.fhir import export_eob, export_fhir_claims, import_fhir
from claimledger.fhir.common import validation_errors
from claimledger.pipeline import adjudicate_reference
from claimledger.x12.import834 import import_834

SAMPLES = Path(__file__).resolve().parent / "samples"
BUNDLE = SAMPLES / "fhir-a10" / "family-bundle.json"
A10 = SAMPLES / "scenario-a10"


@pytest.fixture
def enrolled(tmp_path) -> Path:
    out = tmp_path / "enrolled"
    import_834([SAMPLES / "x12-834" / "enroll-2016-01.834"], out)
    for name in ("plans.yaml", "providers.csv"):
        (out / name).write_text((A10 / name).read_text())
    (out / "claims.csv").write_text("")
    return out


def _rows(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_a_family_bundle_imports_through_coverage_and_roster(enrolled, tmp_path):
    report = import_fhir([BUNDLE], tmp_path / "out", plans_from=enrolled)
    assert [(c.claim_id, c.written) for c in report.claims] == [("VFP-2001", True), ("VFP-0916", True)]
    assert [(r["claim_id"], r["member_id"], r["service_date"], r["service_date_end"], r["diagnoses"])
            for r in _rows(tmp_path / "out" / "claims.csv")] == [
        ("VFP-2001", "M501", "2016-02-08", "2016-02-12", "S93.401A"),  # servicedPeriod: its first day
        ("VFP-0916", "M502", "2015-09-16", "", "ICD9:715.16"),  # icd-9-cm before 2015-10-01
    ]
    assert [(i.path, i.severity) for i in report.issues] == [
        ("Claim.diagnosis[0].diagnosisCodeableConcept.coding[0].code", "warning")]
    assert "coded in ICD-10 (http://hl7.org/fhir/sid/icd-10): taken as the ICD-10-CM code" in report.issues[0].message


def _mutated(tmp_path: Path, change) -> Path:
    bundle = json.loads(BUNDLE.read_text())
    change({e["resource"]["id"]: e["resource"] for e in bundle["entry"]})
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle))
    return path


def _set(resource_id: str, key: str, value):
    def change(resources):
        target = resources[resource_id]
        if value is None:
            target.pop(key)
        else:
            target[key] = value
    return change


def _item(resource_id: str, key: str, value):
    def change(resources):
        item = resources[resource_id]["item"][0]
        item.pop("servicedDate", None)
        item.pop("servicedPeriod", None)
        item[key] = value
    return change


MALFORMED = [  # (case, change, claim, path, words)
    ("period-ends-after-created", _item("vfp-2001", "servicedPeriod", {"start": "2016-02-08", "end": "2016-03-02"}),
     "VFP-2001", "Claim.item[0].servicedPeriod.end", "after the received date"),
    ("period-ends-before-it-starts", _item("vfp-2001", "servicedPeriod", {"start": "2016-02-08", "end": "2016-02-01"}),
     "VFP-2001", "Claim.item[0].servicedPeriod.end", "ends before it starts"),
    ("icd9-for-a-2016-service", _item("vfp-0916", "servicedDate", "2015-12-16"),
     "VFP-0916", "Claim.diagnosis", "ICD9:715.16 is ICD-9-CM but the date of service requires ICD-10-CM"),
    ("malformed-icd9-code", lambda r: r["vfp-0916"]["diagnosis"][0]["diagnosisCodeableConcept"]["coding"][0]
     .update(code="71"), "VFP-0916", "Claim.diagnosis[0].diagnosisCodeableConcept.coding[0].code",
     "'71' is not an ICD-9-CM code"),
    ("coverage-without-subscriber-id", _set("jimmy-ppo", "subscriberId", None), "VFP-2001",
     "Claim.insurance[0].coverage -> Coverage.subscriberId", "no subscriberId"),
    ("patient-without-birth-date", _set("jimmy", "birthDate", None), "VFP-2001",
     "Claim.patient -> Patient.birthDate", "no date"),
    ("roster-does-not-know-the-patient", _set("jimmy", "birthDate", "2010-05-06"), "VFP-2001", "Claim.patient",
     "no roster member with subscriber id M500, birth date 2010-05-06, first name 'Jimmy'"),
    ("no-coverage-in-the-input", _set("vfp-2001", "insurance", [{"sequence": 1, "focal": True,
                                                                   "coverage": {"reference": "Coverage/gone"}}]),
     "VFP-2001", "Claim.insurance[0].coverage", "no Coverage in the input"),
]


@pytest.mark.parametrize("case, change, claim_id, place, words", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_fhir_claims_on_the_new_paths(enrolled, tmp_path, case, change, claim_id, place, words):
    report = import_fhir([_mutated(tmp_path, change)], tmp_path / "out", plans_from=enrolled)
    hits = [i for i in report.errors() if i.record == claim_id and i.path == place]
    assert hits and words in hits[0].message, [str(i) for i in report.errors()]
    assert "\n" not in str(hits[0])
    assert len(report.written) == 1  # the other claim of the Bundle still imports


def test_a_scenario_with_icd9_and_ranges_round_trips_through_fhir(tmp_path):
    exported = export_fhir_claims(A10, tmp_path / "claims.json")
    bundle = json.loads((tmp_path / "claims.json").read_text())
    assert all(validation_errors(e["resource"]) == [] for e in bundle["entry"])
    assert exported.claims == 10  # every claim, those the loader rejects too (rejected again on import)
    import_fhir([tmp_path / "claims.json"], tmp_path / "back", plans_from=A10)
    adjudicate_reference(tmp_path / "back", tmp_path / "run")
    assert (tmp_path / "run" / "results.csv").read_bytes() == (A10 / "expected_results.csv").read_bytes()
    # EOBs of ICD-9 claims carry the icd-9-cm system and pass fhir.resources
    export_eob(tmp_path / "run", tmp_path / "eob.json", scenario_dir=tmp_path / "back")
    eobs = [e["resource"] for e in json.loads((tmp_path / "eob.json").read_text())["entry"]]
    assert all(validation_errors(copy.deepcopy(r)) == [] for r in eobs)
    l005 = next(r for r in eobs if r["identifier"][0]["value"] == "L005")
    assert l005["diagnosis"][0]["diagnosisCodeableConcept"]["coding"][0] == {
        "system": "http://hl7.org/fhir/sid/icd-9-cm", "code": "034.0"}
    assert l005["item"][0]["servicedPeriod"] == {"start": "2015-09-28", "end": "2015-10-02"}
