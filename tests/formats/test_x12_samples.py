"""X12 837/835 reading (claimledger.x12) on the library's sample files (badX12's test data, see
samples/x12/README.md): valid per pyx12, each claim's line count equal to its SV1 segments, the
ICD-9-CM claims imported completely, the 835s read back balanced. Plain pytest functions: no
chain needed."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from claimledger.x12 import import_837, read_835, read_837, validate
from tests.formats.x12_helpers import SAMPLES, _cents

SAMPLES_837 = sorted(SAMPLES.glob("X222-*.edi"))
SAMPLES_835 = sorted(SAMPLES.glob("X221-*.edi"))


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
