"""The command line of optimistic settlement on its embedded default: adjudicate --mode
optimistic writes examples/basic's expected files, watch finds every root right (exit 0), a
challenge of a batch already final is refused in one line (exit 1), repost finds nothing to post,
and bench --mode optimistic
reports its figures beside the on-chain ones."""
import json

from claimledger.bench import run_bench
from claimledger.cli import main
from tests.conftest import EXAMPLES

BASIC = EXAMPLES / "basic"


def test_adjudicate_watch_and_challenge_from_the_command_line(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["adjudicate", str(BASIC), "--out", str(run), "--mode", "optimistic", "--batch", "10"]) == 0
    assert (run / "results.csv").read_bytes() == (BASIC / "expected_results.csv").read_bytes()
    assert (run / "rejects.csv").read_bytes() == (BASIC / "expected_rejects.csv").read_bytes()
    summary = json.loads((run / "summary.json").read_text())
    assert summary["mode"] == "optimistic" and summary["replay"]["transactions"] == 3
    assert "posted 23 claims in 3 batch(es)" in capsys.readouterr().out
    assert main(["watch", str(run)]) == 0
    assert "checked 3 batch(es), 23 claim(s)" in capsys.readouterr().out
    assert main(["challenge", str(run), "--batch", "1", "--claim", "0"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("claimledger: challenge: BatchNotPosted(1, 2)") and "\n" not in err
    # a run whose every batch is final: repost has nothing to post and pays nobody twice
    assert main(["repost", str(run)]) == 0
    out = capsys.readouterr().out
    assert "23 claim(s) valid on chain, every root checked; posted 0 claim(s) again in 0 batch(es)" in out
    assert "paid 0.00 to 4 provider(s), 0.00 outstanding" in out
    # the run directory's other readers find its scenario through optimistic/run.json
    assert main(["remit", str(run), "--provider", "1234567893", "--out", str(tmp_path / "remit.csv")]) == 0
    assert main(["export", "--to", "x12-835", str(run), "--out", str(tmp_path / "835")]) == 0


def test_bench_reports_optimistic_figures_beside_the_on_chain_ones(tmp_path):
    result = run_bench(tmp_path, claims=30, steady_claims=0, mode="optimistic", optimistic_batch=15)
    assert result["optimistic_batch_claims"] == 15 and result["challenge_batch_claims"] == 15
    assert 0 < result["optimistic_gas_per_claim"] < result["gas_per_claim_batched"]
    assert result["resolve_gas_upheld"] > 0 and result["watch_seconds_per_batch"] > 0
    assert json.loads((tmp_path / "bench.json").read_text())["optimistic_network_claims_per_s"] > 0


def test_watch_reposts_what_an_upheld_challenge_cut_off(tmp_path, capsys, monkeypatch):
    """watch --repost on the run's embedded chain: a wrong paid amount at claim 7 is proven, and a
    second adjudicator posts the 16 claims cut off, finalizes every batch and pays; the next watch
    finds every root right."""
    from claimledger.node import dev_private_keys
    from claimledger.optimistic.adjudicator import adjudicate_optimistic
    from tests.optimistic import dishonest

    run = tmp_path / "run"
    adjudicate_optimistic(BASIC, run, batch_claims=5, adjudicator=dishonest.PaidAmount(7), finalize=False)
    monkeypatch.setenv("CLAIMLEDGER_ADJUDICATOR_KEY", dev_private_keys(6)[5])
    assert main(["watch", str(run), "--repost"]) == 3
    out = capsys.readouterr().out
    assert "challenge 1 of batch 2 claim 2: upheld" in out
    assert "7 claim(s) valid on chain, every root checked; posted 16 claim(s) again in 4 batch(es) (6, 7, 8, 9)" in out
    assert "finalized batch(es) 1, 2, 6, 7, 8, 9" in out and "0.00 outstanding" in out
    assert main(["watch", str(run)]) == 0
    assert "every posted root is the one the rules give" in capsys.readouterr().out
