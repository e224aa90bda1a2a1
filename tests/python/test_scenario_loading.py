"""Loading and validating scenario files (A-2, A-3, R-1, R-2, R-4, R-10, R-46)."""
import csv
import shutil

import pytest

from claimledger.pipeline import adjudicate_reference
from claimledger.records import Claim, Reject
from claimledger.scenario import ScenarioError, iter_claims, load_scenario, parse_claim

from tests.conftest import EXAMPLES

HEADER = ("claim_id,frequency,original_claim_id,member_id,provider_npi,received_date,service_date,"
          "procedure_code,units,billed,diagnoses")
GOOD = "C1,1,,M100,1234567893,2026-01-12,2026-01-10,99213,1,120.00,J06.9"


def rows(*lines):
    keys = HEADER.split(",")
    return [dict(zip(keys, l.split(","))) for l in lines]


def test_example_loads_without_errors():
    scenario = load_scenario(EXAMPLES / "basic")
    assert set(scenario.plans) == {"GOLD-PPO-2026", "BRONZE-HMO-2026"}
    assert scenario.plans["GOLD-PPO-2026"].fee_schedule["70553"].prior_auth
    assert scenario.plans["GOLD-PPO-2026"].pend_above == 500000
    assert scenario.plans["BRONZE-HMO-2026"].pend_above is None
    assert scenario.input_errors == []


def test_claims_group_consecutive_rows_r1():
    items = list(iter_claims(EXAMPLES / "basic" / "claims.csv"))
    first = items[0]
    assert isinstance(first, Claim) and first.claim_id == "C0001" and len(first.lines) == 2
    assert [i.claim_id for i in items].count("C0001") == 2  # the later re-submission is its own record


@pytest.mark.parametrize("column,value,field,reason", [
    ("units", "0", "units", "units must be positive"),
    ("units", "1.5", "units", "units must be a whole number"),
    ("billed", "-5.00", "billed", "billed must be positive"),
    ("billed", "12.345", "billed", "not an amount with at most two decimals: '12.345'"),
    ("service_date", "2026-01-13", "service_date", "service_date after received_date"),
    ("service_date", "2026-02-30", "service_date", "not a calendar date: '2026-02-30'"),
    ("frequency", "5", "frequency", "frequency must be 1, 7 or 8"),
    ("provider_npi", "12345", "provider_npi", "provider_npi must be 10 digits"),
    ("member_id", "", "member_id", "member_id is required"),
    ("diagnoses", "", "diagnoses", "at least one diagnosis is required"),
    ("diagnoses", "J06.9;hello", "diagnoses", "not an ICD-10 code: hello"),
    ("procedure_code", "99 13", "procedure_code", "procedure code must be 4-8 letters or digits"),
    ("original_claim_id", "C0", "original_claim_id", "original_claim_id must be empty for frequency 1"),
])
def test_malformed_field_rejects_the_claim_naming_the_field(column, value, field, reason):
    row = rows(GOOD)[0]
    row[column] = value
    assert parse_claim([row]) == Reject("C1", field, reason)


def test_claim_level_fields_must_agree_between_lines_r1():
    a, b = rows(GOOD, GOOD.replace("M100", "M101"))
    assert parse_claim([a, b]) == Reject("C1", "member_id", "member_id differs between lines of one claim")


def test_a_bad_line_rejects_the_whole_claim_r2():
    a, b = rows(GOOD, GOOD.replace(",1,120.00", ",0,120.00"))
    assert parse_claim([a, b]) == Reject("C1", "units", "units must be positive")


def test_correction_needs_its_original_r9():
    row = rows(GOOD.replace("C1,1,,", "C1,7,,"))[0]
    assert parse_claim([row]) == Reject("C1", "original_claim_id", "original_claim_id is required")


def test_bad_reference_rows_are_skipped_and_reported_r10(tmp_path):
    scenario = tmp_path / "s"
    shutil.copytree(EXAMPLES / "basic", scenario)
    with open(scenario / "members.csv", "a") as fh:
        fh.write("M900,S900,NO-SUCH-PLAN,2026-01-01,\nM901,S901,GOLD-PPO-2026,2026-05-01,2026-04-01\n")
    with open(scenario / "providers.csv", "a") as fh:
        fh.write("123,Bad NPI,true\n")
    loaded = load_scenario(scenario)
    errors = {(e.file, e.record_id, e.field): e.reason for e in loaded.input_errors}
    assert errors == {
        ("members.csv", "M900", "plan_id"): "unknown plan NO-SUCH-PLAN",
        ("members.csv", "M901", "coverage_end"): "coverage_end before coverage_start",
        ("providers.csv", "123", "npi"): "npi must be 10 digits",
    }
    assert "M900" not in loaded.members and "M100" in loaded.members


