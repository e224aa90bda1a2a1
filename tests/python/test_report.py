"""claimledger.report: the single-file HTML report of a run directory (no chain needed)."""
from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from claimledger.report import write_report

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "basic"
RESULT_HEADER = ["claim_id", "line", "status", "allowed", "deductible", "copay", "coinsurance",
                 "paid", "patient", "adjustments"]
IMG = '<img src="data:image/png;base64,'


def _run_dir(tmp_path: Path, name: str = "run") -> Path:
    run = tmp_path / name
    run.mkdir()
    shutil.copy(EXAMPLE / "expected_results.csv", run / "results.csv")
    shutil.copy(EXAMPLE / "expected_rejects.csv", run / "rejects.csv")
    return run


def _timeline(n: int = 40) -> list[tuple[float, int, int, int]]:
    out, cum = [], 0
    for i in range(n):
        claims = 1 + (i * 7) % 25
        cum += claims
        out.append((0.15 * (i + 1), cum, 150_000 * claims + 1_000 * (i % 13), claims))
    return out


def _summary() -> dict:
    return {
        "outcomes": {
            "lines": {"APPROVED": 11, "DENIED": 9, "PENDED": 1, "REVERSED": 2},
            "claims": {"APPROVED": 10, "DENIED": 9, "PENDED": 1, "REVERSED": 2},
            "amounts": {"allowed": 1314.5, "deductible": 882.0, "copay": 50.0, "coinsurance": 49.5,
                        "paid": 333.0, "patient": 981.5},
        },
        "counts": {"APPROVED": 11, "DENIED": 9, "PENDED": 1, "REVERSED": 2, "REJECTED": 2},
        "settlement": {"funded_cents": 33300, "paid_cents": 29100, "outstanding_cents": 4200, "providers": 4},
        "replay": {"claims": 21, "lines": 23, "transactions": 3, "gas_used": 3_940_734, "seconds": 1.875,
                   "claims_per_second": 1234.5, "gas_per_claim": 187654},
        "reference_match": False,
        "mode": "chain",
    }


