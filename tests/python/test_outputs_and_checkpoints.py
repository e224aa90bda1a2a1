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
