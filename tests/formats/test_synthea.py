"""Synthea CSV export -> scenario (claimledger.synthea).

No Synthea output is installed here: ``samples/synthea/`` is a tiny export written for these
tests with the column names of Synthea's CSV exporter (see samples/synthea/README.md), with a
three-line crosswalk of each kind. Plain pytest, no chain.
"""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from claimledger.pipeline import adjudicate_reference
from claimledger.scenario import ScenarioError, load_scenario
from claimledger.synth import SynthConfig, generate
from claimledger.synthea import import_synthea, run_import_synthea

SAMPLE = Path(__file__).resolve().parent / "samples" / "synthea"
C = {n: f"a7f1c2d3-000{n}-4e5f-8a9b-0c1d2e3f4a0{n}" for n in range(1, 7)}
P1, P2, P3 = ("1d604da9-9a81-4ba9-80c2-de3375d59b40", "8d4c4326-e9de-4f45-9a4c-f8c36bff89ae",
              "10339b10-3cd1-4ac3-ac13-ec26728cb592")

# Synthea's CSV exporter headers (synthetichealth/synthea, CSVExporter.writeCSVHeaders), the
# columns documented in its wiki "CSV File Data Dictionary"
SYNTHEA_HEADERS = {
    "patients.csv": "Id,BIRTHDATE,DEATHDATE,SSN,DRIVERS,PASSPORT,PREFIX,FIRST,LAST,SUFFIX,MAIDEN,MARITAL,RACE,"
                    "ETHNICITY,GENDER,BIRTHPLACE,ADDRESS,CITY,STATE,COUNTY,ZIP,LAT,LON,HEALTHCARE_EXPENSES,"
                    "HEALTHCARE_COVERAGE",
    "payers.csv": "Id,NAME,ADDRESS,CITY,STATE_HEADQUARTERED,ZIP,PHONE,AMOUNT_COVERED,AMOUNT_UNCOVERED,REVENUE,"
                  "COVERED_ENCOUNTERS,UNCOVERED_ENCOUNTERS,COVERED_MEDICATIONS,UNCOVERED_MEDICATIONS,"
                  "COVERED_PROCEDURES,UNCOVERED_PROCEDURES,COVERED_IMMUNIZATIONS,UNCOVERED_IMMUNIZATIONS,"
                  "UNIQUE_CUSTOMERS,QOLS_AVG,MEMBER_MONTHS",
    "encounters.csv": "Id,START,STOP,PATIENT,ORGANIZATION,PROVIDER,PAYER,ENCOUNTERCLASS,CODE,DESCRIPTION,"
                      "BASE_ENCOUNTER_COST,TOTAL_CLAIM_COST,PAYER_COVERAGE,REASONCODE,REASONDESCRIPTION",
    "claims.csv": "Id,PATIENTID,PROVIDERID,PRIMARYPATIENTINSURANCEID,SECONDARYPATIENTINSURANCEID,DEPARTMENTID,"
                  "PATIENTDEPARTMENTID,DIAGNOSIS1,DIAGNOSIS2,DIAGNOSIS3,DIAGNOSIS4,DIAGNOSIS5,DIAGNOSIS6,DIAGNOSIS7,"
                  "DIAGNOSIS8,REFERRINGPROVIDERID,APPOINTMENTID,CURRENTILLNESSDATE,SERVICEDATE,SUPERVISINGPROVIDERID,"
                  "STATUS1,STATUS2,STATUSP,OUTSTANDING1,OUTSTANDING2,OUTSTANDINGP,LASTBILLEDDATE1,LASTBILLEDDATE2,"
                  "LASTBILLEDDATEP,HEALTHCARECLAIMTYPEID1,HEALTHCARECLAIMTYPEID2",
    "claims_transactions.csv": "ID,CLAIMID,CHARGEID,PATIENTID,TYPE,AMOUNT,METHOD,FROMDATE,TODATE,PLACEOFSERVICE,"
                               "PROCEDURECODE,MODIFIER1,MODIFIER2,DIAGNOSISREF1,DIAGNOSISREF2,DIAGNOSISREF3,"
                               "DIAGNOSISREF4,UNITS,DEPARTMENTID,NOTES,UNITAMOUNT,TRANSFEROUTID,TRANSFERTYPE,PAYMENTS,"
                               "ADJUSTMENTS,TRANSFERS,OUTSTANDING,APPOINTMENTID,LINENOTE,PATIENTINSURANCEID,"
                               "FEESCHEDULEID,PROVIDERID,SUPERVISINGPROVIDERID",
    "organizations.csv": "Id,NAME,ADDRESS,CITY,STATE,ZIP,LAT,LON,PHONE,REVENUE,UTILIZATION",
    "providers.csv": "Id,ORGANIZATION,NAME,GENDER,SPECIALITY,ADDRESS,CITY,STATE,ZIP,LAT,LON,UTILIZATION",
}


