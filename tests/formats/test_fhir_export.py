"""FHIR R4 out (claimledger.fhir): the scenario -> Claim Bundle -> scenario round trip giving the
same adjudication, ExplanationOfBenefit export (valid, amounts as in results.csv, denials,
pended, reversals, rejects), the CLI glue, and claims paid second left out of the Claim export.

Plain pytest, no chain: runs under ``brownie test`` too.
"""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from claimledger import fhir
from claimledger.fhir import CARC_SYSTEM, export_eob, export_fhir_claims, import_fhir, read_bundle, validation_errors
from claimledger.pipeline import adjudicate_reference
from claimledger.scenario import ScenarioError
from claimledger.synth import SynthConfig, generate
from tests.formats.fhir_helpers import BASIC, bundle, good_claim, organization, patient, read_rows, write_json


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
