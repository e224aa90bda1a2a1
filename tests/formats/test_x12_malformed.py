"""X12 837 import (claimledger.x12) of malformed input: the base file imports whole, and each
mutation of it (a missing or bad envelope, loop or element) is reported at its loop/element with
the valid claims of the file still imported. Plain pytest functions: no chain needed."""
from __future__ import annotations

import csv

import pytest

from claimledger.x12 import import_837, validate
from tests.formats.x12_helpers import ALL, _base, _chain, _insert_after, _render, _sub


def test_base_file_is_valid_and_imports_all(tmp_path):
    text = _render(_base())
    assert validate(text) == (True, [])
    path = tmp_path / "base.837"
    path.write_text(text)
    report = import_837([path], tmp_path / "out", plan="GOLD-PPO-2026")
    assert [c.claim_id for c in report.accepted] == ["C1", "C2", "C3"]
    assert not [i for i in report.issues if i.severity in ("error", "validator")]
    rows = list(csv.DictReader(open(tmp_path / "out" / "claims.csv")))
    assert [r["claim_id"] for r in rows] == ["C1", "C1", "C2", "C3"]
    assert rows[2] == {
        "claim_id": "C2", "frequency": "1", "original_claim_id": "", "member_id": "M101",
        "provider_npi": "1234567893", "received_date": "2026-03-01", "service_date": "2026-02-15",
        "procedure_code": "99214", "units": "1", "billed": "131.00", "diagnoses": "G43.909;R51",
    }


