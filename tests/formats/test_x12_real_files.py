"""837 and 834 files as they arrive (A-10): dependents found through the roster, ICD-9-CM by
date of service, date ranges, errata versions, the 999/277CA answers, and 834 enrollment.
Plain pytest functions: no chain needed."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from claimledger.reference import adjudicate_scenario
from claimledger.scenario import iter_claims, load_scenario
from claimledger.x12 import FormatError, export_837, import_837, read_837, validate
from claimledger.x12.import834 import import_834
from claimledger.roster import load_roster

SAMPLES = Path(__file__).resolve().parent / "samples"
X12 = SAMPLES / "x12"
ENROLLMENT = [SAMPLES / "x12-834" / "enroll-2016-01.834", SAMPLES / "x12-834" / "enroll-2016-06.834"]
DEPENDENTS = X12 / "dependents-X222A2.837"
PLANS = SAMPLES / "scenario-a10"


def _rows(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def _segments(path: Path) -> list[str]:
    return [s.strip() for s in path.read_text().split("~") if s.strip()]


@pytest.fixture
def enrolled(tmp_path) -> Path:
    """A scenario from the 834 sample: members.csv and roster.csv, with the A-10 sample's plan."""
    out = tmp_path / "enrolled"
    import_834(ENROLLMENT, out)
    for name in ("plans.yaml", "providers.csv"):
        (out / name).write_text((PLANS / name).read_text())
    return out


# ---------------------------------------------------------------------------------------------
# the public 837P samples, with the roster of their patients


def test_public_837_samples_import_but_for_minutes_and_a_malformed_claim_id(tmp_path):
    """14 of 16 claims of the TR3 examples import (ICD-9-CM of 2004-2006, dependents through the
    roster); the two others are rejected for what A-3/R-4 reject, at the element."""
    outcome = {}
    for path in sorted(X12.glob("X222-*.edi")):
        claims, issues = read_837(path, load_roster(X12 / "roster.csv", []))
        for claim in claims:
            errors = [i.path for i in issues if i.claim_id == claim.claim_id and i.severity == "error"]
            outcome[(path.stem, claim.claim_id)] = "imported" if claim.accepted else errors[0]
    assert len(outcome) == 16
    rejected = {k: v for k, v in outcome.items() if v != "imported"}
    assert rejected == {("X222-anesthesia", "153829140"): "2400/SV103",
                        ("X222-oxygen", "R03996273 #01"): "2300/CLM01"}


def test_dependents_found_through_the_roster_keep_their_own_member_ids(tmp_path):
    claims, issues = read_837(X12 / "X222-commercial-health-insurance.edi", load_roster(X12 / "roster.csv", []))
    (claim,) = claims
    assert claim.accepted and {r["member_id"] for r in claim.rows} == {"TED-D"}
    assert claim.subscriber_id == "JS00111223333"


# ---------------------------------------------------------------------------------------------
# 834 -> members.csv + roster.csv -> an 837 of dependents


def test_834_enrollment_gives_members_and_roster(tmp_path):
    report = import_834(ENROLLMENT, tmp_path / "out")
    assert report.records == 5 and len(report.members) == 4
    assert _rows(tmp_path / "out" / "members.csv") == [
        {"member_id": "M500", "subscriber_id": "M500", "plan_id": "LEGACY-PPO", "coverage_start": "2014-01-01", "coverage_end": ""},
        {"member_id": "M501", "subscriber_id": "M500", "plan_id": "LEGACY-PPO", "coverage_start": "2014-01-01", "coverage_end": ""},
        {"member_id": "M502", "subscriber_id": "M500", "plan_id": "LEGACY-PPO", "coverage_start": "2015-06-01",
         "coverage_end": "2016-06-30"},  # terminated by the second file
        {"member_id": "M600", "subscriber_id": "M600", "plan_id": "LEGACY-PPO", "coverage_start": "2015-01-01", "coverage_end": ""},
    ]
    assert [r["first_name"] + " " + r["birth_date"] for r in _rows(tmp_path / "out" / "roster.csv")] == [
        "JOHN 1970-01-01", "JIMMY 2010-05-05", "JANE 1972-03-03", "RICHARD 1980-12-12"]
    issues = [(i.claim_id, i.path, i.severity) for i in report.issues]
    assert issues == [("M501", "2300/HD03", "gap"), ("M600", "2100A/NM109", "gap")]
    assert all(validate(p.read_text()) == (True, []) for p in ENROLLMENT)  # pyx12's 834 map


