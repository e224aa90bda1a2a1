"""X12 837/835 export (claimledger.x12) and round trips through the reference adjudication:
scenario -> 837 -> import -> the same results, the runs' 835 remittances read back to
results.csv, negative nets carried forward with PLB, reviewers' decisions and pended lines in the
835, and the CLI glue. Plain pytest functions: no chain needed."""
from __future__ import annotations

import csv
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from claimledger.pipeline import adjudicate_reference
from claimledger.synth import SynthConfig, generate
from claimledger.x12 import (
    FormatError, export_835, export_837, import_837, read_835, run_export, run_import_x12, validate,
)
from tests.formats.x12_helpers import _cents

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "basic"


def _results(run: Path) -> list[dict]:
    with open(run / "results.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def _adjustments(text: str) -> list[tuple[str, str, int]]:
    out = []
    for item in filter(None, text.split(";")):
        head, _, amount = item.partition(":")
        group, _, code = head.partition("-")
        out.append((group, code, _cents(amount)))
    return out


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
