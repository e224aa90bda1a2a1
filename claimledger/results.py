"""Writing ``results.csv`` and ``rejects.csv`` (A-9) as outcomes stream in, and summarising them."""
from __future__ import annotations

import csv
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pandas as pd

from .atomic import atomic_output, close_quietly, failure, fsync_dir
from .csv_safety import text_cell, text_cells
from .records import REJECT_COLUMNS, RESULT_COLUMNS, REWARD_COLUMNS, Claim, LineResult, LineStatus, Reject, RewardRow
from .scenario import InputError

RESULTS_FILE = "results.csv"
REJECTS_FILE = "rejects.csv"
INCENTIVES_FILE = "incentives.csv"
INPUT_ERRORS_FILE = "input_errors.csv"
# the text cells of each file (spreadsheet-safe); amounts, counts and dates as A-9 writes them
RESULT_TEXT = {0, 2, 9}  # claim_id, status, adjustments
REWARD_TEXT = {0, 1, 3, 5}  # member_id, claim_id, code, status (not amount: -160.00 stays)


def result_row(row: LineResult) -> list[str]:
    """A results.csv row (A-9) with its text cells made spreadsheet-safe (R-46)."""
    return text_cells(row.row(), RESULT_TEXT)


def reject_row(reject: Reject) -> list[str]:
    """A rejects.csv row: claim id (as read, possibly not an id), field and reason, all text."""
    return [text_cell(v) for v in reject.row()]


def reward_row_cells(row: RewardRow) -> list[str]:
    return text_cells(row.row(), REWARD_TEXT)


PARTIAL_SUFFIX = ".partial"  # the name a run's output has until the run has written all of it


def partial_path(path: Path) -> Path:
    return path.with_name(path.name + PARTIAL_SUFFIX)


@dataclass
class ResultWriter:
    """Streams rows to ``OUT/results.csv``, ``OUT/rejects.csv`` and ``OUT/incentives.csv``;
    use as a context manager.

    The rows go to ``NAME.partial`` files, which a checkpoint makes durable and a resume
    continues; they are renamed to their names only when the writer ends without an error
    (R-48). A run that dies (killed, a full disk) leaves no ``results.csv`` cut short: the
    previous run's output is removed when a new run starts."""

    out_dir: Path
    counts: dict[str, int] = field(default_factory=dict)
    billed: int = 0  # cents billed on the lines adjudicated (not on reversals)
    resume_from: dict | None = None  # a checkpoint: continue the files from there
    resumable: bool = True  # a failure says to go on with --resume (not the reference model's run)

    def __enter__(self) -> "ResultWriter":
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._paths = [self.out_dir / name for name in (RESULTS_FILE, REJECTS_FILE, INCENTIVES_FILE)]
        try:
            if self.resume_from is None:
                for path in self._paths:  # an earlier run's output is not this run's
                    path.unlink(missing_ok=True)
                self._files = [open(partial_path(path), "w", newline="") for path in self._paths]
            else:  # drop whatever was written after the checkpoint, keep what it covers
                # a checkpoint of a run from before A-12 has no incentives.csv: it starts empty
                sizes = (self.resume_from["results_bytes"], self.resume_from["rejects_bytes"],
                         self.resume_from.get("incentives_bytes", 0))
                self._files = [_truncated(path, size) for path, size in zip(self._paths, sizes)]
                self.counts = dict(self.resume_from["counts"])
                self.billed = self.resume_from["billed"]
            self._results_file, self._rejects_file, self._incentives_file = self._files
            self._results = csv.writer(self._results_file)  # RFC 4180 CRLF, as the spec examples
            self._rejects = csv.writer(self._rejects_file)
            self._incentives = csv.writer(self._incentives_file)
            if self.resume_from is None:
                self._results.writerow(RESULT_COLUMNS)
                self._rejects.writerow(REJECT_COLUMNS)
            if self._incentives_file.tell() == 0:
                self._incentives.writerow(REWARD_COLUMNS)
        except OSError as exc:
            self._abandon()
            raise failure(self.out_dir, exc, self.resumable) from None
        return self

    def checkpoint(self, **position) -> dict:
        """Makes everything written so far durable; returns the state a resume starts from."""
        for which, fh in enumerate(self._files):
            with self._writing(which):
                fh.flush()
                os.fsync(fh.fileno())
        return {**position, "results_bytes": self._results_file.tell(), "rejects_bytes": self._rejects_file.tell(),
                "incentives_bytes": self._incentives_file.tell(), "counts": dict(self.counts), "billed": self.billed}

    def rows(self, rows: list[LineResult], claim: Claim | None = None) -> None:
        with self._writing(0):
            for row in rows:
                if claim is not None and row.status != LineStatus.REVERSED:
                    self.billed += claim.lines[row.line - 1].billed
                self._results.writerow(result_row(row))
                self.counts[row.status.value] = self.counts.get(row.status.value, 0) + 1

    def rewards(self, rows: list[RewardRow]) -> None:
        """Rows of incentives.csv (A-12.3), in the order they happened."""
        with self._writing(2):
            self._incentives.writerows(reward_row_cells(row) for row in rows)

    def reject(self, reject: Reject) -> None:
        with self._writing(1):
            self._rejects.writerow(reject_row(reject))
            self.counts["REJECTED"] = self.counts.get("REJECTED", 0) + 1

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is not None:  # the partial files stay for a resume, as far as a checkpoint made them durable
            self._abandon()
            return
        for which, fh in enumerate(self._files):
            with self._writing(which):
                fh.flush()
                os.fsync(fh.fileno())
                fh.close()
        for path in self._paths:
            os.replace(partial_path(path), path)
        fsync_dir(self.out_dir)

    @contextmanager
    def _writing(self, which: int) -> Iterator[None]:
        """A write to file ``which`` that fails (a full disk) is one line naming the file; the
        files are closed, the partial ones left for a resume."""
        try:
            yield
        except OSError as exc:
            self._abandon()
            raise failure(partial_path(self._paths[which]), exc, self.resumable) from None

    def _abandon(self) -> None:
        for fh in getattr(self, "_files", ()):
            close_quietly(fh)