def test_an_errata_837_of_dependents_imports_and_is_answered(enrolled, tmp_path):
    report = import_837([DEPENDENTS], tmp_path / "out", plans_from=enrolled)
    rows = _rows(tmp_path / "out" / "claims.csv")
    assert [(r["claim_id"], r["member_id"], r["service_date"], r["service_date_end"], r["diagnoses"]) for r in rows] == [
        ("VFP-1001", "M500", "2016-02-15", "", "J02.9"),
        ("VFP-1002", "M501", "2016-02-08", "2016-02-12", "S93.401A;W01.0XXA"),  # RD8: DOS is the first day
        ("VFP-0915", "M502", "2015-09-15", "", "ICD9:715.1;ICD9:E849.0"),  # before 2015-10-01: ICD-9-CM
    ]
    notes = [i.message for i in report.issues if i.severity == "note"]
    assert notes == ["005010X222A2 is read as 005010X222A1 and validated with pyx12's 837.5010.X222.A1 map "
                     "(the A1 implementation guide's; pyx12 has no map of its own for 005010X222A2) (A-10.4)"]
    assert not [i for i in report.issues if i.severity in ("error", "validator")]
    assert "005010X222A2 is read as 005010X222A1" in report.summary()
    # both answers are written beside the report and pass pyx12
    answer_999 = tmp_path / "out" / "dependents-X222A2.837.999"
    answer_277 = tmp_path / "out" / "dependents-X222A2.837.277"
    assert validate(answer_999.read_text()) == (True, []) and validate(answer_277.read_text()) == (True, [])
    assert [s for s in _segments(answer_999) if s.startswith(("AK1", "AK2", "IK5", "AK9"))] == [
        "AK1*HC*701*005010X222A2", "AK2*837*0001*005010X222A2", "IK5*A", "AK9*A*1*1*1"]
    assert [s for s in _segments(answer_277) if s.startswith(("TRN*2", "STC*A2", "STC*A7"))] == [
        "TRN*2*VFP0301", "TRN*2*VFP-1001", "STC*A2:20*20160301*WQ*80", "TRN*2*VFP-1002",
        "STC*A2:20*20160301*WQ*240", "TRN*2*VFP-0915", "STC*A2:20*20160301*WQ*150"]
    # and the reference model adjudicates them (M502's 2015 claim under its 2015-06-01 coverage)
    scenario = load_scenario(tmp_path / "out")
    results, rejects, _ = adjudicate_scenario(scenario, iter_claims(scenario.claims_path))
    assert [(r.claim_id, r.status.value) for r in results] == [
        ("VFP-1001", "APPROVED"), ("VFP-1002", "DENIED"), ("VFP-0915", "APPROVED")] and rejects == []


def test_277ca_names_the_field_and_reason_of_each_rejected_claim(enrolled, tmp_path):
    path = tmp_path / "late.837"
    path.write_text(DEPENDENTS.read_text().replace("RD8*20160208-20160212", "RD8*20160208-20160302")
                    .replace("HI*BK:7151*BF:E8490", "HI*ABK:M1711"))
    report = import_837([path], tmp_path / "out", plans_from=enrolled)
    assert [c.claim_id for c in report.accepted] == ["VFP-1001"]
    stc = [s for s in _segments(tmp_path / "out" / "late.837.277") if s.startswith("STC*A7")]
    assert stc == [
        "STC*A7:187*20160301*U*240********SERVICE_DATE THE LAST DAY OF THE SERVICE DATE RANGE 2016-03-02 IS "
        "AFTER THE RECEIVED DATE 2016-03-01 (A-10.2) (2400/DTP 472)",
        "STC*A7:255*20160301*U*150********DIAGNOSES M17.11 IS ICD-10-CM BUT THE DATE OF SERVICE REQUIRES "
        "ICD-9-CM (2300/HI)"]
    assert validate((tmp_path / "out" / "late.837.277").read_text()) == (True, [])


def test_999_rejects_a_transaction_set_with_syntax_errors_naming_segment_and_element(enrolled, tmp_path):
    path = tmp_path / "bad.837"
    path.write_text(DEPENDENTS.read_text().replace("SV1*HC:99213*80*UN*1***1", "SV1*HC:99213*80*UX*1***1"))
    import_837([path], tmp_path / "out", plans_from=enrolled)
    answer = _segments(tmp_path / "out" / "bad.837.999")
    assert [s for s in answer if s.startswith(("IK3", "IK4", "IK5", "AK9"))] == [
        "IK3*SV1*21**8", "IK4*3*355*7*UX", "IK5*R*5", "AK9*R*1*1*0"]
    assert validate((tmp_path / "out" / "bad.837.999").read_text()) == (True, [])


