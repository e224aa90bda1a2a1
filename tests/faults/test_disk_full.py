"""Issue 18, faults: the disk fills while a run writes its outputs (R-48). The write that
finds no space raises ENOSPC: the run stops with one line naming the file, leaves no results.csv
(its rows go to results.csv.partial, renamed only when complete), and --resume ends with results
byte-identical to the reference model's, every claim accepted once and paid once.

In-process, a file object that takes a fixed number of bytes is patched into the writer; for
real, the run's directory is a small tmpfs (we run as root) shrunk to a few pages beyond what
the run holds once its setup is done, so that the run fills it itself, and grown again before
the resume. There the embedded node's own dump of its chain, at the run's end, finds the disk
full too: the run is resumed from the save it kept of its chain after the setup (R-53)."""
import json
import os
import signal
import subprocess
import time

import pytest

from claimledger import atomic, results
from claimledger.chain import Deployment
from claimledger.cli import main
from claimledger.node import CHAIN_STATE_FILE, previous_state, run_chain
from claimledger.pipeline import PROGRESS_FILE

from tests.faults.conftest import CLI_TIMEOUT_S, assert_resumed_to_the_reference, one_line_error, run_cli, start_cli
from tests.full_disk import filling_open

PAGE = 4096
ROOM_PAGES = 3  # what the run finds free once its setup is done: its results need 6 pages more
DISK = "64m"  # room enough for the whole run (its chain, saved twice, is a few MB)


@pytest.mark.parametrize("full_at", ["results.csv.partial", "summary.json.tmp"])
def test_a_full_disk_stops_the_run_in_one_line_and_resume_ends_with_the_reference_results(
        scenario, reference, tmp_path, capsys, monkeypatch, full_at):
    """The disk fills half-way through results.csv (a replay's rows), or while summary.json
    is written (after the rows are complete and renamed)."""
    run_dir = tmp_path / "run"
    command = ["adjudicate", str(scenario), "--out", str(run_dir), "--batch", "10"]
    half = len((reference / "results.csv").read_bytes()) // 2
    with monkeypatch.context() as patch:
        patch.setattr(results if full_at.startswith("results") else atomic, "open",
                      filling_open(full_at, half if full_at.startswith("results") else 100), raising=False)
        capsys.readouterr()
        assert main(command) == 1
    err = capsys.readouterr().err
    named = full_at.removesuffix(".tmp")  # an atomic output names the file it failed to replace
    assert err == (f"claimledger: {run_dir / named}: cannot write (no space left on device); nothing is lost: "
                   f"free space and run again with --resume\n")
    if full_at.startswith("results"):
        assert not (run_dir / "results.csv").exists()  # never a results.csv cut short
        assert (run_dir / "results.csv.partial").stat().st_size <= half
    else:
        assert not (run_dir / "summary.json").exists() and not (run_dir / full_at).exists()
        assert (run_dir / "results.csv").read_bytes() == (reference / "results.csv").read_bytes()
    assert main([*command, "--resume"]) == 0
    with run_chain(run_dir) as w3:
        assert_resumed_to_the_reference(run_dir, reference, Deployment.load(w3, run_dir / "deployments.json"), scenario)


@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs of ``DISK`` mounted on a directory of its own, unmounted when the test ends;
    the test is skipped where it cannot mount one (not root, no tmpfs)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK}", "tmpfs", str(disk)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {mounted.stderr.strip()}")
    yield disk
    subprocess.run(["umount", "--lazy", str(disk)], check=True)


def resize(disk, size: str) -> None:
    subprocess.run(["mount", "-o", f"remount,size={size}", str(disk)], check=True)


def used_pages(disk) -> int:
    fs = os.statvfs(disk)
    return (fs.f_blocks - fs.f_bfree) * fs.f_frsize // PAGE


def fill_once_set_up(proc, disk, run_dir) -> int:
    """As soon as the run's first checkpoint is written (its setup done, no claim sent yet),
    stops the run for a moment, shrinks the disk to ``ROOM_PAGES`` pages beyond what it holds,
    and lets the run go on; returns the records the checkpoint covered then (0 unless the
    machine was slow to look)."""
    deadline = time.monotonic() + CLI_TIMEOUT_S
    while not (run_dir / PROGRESS_FILE).exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no checkpoint"
        time.sleep(0.002)
    os.kill(proc.pid, signal.SIGSTOP)
    try:
        records = json.loads((run_dir / PROGRESS_FILE).read_text())["records"]
        resize(disk, f"{(used_pages(disk) + ROOM_PAGES) * PAGE // 1024}k")
    finally:
        os.kill(proc.pid, signal.SIGCONT)
    return records


@pytest.mark.parametrize("batch", ["10", "100"])
def test_a_real_full_disk_stops_the_run_in_one_line_and_resume_ends_with_the_reference_results(
        scenario, reference, small_disk, batch):
    """``claimledger adjudicate`` on the embedded node with ``--out`` on the small tmpfs: it
    fills the disk writing its results, ends with R-48's line naming the file it could not
    write (a checkpoint's progress.json once results.csv.partial took the last page, with
    small batches; results.csv.partial itself, with batches whose rows fill pages at a time),
    and its node's dump is cut short; given room, ``--resume`` goes on from the chain saved
    after the setup (R-53) and ends as a run that never failed."""
    run_dir = small_disk / "run"
    command = ["adjudicate", scenario, "--out", run_dir, "--batch", batch]
    proc = start_cli(*command)
    records_then = fill_once_set_up(proc, small_disk, run_dir)
    _, err = proc.communicate(timeout=CLI_TIMEOUT_S)
    line = one_line_error(err)
    print(f"real full disk: shrunk at record {records_then}; {line}")
    assert proc.returncode == 1
    written = line.removeprefix(f"claimledger: {run_dir}/").split(":", 1)[0]
    assert line == (f"claimledger: {run_dir / written}: cannot write (no space left on device); nothing is lost: "
                    f"free space and run again with --resume")
    assert os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize < 2 * PAGE  # it was full
    assert not (run_dir / "results.csv").exists()  # never a results.csv cut short
    state = run_dir / CHAIN_STATE_FILE
    with pytest.raises(ValueError):  # the node's dump at the run's end found the disk full too
        json.loads(state.read_bytes())
    assert previous_state(state).exists()  # the chain as the setup left it
    resize(small_disk, DISK)  # room again
    run_cli(*command, "--resume")
    with run_chain(run_dir) as w3:
        assert_resumed_to_the_reference(run_dir, reference, Deployment.load(w3, run_dir / "deployments.json"), scenario)