# (case id, mutation, recount SE01, expected issue (claim id, path, words in the message), claims imported)
CASES = [
    ("truncated-file", lambda s: s[:s.index("SV1*HC:71046*60*UN*1***1") + 1], True,
     ("C3", "SE", "ends inside this claim"), {"C1", "C2"}),
    ("truncated-mid-segment", lambda s: s[:s.index("SV1*HC:71046*60*UN*1***1")] + ["SV1*HC:710"], True,
     ("C3", "SE", "may be incomplete"), {"C1", "C2"}),
    ("missing-GS", _sub("GS*HC", None), True, ("", "GS", "GS header is missing"), ALL),
    ("missing-ST", _sub("ST*837*0002", None), True, ("", "ST", "ST header is missing"), ALL),
    ("missing-SE", _sub("SE*20*0002", None), True, ("", "SE", "no SE trailer"), ALL),
    ("missing-GE", _sub("GE*2*101", None), True, ("", "GE", "no GE trailer"), ALL),
    ("missing-IEA", _sub("IEA*1", None), True, ("", "IEA", "no IEA trailer"), ALL),
    ("bad-SE01-count", _sub("SE*32*0001", "SE*30*0001"), False, ("", "SE/SE01", "SE01 says 30"), ALL),
    ("bad-SE02-control", _sub("SE*32*0001", "SE*34*0009"), False, ("", "SE/SE02", "does not match ST02"), ALL),
    ("bad-GE01-count", _sub("GE*2*101", "GE*3*101"), True, ("", "GE/GE01", "GE01 says 3"), ALL),
    ("bad-IEA02-control", _sub("IEA*1", "IEA*1*000000999"), True, ("", "IEA/IEA02", "does not match ISA13"), ALL),
    ("wrong-element-separator-in-a-segment", _sub("SV1*HC:99214", "SV1|HC:99214|131|UN|1|||1"), True,
     ("C2", "2400/SV1", "no SV1 segment"), {"C1", "C3"}),
    ("missing-CLM01", _sub("CLM*C2*", "CLM**131***11:B:1*Y*A*Y*I"), True,
     ("", "2300/CLM01", "claim id (CLM01"), {"C1", "C3"}),
    ("bad-CLM01-characters", _sub("CLM*C2*", "CLM*C 2#*131***11:B:1*Y*A*Y*I"), True,
     ("C 2#", "2300/CLM01", "letters, digits"), {"C1", "C3"}),
    ("bad-CLM05-frequency", _sub("CLM*C2*", "CLM*C2*131***11:B:6*Y*A*Y*I"), True,
     ("C2", "2300/CLM05-3", "frequency code '6'"), {"C1", "C3"}),
    ("missing-CLM05-frequency", _sub("CLM*C2*", "CLM*C2*131***11:B*Y*A*Y*I"), True,
     ("C2", "2300/CLM05-3", "missing"), {"C1", "C3"}),
    ("missing-CLM05", _sub("CLM*C2*", "CLM*C2*131****Y*A*Y*I"), True,
     ("C2", "2300/CLM05", "CLM05"), {"C1", "C3"}),
    ("replacement-without-REF-F8", _sub("CLM*C2*", "CLM*C2*131***11:B:7*Y*A*Y*I"), True,
     ("C2", "2300/REF*F8", "needs the original claim"), {"C1", "C3"}),
    ("original-naming-an-original", _insert_after("CLM*C2*131***11:B:1*Y*A*Y*I", "REF*F8*C1"), True,
     ("C2", "2300/REF*F8", "R-9"), {"C1", "C3"}),
    ("missing-billing-NPI", _sub("NM1*85*2*RIVERSIDE", "NM1*85*2*RIVERSIDE FAMILY MEDICINE"), True,
     ("C2", "2010AA/NM109", "NPI is missing"), {"C3"}),
    ("billing-NPI-not-10-digits", _sub("NM1*85*2*RIVERSIDE", "NM1*85*2*RIVERSIDE*****XX*12345678"), True,
     ("C1", "2010AA/NM109", "not 10 digits"), {"C3"}),
    ("missing-subscriber-id", _sub("NM1*IL*1*DOE*JOHN", "NM1*IL*1*DOE*JOHN****MI"), True,
     ("C2", "2010BA/NM109", "member id (NM109) is missing"), {"C1", "C3"}),
    ("dependent-without-member-id", _insert_after("NM1*PR*2*CLAIMLEDGER*****PI*CL", "HL*3*2*23*0", "PAT*19",
                                                  "NM1*QC*1*DOE*JIMMY"), True,
     ("C1", "2010CA/NM109", "dependent"), {"C2", "C3"}),
    ("SV1-without-units", _sub("SV1*HC:99214", "SV1*HC:99214*131*UN****1"), True,
     ("C2", "2400/SV104", "unit count is missing"), {"C1", "C3"}),
    ("SV1-units-not-whole", _sub("SV1*HC:99214", "SV1*HC:99214*131*UN*1.5***1"), True,
     ("C2", "2400/SV104", "not a whole number"), {"C1", "C3"}),
    ("SV1-units-in-minutes", _sub("SV1*HC:99214", "SV1*HC:99214*131*MJ*30***1"), True,
     ("C2", "2400/SV103", "minutes"), {"C1", "C3"}),
    ("SV1-zero-units", _sub("SV1*HC:99214", "SV1*HC:99214*131*UN*0***1"), True,
     ("C2", "2400/SV104", "1..9999"), {"C1", "C3"}),
    ("negative-line-amount", _chain(_sub("SV1*HC:99214", "SV1*HC:99214*-131*UN*1***1"),
                                    _sub("CLM*C2*", "CLM*C2*-131***11:B:1*Y*A*Y*I")), True,
     ("C2", "2400/SV102", "must be positive"), {"C1", "C3"}),
    ("bad-line-amount", _sub("SV1*HC:99214", "SV1*HC:99214*13I*UN*1***1"), True,
     ("C2", "2400/SV102", "not a decimal amount"), {"C1", "C3"}),
    ("line-amount-three-decimals", _sub("SV1*HC:99214", "SV1*HC:99214*131.005*UN*1***1"), True,
     ("C2", "2400/SV102", "more than two decimals"), {"C1", "C3"}),
    ("claim-total-not-sum-of-lines", _sub("CLM*C2*", "CLM*C2*150***11:B:1*Y*A*Y*I"), True,
     ("C2", "2300/CLM02", "not the sum"), {"C1", "C3"}),
    ("claim-total-bad", _sub("CLM*C2*", "CLM*C2*abc***11:B:1*Y*A*Y*I"), True,
     ("C2", "2300/CLM02", "not a decimal amount"), {"C1", "C3"}),
    ("procedure-qualifier-not-HC", _sub("SV1*HC:99214", "SV1*IV:99214*131*UN*1***1"), True,
     ("C2", "2400/SV101-1", "not HC"), {"C1", "C3"}),
    ("bad-procedure-code", _sub("SV1*HC:99214", "SV1*HC:9a*131*UN*1***1"), True,
     ("C2", "2400/SV101-2", "4-8 upper-case"), {"C1", "C3"}),
    ("not-a-calendar-date", _sub("DTP*472*D8*20260215", "DTP*472*D8*20260230"), True,
     ("C2", "2400/DTP*472", "not a calendar date"), {"C1", "C3"}),
    ("bad-date-format-qualifier", _sub("DTP*472*D8*20260215", "DTP*472*D6*260215"), True,
     ("C2", "2400/DTP02", "D8"), {"C1", "C3"}),
    ("missing-date-of-service", _sub("DTP*472*D8*20260215", None), True,
     ("C2", "2400/DTP*472", "no date of service"), {"C1", "C3"}),
    ("date-range-ending-after-received", _sub("DTP*472*D8*20260215", "DTP*472*RD8*20260215-20260302"), True,
     ("C2", "2400/DTP*472", "last day of the service date range"), {"C1", "C3"}),
    ("service-after-received-date", _sub("DTP*472*D8*20260215", "DTP*472*D8*20260315"), True,
     ("C2", "2400/DTP*472", "after the received date"), {"C1", "C3"}),
    ("bad-BHT04-date", _sub("BHT*0019*00*B0001", "BHT*0019*00*B0001*2026031*1200*CH"), True,
     ("C1", "BHT04", "received date"), {"C3"}),
    ("bad-ICD10-in-HI", _sub("HI*ABK:G43909", "HI*ABK:4390*ABF:R51"), True,
     ("C2", "2300/HI01-2", "not an ICD-10-CM code"), {"C1", "C3"}),
    ("ICD9-in-HI-for-a-2026-service", _sub("HI*ABK:G43909", "HI*BK:3469"), True,
     ("C2", "2300/HI", "requires ICD-10-CM"), {"C1", "C3"}),
    ("missing-HI", _sub("HI*ABK:G43909", None), True, ("C2", "2300/HI", "no diagnosis"), {"C1", "C3"}),
    ("claim-without-lines", _chain(_sub("LX*1", None, 1), _sub("SV1*HC:99214", None),
                                   _sub("DTP*472*D8*20260215", None)), True,
     ("C2", "2400", "no service lines"), {"C1", "C3"}),
    ("LX-without-SV1", _sub("SV1*HC:99214", None), True, ("C2", "2400/SV1", "no SV1"), {"C1", "C3"}),
    ("claim-id-repeated-with-other-content", _sub("CLM*C2*", "CLM*C1*131***11:B:1*Y*A*Y*I"), True,
     ("C1", "2300/CLM01", "reused"), {"C1", "C3"}),
    ("unknown-HL-level", _sub("HL*3*1*22*0", "HL*3*1*99*0"), True, ("", "HL/HL03", "not 20, 22 or 23"), ALL),
]