def read_rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def plans_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth")
    generate(out, SynthConfig(claims=40, seed=5))
    return out


def test_fixture_has_synthea_columns():
    for name, header in SYNTHEA_HEADERS.items():
        with open(SAMPLE / name, newline="") as fh:
            rows = list(csv.reader(fh))
        assert rows[0] == header.split(","), name
        assert all(len(r) == len(rows[0]) for r in rows), name


SYNTHETIC_NPI = "1233782105"  # claimledger.synthea_codes.synthetic_npi of the urgent care's Synthea id


def test_import_maps_insured_claims_and_reports_each_gap(tmp_path):
    report = import_synthea(SAMPLE, tmp_path / "out")
    out = tmp_path / "out"
    assert {c.claim_id: (c.lines, c.written) for c in report.claims} == {
        C[1]: (2, True),  # two CHARGE rows; its PAYMENT and TRANSFER rows are Synthea's own adjudication
        C[2]: (1, True),
        C[3]: (1, False),  # uninsured
        C[4]: (1, True),  # provider without NPI: a synthetic one; urgent care by the built-in crosswalk
        C[5]: (2, True),  # 710824005 by the built-in crosswalk
        C[6]: (1, True),  # provider from the encounter
    }
    rows = read_rows(out / "claims.csv")
    assert [(r["claim_id"], r["procedure_code"], r["billed"], r["service_date"]) for r in rows] == [
        (C[1], "99213", "136.80", "2026-02-10"), (C[1], "1111F", "29.45", "2026-02-10"),
        (C[2], "99397", "136.80", "2026-03-02"), (C[4], "99213", "162.50", "2026-04-01"),
        (C[5], "99397", "136.80", "2026-05-04"), (C[5], "99483", "431.40", "2026-05-04"),
        (C[6], "99213", "136.80", "2026-06-20")]
    assert rows[0]["diagnoses"] == "J01.90;J02.9"  # "J0190" in the user's crosswalk: the dot is added
    assert rows[2]["diagnoses"] == "I10;J20.9"  # 10509002 (acute bronchitis) by the built-in crosswalk
    assert {r["received_date"] for r in rows[:2]} == {"2026-02-10"}  # LASTBILLEDDATE1
    assert rows[3]["provider_npi"] == SYNTHETIC_NPI
    assert rows[6]["provider_npi"] == "1659478212"  # PROVIDERID empty: the encounter's clinician
    assert all(r["frequency"] == "1" and r["original_claim_id"] == "" for r in rows)
    issues = {(i.record, i.path): (i.severity, i.message) for i in report.issues}
    assert issues[(C[3], "claims.csv:PRIMARYPATIENTINSURANCEID")] == (
        "error", "no primary insurance (self-pay): nothing to adjudicate")
    assert issues[(SYNTHETIC_NPI, "providers.csv:npi")] == (
        "warning", "Synthea provider 69176529-fd1b-3d3d-a4ac-5c8e6f38c6b1 has no NPI (npi_map: claimledger-npi.csv): "
                   f"synthetic NPI {SYNTHETIC_NPI} (deterministic, valid check digit, not a real NPI)")
    assert issues[("", "plans.yaml")][0] == "error"
    assert len(read_rows(out / "import_issues.csv")) == len(report.issues)


def test_preventive_visits_take_the_cpt_code_of_the_patients_age():
    from claimledger.synthea_codes import procedure_for, synthetic_npi

    assert [procedure_for("185349003", age) for age in (0, 3, 8, 15, 30, 50, 70)] == [
        "99391", "99392", "99393", "99394", "99395", "99396", "99397"]
    assert procedure_for("185349003", None) is None and procedure_for("999999999", 40) is None
    npi = synthetic_npi("69176529-fd1b-3d3d-a4ac-5c8e6f38c6b1")
    digits = [int(c) for c in "80840" + npi]
    luhn = sum(d if i % 2 == 0 else (2 * d - 9 if 2 * d > 9 else 2 * d) for i, d in enumerate(reversed(digits)))
    assert npi == SYNTHETIC_NPI and luhn % 10 == 0