def _write_results(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(RESULT_HEADER)
        writer.writerows(rows)


def test_report_is_one_self_contained_html_file_with_plots(tmp_path):
    run = _run_dir(tmp_path)
    before = set(run.iterdir())

    path = write_report(run, _summary(), _timeline())

    assert path == run / "report.html" and path.is_file()
    assert set(run.iterdir()) - before == {path}  # one file, no temporary or image files left
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert html.count(IMG) == 4  # outcomes, money, throughput, gas
    assert "<style>" in html
    assert not re.search(r"""(src|href)=["']?(https?:|//|file:)""", html)  # nothing external
    assert "<link" not in html and "<script" not in html
    assert "run" in html[html.index("<h1>"):html.index("</h1>")]


def test_headline_shows_summary_figures(tmp_path):
    html = write_report(_run_dir(tmp_path), _summary(), _timeline()).read_text()

    assert "1,234.5 claims/s" in html  # replay.claims_per_second
    assert "187,654" in html  # replay.gas_per_claim
    assert "1.875 s" in html  # replay.seconds
    assert "$333.00" in html and "$981.50" in html  # outcomes.amounts paid / patient
    assert "$42.00" in html  # settlement.outstanding_cents
    assert "DIFFERS" in html  # reference_match False
    # every summary key is rendered somewhere, nested dicts as tables
    for key in ("outcomes", "counts", "settlement", "replay", "funded_cents", "gas_used", "providers"):
        assert f">{key}<" in html


def test_tables_of_denial_and_reject_reasons(tmp_path):
    html = write_report(_run_dir(tmp_path), _summary(), None).read_text()

    assert "Top denial reasons" in html
    assert "precertification/authorization absent" in html  # CO-197 in the example
    assert "$900.00" in html  # billed amount of that denial
    assert "units must be positive" in html and "claim_id reused with different content" in html
    assert "C0016" in html  # the pended claim is listed
    # amounts are read as cents correctly: net paid over all rows is $333.00
    net_row = re.search(r"<td>net \(all rows\)</td>(.*?)</tr>", html).group(1)
    assert re.findall(r"<td class=num>([^<]*)</td>", net_row) == [
        "23", "$1,314.50", "$882.00", "$50.00", "$49.50", "$333.00", "$981.50"]


@pytest.mark.parametrize("timeline", [None, []])
def test_without_timeline_throughput_and_gas_are_explained(tmp_path, timeline):
    summary = _summary()
    del summary["replay"]
    summary["mode"] = "reference"

    html = write_report(_run_dir(tmp_path), summary, timeline).read_text()

    assert html.count(IMG) == 2  # outcomes and money only
    assert "No throughput or gas plots" in html and "reference model" in html


def test_escapes_html_from_data(tmp_path):
    run = tmp_path / "run<&>\"x"
    run.mkdir()
    _write_results(run / "results.csv", [
        ["<script>alert(1)</script>", "1", "PENDED", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", ""],
        ["C&1", "1", "DENIED", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "CO-<b>X</b>:10.00"],
        ["C&2", "1", "PENDED", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", ""],
        ["C2", "1", "APPROVED", "10.00", "0.00", "0.00", "0.00", "10.00", "0.00", ""],
    ])
    with open(run / "rejects.csv", "w", newline="") as fh:
        csv.writer(fh).writerows([["claim_id", "field", "reason"],
                                  ["<i>id</i>", "units", "<img src=x onerror=alert(1)>"]])
    summary = {"<em>key</em>": "<u>value</u>", "mode": "$<s>chain</s>"}

    html = write_report(run, summary, _timeline(5)).read_text()

    for raw in ("<script>alert", "<b>X</b>", "<img src=x", "<i>id</i>", "<em>key</em>", "<u>value</u>",
                "<s>chain</s>", 'run<&>"x'):
        assert raw not in html
    for escaped in ("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;b&gt;X&lt;/b&gt;",
                    "&lt;img src=x onerror=alert(1)&gt;", "&lt;i&gt;id&lt;/i&gt;", "&lt;em&gt;key&lt;/em&gt;",
                    "&lt;u&gt;value&lt;/u&gt;", "run&lt;&amp;&gt;&quot;x", "C&amp;2"):
        assert escaped in html
    assert html.count(IMG) == 4


def test_empty_results_header_only(tmp_path):
    run = tmp_path / "empty"
    run.mkdir()
    _write_results(run / "results.csv", [])
    (run / "rejects.csv").write_text("claim_id,field,reason\n")

    html = write_report(run, {}, None).read_text()
    assert html.count(IMG) == 0
    assert "results.csv has no lines" in html and "rejects.csv has no rows" in html

    html = write_report(run, {"outcomes": {"lines": {}, "claims": {}, "amounts": {}}}, _timeline(3)).read_text()
    assert html.count(IMG) == 2  # throughput and gas only


def test_missing_files_and_odd_summary_values(tmp_path):
    run = tmp_path / "bare"
    run.mkdir()  # no results.csv, no rejects.csv
    summary = {"replay": None, "notes": ["a", {"b": 1}], "ratio": float("nan"), "nested": {"a": {"b": {"c": 2}}},
               "settlement": "n/a", "reference_match": True}

    html = write_report(run, summary, [(0.0, 1, 100_000, 1)]).read_text()  # a single tx at t = 0

    assert html.count(IMG) == 2
    assert "matches" in html and ">notes<" in html and ">nested<" in html


def test_long_timeline_is_downsampled(tmp_path):
    timeline = _timeline(20_000)

    html = write_report(_run_dir(tmp_path), _summary(), timeline).read_text()

    assert html.count(IMG) == 4
    assert "20,000 transactions, plotted from 5,000 evenly spaced points" in html
