"""Field parsing shared by the scenario files (A-2, R-4): formats, limits and the one error
type a bad field raises. No I/O beyond reading a CSV whole."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

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


def not_csv_error(path: Path, exc: Exception) -> ScenarioError:
    """Why ``path`` cannot be read as UTF-8 CSV at all, in one line naming the file."""
    if isinstance(exc, UnicodeError):
        return ScenarioError(f"{path.name}: not UTF-8 text ({exc.__class__.__name__} at byte "
                             f"{getattr(exc, 'start', '?')}); save it as UTF-8 CSV")
    if isinstance(exc, pd.errors.EmptyDataError):
        return ScenarioError(f"{path.name}: empty file (no header row)")
    lines = str(exc).strip().splitlines()
    reason = lines[0].removeprefix("Error tokenizing data. ") if lines else exc.__class__.__name__
    return ScenarioError(f"{path.name}: not readable as CSV: {reason[:200]} (a field with a comma, quote "
                         f"or line break must be quoted)")


# what pandas raises for a file that is not UTF-8 CSV text (ParserError and EmptyDataError are
# ValueErrors; a NUL byte or a field past the C parser's limits can give either)
CSV_FAILURES = (UnicodeError, ValueError, pd.errors.ParserError, OverflowError, MemoryError)


def read_csv_text(path: Path, columns: list[str], chunksize: int | None = None, **options):
    """``path`` read as CSV text (every cell a string, nothing taken as NA): a DataFrame, or an
    iterator of DataFrames of ``chunksize`` rows. A file that is not UTF-8 CSV, lacks one of
    ``columns`` or has one of them twice is one :class:`ScenarioError` naming the file (R-10)."""
    if not path.is_file():
        raise ScenarioError(f"{path.name}: file not found in {path.parent}")
    try:
        header = list(pd.read_csv(path, nrows=0, dtype=str, encoding="utf-8").columns)
    except CSV_FAILURES as exc:
        raise not_csv_error(path, exc) from None
    missing = [c for c in columns if c not in header]
    if missing:
        raise ScenarioError(f"{path.name}: missing column(s) {', '.join(missing)}")
    twice = [c for c in columns if f"{c}.1" in header]  # pandas renames a repeated column "name.1"
    if twice:
        raise ScenarioError(f"{path.name}: column(s) {', '.join(twice)} appear more than once")
    if chunksize is None:
        try:
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8", **options)
        except CSV_FAILURES as exc:
            raise not_csv_error(path, exc) from None
    return _chunks(path, chunksize, options)


def _chunks(path: Path, chunksize: int, options: dict):
    try:
        yield from pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8", chunksize=chunksize,
                               **options)
    except CSV_FAILURES as exc:
        raise not_csv_error(path, exc) from None


def _read_csv(path: Path, columns: list[str]) -> pd.DataFrame:
    return read_csv_text(path, columns)


def _load_rows(path: Path, columns: list[str], id_column: str, parse) -> tuple[list, list[tuple[int, str, str, str]]]:
    """Parse each row of a reference-data CSV with ``parse(row)``: the records, and for each
    row whose field is bad (row, record id, field, reason), skipped (R-10)."""
    records, bad = [], []
    for row_no, row in enumerate(_read_csv(path, columns).to_dict("records"), start=1):
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