def test_members_are_patient_uuids_each_its_own_family(tmp_path):
    import_synthea(SAMPLE, tmp_path / "out")
    members = read_rows(tmp_path / "out" / "members.csv")
    assert members == [
        {"member_id": P3, "subscriber_id": P3, "plan_id": "BLUE-CROSS-BLUE-SHIELD", "coverage_start": "2026-01-01",
         "coverage_end": ""},
        {"member_id": P1, "subscriber_id": P1, "plan_id": "BLUE-CROSS-BLUE-SHIELD", "coverage_start": "2026-01-01",
         "coverage_end": ""},
        {"member_id": P2, "subscriber_id": P2, "plan_id": "MEDICARE", "coverage_start": "2026-01-01",
         "coverage_end": ""},
    ]
    providers = read_rows(tmp_path / "out" / "providers.csv")
    assert providers == [{"npi": SYNTHETIC_NPI, "name": "SPRINGFIELD URGENT CARE", "in_network": ""},
                         {"npi": "1234567893", "name": "WORCESTER FAMILY HEALTH CENTER", "in_network": ""},
                         {"npi": "1659478212", "name": "Dr. Ted955 Rau926", "in_network": ""}]


def test_no_patient_data_reaches_the_scenario(tmp_path):
    import_synthea(SAMPLE, tmp_path / "out")
    written = "".join(p.read_text() for p in (tmp_path / "out").iterdir())
    with open(SAMPLE / "patients.csv", newline="") as fh:
        for patient in csv.DictReader(fh):
            for column in ("BIRTHDATE", "SSN", "DRIVERS", "PASSPORT", "FIRST", "LAST", "ADDRESS", "ZIP",
                           "HEALTHCARE_EXPENSES", "BIRTHPLACE"):
                if patient[column]:
                    assert patient[column] not in written, column


def test_with_plans_from_the_scenario_adjudicates(tmp_path, plans_dir):
    out = tmp_path / "out"
    report = import_synthea(SAMPLE, out, plans_dir, plan_id="GOLD-PPO-2026", in_network=True)
    assert len(report.written) == 5
    assert (out / "plans.yaml").read_bytes() == (plans_dir / "plans.yaml").read_bytes()
    scenario = load_scenario(out)
    assert scenario.input_errors == []
    assert set(scenario.members) == {P1, P2, P3}
    assert {"1234567893", "1659478212"} <= set(scenario.providers)
    adjudicate_reference(out, tmp_path / "run")
    results = read_rows(tmp_path / "run" / "results.csv")
    assert [(r["claim_id"], r["line"], r["status"]) for r in results][:4] == [
        (C[1], "1", "APPROVED"), (C[1], "2", "DENIED"), (C[2], "1", "DENIED"), (C[4], "1", "APPROVED")]
    assert len(results) == 7
    assert results[1]["adjustments"] == "CO-96:29.45"  # 1111F is in no plan's fee schedule
    assert read_rows(tmp_path / "run" / "rejects.csv") == []


def test_plans_from_without_a_matching_plan_is_reported(tmp_path, plans_dir):
    report = import_synthea(SAMPLE, tmp_path / "out", plans_dir)
    members = read_rows(tmp_path / "out" / "members.csv")
    assert {m["plan_id"] for m in members} == {""}
    assert sum(1 for i in report.errors() if i.path == "members.csv:plan_id") == 3
    assert sum(1 for i in report.errors() if i.path == "providers.csv:in_network") == 3
    with pytest.raises(ScenarioError, match="plan 'NOPE' is not in"):
        import_synthea(SAMPLE, tmp_path / "out2", plans_dir, plan_id="NOPE")


def test_without_user_maps_the_built_in_crosswalk_imports_the_insured_claims(tmp_path):
    """A Synthea export as Synthea writes it, no options (issue 15): every insured claim imports;
    a code neither map knows is still a reported gap, and user maps still override."""
    bare = tmp_path / "export"
    bare.mkdir()
    for name in SYNTHEA_HEADERS:
        shutil.copy(SAMPLE / name, bare / name)
    report = import_synthea(bare, tmp_path / "out")
    assert sorted(c.claim_id for c in report.written) == [C[1], C[2], C[4], C[5], C[6]]  # C3 is uninsured
    assert read_rows(tmp_path / "out" / "claims.csv")[0]["diagnoses"] == "J06.9;J02.9"  # built-in 444814009
    text = (bare / "claims_transactions.csv").read_text().replace(",710824005,", ",123456789012,")
    (bare / "claims_transactions.csv").write_text(text)
    report = import_synthea(bare, tmp_path / "out2", procedure_map={"185345009": "99214"},
                            diagnosis_map={"444814009": "J01.90"})
    assert C[5] not in {c.claim_id for c in report.written}
    assert any(i.path.endswith("CHARGEID=1:PROCEDURECODE") and i.record == C[5] and "SNOMED 123456789012" in i.message
               for i in report.errors())
    rows = read_rows(tmp_path / "out2" / "claims.csv")
    assert (rows[0]["procedure_code"], rows[0]["diagnoses"]) == ("99214", "J01.90;J02.9")  # user maps first