def _truncated(path: Path, size: int):
    """``path``'s partial file (the complete one of a run that died after writing it, as when
    killed while paying providers, is taken back), cut to ``size`` bytes, for appending."""
    partial = partial_path(path)
    if not partial.exists():
        if path.exists():
            os.replace(path, partial)
        else:
            partial.touch()
    fh = open(partial, "r+", newline="")
    fh.truncate(size)
    fh.seek(size)
    return fh


def write_input_errors(out_dir: Path, errors: list[InputError]) -> None:
    with atomic_output(out_dir / INPUT_ERRORS_FILE, newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["file", "row", "record_id", "field", "reason"])
        for e in errors:
            writer.writerow([text_cell(e.file), e.row, text_cell(e.record_id), text_cell(e.field), text_cell(e.reason)])


def read_results(out_dir: Path) -> pd.DataFrame:
    frame = pd.read_csv(out_dir / RESULTS_FILE, dtype=str, keep_default_na=False)
    for column in ("allowed", "deductible", "copay", "coinsurance", "paid", "patient"):
        # results.csv always writes two decimals, so dropping the point gives cents exactly
        frame[column] = frame[column].str.replace(".", "", regex=False).astype("int64")
    frame["line"] = frame["line"].astype("int64")
    return frame  # amounts in cents


def outcome_totals(results: pd.DataFrame, billed_cents: int | None = None) -> dict:
    """Lines by status and money totals in dollars (REVERSED rows net their originals out)."""
    by_status = results.groupby("status").size().to_dict()
    claims_by_status = results.groupby("status")["claim_id"].nunique().to_dict()
    money = {c: results[c].sum() / 100 for c in ("allowed", "deductible", "copay", "coinsurance", "paid", "patient")}
    totals = {
        "lines": {k: int(v) for k, v in by_status.items()},
        "claims": {k: int(v) for k, v in claims_by_status.items()},
        "amounts": {k: round(float(v), 2) for k, v in money.items()},
    }
    if billed_cents is not None:
        totals["amounts"]["billed"] = round(billed_cents / 100, 2)
    return totals


def denial_reasons(results: pd.DataFrame) -> pd.Series:
    """Count of denied lines by CARC."""
    denied = results[results["status"] == "DENIED"]
    codes = denied["adjustments"].str.extract(r"^CO-([^:]+):")[0]
    return codes.value_counts().sort_values(ascending=False)
