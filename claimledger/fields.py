"""Field parsing shared by the scenario files (A-2, R-4): formats, limits and the one error
type a bad field raises, and reading an input CSV into rows (R-46). No other I/O."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .csv_safety import single_line
from .codesets import ICD10_FORMAT  # noqa: F401 - re-exported: R-4's diagnosis form
from .money import FormatError, parse_cents, parse_day

MAX_LINES_PER_CLAIM = 50  # X12 837P allows 50 service lines per claim
MAX_DIAGNOSES = 12  # X12 837P HI segment: 12 diagnosis codes
MAX_ID_LENGTH = 64
MAX_UNITS = 9_999
MAX_CENTS = 10**12  # ten billion dollars: anything larger is a keying error
# ids of claims, members, plans, ...; R-46: not beginning with '-' (a spreadsheet formula)
ID_FORMAT = re.compile(r"^[A-Za-z0-9._][A-Za-z0-9._\-]{0,63}$")
ID_RULE = f"1-{MAX_ID_LENGTH} letters, digits, '.', '_' or '-', not beginning with '-'"
NPI_FORMAT = re.compile(r"^\d{10}$")
CODE_FORMAT = re.compile(r"^[A-Z0-9]{4,8}$")
_BOOL = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}


class ScenarioError(Exception):
    """The scenario cannot be used at all (missing file or column): one-line reason."""


@dataclass(frozen=True)
class InputError:
    """A reference-data record that was skipped."""

    file: str
    row: int  # 1-based data row (header excluded); 0 for YAML
    record_id: str
    field: str
    reason: str

    def __post_init__(self) -> None:  # one line each, however the input quoted reads
        object.__setattr__(self, "record_id", single_line(self.record_id, 100))
        object.__setattr__(self, "reason", single_line(self.reason))

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}" if self.row else self.file
        return f"{where} {self.record_id}: {self.field}: {self.reason}"


class _FieldError(Exception):
    def __init__(self, field_name: str, reason: str):
        super().__init__(f"{field_name}: {reason}")
        self.field = field_name
        self.reason = reason


def _require(row: dict, name: str) -> str:
    value = str(row.get(name, "")).strip()
    if not value:
        raise _FieldError(name, f"{name} is required")
    return value


def _identifier(row: dict, name: str) -> str:
    value = _require(row, name)
    if not ID_FORMAT.match(value):
        raise _FieldError(name, f"{name} must be {ID_RULE}")
    return value


def _day(row: dict, name: str) -> int:
    try:
        return parse_day(_require(row, name))
    except FormatError as exc:
        raise _FieldError(name, str(exc)) from None


def _cents(row: dict, name: str) -> int:
    try:
        return parse_cents(_require(row, name))
    except FormatError as exc:
        raise _FieldError(name, str(exc)) from None


def _count(row: dict, name: str) -> int:
    text = _require(row, name)
    if not re.fullmatch(r"-?\d+", text):
        raise _FieldError(name, f"{name} must be a whole number")
    if len(text) > 12:  # int() of thousands of digits is refused by Python itself
        raise _FieldError(name, f"{name} must be at most {MAX_UNITS}")
    value = int(text)
    if value <= 0:
        raise _FieldError(name, f"{name} must be positive")
    if value > MAX_UNITS:
        raise _FieldError(name, f"{name} must be at most {MAX_UNITS}")
    return value


def _bool(row: dict, name: str) -> bool:
    text = _require(row, name).lower()
    if text not in _BOOL:
        raise _FieldError(name, f"{name} must be true or false")
    return _BOOL[text]


# The key under which a row read by :func:`csv_rows` holds why it is no record: more fields
# than the header. Never a column name (those are text), and where csv.DictReader puts
# the cells past the header.
ROW_PROBLEM = None
_BLANK = " \t"  # a line of only these is skipped, as an empty one
csv.field_size_limit(2**31 - 1)  # a cell of 10 MB is a bad cell of its record, not a bad file


def _not_utf8(path: Path, exc: UnicodeError, offset) -> ScenarioError:
    return ScenarioError(f"{path.name}: not UTF-8 text ({exc.__class__.__name__} at byte {offset}); "
                         f"save it as UTF-8 CSV")


def csv_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(the line it starts on, its cells) for each record of the UTF-8 CSV file ``path`` (a
    byte-order mark allowed), the header first; empty lines and lines of blanks skipped. A file
    that is not UTF-8 text or leaves a quote open is one :class:`ScenarioError` naming it."""
    if not path.is_file():
        raise ScenarioError(f"{path.name}: file not found in {path.parent}")
    with open(path, "rb") as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
        ended = []

        def lines():
            yield from text
            ended.append(True)  # the reader asks past the last line only inside an open quote

        reader = csv.reader(lines(), strict=False)
        start = 1
        try:
            for cells in reader:
                if ended:
                    raise ScenarioError(f"{path.name}: not readable as CSV: the quote opened in the record on line "
                                        f"{start} is never closed (a quote inside a cell is written twice)")
                if cells and not (len(cells) == 1 and cells[0] and not cells[0].strip(_BLANK)):
                    yield start, cells
                start = reader.line_num + 1
        except UnicodeDecodeError as exc:  # where in the file: the chunk being decoded ends at tell()
            raise _not_utf8(path, exc, raw.tell() - len(exc.object) + exc.start) from None
        except UnicodeError as exc:
            raise _not_utf8(path, exc, "?") from None
        except csv.Error as exc:
            raise ScenarioError(f"{path.name}: not readable as CSV: {single_line(str(exc), 200)} "
                                f"(line {reader.line_num})") from None