def test_explicit_crosswalk_file_and_in_network(tmp_path):
    maps = tmp_path / "procedures.csv"
    maps.write_text("snomed,code\n185345009,99213\n185349003,99397\n430193006,1111F\n702927004,S9083\n"
                    "710824005,G0438\n")
    npis = tmp_path / "npi.csv"
    npis.write_text("synthea_id,npi\nef58ea08-d883-3957-8300-150554edc8fb,1234567893\n"
                    "0000016d-3a85-4cca-0000-000000005a3c,1659478212\n"
                    "69176529-fd1b-3d3d-a4ac-5c8e6f38c6b1,1982734650\n")
    report = import_synthea(SAMPLE, tmp_path / "out", procedure_map=maps, npi_map=npis, in_network=False)
    assert sorted(c.claim_id for c in report.written) == [C[1], C[2], C[4], C[5], C[6]]
    assert {p["in_network"] for p in read_rows(tmp_path / "out" / "providers.csv")} == {"false"}
    rows = read_rows(tmp_path / "out" / "claims.csv")
    assert [r["received_date"] for r in rows] == sorted(r["received_date"] for r in rows)  # submission order


def test_unusable_export_raises_one_line(tmp_path, capsys):
    with pytest.raises(ScenarioError, match="not a directory"):
        import_synthea(tmp_path / "none", tmp_path / "out")
    partial = tmp_path / "partial"
    partial.mkdir()
    shutil.copy(SAMPLE / "patients.csv", partial / "patients.csv")
    with pytest.raises(ScenarioError, match=r"payers.csv: file not found"):
        import_synthea(partial, tmp_path / "out")
    for name in SYNTHEA_HEADERS:
        shutil.copy(SAMPLE / name, partial / name)
    (partial / "claims.csv").write_text("Id,PATIENTID\nx,y\n")
    with pytest.raises(ScenarioError) as exc:
        import_synthea(partial, tmp_path / "out")
    assert str(exc.value).startswith("claims.csv: missing column(s) PROVIDERID")
    assert "\n" not in str(exc.value)
    assert run_import_synthea(SAMPLE, tmp_path / "cli") == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("imported 5 of 6 claims (7 lines) from 7 file(s); 1 rejected")
    assert "\n" not in line


def _table(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _write_table(path: Path, table: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(table)


def test_a_row_with_more_fields_than_the_header_is_skipped_with_an_issue_naming_file_and_line(tmp_path):
    """R-46: a claim row too wide rejects that claim; a transaction row too wide is skipped and
    rejects its claim (its lines cannot be known); each is one error issue naming the file and
    line, and every other claim maps as from the export without those rows' claims."""
    damaged, clean = tmp_path / "damaged", tmp_path / "clean"
    shutil.copytree(SAMPLE, damaged)
    shutil.copytree(SAMPLE, clean)
    claims, charges = _table(SAMPLE / "claims.csv"), _table(SAMPLE / "claims_transactions.csv")
    c2 = next(n for n, r in enumerate(claims) if r[0] == C[2])
    c5 = [n for n, r in enumerate(charges) if r[1] == C[5]][1]  # its second CHARGE row
    _write_table(clean / "claims.csv", [r for r in claims if r[0] not in (C[2], C[5])])
    claims[c2][7:8] = claims[c2][7].split("0", 1)  # DIAGNOSIS1 split as an unquoted comma would
    charges[c5] = charges[c5] + ["x", ""]
    _write_table(damaged / "claims.csv", claims)
    _write_table(damaged / "claims_transactions.csv", charges)

    import_synthea(clean, tmp_path / "clean-out")
    report = import_synthea(damaged, tmp_path / "damaged-out")
    assert read_rows(tmp_path / "damaged-out" / "claims.csv") == read_rows(tmp_path / "clean-out" / "claims.csv")
    assert {c.claim_id: c.written for c in report.claims} == {C[1]: True, C[2]: False, C[3]: False, C[4]: True,
                                                              C[5]: False, C[6]: True}
    wide = [(i.source, i.record, i.path, i.severity, i.message) for i in report.issues
            if "fields, the header" in i.message]
    assert wide == [
        (f"claims_transactions.csv:{c5 + 1}", C[5], "claims_transactions.csv", "error",
         "row has 35 fields, the header 33 (a cell with a comma must be quoted): row skipped"),
        (f"claims.csv:{c2 + 1}", C[2], "claims.csv", "error",
         "row has 32 fields, the header 31 (a cell with a comma must be quoted)"),
    ]
    assert [(i.path, i.message) for i in report.issues_for(C[5]) if i.severity == "error"][1:] == [
        ("claims_transactions.csv:CLAIMID", f"a transaction of the claim (claims_transactions.csv:{c5 + 1}) has more "
                                            "fields than the header: its lines cannot be known")]
