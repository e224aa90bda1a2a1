"""Reading a Synthea CSV export's files and the crosswalks given with it (R-46): by column
name, case-insensitive, every cell a string. A file that is not UTF-8 CSV, has no header row,
lacks a required column or repeats a wanted one is one :class:`ScenarioError` naming it; a row
with more fields than the header is an import issue naming the file and line, and is skipped
(the rows around it are read as if it were not there).
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from .fhir import ImportReport, Issue
from .fields import ROW_PROBLEM, ScenarioError, csv_records, wide_row


def _header(path: Path, records) -> list[str]:
    first = next(records, None)
    if first is None:
        raise ScenarioError(f"{path.name}: empty file (no header row)")
    return first[1]


def read_rows(path: Path, wanted: list[str], required: list[str]) -> Iterator[tuple[int, dict]]:
    """(the line it starts on, the row by the names in ``wanted``) for each row of ``path``;
    missing cells and absent columns are empty. A row with more fields than the header carries
    why under ``ROW_PROBLEM`` (see :func:`skip_wide_rows`)."""
    records = csv_records(path)
    header = _header(path, records)
    wanted_upper = {c.upper() for c in wanted}
    by_upper: dict[str, int] = {}
    for index, column in enumerate(header):
        if column.upper() in by_upper and column.upper() in wanted_upper:
            raise ScenarioError(f"{path.name}: column {column} appears more than once")
        by_upper.setdefault(column.upper(), index)
    missing = [c for c in required if c.upper() not in by_upper]
    if missing:
        raise ScenarioError(f"{path.name}: missing column(s) {', '.join(missing)}")
    positions = [(c, by_upper.get(c.upper())) for c in wanted]
    width = len(header)
    for line, cells in records:
        n = len(cells)
        row = {name: (cells[i] if i is not None and i < n else "") for name, i in positions}
        if n > width:
            row[ROW_PROBLEM] = wide_row(n, width)
        yield line, row


def skip_wide_rows(path: Path, rows, report: ImportReport, id_column: str = "Id",
                   on_skip=None) -> Iterator[tuple[int, dict]]:
    """``rows`` but those with more fields than the header, each reported as an error issue of
    its file and line (with its id as read where the id's column is) and passed to
    ``on_skip(line, row)`` when given."""
    for line, row in rows:
        if ROW_PROBLEM not in row:
            yield line, row
            continue
        report.issues.append(Issue(f"{path.name}:{line}", str(row.get(id_column, "")).strip(), path.name, "error",
                                   f"{row[ROW_PROBLEM]}: row skipped"))
        if on_skip is not None:
            on_skip(line, row)


def read_records(path: Path, wanted: list[str], required: list[str], report: ImportReport,
                 id_column: str = "Id") -> list[dict]:
    """The rows of ``path`` that are records (:func:`read_rows`, :func:`skip_wide_rows`)."""
    return [row for _, row in skip_wide_rows(path, read_rows(path, wanted, required), report, id_column)]


def crosswalk(given, default: Path, columns: tuple[str, str], report: ImportReport) -> tuple[dict[str, str], str]:
    """A mapping from a dict, a CSV path (first two columns, or the named ones), or the
    default file in the export directory; with a description for the report."""
    if isinstance(given, dict):
        return {str(k).strip(): str(v).strip() for k, v in given.items()}, "given mapping"
    path = Path(given) if given is not None else default
    if not path.is_file():
        if given is not None:
            raise ScenarioError(f"{path}: crosswalk file not found")
        return {}, "none"
    records = csv_records(path)
    header = _header(path, records)
    if len(header) < 2:
        raise ScenarioError(f"{path.name}: a crosswalk needs two columns ({columns[0]},{columns[1]})")
    src = header.index(columns[0]) if columns[0] in header else 0
    dst = header.index(columns[1]) if columns[1] in header else 1
    mapping: dict[str, str] = {}
    for line, cells in records:
        if len(cells) > len(header):
            report.issues.append(Issue(f"{path.name}:{line}", cells[src].strip(), path.name, "error",
                                       f"{wide_row(len(cells), len(header))}: row skipped"))
            continue
        a, b = (cells[i].strip() if i < len(cells) else "" for i in (src, dst))
        if a:
            mapping[a] = b
    return mapping, path.name
