"""Outputs whole or absent (R-48) and the checkpoint a resume goes back to (R-49), without a chain."""
import errno
import os

import pytest

from claimledger import atomic
from claimledger.atomic import OutputFailed, atomic_output, copy_atomically, write_bytes_atomically
from claimledger.pipeline import EarlierCheckpoints, _checkpoint_on_chain
from claimledger.records import LineResult, LineStatus, Reject
from claimledger.results import RESULTS_FILE, ResultWriter
from claimledger.chain import ChainError

from tests.full_disk import filling_open


def row(claim_id: str) -> LineResult:
    return LineResult(claim_id, 1, LineStatus.APPROVED)


def test_a_writer_that_dies_leaves_only_partial_files_and_a_resume_continues_them(tmp_path):
    (tmp_path / RESULTS_FILE).write_text("a previous run's results\n")
    with pytest.raises(RuntimeError):
        with ResultWriter(tmp_path) as writer:
            writer.rows([row("C1")])
            state = writer.checkpoint(records=1, position=[5, 0])
            writer.rows([row("C2")])  # after the checkpoint: dropped by the resume
            raise RuntimeError("killed")
    assert not (tmp_path / RESULTS_FILE).exists()  # neither the old run's nor a part of this one's
    assert (tmp_path / "results.csv.partial").read_text().count("C2") == 1
    with ResultWriter(tmp_path, resume_from=state) as writer:
        writer.rows([row("C3")])
        writer.reject(Reject("C4", "member_id", "unknown member"))
    text = (tmp_path / RESULTS_FILE).read_text()
    assert [line.split(",")[0] for line in text.splitlines()] == ["claim_id", "C1", "C3"]
    assert "C4,member_id,unknown member" in (tmp_path / "rejects.csv").read_text()
    assert not list(tmp_path.glob("*.partial"))


def test_a_resume_after_the_files_were_complete_takes_them_back(tmp_path):
    """Killed while paying providers: the files are complete and renamed; the resume continues them."""
    with ResultWriter(tmp_path) as writer:
        writer.rows([row("C1")])
        state = writer.checkpoint(records=1, position=[5, 0])
    complete = (tmp_path / RESULTS_FILE).read_bytes()
    with ResultWriter(tmp_path, resume_from=state):
        pass
    assert (tmp_path / RESULTS_FILE).read_bytes() == complete


def test_an_atomic_output_that_fails_leaves_the_old_file_and_says_so_in_one_line(tmp_path):
    path = tmp_path / "summary.json"
    path.write_text("old")
    with pytest.raises(OutputFailed) as failed:
        with atomic_output(path) as fh:
            fh.write("new, half")
            raise OSError(errno.ENOSPC, "No space left on device")
    assert str(failed.value) == (f"{path}: cannot write (no space left on device); the file is as it was before: "
                                 f"free space and run the command again")
    assert path.read_text() == "old" and not (tmp_path / "summary.json.tmp").exists()
    with atomic_output(path, copy_existing=True) as fh:
        fh.write(" and more")
    assert path.read_text() == "old and more"


def test_a_private_exclusive_output_is_0600_from_the_start_and_never_replaces_a_file(tmp_path):
    """R-48 for secrets (key files): a stale temporary file of another mode is not reused; a
    file that exists is kept and FileExistsError raised, however the writers race."""
    path = tmp_path / "secret"
    (tmp_path / "secret.tmp").write_text("left by a crash")
    (tmp_path / "secret.tmp").chmod(0o644)
    with atomic_output(path, private=True, exclusive=True) as fh:
        assert oct(os.fstat(fh.fileno()).st_mode & 0o777) == "0o600"
        fh.write("first")
    with pytest.raises(FileExistsError):
        with atomic_output(path, private=True, exclusive=True) as fh:
            fh.write("second")
    assert path.read_text() == "first" and oct(path.stat().st_mode & 0o777) == "0o600"
    assert not (tmp_path / "secret.tmp").exists()


def test_bytes_and_copies_go_through_a_temporary_file_too(tmp_path, monkeypatch):
    source, path = tmp_path / "source", tmp_path / "copy"
    source.write_bytes(b"\x00\xff" * 100)
    path.write_bytes(b"old")
    with monkeypatch.context() as patch:
        patch.setattr(atomic, "open", filling_open("copy.tmp", 50), raising=False)
        with pytest.raises(OutputFailed):
            copy_atomically(source, path)
        with pytest.raises(OutputFailed):
            write_bytes_atomically(path, source.read_bytes())
    assert path.read_bytes() == b"old" and not (tmp_path / "copy.tmp").exists()
    copy_atomically(source, path)
    assert path.read_bytes() == source.read_bytes()


