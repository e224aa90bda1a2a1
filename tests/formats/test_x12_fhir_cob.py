"""Coordination of benefits in real files (A-11.1, A-11.4, R-45): 837 2320/2430 loops give a
line's prior payer amounts, an 837 export writes them back, the 835 carries CAS*OA*23 and
CLP02 2, and the EOB the prior payer's amount. Plain pytest functions: no chain needed."""
from pathlib import Path

from claimledger.fhir import export_eob
from claimledger.fhir.eob import read_bundle
from claimledger.pipeline import adjudicate_reference
from claimledger.roster import load_roster
from claimledger.x12 import export_835, export_837, import_837, read_835, read_837, validate

from tests.conftest import EXAMPLES

X12 = Path(__file__).resolve().parent / "samples" / "x12"
EXAMPLE = EXAMPLES / "cob-incentives"


def _rows(name):
    (claim,), issues = read_837(X12 / name, load_roster(X12 / "roster.csv", []))
    assert claim.accepted, [i.message for i in issues]
    return [(r["procedure_code"], r["other_payer_allowed"], r["other_payer_paid"]) for r in claim.rows]


def test_2430_gives_each_lines_prior_paid_and_allowed():
    """R-45: SVD02 is paid; allowed = paid + the 2430 CAS*PR (Medicare secondary: 80.00 paid,
    PR-2 15.00, CO-42 25.00 of 120.00 billed, so 95.00 allowed)."""
    assert _rows("X222-medicare-secondary-payer-COB.edi") == [("99203", "95.00", "80.00")]
    assert _rows("X222-COB-claim-from-billing-provider-to-payer-b.edi") == [
        ("99213", "40.00", "40.00"), ("90782", "15.00", "15.00"), ("J3301", "21.04", "21.04")]


def test_a_scenario_paid_second_round_trips_through_an_837(tmp_path):
    """R-45: the export's 2320/2430 give the same amounts back; the file validates."""
    report = export_837(EXAMPLE, tmp_path / "cob.837")
    assert validate((tmp_path / "cob.837").read_text()) == (True, [])
    assert "SVD*PRIORPAYER*70*HC:99213**1" in (tmp_path / "cob.837").read_text()
    imported = import_837([tmp_path / "cob.837"], tmp_path / "imported", plans_from=EXAMPLE)
    assert len(imported.accepted) == report.claims == 15
    written = (tmp_path / "imported" / "claims.csv").read_text().splitlines()
    original = (EXAMPLE / "claims.csv").read_text().splitlines()
    assert written == original[:-2]  # X015 and X016 are record errors: no 837 can carry them


def test_the_835_reports_oa23_and_processed_as_secondary(tmp_path):
    """A-11.4: CAS*OA*23 per line paid second; CLP02 2 for its claim; lines still balance."""
    adjudicate_reference(EXAMPLE, tmp_path / "run")
    export_835(tmp_path / "run", tmp_path / "run.835", scenario_dir=EXAMPLE)
    text = (tmp_path / "run.835").read_text()
    assert validate(text) == (True, [])
    assert "CAS*OA*23*70~" in text and "CLP*X002*2*150*30*0*" in text and "CLP*X001*1*" in text
    for remit in read_835(tmp_path / "run.835"):
        for claim in remit.claims:
            for line in claim.lines:
                assert line.charge - line.paid == sum(a for _, _, a in line.adjustments), (claim.claim_id, line)


def test_the_eob_names_the_prior_payers_amount(tmp_path):
    """CARIN BB priorpayerpaid with reason 23, per item and in the totals."""
    adjudicate_reference(EXAMPLE, tmp_path / "run")
    export_eob(tmp_path / "run", tmp_path / "eob.json", scenario_dir=EXAMPLE)
    eob = next(r for r in read_bundle(tmp_path / "eob.json") if r["identifier"][0]["value"] == "X002")
    prior = [a for a in eob["item"][0]["adjudication"] if a["category"]["coding"][0]["code"] == "priorpayerpaid"]
    assert [(str(a["amount"]["value"]), a["reason"]["coding"][0]["code"]) for a in prior] == [("70.00", "23")]
    totals = {t["category"]["coding"][0]["code"]: str(t["amount"]["value"]) for t in eob["total"]}
    assert totals["priorpayerpaid"] == "70.00" and totals["benefit"] == "30.00"
