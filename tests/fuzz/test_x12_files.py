"""The X12 readers (837P/837I claims, 834 enrollment) on mutated real files: every input is
read into claims/members and issues (per claim, per member), or refused with one one-line
FormatError; never a traceback. A bad claim or member in the middle of a file leaves the ones
before and after it exactly as they were.

CI: `.venv/bin/python -m pytest -p no:pytest-brownie tests/fuzz/test_x12_files.py`;
full: `HYPOTHESIS_PROFILE=full` in front of it.
"""
from __future__ import annotations

from hypothesis import given, strategies as st

from claimledger.x12 import read_837
from claimledger.x12.import834 import import_834

from .conftest import FUZZ, NEIGHBOURS, one_line, read_or_refuse
from .mutations import NASTY_TEXT, TEN_MB, mutated_bytes
from .seeds import SAMPLES, X12_834, X12_837, X12_OTHER, scratch

FAMILY_837, FAMILY_834 = "X12 837", "X12 834"
# hostile element values that keep the segment structure (no segment terminator)
BAD_ELEMENTS = [v for v in NASTY_TEXT if "~" not in v] + ["X" * 70_000, "9" * TEN_MB, "=cmd|'/C calc'!A0", "*", "**"]
DEPENDENTS = SAMPLES / "x12" / "dependents-X222A2.837"


def read_claims(path):
    claims, issues = read_837(path)
    assert all(one_line(str(i)) for i in issues), "an issue message spans lines"
    return claims, issues


@given(st.data(), st.sampled_from(X12_837 + X12_OTHER))
@FUZZ
def test_a_mutated_837_is_read_or_refused_in_one_line(data, seed):
    """Truncated, re-encoded, NUL-ridden, 10 MB elements, huge amounts...: claims (accepted
    or rejected with issues), or one one-line FormatError."""
    mutated = data.draw(mutated_bytes(seed.read_bytes()), label=seed.name)
    with scratch() as tmp:
        path = tmp / seed.name
        path.write_bytes(mutated)
        read_or_refuse(FAMILY_837, lambda: read_claims(path))


@given(st.data(), st.sampled_from(X12_834))
@FUZZ
def test_a_mutated_834_is_read_or_refused_in_one_line(data, seed):
    """The same damage to an 834: members and issues, or one one-line FormatError."""
    mutated = data.draw(mutated_bytes(seed.read_bytes()), label=seed.name)
    with scratch() as tmp:
        path = tmp / seed.name
        path.write_bytes(mutated)
        report = read_or_refuse(FAMILY_834, lambda: import_834([path], tmp / "out"))
        if not isinstance(report, Exception):
            assert all(one_line(i.message) for i in report.issues)


def _damage_element(text: str, segment_of_victim: list[int], data) -> str:
    """``text`` with one element of one of the given segments replaced by a hostile value."""
    segments = text.split("~")
    index = data.draw(st.sampled_from(segment_of_victim), label="segment")
    elements = segments[index].split("*")
    if len(elements) > 1:
        elements[data.draw(st.integers(1, len(elements) - 1), label="element")] = data.draw(
            st.sampled_from(BAD_ELEMENTS), label="value")
    segments[index] = "*".join(elements)
    return "~".join(segments)


def _segments_between(text: str, first: str, stop: str) -> list[int]:
    segments = [s.strip() for s in text.split("~")]
    start = next(n for n, s in enumerate(segments) if s.startswith(first))
    end = next(n for n, s in enumerate(segments) if n > start and s.startswith(stop))
    return list(range(start, end))


@given(st.data())
@NEIGHBOURS
def test_a_bad_claim_in_an_837_leaves_the_claims_around_it_unchanged(data):
    """One hostile element in the middle claim of three (its CLM to the next HL): the first
    and last claims are read exactly as from the untouched file."""
    text = DEPENDENTS.read_text()
    damaged = _damage_element(text, _segments_between(text, "CLM*VFP-1002", "HL*5"), data)
    with scratch() as tmp:
        (tmp / "clean.837").write_text(text)
        (tmp / "damaged.837").write_bytes(damaged.encode("utf-8", "surrogatepass"))
        before, _ = read_837(tmp / "clean.837")
        after = read_or_refuse(FAMILY_837, lambda: read_claims(tmp / "damaged.837"))
    assert not isinstance(after, Exception), f"one bad claim cost the whole file: {after}"

    def others(claims):
        return [(c.claim_id, c.accepted, c.rows) for c in claims if c.claim_id in ("VFP-1001", "VFP-1003")]
    assert others(after[0]) == others(before)


@given(st.data())
@NEIGHBOURS
def test_a_bad_member_in_an_834_leaves_the_members_around_it_unchanged(data):
    """One hostile element in the second member loop of four (M501): M500, M502 and M600 are
    imported exactly as from the untouched file."""
    seed = SAMPLES / "x12-834" / "enroll-2016-01.834"
    text = seed.read_text()
    damaged = _damage_element(text, _segments_between(text, "INS*N*19", "INS*N*01")[1:], data)
    with scratch() as tmp:
        (tmp / "clean.834").write_text(text)
        (tmp / "damaged.834").write_bytes(damaged.encode("utf-8", "surrogatepass"))
        before = import_834([tmp / "clean.834"], tmp / "clean").members
        after = read_or_refuse(FAMILY_834, lambda: import_834([tmp / "damaged.834"], tmp / "damaged"))
    assert not isinstance(after, Exception), f"one bad member cost the whole file: {after}"
    others = ("M500", "M502", "M600")
    assert {k: v for k, v in after.members.items() if k in others} == {k: v for k, v in before.items() if k in others}


def test_an_unreadable_plans_from_file_is_one_line(tmp_path):
    """The 837 import reads --plans-from's members.csv with the csv module: latin-1 text is one
    FormatError naming the file, not a UnicodeDecodeError; a 200 KB field (past the csv module's
    default limit, which claimledger.fields raises, R-46) is a bad id, not a bad file."""
    import shutil

    from claimledger.x12 import import_837

    scenario = SAMPLES / "scenario-a10"
    for damage in (b"M9," + b"9" * 200_000 + b",P,2026-01-01,\n", "Zoë,S1,P,2026-01-01,\n".encode("latin-1")):
        plans = tmp_path / f"plans-{len(damage)}"
        shutil.copytree(scenario, plans)
        with open(plans / "members.csv", "ab") as fh:
            fh.write(damage)
        outcome = read_or_refuse(FAMILY_837, lambda plans=plans: import_837([DEPENDENTS], tmp_path / "out",
                                                                            plans_from=plans, answer=False))
        if damage.startswith(b"M9,"):
            assert not isinstance(outcome, Exception), outcome
        else:
            assert isinstance(outcome, Exception) and "members.csv" in str(outcome)