def checkpoint(block: int, records: int) -> dict:
    return {"records": records, "position": [block, 0], "results_bytes": records}


def test_a_chain_behind_the_last_checkpoint_resumes_from_the_newest_earlier_one_it_has(tmp_path, monkeypatch):
    monkeypatch.setattr("claimledger.pipeline.EARLIER_EVERY_S", 0.0)
    earlier = EarlierCheckpoints(None)
    states = [checkpoint(block, records) for block, records in ((10, 0), (12, 20), (15, 40), (19, 60))]
    last = None
    for state in states:
        last = {**state, "earlier": earlier.after(state)}
    assert [c["records"] for c in last["earlier"]] == [0, 20, 40]
    assert _checkpoint_on_chain(last, 19, tmp_path) is last
    chosen = _checkpoint_on_chain(last, 16, tmp_path)
    assert chosen["records"] == 40 and [c["records"] for c in chosen["earlier"]] == [0, 20]
    assert _checkpoint_on_chain(last, 10, tmp_path)["records"] == 0
    with pytest.raises(ChainError) as refused:
        _checkpoint_on_chain(last, 9, tmp_path)
    assert str(refused.value) == (f"{tmp_path}: the chain is behind the results (block 9 < checkpoint 19, and < 10, "
                                  f"the oldest checkpoint kept); cannot resume")


def test_a_chain_that_reached_the_lost_heights_again_with_other_blocks_resumes_from_the_newest_checkpoint_it_has(
        tmp_path, monkeypatch):
    """R-49: a node restarted on an older copy of its chain that goes on mining (a block time)
    reaches the heights it lost with other blocks; a checkpoint counts only in its own block."""
    monkeypatch.setattr("claimledger.pipeline.EARLIER_EVERY_S", 0.0)
    earlier = EarlierCheckpoints(None)
    last = None
    for block, records in ((10, 0), (12, 20), (15, 40), (19, 60)):
        state = {**checkpoint(block, records), "block_hash": f"0x{block:064x}"}
        last = {**state, "earlier": earlier.after(state)}

    def restarted_at(height: int):  # the old chain up to ``height``, then blocks of its own
        return lambda number: f"0x{number if number <= height else number + 1000:064x}"

    assert _checkpoint_on_chain(last, 25, tmp_path, restarted_at(19)) is last
    assert _checkpoint_on_chain(last, 25, tmp_path, restarted_at(17))["records"] == 40
    assert _checkpoint_on_chain(last, 25, tmp_path, restarted_at(11))["records"] == 0
    assert _checkpoint_on_chain(last, 25, tmp_path)["records"] == 60  # by height alone: the block 19 it counted is gone
    with pytest.raises(ChainError) as refused:
        _checkpoint_on_chain(last, 25, tmp_path, restarted_at(9))
    assert str(refused.value) == (f"{tmp_path}: the chain does not hold the blocks the results were confirmed in (from "
                                  f"block 10, the oldest checkpoint kept, it has other blocks); cannot resume")


def test_the_checkpoint_a_session_started_from_is_kept_for_good(monkeypatch):
    """R-53: beside the last EARLIER_KEPT checkpoints, progress.json keeps the first of each
    session (the setup's, the one a resume went on from): the embedded node may have to start
    from the save taken then."""
    monkeypatch.setattr("claimledger.pipeline.EARLIER_EVERY_S", 0.0)
    monkeypatch.setattr("claimledger.pipeline.EARLIER_KEPT", 3)
    earlier = EarlierCheckpoints(None)
    last = None
    for records in range(0, 60, 10):  # a run: the setup's checkpoint, then five
        last = {**checkpoint(100 + records, records), "earlier": earlier.after(checkpoint(100 + records, records))}
    assert [(c["records"], c.get("pinned", False)) for c in last["earlier"]] == [
        (0, True), (20, False), (30, False), (40, False)]
    resumed = EarlierCheckpoints(last)  # a resume that went on from the last one
    for records in range(60, 110, 10):
        state = checkpoint(100 + records, records)
        after = {**state, "earlier": resumed.after(state)}
    assert [(c["records"], c.get("pinned", False)) for c in after["earlier"]] == [
        (0, True), (50, True), (70, False), (80, False), (90, False)]
