"""The Synthea CSV reader on mutated real exports (any one of its CSV files damaged): every
input is mapped into claims and per-claim issues, or refused with one one-line error; never a
traceback. A bad claim row in the middle of claims.csv leaves the claims before and after it
exactly as they were.

CI: `.venv/bin/python -m pytest -p no:pytest-brownie tests/fuzz/test_synthea_files.py`;
full: `HYPOTHESIS_PROFILE=full` in front of it.
"""
from __future__ import annotations


from hypothesis import given, strategies as st

from claimledger.synthea import import_synthea

from .conftest import FUZZ, NEIGHBOURS, one_line, read_or_refuse
from .mutations import damage_row, mutated_csv
from .seeds import SYNTHEA, SYNTHEA_FILES, copy_dir, csv_bytes, csv_rows, rows_by_claim, scratch

FAMILY = "Synthea CSV"


def import_dir(directory, out):
    report = import_synthea(directory, out)
    assert all(one_line(str(i)) for i in report.issues), "an issue message spans lines"
    return report


@given(st.data(), st.sampled_from(SYNTHEA_FILES))
@FUZZ
def test_a_mutated_synthea_export_is_read_or_refused_in_one_line(data, name):
    """One CSV of a real export damaged (truncated, re-encoded, duplicate or swapped columns,
    10 MB cells, huge numbers...): claims and issues, or one one-line error."""
    mutated = data.draw(mutated_csv((SYNTHEA / name).read_bytes()), label=name)
    with scratch() as tmp:
        directory = copy_dir(SYNTHEA, tmp / "export")
        (directory / name).write_bytes(mutated)
        read_or_refuse(FAMILY, lambda: import_dir(directory, tmp / "out"))


@given(st.data())
@NEIGHBOURS
def test_a_bad_claim_row_leaves_the_claims_around_it_unchanged(data):
    """One hostile cell in the middle row of Synthea's claims.csv, or the row cut short or given
    more fields than the header (R-46): the other claims are mapped exactly as from the
    untouched export; a row too wide is one error issue naming its file and line."""
    rows = csv_rows((SYNTHEA / "claims.csv").read_bytes())
    victim = len(rows) // 2
    victim_id = rows[victim][0]
    damage = damage_row(data, rows, victim, first_column=0)
    with scratch() as tmp:
        damaged = copy_dir(SYNTHEA, tmp / "damaged")
        (damaged / "claims.csv").write_bytes(csv_bytes(rows))
        import_dir(SYNTHEA, tmp / "clean")
        before = rows_by_claim(tmp / "clean")
        after = read_or_refuse(FAMILY, lambda: import_dir(damaged, tmp / "damaged-out"))
        assert not isinstance(after, Exception), f"one bad row cost the whole export: {after}"
        rows_after = rows_by_claim(tmp / "damaged-out")
    others = {k: v for k, v in before.items() if k != victim_id}
    assert others, "the untouched export maps no claim"
    assert {k: v for k, v in rows_after.items() if k in others} == others
    wide = [i.source for i in after.issues if "fields, the header" in i.message]
    assert wide == ([f"claims.csv:{victim + 1}"] if damage == "wide" else [])  # the sample has no multi-line cell
