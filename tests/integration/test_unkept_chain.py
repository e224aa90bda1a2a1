"""`adjudicate --no-keep-chain`: a run measured, not kept (long replays with flat node memory)."""
import pytest

from claimledger.cli import main
from claimledger.node import CHAIN_STATE_FILE

from tests.conftest import EXAMPLES


def test_a_run_without_a_kept_chain_gives_the_same_results_and_keeps_no_chain(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["adjudicate", str(EXAMPLES / "basic"), "--out", str(out), "--no-keep-chain"]) == 0
    assert (out / "results.csv").read_bytes() == (EXAMPLES / "basic" / "expected_results.csv").read_bytes()
    assert (out / "rejects.csv").read_bytes() == (EXAMPLES / "basic" / "expected_rejects.csv").read_bytes()
    assert not (out / CHAIN_STATE_FILE).exists()
    capsys.readouterr()
    assert main(["review", "list", str(out)]) == 1  # nothing to review on: one line saying why
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"no saved chain ({CHAIN_STATE_FILE})" in err[0]


@pytest.mark.parametrize("other", [["--resume"], ["--reference"], ["--rpc", "http://127.0.0.1:1"]])
def test_no_keep_chain_is_for_a_fresh_embedded_run_only(tmp_path, capsys, other):
    with pytest.raises(SystemExit) as exit_:
        main(["adjudicate", str(EXAMPLES / "basic"), "--out", str(tmp_path), "--no-keep-chain", *other])
    assert exit_.value.code == 2
    assert "--no-keep-chain is for a fresh run on the embedded node" in capsys.readouterr().err