@pytest.mark.parametrize("case, mutate, recount, expected, imported", CASES, ids=[c[0] for c in CASES])
def test_malformed_837_is_reported_where_it_is_and_the_rest_imported(tmp_path, case, mutate, recount,
                                                                     expected, imported):
    path = tmp_path / f"{case}.837"
    path.write_text(_render(mutate(_base()), recount=recount))
    report = import_837([path], tmp_path / "out", plan="GOLD-PPO-2026")
    claim_id, place, words = expected
    hits = [i for i in report.issues
            if i.claim_id == claim_id and i.path == place and words in i.message and i.severity == "error"]
    assert hits, [str(i) for i in report.issues if i.severity == "error"]
    shown = str(hits[0])
    assert place in shown and path.name in shown and (not claim_id or f"claim {claim_id}" in shown)
    assert hits[0].segment > 0 or place in ("GE", "IEA")
    assert {c.claim_id for c in report.accepted} == imported
    written = {r["claim_id"] for r in csv.DictReader(open(tmp_path / "out" / "claims.csv"))}
    assert written == imported
    issues_csv = list(csv.DictReader(open(tmp_path / "out" / "import_issues.csv")))
    assert any(r["path"] == place and r["claim_id"] == claim_id for r in issues_csv)


def test_malformed_cases_are_many():
    assert len(CASES) >= 30
