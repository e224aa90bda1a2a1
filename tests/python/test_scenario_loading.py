"""Loading and validating scenario files (A-2, A-3, R-1, R-2, R-4, R-10)."""
import shutil

import pytest

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