def csv_rows(path: Path, columns: list[str]) -> Iterator[tuple[int, int, dict]]:
    """(data row number from 1, the line it starts on, the row by column name) for each row of
    ``path``; missing cells are empty. A row with more fields than the header has the first
    ones by name and, under :data:`ROW_PROBLEM`, why it is no record (R-10, R-46). A file that
    lacks one of ``columns`` or has one twice is one :class:`ScenarioError` naming it."""
    records = csv_records(path)
    first = next(records, None)
    if first is None:
        raise ScenarioError(f"{path.name}: empty file (no header row)")
    header = first[1]
    check_columns(path, header, columns)
    width = len(header)
    padding = [""] * width
    for row_no, (line, cells) in enumerate(records, start=1):
        row = dict(zip(header, cells + padding if len(cells) < width else cells))
        if len(cells) > width:
            row[ROW_PROBLEM] = wide_row(len(cells), width)
        yield row_no, line, row


def wide_row(fields: int, width: int) -> str:
    return f"row has {fields} fields, the header {width} (a cell with a comma must be quoted)"


def check_columns(path: Path, header: list[str], columns: list[str]) -> None:
    missing = [c for c in columns if c not in header]
    if missing:
        raise ScenarioError(f"{path.name}: missing column(s) {', '.join(missing)}")
    twice = [c for c in columns if header.count(c) > 1]
    if twice:
        raise ScenarioError(f"{path.name}: column(s) {', '.join(twice)} appear more than once")


def _load_rows(path: Path, columns: list[str], id_column: str, parse) -> tuple[list, list[tuple[int, str, str, str]]]:
    """Parse each row of a reference-data CSV with ``parse(row)``: the records, and for each
    row whose field is bad (row, record id, field, reason), skipped (R-10)."""
    records, bad = [], []
    for row_no, _, row in csv_rows(path, columns):
        if ROW_PROBLEM in row:
            bad.append((row_no, str(row.get(id_column, "")).strip(), "row", row[ROW_PROBLEM]))
            continue
        try:
            records.append(parse(row))
        except _FieldError as exc:
            bad.append((row_no, str(row.get(id_column, "")).strip(), exc.field, exc.reason))
    return records, bad


def _load_records(path: Path, file_name: str, columns: list[str], id_column: str, parse,
                  errors: list[InputError]) -> list:
    """:func:`_load_rows`, its bad rows reported as InputErrors of ``file_name``."""
    records, bad = _load_rows(path, columns, id_column, parse)
    errors.extend(InputError(file_name, row, record, field, reason) for row, record, field, reason in bad)
    return records