def test_a_scenario_with_a_roster_round_trips_through_an_837(enrolled, tmp_path):
    """The export sends each patient by name and birth date from the roster (dependents in
    2000C), ICD-9-CM claims with BK/BF, ranges as RD8; the import finds the same claims."""
    import_837([DEPENDENTS], enrolled, plans_from=None, roster=enrolled / "roster.csv")
    export_837(enrolled, tmp_path / "again.837")
    import_837([tmp_path / "again.837"], tmp_path / "back", plans_from=enrolled)
    assert (tmp_path / "back" / "claims.csv").read_text() == (enrolled / "claims.csv").read_text()


# ---------------------------------------------------------------------------------------------
# malformed input on the new paths: each reported in one line naming its place

DEP = DEPENDENTS.read_text()
MALFORMED_837 = [  # (case, old text, new text, claim, path, words)
    ("no-roster-match", "NM1*QC*1*DOE*JIMMY", "NM1*QC*1*DOE*JIMMIE", "VFP-1002", "2010CA/NM1",
     "no roster member with subscriber id M500, birth date 2010-05-05, first name 'JIMMIE'"),
    ("dependent-without-birth-date", "DMG*D8*20100505*M~", "", "VFP-1002", "2010CA/DMG02", "no birth date"),
    ("dependent-birth-date-not-a-date", "DMG*D8*20100505*M", "DMG*D8*20100532*M", "VFP-1002", "2010CA/DMG02",
     "not a calendar date"),
    ("dependent-without-first-name", "NM1*QC*1*DOE*JIMMY", "NM1*QC*1*DOE", "VFP-1002", "2010CA/NM104",
     "no first name"),
    ("subscriber-patient-not-in-roster", "NM1*IL*1*DOE*JOHN*Q***MI*M500~\nN3*100 ELM STREET~\nN4*SPRINGFIELD*IL*62701~\n"
     "DMG*D8*19700101*M~\nNM1*PR*2*CLAIMLEDGER HEALTH PLAN*****PI*CLAIMLEDGER~\nCLM*VFP-1001",
     "NM1*IL*1*DOE*JOHN*Q***MI*M500~\nN3*100 ELM STREET~\nN4*SPRINGFIELD*IL*62701~\nDMG*D8*19700102*M~\n"
     "NM1*PR*2*CLAIMLEDGER HEALTH PLAN*****PI*CLAIMLEDGER~\nCLM*VFP-1001", "VFP-1001", "2010BA/NM1",
     "no roster member with subscriber id M500, birth date 1970-01-02"),
    ("range-ending-before-it-starts", "RD8*20160208-20160212", "RD8*20160212-20160208", "VFP-1002",
     "2400/DTP*472", "ends before it starts"),
    ("range-ending-after-received", "RD8*20160208-20160212", "RD8*20160208-20160305", "VFP-1002",
     "2400/DTP*472", "last day of the service date range 2016-03-05 is after the received date"),
    ("range-end-not-a-date", "RD8*20160208-20160212", "RD8*20160208-20160231", "VFP-1002", "2400/DTP*472",
     "not a calendar date"),
    ("icd9-for-a-2016-service", "HI*ABK:J029", "HI*BK:4619", "VFP-1001", "2300/HI",
     "ICD9:461.9 is ICD-9-CM but the date of service requires ICD-10-CM"),
    ("icd10-for-a-2015-service", "HI*BK:7151*BF:E8490", "HI*ABK:M1711", "VFP-0915", "2300/HI",
     "M17.11 is ICD-10-CM but the date of service requires ICD-9-CM"),
    ("both-code-sets-in-one-claim", "HI*BK:7151*BF:E8490", "HI*BK:7151*ABF:W010XXA", "VFP-0915", "2300/HI",
     "ICD-9-CM and ICD-10-CM codes in one claim"),
    ("malformed-icd9-code", "HI*BK:7151*BF:E8490", "HI*BK:71", "VFP-0915", "2300/HI01-2",
     "'71' is not an ICD-9-CM code"),
]


@pytest.mark.parametrize("case, old, new, claim_id, place, words", MALFORMED_837, ids=[c[0] for c in MALFORMED_837])
def test_malformed_837_of_dependents_ranges_and_code_sets(enrolled, tmp_path, case, old, new, claim_id, place, words):
    assert old in DEP
    path = tmp_path / f"{case}.837"
    path.write_text(DEP.replace(old, new, 1))
    report = import_837([path], tmp_path / "out", plans_from=enrolled)
    hits = [i for i in report.issues if i.severity == "error" and i.claim_id == claim_id and i.path == place]
    assert hits and words in hits[0].message, [str(i) for i in report.issues if i.severity == "error"]
    assert "\n" not in str(hits[0]) and path.name in str(hits[0])
    assert claim_id not in {c.claim_id for c in report.accepted}
    assert len(report.accepted) == 2  # the other claims of the file still import


