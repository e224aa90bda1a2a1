"""The scenario loader (plans.yaml, members/providers/authorizations/roster/claims CSV) on
mutated real scenarios: every input is read into records and per-record errors, or refused
with one one-line error naming the file; never a traceback. A bad record in the middle of a
valid file leaves the records before and after it exactly as they were.

CI: `.venv/bin/python -m pytest -p no:pytest-brownie tests/fuzz/test_scenario_files.py`;
full: `HYPOTHESIS_PROFILE=full` in front of it.
"""
from __future__ import annotations

import shutil

from hypothesis import given, strategies as st

from claimledger.records import Reject
from claimledger.scenario import iter_claims, load_scenario

from .conftest import FUZZ, NEIGHBOURS, one_line, read_or_refuse
from .mutations import damage_row, deep, mutated_bytes, mutated_csv
from .seeds import ROSTER, SCENARIOS, copy_dir, csv_bytes, csv_rows, scratch

CSV_FILES = ["claims.csv", "members.csv", "providers.csv", "authorizations.csv", "roster.csv"]
FAMILY_CSV, FAMILY_YAML = "scenario CSV", "scenario YAML"


def load_all(directory):
    """What a run reads: the reference data, then every claim streamed."""
    scenario = load_scenario(directory)
    return scenario, list(iter_claims(directory / "claims.csv"))


def assert_records_are_one_line(outcome) -> None:
    if isinstance(outcome, tuple):
        scenario, claims = outcome
        assert all(one_line(str(e)) for e in scenario.input_errors)
        assert all(one_line(c.reason) for c in claims if isinstance(c, Reject))


def _yaml_mutation(data: bytes):
    @st.composite
    def build(draw):
        kind = draw(st.sampled_from(["bytes", "deep", "alias", "duplicate_key", "tag"]))
        if kind == "bytes":
            return draw(mutated_bytes(data))
        lines = data.split(b"\n")
        at = draw(st.integers(0, len(lines)))
        extra = {
            "deep": b"deep: " + deep(draw(st.sampled_from([100, 10_000, 100_000])), draw(st.booleans())).encode(),
            "alias": b"a: &a [x, x, x]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nd: [*c, *c, *c, *c]",
            "duplicate_key": b"plans: {}" if draw(st.booleans()) else lines[max(0, at - 1)],
            "tag": draw(st.sampled_from([b"x: !!python/object:os.system 'true'", b"x: !!binary AAAA", b"x: !custom 1"])),
        }[kind]
        return b"\n".join(lines[:at] + [extra] + lines[at:])
    return build()


@given(st.data(), st.sampled_from(SCENARIOS), st.sampled_from(CSV_FILES))
@FUZZ
def test_a_mutated_scenario_csv_is_read_or_refused_in_one_line(data, seed, name):
    """Any damage to one CSV of a real scenario gives records and per-record errors, or one
    one-line ScenarioError/FormatError; nothing else escapes."""
    source = ROSTER if name == "roster.csv" else seed / name
    mutated = data.draw(mutated_csv(source.read_bytes()), label=name)
    with scratch() as tmp:
        directory = copy_dir(seed, tmp / "scenario")
        (directory / name).write_bytes(mutated)
        assert_records_are_one_line(read_or_refuse(FAMILY_CSV, lambda: load_all(directory)))


@given(st.data(), st.sampled_from(SCENARIOS))
@FUZZ
def test_a_mutated_plans_yaml_is_read_or_refused_in_one_line(data, seed):
    """plans.yaml truncated, re-encoded, deeply nested, with aliases, tags, huge numbers and
    duplicate keys: plans and per-plan errors, or one one-line error."""
    mutated = data.draw(_yaml_mutation((seed / "plans.yaml").read_bytes()), label="plans.yaml")
    with scratch() as tmp:
        directory = copy_dir(seed, tmp / "scenario")
        (directory / "plans.yaml").write_bytes(mutated)
        assert_records_are_one_line(read_or_refuse(FAMILY_YAML, lambda: load_all(directory)))


