"""X12 837 import (claimledger.x12) of whole files: any delimiters the ISA declares, several
interchanges in a file (a broken second one keeping the first), files without an ISA or not X12
at all, non-837 transactions, identical resubmissions, gaps reported not guessed, and 837I SV2
lines. Plain pytest functions: no chain needed."""
from __future__ import annotations

import csv
import re

import pytest

from claimledger.x12 import FormatError, import_837
from tests.formats.x12_helpers import ALL, SAMPLES, _base, _chain, _insert_after, _render, _sub


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
