"""Writing ``results.csv`` and ``rejects.csv`` (A-9) as outcomes stream in, and summarising them."""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

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


@dataclass
class ResultWriter:
    """Streams rows to ``OUT/results.csv``, ``OUT/rejects.csv`` and ``OUT/incentives.csv``;
    use as a context manager."""

    out_dir: Path
    counts: dict[str, int] = field(default_factory=dict)
    billed: int = 0  # cents billed on the lines adjudicated (not on reversals)
    resume_from: dict | None = None  # a checkpoint: continue the files from there

    def __enter__(self) -> "ResultWriter":
        self.out_dir.mkdir(parents=True, exist_ok=True)
        if self.resume_from is None:
            self._results_file = open(self.out_dir / RESULTS_FILE, "w", newline="")
            self._rejects_file = open(self.out_dir / REJECTS_FILE, "w", newline="")
            self._incentives_file = open(self.out_dir / INCENTIVES_FILE, "w", newline="")
        else:  # drop whatever was written after the checkpoint, keep what it covers
            self._results_file = _truncated(self.out_dir / RESULTS_FILE, self.resume_from["results_bytes"])
            self._rejects_file = _truncated(self.out_dir / REJECTS_FILE, self.resume_from["rejects_bytes"])
            # a checkpoint of a run from before A-12 has no incentives.csv: it starts empty
            self._incentives_file = _truncated(self.out_dir / INCENTIVES_FILE, self.resume_from.get("incentives_bytes", 0))
            self.counts = dict(self.resume_from["counts"])
            self.billed = self.resume_from["billed"]
        self._results = csv.writer(self._results_file)  # RFC 4180 CRLF, as the spec examples
        self._rejects = csv.writer(self._rejects_file)
        self._incentives = csv.writer(self._incentives_file)
        if self.resume_from is None:
            self._results.writerow(RESULT_COLUMNS)
            self._rejects.writerow(REJECT_COLUMNS)
        if self._incentives_file.tell() == 0:
            self._incentives.writerow(REWARD_COLUMNS)
        return self

    def checkpoint(self, **position) -> dict:
        """Makes everything written so far durable; returns the state a resume starts from."""
        for fh in (self._results_file, self._rejects_file, self._incentives_file):
            fh.flush()
            os.fsync(fh.fileno())
        return {**position, "results_bytes": self._results_file.tell(), "rejects_bytes": self._rejects_file.tell(),
                "incentives_bytes": self._incentives_file.tell(), "counts": dict(self.counts), "billed": self.billed}

    def rows(self, rows: list[LineResult], claim: Claim | None = None) -> None:
        for row in rows:
            if claim is not None and row.status != LineStatus.REVERSED:
                self.billed += claim.lines[row.line - 1].billed
            self._results.writerow(result_row(row))
            self.counts[row.status.value] = self.counts.get(row.status.value, 0) + 1

    def rewards(self, rows: list[RewardRow]) -> None:
        """Rows of incentives.csv (A-12.3), in the order they happened."""
        self._incentives.writerows(reward_row_cells(row) for row in rows)

    def reject(self, reject: Reject) -> None:
        self._rejects.writerow(reject_row(reject))
        self.counts["REJECTED"] = self.counts.get("REJECTED", 0) + 1

    def __exit__(self, *exc) -> None:
        self._results_file.close()
        self._rejects_file.close()
        self._incentives_file.close()


def _truncated(path: Path, size: int):
    if not path.exists():
        path.touch()
    fh = open(path, "r+", newline="")
    fh.truncate(size)
    fh.seek(size)
    return fh


def write_input_errors(out_dir: Path, errors: list[InputError]) -> None:
    with open(out_dir / INPUT_ERRORS_FILE, "w", newline="") as fh:
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
