"""Review queue and provider statement on a run's saved embedded chain (A-5, A-8, R-6)."""
import pytest

from claimledger.cli import main

from tests.conftest import EXAMPLES
from tests.integration.basic_review import list_then_approve_c0016


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    assert main(["adjudicate", str(EXAMPLES / "basic"), "--out", str(out)]) == 0
    return out


def test_review_lists_approves_and_refuses_a_second_decision(run_dir, capsys):
    list_then_approve_c0016(run_dir, capsys)
    assert main(["review", "deny", str(run_dir), "C0016", "1", "--carc", "50"]) == 1
    assert capsys.readouterr().err.strip() == "claimledger: C0016 line 1: refused by the contract: LineNotPending"
    assert (run_dir / "review_results.csv").read_text().count("C0016") == 1


def test_provider_statement_shows_accruals_recoupments_and_payments(run_dir, capsys):
    capsys.readouterr()
    assert main(["owed", str(run_dir), "--provider", "1659478212"]) == 0
    out = capsys.readouterr().out
    # Lakeview Imaging: C0019 accrued 137.20, then paid out in settlement; C0002/C0021 paid 0
    assert out.splitlines()[0] == "provider 1659478212: accrued 137.20, recouped 0.00, paid 137.20, owed 0.00"
    assert "accrued         137.20  C0019" in out


def test_review_signs_with_the_key_an_environment_variable_names(run_dir, capsys, monkeypatch):
    """--key-env: the reviewer's key from the environment; a key without the REVIEWER role is
    refused by the contract, an empty variable in one line before anything is sent."""
    from claimledger.node import dev_private_keys

    monkeypatch.setenv("NOT_A_REVIEWER_KEY", dev_private_keys(10)[9])
    monkeypatch.setenv("EMPTY_KEY", "")
    capsys.readouterr()
    assert main(["review", "approve", str(run_dir), "C0016", "1", "--key-env", "NOT_A_REVIEWER_KEY"]) == 1
    assert "AccessControlUnauthorizedAccount" in capsys.readouterr().err
    assert main(["review", "approve", str(run_dir), "C0016", "1", "--key-env", "EMPTY_KEY"]) == 1
    assert capsys.readouterr().err.strip() == "claimledger: environment variable EMPTY_KEY holds no private key"


def test_review_without_saved_chain_is_one_line(tmp_path, capsys):
    assert main(["review", "list", str(tmp_path)]) == 1
    assert "no saved chain" in capsys.readouterr().err


def test_appeal_with_a_document_then_overturn_reprices_the_line(run_dir, tmp_path, capsys):
    """R-13: only the document's hash goes on chain; an overturn re-adjudicates without the
    appealed check (CO-11 here) and prices at that moment."""
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"%PDF appeal letter and records")
    capsys.readouterr()
    assert main(["appeal", str(run_dir), "C0006", "1", "--document", str(letter)]) == 0
    assert capsys.readouterr().out.startswith("appealed C0006 line 1 with document hash 0x")
    assert main(["review", "overturn", str(run_dir), "C0006", "1"]) == 0
    row = capsys.readouterr().out.strip()
    assert row.startswith("C0006,1,APPROVED,65.00,")
    assert main(["review", "uphold", str(run_dir), "C0006", "1"]) == 1
    assert capsys.readouterr().err.strip() == "claimledger: C0006 line 1: refused by the contract: AppealNotOpen"


def test_appeal_document_must_exist(run_dir, tmp_path, capsys):
    assert main(["appeal", str(run_dir), "C0004", "1", "--document", str(tmp_path / "none.pdf")]) == 1
    assert "appeal document not found" in capsys.readouterr().err
