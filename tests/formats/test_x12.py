"""X12 837 import, 837/835 export (claimledger.x12): the library's sample files, malformed input
(each reported at its loop/element, the valid claims of the file still imported), and round
trips through the reference adjudication. Plain pytest functions: no chain needed."""
from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from claimledger.pipeline import adjudicate_reference
from claimledger.synth import SynthConfig, generate
from claimledger.x12 import (
    FormatError, export_835, export_837, import_837, read_835, read_837, run_export, run_import_x12,
    validate,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "basic"
SAMPLES = Path(__file__).resolve().parent / "samples" / "x12"
SAMPLES_837 = sorted(SAMPLES.glob("X222-*.edi"))
SAMPLES_835 = sorted(SAMPLES.glob("X221-*.edi"))


# ---------------------------------------------------------------------------------------------
# helpers


def _results(run: Path) -> list[dict]:
    with open(run / "results.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def _cents(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    whole, _, frac = text.lstrip("-").partition(".")
    return sign * (int(whole) * 100 + int(frac.ljust(2, "0")))


def _adjustments(text: str) -> list[tuple[str, str, int]]:
    out = []
    for item in filter(None, text.split(";")):
        head, _, amount = item.partition(":")
        group, _, code = head.partition("-")
        out.append((group, code, _cents(amount)))
    return out


def _segments(path_or_text) -> list[str]:
    text = path_or_text.read_text() if isinstance(path_or_text, Path) else path_or_text
    return [s.strip() for s in text.split("~") if s.strip()]


def _lines_per_claim(segments: list[str]) -> list[tuple[str, int]]:
    """(CLM01, number of SV1/SV2 segments after it up to the next CLM) for each CLM."""
    out: list[list] = []
    for seg in segments:
        sid = seg.split("*", 1)[0]
        if sid == "CLM":
            out.append([seg.split("*")[1], 0])
        elif sid in ("SV1", "SV2") and out:
            out[-1][1] += 1
    return [tuple(x) for x in out]


# ---------------------------------------------------------------------------------------------
# the library's sample files (badX12's test data, see samples/x12/README.md), validated by pyx12


def test_sample_files_are_there_and_valid_x12():
    assert len(SAMPLES_837) == 16 and len(SAMPLES_835) == 7
    for path in SAMPLES_837 + SAMPLES_835:
        ok, findings = validate(path.read_text())
        assert ok or all("PWK02" in f.element for f in findings), (path.name, findings)


@pytest.mark.parametrize("path", SAMPLES_837, ids=lambda p: p.stem)
def test_sample_837_line_counts_equal_their_sv1_segments(path):
    claims, issues = read_837(path)
    expected = _lines_per_claim(_segments(path))
    assert [(c.claim_id, c.lines) for c in claims] == expected
    assert len(claims) == sum(1 for s in _segments(path) if s.startswith("CLM*"))
    for claim in claims:  # which import, and why the others do not: test_x12_real_files.py
        assert claim.provider_npi and len(claim.provider_npi) == 10


@pytest.mark.parametrize("name, member, dos, dx", [
    ("X222-chiropractic.edi", "123456789A", "2005-02-15", "ICD9:721.5"),
    ("X222-drug-administered-in-the-physician-office.edi", "MBRID12345", "2004-07-11", "ICD9:035.91"),
    ("X222-encounter.edi", "00221111", "2006-10-03", "ICD9:034.0;ICD9:V73.89"),
])
def test_sample_837_with_icd9_diagnoses_imports_completely(tmp_path, name, member, dos, dx):
    """A-10.1: services of 2004-2006 carry ICD-9-CM codes (BK/BF), as HIPAA required then."""
    path = SAMPLES / name
    report = import_837([path], tmp_path / "out", plan="GOLD-PPO-2026")
    segments = _segments(path)
    bht = next(s for s in segments if s.startswith("BHT*")).split("*")[4]
    (claim,) = report.claims
    assert claim.accepted, report.issues_of(claim.claim_id, "error")
    assert len(claim.rows) == claim.lines == _lines_per_claim(segments)[0][1]
    rows = list(csv.DictReader(open(tmp_path / "out" / "claims.csv")))
    assert len(rows) == claim.lines
    assert {r["member_id"] for r in rows} == {member}
    assert rows[0]["service_date"] == dos
    assert rows[0]["received_date"] == f"{bht[:4]}-{bht[4:6]}-{bht[6:]}"
    assert rows[0]["diagnoses"] == dx
    assert sum(_cents(r["billed"]) for r in rows) == _cents(
        next(s for s in segments if s.startswith("CLM*")).split("*")[2])


@pytest.mark.parametrize("path", SAMPLES_835, ids=lambda p: p.stem)
def test_sample_835_read_back_balances(path):
    remits = read_835(path)
    clps = [s for s in _segments(path) if s.startswith("CLP*")]
    assert sum(len(r.claims) for r in remits) == len(clps)
    for remit in remits:
        assert remit.balances(), (remit.payment, [c.paid for c in remit.claims], remit.plb)


# ---------------------------------------------------------------------------------------------
# malformed input: one base file of two transactions, three claims; each case breaks one thing

BASE = """ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*CLAIMLEDGER    *260301*1200*^*00501*000000101*0*P*:
GS*HC*SUBMITTER*CLAIMLEDGER*20260301*1200*101*X*005010X222A1
ST*837*0001*005010X222A1
BHT*0019*00*B0001*20260301*1200*CH
NM1*41*2*SUBMITTER*****46*S1
PER*IC*EDI*TE*8005550100
NM1*40*2*CLAIMLEDGER*****46*CL
HL*1**20*1
NM1*85*2*RIVERSIDE FAMILY MEDICINE*****XX*1234567893
N3*1 MAIN ST
N4*TOWN*NY*10001
REF*EI*123456789
HL*2*1*22*0
SBR*P*18*GOLD-PPO-2026******CI
NM1*IL*1*DOE*JANE****MI*M100
NM1*PR*2*CLAIMLEDGER*****PI*CL
CLM*C1*160***11:B:1*Y*A*Y*I
HI*ABK:J069
LX*1
SV1*HC:99213*120*UN*1***1
DTP*472*D8*20260210
LX*2
SV1*HC:80053*40*UN*1***1
DTP*472*D8*20260210
HL*3*1*22*0
SBR*P*18*GOLD-PPO-2026******CI
NM1*IL*1*DOE*JOHN****MI*M101
NM1*PR*2*CLAIMLEDGER*****PI*CL
CLM*C2*131***11:B:1*Y*A*Y*I
HI*ABK:G43909*ABF:R51
LX*1
SV1*HC:99214*131*UN*1***1
DTP*472*D8*20260215
SE*32*0001
ST*837*0002*005010X222A1
BHT*0019*00*B0002*20260302*1200*CH
NM1*41*2*SUBMITTER*****46*S1
PER*IC*EDI*TE*8005550100
NM1*40*2*CLAIMLEDGER*****46*CL
HL*1**20*1
NM1*85*2*LAKEVIEW IMAGING*****XX*1659478212
N3*2 MAIN ST
N4*TOWN*NY*10001
REF*EI*987654321
HL*2*1*22*0
SBR*P*18*GOLD-PPO-2026******CI
NM1*IL*1*DOE*JANE****MI*M100
NM1*PR*2*CLAIMLEDGER*****PI*CL
CLM*C3*60***11:B:1*Y*A*Y*I
HI*ABK:R059
LX*1
SV1*HC:71046*60*UN*1***1
DTP*472*D8*20260220
SE*20*0002
GE*2*101
IEA*1*000000101"""


def _base() -> list[str]:
    return BASE.split("\n")


def _render(segs: list[str], recount: bool = True, terminator: str = "~\n") -> str:
    if recount:
        out, start = [], None
        for seg in segs:
            if seg.startswith("ST*"):
                start = len(out)
            if seg.startswith("SE*") and start is not None:
                seg = f"SE*{len(out) - start + 1}*{seg.split('*')[2]}"
            out.append(seg)
        segs = out
    return terminator.join(segs) + terminator


def _sub(old: str, new: str | None, nth: int = 0):
    """A mutation replacing the nth segment equal to (or starting with) ``old``; None deletes."""
    def mutate(segs: list[str]) -> list[str]:
        hits = [i for i, s in enumerate(segs) if s == old or s.startswith(old)]
        assert len(hits) > nth, (old, nth)
        i = hits[nth]
        return segs[:i] + ([] if new is None else [new]) + segs[i + 1:]
    return mutate


def _chain(*mutations):
    def mutate(segs):
        for m in mutations:
            segs = m(segs)
        return segs
    return mutate


def _insert_after(anchor: str, *new: str):
    def mutate(segs):
        i = segs.index(anchor)
        return segs[:i + 1] + list(new) + segs[i + 1:]
    return mutate


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
ALL = {"C1", "C2", "C3"}
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


@pytest.mark.parametrize("terminator, element, component", [
    ("~\r\n", "*", ":"), ("\n", "|", ">"), ("'", "+", "<"), ("~", "*", ":"),
])
def test_any_delimiters_declared_by_isa(tmp_path, terminator, element, component):
    segs = []
    for seg in _base():
        if seg.startswith("ISA*"):
            seg = seg[:-1].replace("*", element) + component  # ISA16 is the last character
        else:
            seg = seg.replace(":", component).replace("*", element)
        segs.append(seg)
    path = tmp_path / "odd.837"
    path.write_text(_render(segs, recount=False, terminator=terminator))
    report = import_837([path], tmp_path / "out", plan="GOLD-PPO-2026")
    assert [c.claim_id for c in report.accepted] == ["C1", "C2", "C3"]
    assert not [i for i in report.issues if i.severity == "error"]


def test_repetition_separator_and_several_interchanges_in_one_file(tmp_path):
    first = _render(_base())
    second = _render([s.replace("C1", "C4").replace("C2", "C5").replace("C3", "C6")
                      .replace("000000101", "000000102").replace("^*00501", "!*00501") for s in _base()])
    path = tmp_path / "two.837"
    path.write_text(first + second)
    report = import_837([path], tmp_path / "out", plan="GOLD-PPO-2026")
    assert [c.claim_id for c in report.accepted] == ["C1", "C2", "C3", "C4", "C5", "C6"]


def test_broken_second_interchange_keeps_the_first(tmp_path):
    bad = _base()
    bad[0] = bad[0].replace("^*00501", ":*00501")  # repetition separator equal to the component one
    path = tmp_path / "two.837"
    path.write_text(_render(_base()) + _render(bad))
    report = import_837([path], tmp_path / "out", plan="GOLD-PPO-2026")
    assert [c.claim_id for c in report.accepted] == ["C1", "C2", "C3"]
    assert any(i.path == "ISA" and "not distinct" in i.message for i in report.issues)


def test_file_without_isa_is_reported_and_other_files_still_import(tmp_path):
    good = tmp_path / "good.837"
    good.write_text(_render(_base()))
    bad = tmp_path / "bad.837"
    bad.write_text(_render(_base()[1:]))
    report = import_837([bad, good], tmp_path / "out", plan="GOLD-PPO-2026")
    assert [c.claim_id for c in report.accepted] == ["C1", "C2", "C3"]
    assert any(i.file == "bad.837" and i.path == "ISA" and "does not start with an ISA" in i.message
               for i in report.issues)
    with pytest.raises(FormatError, match="no 837 claim found in bad.837.*ISA"):
        import_837([bad], tmp_path / "out2")


def test_truncated_isa_and_not_x12_raise_one_line(tmp_path):
    for name, text in (("cut.837", _render(_base())[:60]), ("text.837", "hello, this is not X12\n")):
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(FormatError) as info:
            import_837([path], tmp_path / "out")
        assert "\n" not in str(info.value) and name in str(info.value)


def test_non_837_transaction_is_skipped_with_a_message(tmp_path):
    path = tmp_path / "mixed.837"
    path.write_text(_render(_base()) + (SAMPLES / "X221-era-sample.edi").read_text())
    report = import_837([path], tmp_path / "out", plan="GOLD-PPO-2026")
    assert [c.claim_id for c in report.accepted] == ["C1", "C2", "C3"]
    assert any(i.path == "ST/ST01" and "835" in i.message for i in report.issues)


def test_identical_consecutive_resubmission_is_a_reported_no_op(tmp_path):
    segs = _base()
    i = segs.index("SE*32*0001")
    c2 = segs[segs.index("CLM*C2*131***11:B:1*Y*A*Y*I"):i]
    path = tmp_path / "twice.837"
    path.write_text(_render(segs[:i] + c2 + segs[i:]))
    report = import_837([path], tmp_path / "out", plan="GOLD-PPO-2026")
    assert [c.claim_id for c in report.accepted] == ["C1", "C2", "C3"]
    assert any(i.claim_id == "C2" and i.severity == "gap" and "idempotent" in i.message for i in report.issues)


def test_gaps_are_reported_not_guessed(tmp_path):
    segs = _chain(_sub("SV1*HC:99214", "SV1*HC:99214:25*131*UN*1***1"),
                  _insert_after("CLM*C2*131***11:B:1*Y*A*Y*I", "REF*G1*AUTH77"),
                  _sub("SBR*P*18*GOLD-PPO-2026", "SBR*P*18*******CI", 1))(_base())
    path = tmp_path / "gaps.837"
    path.write_text(_render(segs))
    report = import_837([path], tmp_path / "out")  # no --plans-from, no --plan
    assert {c.claim_id for c in report.accepted} == ALL
    gaps = {(i.claim_id, i.path) for i in report.issues if i.severity == "gap"}
    assert ("C2", "2400/SV101-3") in gaps  # modifier 25 dropped
    assert ("C2", "2300/REF*G1") in gaps  # prior auth number: authorizations come from --plans-from
    assert ("C2", "2000B/SBR03") in gaps  # no group number and no --plan: plan_id left empty
    assert ("", "plans.yaml") in gaps
    members = list(csv.DictReader(open(tmp_path / "out" / "members.csv")))
    assert {m["member_id"]: m["plan_id"] for m in members} == {"M100": "GOLD-PPO-2026", "M101": ""}
    assert all(m["coverage_start"] == "" for m in members)
    providers = list(csv.DictReader(open(tmp_path / "out" / "providers.csv")))
    assert {p["npi"]: p["in_network"] for p in providers} == {"1234567893": "", "1659478212": ""}
    assert sum(1 for i in report.issues if i.severity == "gap" and "in_network" in i.message) == 2
    assert not (tmp_path / "out" / "plans.yaml").exists()


@pytest.mark.parametrize("version", ["005010X223A2", "005010X223A3"])
def test_837i_maps_sv2_lines(tmp_path, version):
    segs = []
    for seg in _base():
        seg = seg.replace("005010X222A1", version).replace(":B:", ":A:").replace("*11:A:", "*13:A:")
        m = re.match(r"SV1\*HC:(\w+)\*([\d.]+)\*UN\*(\d+)\*\*\*1", seg)
        if m:
            seg = f"SV2*0450*HC:{m[1]}*{m[2]}*UN*{m[3]}"
        segs.append(seg)
    path = tmp_path / "inst.837"
    path.write_text(_render(segs))
    report = import_837([path], tmp_path / "out", plan="GOLD-PPO-2026")
    assert [(c.claim_id, c.kind, len(c.rows)) for c in report.accepted] == [
        ("C1", "837I", 2), ("C2", "837I", 1), ("C3", "837I", 1)]
    assert any(i.path == "2400/SV201" and "revenue code 0450" in i.message for i in report.issues)
    # A-10.4: the X223A3 errata is validated with pyx12's 837I A1-guide map, and the report says so
    assert not any("Map not found" in i.message for i in report.issues)
    notes = [i.message for i in report.issues if i.severity == "note"]
    assert notes == ([] if version.endswith("A2") else [
        "005010X223A3 is read as 005010X223A2 and validated with pyx12's 837Q3.I.5010.X223.A1 map (the A1 "
        "implementation guide's; pyx12 has no map of its own for 005010X223A3) (A-10.4)"])


# ---------------------------------------------------------------------------------------------
# round trips


def _assert_remittance_matches_results(remits, run: Path):
    results = _results(run)
    paid = defaultdict(int)
    adjusted = defaultdict(Counter)
    for row in results:
        paid[row["claim_id"]] += _cents(row["paid"])
        for group, code, amount in _adjustments(row["adjustments"]):
            adjusted[row["claim_id"]][(group, code)] += amount
    got_paid = defaultdict(int)
    got_adjusted = defaultdict(Counter)
    for remit in remits:
        assert remit.balances()
        for claim in remit.claims:
            got_paid[claim.claim_id] += claim.paid
            assert claim.paid == sum(line.paid for line in claim.lines)
            assert claim.charge - claim.paid == sum(a for _, _, a in claim.all_adjustments())
            for group, code, amount in claim.all_adjustments():
                got_adjusted[claim.claim_id][(group, code)] += amount
    for claim_id in paid:
        assert got_paid[claim_id] == paid[claim_id], claim_id
        assert +got_adjusted[claim_id] == +adjusted[claim_id], claim_id  # + drops zero entries
    assert set(got_paid) <= set(paid)
    reversed_claims = {r["claim_id"] for r in results if r["status"] == "REVERSED" and r["adjustments"]}
    assert reversed_claims == {c.claim_id for remit in remits for c in remit.claims if c.status == "22"}


def test_round_trip_synthetic_scenario(tmp_path):
    scenario = tmp_path / "synth"
    generate(scenario, SynthConfig(claims=40, seed=5, secondary_rate=0.5))  # claims paid second too
    with open(scenario / "claims.csv", newline="") as fh:
        assert any(r["other_payer_paid"] for r in csv.DictReader(fh))
    adjudicate_reference(scenario, tmp_path / "run-original")

    report_837 = export_837(scenario, tmp_path / "claims.837")
    assert report_837.claims == 40 and not report_837.skipped
    imported = import_837([tmp_path / "claims.837"], tmp_path / "imported", plans_from=scenario)
    assert len(imported.accepted) == 40
    assert not [i for i in imported.issues if i.severity in ("error", "validator")]
    assert (tmp_path / "imported" / "claims.csv").read_text() == (scenario / "claims.csv").read_text()

    adjudicate_reference(tmp_path / "imported", tmp_path / "run-imported")
    for name in ("results.csv", "rejects.csv"):
        assert (tmp_path / "run-imported" / name).read_text() == (tmp_path / "run-original" / name).read_text()

    report_835 = export_835(tmp_path / "run-imported", tmp_path / "run.835", scenario_dir=tmp_path / "imported")
    assert validate((tmp_path / "run.835").read_text()) == (True, [])
    remits = read_835(tmp_path / "run.835")
    assert len(remits) == report_835.transactions
    _assert_remittance_matches_results(remits, tmp_path / "run-imported")


def test_round_trip_specification_example(tmp_path):
    report_837 = export_837(EXAMPLE, tmp_path / "basic.837")
    assert report_837.skipped == [("C0018", "units: units must be positive (A-3; not expressible as a valid 837)")]
    imported = import_837([tmp_path / "basic.837"], tmp_path / "imported", plans_from=EXAMPLE)
    assert not [i for i in imported.issues if i.severity in ("error", "validator")]
    adjudicate_reference(tmp_path / "imported", tmp_path / "run")
    assert (tmp_path / "run" / "results.csv").read_bytes() == (EXAMPLE / "expected_results.csv").read_bytes()
    rejects = list(csv.DictReader(open(tmp_path / "run" / "rejects.csv")))
    expected = list(csv.DictReader(open(EXAMPLE / "expected_rejects.csv")))
    assert rejects == [r for r in expected if r["claim_id"] != "C0018"]  # C0018 was left out at export

    export_835(tmp_path / "run", tmp_path / "basic.835", scenario_dir=tmp_path / "imported")
    remits = read_835(tmp_path / "basic.835")
    _assert_remittance_matches_results(remits, tmp_path / "run")
    by_payee = {r.payee_id: r for r in remits}
    assert set(by_payee) == {"1234567893", "1659478212", "1982734650", "1098765432"}
    assert by_payee["1659478212"].payment == 13720  # C0019's 137.20; C0002 reversed and replaced nets 0
    imaging = [(c.claim_id, c.status) for c in by_payee["1659478212"].claims]
    assert ("C0002", "22") in imaging and imaging.index(("C0002", "22")) == imaging.index(("C0021", "1")) - 1
    assert "C0016" not in {c.claim_id for r in remits for c in r.claims}  # pended: no 835 status


def _run_dir(tmp_path: Path, rows: list[str], review: list[str] | None = None) -> Path:
    run = tmp_path / "run"
    run.mkdir()
    header = "claim_id,line,status,allowed,deductible,copay,coinsurance,paid,patient,adjustments\n"
    (run / "results.csv").write_text(header + "\n".join(rows) + "\n")
    if review is not None:
        (run / "review_results.csv").write_text(header + "\n".join(review) + "\n")
    (run / "deployments.json").write_text('{"scenario": "%s"}' % EXAMPLE)
    return run


def test_835_negative_net_is_carried_forward_with_plb(tmp_path):
    run = _run_dir(tmp_path, [
        "C0019,1,REVERSED,-420.00,-248.50,0.00,-34.30,-137.20,-282.80,CO-45:-460.00;PR-1:-248.50;PR-2:-34.30",
    ])
    report = export_835(run, tmp_path / "out.835")
    assert report.totals["1659478212"] == {"paid_cents": -13720, "bpr02_cents": 0, "plb_cents": -13720}
    text = (tmp_path / "out.835").read_text()
    assert "BPR*H*0*C*NON" in text and "PLB*1659478212*20261231*FB:" in text
    (remit,) = read_835(tmp_path / "out.835")
    assert remit.payment == 0 and remit.plb == [("FB", remit.trace, -13720)] and remit.balances()
    assert [(c.claim_id, c.status, c.paid) for c in remit.claims] == [("C0019", "22", -13720)]


def test_835_takes_the_reviewers_decision_for_a_pended_line(tmp_path):
    run = _run_dir(tmp_path, ["C0016,1,PENDED,0.00,0.00,0.00,0.00,0.00,0.00,"],
                   review=["C0016,1,APPROVED,1850.00,0.00,0.00,0.00,1850.00,0.00,CO-45:30150.00"])
    export_835(run, tmp_path / "out.835")
    (remit,) = read_835(tmp_path / "out.835")
    (claim,) = remit.claims
    assert (claim.claim_id, claim.status, claim.charge, claim.paid) == ("C0016", "1", 3200000, 185000)
    assert claim.lines[0].line == 1 and claim.lines[0].allowed == 185000


def test_835_leaves_out_pended_lines_and_their_reversal(tmp_path):
    run = _run_dir(tmp_path, [
        "C0016,1,PENDED,0.00,0.00,0.00,0.00,0.00,0.00,",
        "C0017,1,DENIED,0.00,0.00,0.00,0.00,0.00,0.00,CO-31:120.00",
        "C0016,1,REVERSED,0.00,0.00,0.00,0.00,0.00,0.00,",  # a pended line's reversal is all zero
    ])
    report = export_835(run, tmp_path / "out.835")
    assert "1 pended line(s) left out" in report.summary()
    (remit,) = read_835(tmp_path / "out.835")
    assert [(c.claim_id, c.status, c.charge, c.paid) for c in remit.claims] == [("C0017", "4", 12000, 0)]
    assert remit.claims[0].all_adjustments() == [("CO", "31", 12000)]
    assert remit.payment == 0 and "BPR*H*0" in (tmp_path / "out.835").read_text()


def test_835_needs_a_scenario_and_results(tmp_path):
    with pytest.raises(FormatError, match="no results.csv"):
        export_835(tmp_path, tmp_path / "x.835")
    (tmp_path / "results.csv").write_text("claim_id,line,status,allowed,deductible,copay,coinsurance,paid,patient,adjustments\n")
    with pytest.raises(FormatError, match="naming the run's scenario"):
        export_835(tmp_path, tmp_path / "x.835")


def test_cli_glue(tmp_path, capsys):
    assert run_export("x12-837", EXAMPLE, tmp_path / "basic.837") == 0
    line = capsys.readouterr().out.strip()
    assert "\n" not in line and "X12-837" in line and "C0018" in line
    assert run_import_x12([tmp_path / "basic.837"], tmp_path / "imported", EXAMPLE, None) == 0
    line = capsys.readouterr().out.strip()
    assert "\n" not in line and line.startswith("imported 23 of 23 claims")
    adjudicate_reference(tmp_path / "imported", tmp_path / "run")
    (tmp_path / "run" / "deployments.json").write_text('{"scenario": "%s"}' % (tmp_path / "imported"))
    assert run_export("x12-835", tmp_path / "run", tmp_path / "run.835") == 0
    assert "X12-835 with 4 payee(s)" in capsys.readouterr().out
    assert run_export("x12-837", tmp_path / "run", tmp_path / "again.837") == 0  # a run dir names its scenario
    with pytest.raises(FormatError, match="unknown export kind"):
        run_export("x12-999", tmp_path / "run", tmp_path / "x")
