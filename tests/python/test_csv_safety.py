"""Spreadsheet formula injection (R-46): text cells that claimledger writes to CSV and that
begin with =, +, -, @, a tab or a carriage return get a leading quote; amounts stay exactly as
A-9 writes them (negative ones included); ids cannot begin with '-', so keys stay keys; names
the 834 import neutralises in roster.csv still find their member."""
import csv
import json

import pytest

from claimledger.claims_csv import parse_claim
from claimledger.csv_safety import read_text_cell, text_cell
from claimledger.fhir import import_fhir
from claimledger.fields import InputError
from claimledger.money import parse_day
from claimledger.records import Adjustment, LineResult, LineStatus, Reject, RewardRow, RewardStatus
from claimledger.results import ResultWriter, write_input_errors
from claimledger.roster import load_roster
from claimledger.synthea import import_synthea
from claimledger.x12 import import_837
from claimledger.x12.import834 import import_834

from tests.conftest import EXAMPLES

SAMPLES = EXAMPLES.parent / "tests" / "formats" / "samples"
FORMULAS = ["=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=cmd|'/C calc'!A0"]


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


@pytest.mark.parametrize("value", FORMULAS)
def test_a_text_cell_beginning_with_a_formula_character_gets_a_quote(value):
    """Each OWASP formula start is neutralised, and taking the quote off gives the value back."""
    assert text_cell(value) == "'" + value
    assert read_text_cell(text_cell(value)) == value


@pytest.mark.parametrize("value", ["", "C0001", "CO-45:10.00", "J06.9", "2026-01-12", "'quoted", "a=b", "O'Neil"])
def test_other_text_is_written_as_it_is(value):
    assert text_cell(value) == value
    assert read_text_cell(value) == value


def test_rejects_and_input_errors_are_neutralised_results_amounts_are_not(tmp_path):
    """rejects.csv and input_errors.csv carry text read from input files: every cell is made
    safe. A reversal's negative amounts in results.csv and incentives.csv stay -160.00."""
    reversal = LineResult("C0007", 1, LineStatus.REVERSED, allowed=-16000, paid=-12800, patient=-3200,
                          adjustments=(Adjustment("CO", "45", -1000),))
    with ResultWriter(tmp_path) as out:
        out.reject(Reject("=cmd|'/C calc'!A0", "claim_id", "-1+1 is not an id"))
        out.rows([reversal])
        out.rewards([RewardRow("M100", "C0007", 1, "99213", -2500, RewardStatus.REVERSED)])
    write_input_errors(tmp_path, [InputError("members.csv", 3, "@SUM(A1)", "member_id", "+bad")])
    assert read_rows(tmp_path / "rejects.csv")[1] == ["'=cmd|'/C calc'!A0", "claim_id", "'-1+1 is not an id"]
    assert read_rows(tmp_path / "results.csv")[1] == [
        "C0007", "1", "REVERSED", "-160.00", "0.00", "0.00", "0.00", "-128.00", "-32.00", "CO-45:-10.00"]
    assert read_rows(tmp_path / "incentives.csv")[1] == ["M100", "C0007", "1", "99213", "-25.00", "REVERSED"]
    assert read_rows(tmp_path / "input_errors.csv")[1] == ["members.csv", "3", "'@SUM(A1)", "member_id", "'+bad"]


def _claim_row(**changes):
    row = {"claim_id": "C1", "frequency": "1", "original_claim_id": "", "member_id": "M100",
           "provider_npi": "1234567893", "received_date": "2026-01-12", "service_date": "2026-01-10",
           "procedure_code": "99213", "units": "1", "billed": "120.00", "diagnoses": "J06.9"}
    return {**row, **changes}


@pytest.mark.parametrize("field", ["claim_id", "member_id"])
def test_an_id_beginning_with_a_dash_is_a_record_error(field):
    """R-46: '-' is the one formula character R-4's alphabet has; an id may not begin with it,
    so an id written to any CSV is never a formula and never needs a quote."""
    outcome = parse_claim([_claim_row(**{field: "-2+3"})])
    assert isinstance(outcome, Reject) and outcome.field == field and "not beginning with '-'" in outcome.reason
    assert not isinstance(parse_claim([_claim_row(**{field: "A-2-3"})]), Reject)


def test_the_834_import_neutralises_names_and_the_roster_still_finds_the_member(tmp_path):
    """A dependent named '=JIMMY' '-DOE': roster.csv holds the names with a quote, and the
    roster read back finds member M501 by the name as the 837 carries it."""
    text = (SAMPLES / "x12-834" / "enroll-2016-01.834").read_text().replace("*DOE*JIMMY*", "*-DOE*=JIMMY*")
    (tmp_path / "in.834").write_text(text)
    import_834([tmp_path / "in.834"], tmp_path / "out")
    rows = {r[0]: r for r in read_rows(tmp_path / "out" / "roster.csv")}
    assert rows["M501"][2:4] == ["'=JIMMY", "'-DOE"]
    roster = load_roster(tmp_path / "out" / "roster.csv", [])
    assert roster.find("M500", parse_day("2010-05-05"), "=JIMMY").member_id == "M501"


def test_the_837_import_neutralises_provider_names_and_issue_messages(tmp_path):
    """NM103 of the billing provider as a formula: providers.csv shows it as text."""
    text = (SAMPLES / "x12" / "dependents-X222A2.837").read_text().replace(
        "NM1*85*2*VALLEY FAMILY PRACTICE", "NM1*85*2*@SUM(A1)")
    (tmp_path / "in.837").write_text(text)
    import_837([tmp_path / "in.837"], tmp_path / "out", answer=False)
    assert read_rows(tmp_path / "out" / "providers.csv")[1][1] == "'@SUM(A1)"
    for row in read_rows(tmp_path / "out" / "import_issues.csv")[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row), row


def test_the_synthea_import_neutralises_provider_names(tmp_path):
    source = SAMPLES / "synthea"
    export = tmp_path / "export"
    export.mkdir()
    for path in source.glob("*.csv"):
        rows = read_rows(path)
        if path.name in ("providers.csv", "organizations.csv"):
            name = rows[0].index("NAME")
            for row in rows[1:]:
                row[name] = "+SUM(1)"
        with open(export / path.name, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh, lineterminator="\n").writerows(rows)
    import_synthea(export, tmp_path / "out")
    names = [r[1] for r in read_rows(tmp_path / "out" / "providers.csv")[1:]]
    assert names and all(n == "'+SUM(1)" for n in names)


def test_the_fhir_import_neutralises_provider_names(tmp_path):
    bundle = json.loads((SAMPLES / "fhir-a10" / "family-bundle.json").read_text())
    for entry in bundle["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == "Organization":
            resource["name"] = "-2+3"
        if resource["resourceType"] == "Practitioner":
            resource["name"] = [{"text": "-2+3"}]
    (tmp_path / "bundle.json").write_text(json.dumps(bundle))
    import_fhir([tmp_path / "bundle.json"], tmp_path / "out")
    names = [r[1] for r in read_rows(tmp_path / "out" / "providers.csv")[1:]]
    assert names and all(n == "'-2+3" for n in names)
