"""The command line: reference runs, and one-line errors with a non-zero exit."""
import shutil

from claimledger.cli import main

from tests.conftest import EXAMPLES


def test_adjudicate_reference_reproduces_the_example(tmp_path, capsys):
    assert main(["adjudicate", str(EXAMPLES / "basic"), "--reference", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "results.csv").read_bytes() == (EXAMPLES / "basic" / "expected_results.csv").read_bytes()
    assert (tmp_path / "rejects.csv").read_bytes() == (EXAMPLES / "basic" / "expected_rejects.csv").read_bytes()
    assert "approved" in capsys.readouterr().out


def test_missing_scenario_is_one_line_on_stderr(tmp_path, capsys):
    assert main(["adjudicate", str(tmp_path / "nope"), "--reference", "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"claimledger: {tmp_path / 'nope'}: not a directory"


def test_broken_claims_header_is_one_line(tmp_path, capsys):
    scenario = tmp_path / "s"
    shutil.copytree(EXAMPLES / "basic", scenario)
    (scenario / "claims.csv").write_text("claim_id,units\nC1,1\n")
    assert main(["adjudicate", str(scenario), "--reference", "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("claimledger: claims.csv: missing column(s) frequency")


def test_unreachable_rpc_is_one_line(tmp_path, capsys):
    code = main(["adjudicate", str(EXAMPLES / "basic"), "--rpc", "http://127.0.0.1:9", "--out", str(tmp_path)])
    assert code == 1
    assert capsys.readouterr().err.strip() == "claimledger: no JSON-RPC node answers at http://127.0.0.1:9"
