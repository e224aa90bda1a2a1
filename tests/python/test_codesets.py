"""A-10.1, A-10.2 (R-18, R-19): code sets by date of service, ICD-9-CM on chain, date ranges."""
import pytest

from claimledger.codesets import (
    CodeSet, code_set_for, diagnosis_bytes, dotted_icd9, matches_prefix, prefix_error, undotted,
)
from claimledger.money import parse_day
from claimledger.records import Reject
from claimledger.scenario import parse_claim

HEADER = ("claim_id,frequency,original_claim_id,member_id,provider_npi,received_date,service_date,"
          "procedure_code,units,billed,diagnoses,service_date_end").split(",")


def claim_rows(*lines):
    return [dict(zip(HEADER, line.split(","))) for line in lines]


@pytest.mark.parametrize("code,on_chain", [
    ("J06.9", b"J06.9\0\0\0"),
    ("ICD9:034.0", b"#034.0\0\0"),
    ("ICD9:034", b"#034\0\0\0\0"),
    ("ICD9:E849.0", b"#E849.0\0"),
    ("ICD9:V72.31", b"#V72.31\0"),
    ("S52.5211", b"S52.5211"),
])
def test_a_diagnosis_goes_on_chain_as_bytes8_and_icd9_behind_a_hash(code, on_chain):
    assert diagnosis_bytes(code) == on_chain


def test_a_code_too_long_for_bytes8_is_refused():
    with pytest.raises(ValueError, match="longer than 8 bytes on chain"):
        diagnosis_bytes("ICD9:E849.012")


@pytest.mark.parametrize("code,prefix,matches", [
    ("ICD9:715.16", "ICD9:715", True),
    ("M17.11", "M17", True),
    ("ICD9:E849.0", "E8", False),  # an ICD-9 external-cause code is no ICD-10 chapter E code
    ("E87.1", "ICD9:E8", False),  # and back
    ("E87.1", "E8", True),
    ("ICD9:E849.0", "ICD9:E8", True),
    ("ICD9:715.16", "715", False),
])
def test_dx_prefixes_match_codes_of_their_own_code_set_only(code, prefix, matches):
    assert matches_prefix(code, prefix) is matches


def test_the_code_set_switches_on_2015_10_01():
    assert code_set_for(parse_day("2015-09-30")) == CodeSet.ICD9
    assert code_set_for(parse_day("2015-10-01")) == CodeSet.ICD10


def test_x12_icd9_codes_get_their_dot_back_and_lose_it_again():
    assert [dotted_icd9(c) for c in ("0340", "E8490", "V7231", "4011", "250")] == [
        "034.0", "E849.0", "V72.31", "401.1", "250"]
    assert undotted("ICD9:E849.0") == "E8490" and undotted("J06.9") == "J069"


@pytest.mark.parametrize("prefix,ok", [("M17", True), ("ICD9:715", True), ("ICD9:E8", True),
                                       ("ICD9:X1", False), ("m17", False), ("ICD9:", False)])
def test_dx_prefixes_are_icd10_or_icd9_behind_the_prefix(prefix, ok):
    assert (prefix_error(prefix) is None) is ok


@pytest.mark.parametrize("line,field,reason", [
    ("C1,1,,M1,1234567893,2016-03-03,2016-03-01,99213,1,10.00,ICD9:034.0,", "diagnoses",
     "ICD9:034.0 is ICD-9-CM but the date of service requires ICD-10-CM"),
    ("C1,1,,M1,1234567893,2015-09-03,2015-09-01,99213,1,10.00,J02.9,", "diagnoses",
     "J02.9 is ICD-10-CM but the date of service requires ICD-9-CM"),
    ("C1,1,,M1,1234567893,2015-09-03,2015-09-01,99213,1,10.00,ICD9:034.0;J02.9,", "diagnoses",
     "ICD-9-CM and ICD-10-CM codes in one claim"),
    ("C1,1,,M1,1234567893,2015-09-03,2015-09-01,99213,1,10.00,ICD9:34.0,", "diagnoses",
     "not an ICD-9-CM code: ICD9:34.0"),
    ("C1,1,,M1,1234567893,2015-09-03,2015-09-01,99213,1,10.00,ICD9:E849.01,", "diagnoses",
     "not an ICD-9-CM code: ICD9:E849.01"),
    ("C1,1,,M1,1234567893,2016-03-03,2016-03-01,99213,1,10.00,J02.9,2016-03-04", "service_date",
     "the last day of the service date range is after received_date"),
    ("C1,1,,M1,1234567893,2016-03-03,2016-03-01,99213,1,10.00,J02.9,2016-02-28", "service_date",
     "service_date_end before service_date"),
    ("C1,1,,M1,1234567893,2016-03-03,2016-03-01,99213,1,10.00,J02.9,2016-02-30", "service_date",
     "not a calendar date: '2016-02-30'"),
])
def test_code_set_and_range_faults_are_record_errors_naming_the_field(line, field, reason):
    assert parse_claim(claim_rows(line)) == Reject("C1", field, reason)


def test_a_range_gives_its_first_day_as_dos_and_keeps_its_last_out_of_the_content():
    ranged = parse_claim(claim_rows("C1,1,,M1,1234567893,2015-10-05,2015-09-28,99213,1,10.00,ICD9:034.0,2015-10-02"))
    single = parse_claim(claim_rows("C1,1,,M1,1234567893,2015-10-05,2015-09-28,99213,1,10.00,ICD9:034.0,"))
    assert ranged.lines[0].service_date == parse_day("2015-09-28")
    assert ranged.lines[0].service_date_end == parse_day("2015-10-02")
    # the engine adjudicates by DOS; the last day is not on chain, so not in the content
    assert ranged.content() == single.content()