def test_ambiguous_roster_match_is_a_record_error_naming_both(enrolled, tmp_path):
    roster = enrolled / "roster.csv"
    roster.write_text(roster.read_text() + "M503,M500,Jimmy,Doe,2010-05-05\n")  # twins, one name
    report = import_837([DEPENDENTS], tmp_path / "out", plans_from=enrolled)
    (hit,) = [i for i in report.issues if i.severity == "error"]
    assert (hit.claim_id, hit.path) == ("VFP-1002", "2010CA/NM1")
    assert hit.message == ("2 roster members match subscriber id M500, birth date 2010-05-05, first name 'JIMMY' "
                           "(M501, M503): ambiguous (A-10.3)")


def test_a_dependent_without_roster_asks_for_one(tmp_path):
    report = import_837([DEPENDENTS], tmp_path / "out", plan="LEGACY-PPO")
    errors = [(i.claim_id, i.path) for i in report.issues if i.severity == "error"]
    assert errors == [("VFP-1002", "2010CA/NM109"), ("VFP-0915", "2010CA/NM109")]
    assert "pass the enrollment roster" in report.issues_of("VFP-1002", "error")[0].message


E1 = ENROLLMENT[0].read_text()
MALFORMED_834 = [  # (case, old, new, member, path, words)
    ("no-subscriber-identifier", "INS*N*01*021*28*A~\nREF*0F*M500~", "INS*N*01*021*28*A~", "M502", "2000/REF*0F",
     "no subscriber identifier"),
    ("bad-subscriber-identifier", "INS*N*01*021*28*A~\nREF*0F*M500~", "INS*N*01*021*28*A~\nREF*0F*M 500~", "M502",
     "2000/REF*0F", "must be 1-64"),
    ("ssn-and-no-ref-23", "REF*23*M600~", "", "", "2100A/NM109", "no member id"),
    ("bad-member-id", "ZZ*M501~", "ZZ*M#501~", "", "2100A/NM109", "member id 'M#501' must be"),
    ("no-first-name", "NM1*IL*1*DOE*JANE****ZZ*M502", "NM1*IL*1*DOE*****ZZ*M502", "M502", "2100A/NM104",
     "no first name"),
    ("no-birth-date", "DMG*D8*19720303*F~", "", "M502", "2100A/DMG02", "no birth date"),
    ("birth-date-not-a-date", "DMG*D8*19720303*F", "DMG*D8*19721303*F", "M502", "2100A/DMG02", "not a calendar date"),
    ("no-medical-coverage", "HD*021**HLT*PPO GOLD*FAM~\nDTP*348*D8*20150601", "HD*021**VIS*VISION*FAM~\nDTP*348*D8*20150601",
     "M502", "2300/HD", "no medical coverage"),
    ("no-begin-date", "DTP*348*D8*20150601~", "", "M502", "2300/DTP*348", "no benefit begin date"),
    ("begin-date-not-a-date", "DTP*348*D8*20150601", "DTP*348*D8*20150631", "M502", "2300/DTP*348",
     "not a calendar date"),
    ("ends-before-it-begins", "DTP*348*D8*20150601~", "DTP*348*D8*20150601~\nDTP*349*D8*20150501~", "M502",
     "2300/DTP*349", "ends before it begins"),
    ("termination-without-end-date", "INS*N*01*021*28*A", "INS*N*01*024*07*A", "M502", "2300/DTP*349",
     "termination (INS03 024) without an end date"),
]


@pytest.mark.parametrize("case, old, new, member, place, words", MALFORMED_834, ids=[c[0] for c in MALFORMED_834])
def test_malformed_834_records_are_reported_where_they_are(tmp_path, case, old, new, member, place, words):
    assert old in E1
    path = tmp_path / f"{case}.834"
    path.write_text(E1.replace(old, new, 1))
    report = import_834([path], tmp_path / "out")
    hits = [i for i in report.issues if i.severity == "error" and i.path == place and i.claim_id == member]
    assert hits and words in hits[0].message, [str(i) for i in report.issues]
    assert "\n" not in str(hits[0]) and path.name in str(hits[0]) and hits[0].segment > 0
    assert len(report.members) == 3  # the other members are still enrolled


def test_a_termination_of_a_member_never_enrolled_is_reported(tmp_path):
    report = import_834([ENROLLMENT[1]], tmp_path / "out")
    assert [(i.claim_id, i.path, i.message) for i in report.issues if i.severity == "error"] == [
        ("M502", "2300/DTP*348", "a termination of a member these files did not enroll before: its coverage start "
                                 "is unknown")]
    with pytest.raises(FormatError, match="no 834 member record found in dependents-X222A2.837"):
        import_834([DEPENDENTS], tmp_path / "none")


def test_malformed_cases_on_the_new_paths_are_many():
    assert len(MALFORMED_837) + len(MALFORMED_834) + 2 >= 20