def test_missing_file_or_column_is_one_clear_error(tmp_path):
    scenario = tmp_path / "s"
    shutil.copytree(EXAMPLES / "basic", scenario)
    (scenario / "providers.csv").write_text("npi,name\n1234567893,X\n")
    with pytest.raises(ScenarioError, match=r"providers.csv: missing column\(s\) in_network"):
        load_scenario(scenario)
    (scenario / "providers.csv").unlink()
    with pytest.raises(ScenarioError, match="providers.csv: file not found"):
        load_scenario(scenario)


def test_plan_with_bad_amount_is_reported(tmp_path):
    scenario = tmp_path / "s"
    shutil.copytree(EXAMPLES / "basic", scenario)
    text = (scenario / "plans.yaml").read_text().replace("coinsurance_pct: 30", "coinsurance_pct: 130")
    (scenario / "plans.yaml").write_text(text)
    loaded = load_scenario(scenario)
    assert [(e.record_id, e.field) for e in loaded.input_errors][0] == ("BRONZE-HMO-2026", "coinsurance_pct")


def _csv(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _write(path, table: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(table)


def test_a_row_with_more_fields_than_the_header_is_a_record_error_of_its_row_r46(tmp_path):
    """R-46: a row too wide rejects its record, reported once with its row; every other record
    gives what the file without that row gives (the claim's other rows, results, rejects and
    input errors), the first data row included (pandas took a first row one field too wide for
    an index column and shifted every row)."""
    damaged, clean = tmp_path / "damaged", tmp_path / "clean"
    for d in (damaged, clean):
        shutil.copytree(EXAMPLES / "basic", d)
    claims, members = _csv(damaged / "claims.csv"), _csv(damaged / "members.csv")
    assert [r[0] for r in claims[1:3]] == ["C0001", "C0001"] and claims[8][0] == "C0007"
    assert members[2][0] == "M101"
    _write(clean / "claims.csv", claims[:1] + claims[3:8] + claims[9:])
    _write(clean / "members.csv", members[:2] + members[3:])
    claims[1] = claims[1] + [""]  # the first data row, one field more: C0001's first line
    claims[8][9:10] = ["160", "00"]  # a decimal comma, not quoted: C0007's billed
    members[2] = members[2] + ["x"]
    _write(damaged / "claims.csv", claims)
    _write(damaged / "members.csv", members)

    adjudicate_reference(clean, tmp_path / "clean-out")
    adjudicate_reference(damaged, tmp_path / "damaged-out")
    out, expected = tmp_path / "damaged-out", tmp_path / "clean-out"
    assert (out / "results.csv").read_bytes() == (expected / "results.csv").read_bytes()
    wide = "fields, the header 11 (a cell with a comma must be quoted)"
    rejects = _csv(out / "rejects.csv")
    assert [r for r in rejects if r[1] == "row"] == [["C0001", "row", f"row has 12 {wide}"],
                                                      ["C0007", "row", f"row has 12 {wide}"]]
    assert [r for r in rejects if r[1] != "row"] == _csv(expected / "rejects.csv")
    errors = _csv(out / "input_errors.csv")
    assert [r for r in errors if r[3] == "row"] == [
        ["members.csv", "2", "M101", "row", "row has 6 fields, the header 5 (a cell with a comma must be quoted)"]]
    assert [r[:1] + r[2:] for r in errors if r[3] != "row"] == [r[:1] + r[2:] for r in _csv(expected / "input_errors.csv")]
    # the claim's other line is not read as a claim of its own
    assert [i.claim_id for i in iter_claims(damaged / "claims.csv")].count("C0001") == 2


LATIN1 = (HEADER + "\n" + GOOD + "\n" + GOOD.replace("C1,", "C3,")[:-5]).encode()  # before a latin-1 byte


@pytest.mark.parametrize("content,message", [
    (HEADER + "\n" + GOOD + '\nC2,1,,M100,1234567893,2026-01-12,2026-01-10,99213,1,"120.00,J06.9\n' + GOOD + "\n",
     "claims.csv: not readable as CSV: the quote opened in the record on line 3 is never closed"),
    (LATIN1 + "É".encode("latin-1"), f"claims.csv: not UTF-8 text (UnicodeDecodeError at byte {len(LATIN1)})"),
    ("", "claims.csv: empty file (no header row)"),
    ("\ufeff\n  \n", "claims.csv: empty file (no header row)"),
])
def test_a_file_that_is_not_csv_is_refused_whole_in_one_line_r46(tmp_path, content, message):
    path = tmp_path / "claims.csv"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    with pytest.raises(ScenarioError) as exc:
        list(iter_claims(path))
    assert str(exc.value).startswith(message) and "\n" not in str(exc.value)
