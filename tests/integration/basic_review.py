"""What reviewing examples/basic's one pended line looks like from the CLI, for the tests that
review it on differently kept chains."""
from claimledger.cli import main

# M101's deductible left 500 - 420 = 80.00; 20% of the rest (1,770.00) is 354.00
C0016_APPROVED = "C0016,1,APPROVED,1850.00,80.00,0.00,354.00,1416.00,434.00,CO-45:30150.00;PR-1:80.00;PR-2:354.00"


def list_then_approve_c0016(run_dir, capsys) -> None:
    """`review list` shows C0016's pended knee replacement; `review approve` prices it."""
    capsys.readouterr()
    assert main(["review", "list", str(run_dir)]) == 0
    listing = capsys.readouterr().out
    assert "1 line(s) pending review" in listing and "C0016" in listing and "27447" in listing
    assert main(["review", "approve", str(run_dir), "C0016", "1"]) == 0
    assert capsys.readouterr().out.strip() == C0016_APPROVED
