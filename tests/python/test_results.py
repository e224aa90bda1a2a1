"""Reading results back (A-9) for summaries and reports."""
from claimledger.results import outcome_totals, read_results

from tests.conftest import EXAMPLES


def test_read_results_gives_exact_cents(tmp_path):
    (tmp_path / "results.csv").write_bytes((EXAMPLES / "basic" / "expected_results.csv").read_bytes())
    frame = read_results(tmp_path)
    assert frame.loc[0, "allowed"] == 9200 and frame.loc[0, "paid"] == 6700
    totals = outcome_totals(frame)
    assert totals["amounts"]["paid"] == 333.00  # 67 + 106 + 137.20 + 22.80
    assert totals["lines"]["REVERSED"] == 2
