"""Field parsing shared by the scenario files (A-2, R-4): formats, limits and the one error
type a bad field raises. No I/O beyond reading a CSV whole."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .codesets import ICD10_FORMAT  # noqa: F401 - re-exported: R-4's diagnosis form
from .money import FormatError, parse_cents, parse_day

MAX_LINES_PER_CLAIM = 50  # X12 837P allows 50 service lines per claim
MAX_DIAGNOSES = 12  # X12 837P HI segment: 12 diagnosis codes
MAX_ID_LENGTH = 64
MAX_UNITS = 9_999
MAX_CENTS = 10**12  # ten billion dollars: anything larger is a keying error
ID_FORMAT = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")  # ids of claims, members, plans, ...
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
        raise _FieldError(name, f"{name} must be 1-{MAX_ID_LENGTH} letters, digits, '.', '_' or '-'")
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


def _read_csv(path: Path, columns: list[str]) -> pd.DataFrame:
    if not path.is_file():
        raise ScenarioError(f"{path.name}: file not found in {path.parent}")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ScenarioError(f"{path.name}: missing column(s) {', '.join(missing)}")
    return frame


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