def _claims_by_id(outcomes) -> dict:
    return {o.claim_id: o for o in outcomes}


def _wide_row_reports(items) -> list:
    """The records reported for a row with more fields than the header (R-46)."""
    return [i for i in items if i.field == "row" and i.reason.startswith("row has ")]


@given(st.data(), st.sampled_from(SCENARIOS))
@NEIGHBOURS
def test_a_bad_claim_row_leaves_the_claims_around_it_unchanged(data, seed):
    """One cell of one claim's row replaced by a hostile value, the row cut short or given more
    fields than the header (R-46): every other claim parses exactly as in the untouched file;
    a row too wide rejects its claim, once."""
    rows = csv_rows((seed / "claims.csv").read_bytes())
    ids = list(dict.fromkeys(r[0] for r in rows[1:]))
    victim = ids[len(ids) // 2]
    victim_rows = [n for n, r in enumerate(rows) if n and r[0] == victim]
    damage = damage_row(data, rows, data.draw(st.sampled_from(victim_rows), label="row"), first_column=1)
    with scratch() as tmp:
        clean = copy_dir(seed, tmp / "clean")
        damaged = copy_dir(seed, tmp / "damaged")
        (damaged / "claims.csv").write_bytes(csv_bytes(rows))
        before = _claims_by_id(iter_claims(clean / "claims.csv"))
        outcomes = read_or_refuse(FAMILY_CSV, lambda: list(iter_claims(damaged / "claims.csv")))
    assert isinstance(outcomes, list), f"one bad row cost the whole file: {outcomes}"
    after = _claims_by_id(outcomes)
    # the damage may add records of its own (a bare CR splits a row: a claim without an id)
    assert {k: after.get(k) for k in before if k != victim} == {k: v for k, v in before.items() if k != victim}
    wide = _wide_row_reports(o for o in outcomes if isinstance(o, Reject))
    assert [r.claim_id for r in wide] == ([victim] if damage == "wide" else [])


@given(st.data(), st.sampled_from(SCENARIOS), st.sampled_from(["members.csv", "providers.csv"]))
@NEIGHBOURS
def test_a_bad_reference_row_leaves_the_rows_around_it_unchanged(data, seed, name):
    """One hostile cell in a middle row of members.csv or providers.csv, or the row cut short or
    too wide: the other rows load exactly as before; the bad one is loaded or reported as an
    input error (a row too wide always, once, at its row)."""
    rows = csv_rows((seed / name).read_bytes())
    victim = max(1, len(rows) // 2)
    key = rows[victim][0]
    damage = damage_row(data, rows, victim, first_column=0)
    with scratch() as tmp:
        clean = copy_dir(seed, tmp / "clean")
        damaged = copy_dir(seed, tmp / "damaged")
        (damaged / name).write_bytes(csv_bytes(rows))
        before = load_scenario(clean)
        after = read_or_refuse(FAMILY_CSV, lambda: load_scenario(damaged))
    assert not isinstance(after, Exception), f"one bad row cost the whole file: {after}"
    table = "members" if name == "members.csv" else "providers"
    # a member whose row went bad may take its authorizations with it: only the table compared;
    # the damage may give the bad row another id (a member "null"): only the others are compared
    rows_before, rows_after = getattr(before, table), getattr(after, table)
    assert {k: rows_after.get(k) for k in rows_before if k != key} == {k: v for k, v in rows_before.items() if k != key}
    wide = _wide_row_reports(after.input_errors)
    assert [(e.file, e.row) for e in wide] == ([(name, victim)] if damage == "wide" else [])


def test_the_seeds_load_cleanly():
    """The unmutated seeds are valid scenarios (else the fuzz tests would start from junk)."""
    for seed in SCENARIOS:
        scenario, claims = load_all(seed)
        assert scenario.plans and scenario.members and claims


def test_scratch_directories_are_removed():
    with scratch() as tmp:
        shutil.copy(ROSTER, tmp / "roster.csv")
        assert (tmp / "roster.csv").is_file()
    assert not tmp.exists()
