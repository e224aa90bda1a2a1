"""``claims.csv`` (A-2.5, A-10): the rows of each claim streamed, parsed and checked field by
field (A-3, R-1, R-4). Stateful record checks (reused ids, originals) belong to the engine."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator


from .codesets import code_set_error, diagnosis_error
from .csv_safety import text_cell
from .fields import (
    MAX_CENTS, MAX_DIAGNOSES, MAX_LINES_PER_CLAIM, NPI_FORMAT, CODE_FORMAT, ROW_PROBLEM, _FieldError,
    _cents, _count, _day, _identifier, _require, csv_rows,
)
from .records import Claim, ClaimLine, Frequency, Reject

CLAIMS_FILE = "claims.csv"
CLAIM_COLUMNS = [
    "claim_id", "frequency", "original_claim_id", "member_id", "provider_npi",
    "received_date", "service_date", "procedure_code", "units", "billed", "diagnoses",
]
CLAIM_LEVEL_FIELDS = [
    "frequency", "original_claim_id", "member_id", "provider_npi", "received_date", "diagnoses",
]
# a line billed over a date range gives its last day here (empty: one day)
SERVICE_DATE_END = "service_date_end"
# the prior payer's result of a line this plan pays second (both empty: none)
OTHER_PAYER_ALLOWED = "other_payer_allowed"
OTHER_PAYER_PAID = "other_payer_paid"
OTHER_PAYER_COLUMNS = [OTHER_PAYER_ALLOWED, OTHER_PAYER_PAID]
OPTIONAL_CLAIM_COLUMNS = [SERVICE_DATE_END, *OTHER_PAYER_COLUMNS]


def _service_days(row: dict, received: int) -> tuple[int, int | None]:
    """(date of service, last day of a range or None): A-10.2, R-19. Every fault of a range is
    a record error on ``service_date``, the field X12 (DTP*472 RD8) and FHIR (servicedPeriod)
    carry the range in."""
    service_date = _day(row, "service_date")
    if service_date > received:
        raise _FieldError("service_date", "service_date after received_date")
    if not str(row.get(SERVICE_DATE_END) or "").strip():
        return service_date, None
    try:
        end = _day(row, SERVICE_DATE_END)
    except _FieldError as exc:
        raise _FieldError("service_date", exc.reason) from None
    if end < service_date:
        raise _FieldError("service_date", "service_date_end before service_date")
    if end > received:
        raise _FieldError("service_date", "the last day of the service date range is after received_date")
    return service_date, (end if end != service_date else None)


def _claim_line(row: dict, received: int) -> ClaimLine:
    service_date, service_end = _service_days(row, received)
    code = _require(row, "procedure_code")
    if not CODE_FORMAT.match(code):
        raise _FieldError("procedure_code", "procedure code must be 4-8 letters or digits")
    units = _count(row, "units")
    billed = _cents(row, "billed")
    if billed <= 0:
        raise _FieldError("billed", "billed must be positive")
    if billed > MAX_CENTS:
        raise _FieldError("billed", "billed is implausibly large")
    return ClaimLine(service_date, code, units, billed, service_end, *_other_payer(row))


def _other_payer(row: dict) -> tuple[int | None, int | None]:
    """The prior payer's allowed and paid cents of a line (A-11.1, R-40): both or neither; not
    negative; paid at most allowed; allowed within R-4's limit."""
    given = [str(row.get(name) or "").strip() != "" for name in OTHER_PAYER_COLUMNS]
    if not any(given):
        return None, None
    if not all(given):
        missing = OTHER_PAYER_COLUMNS[given.index(False)]
        raise _FieldError(missing, f"{missing} is required when the other prior payer amount is given")
    allowed, paid = (_cents(row, name) for name in OTHER_PAYER_COLUMNS)
    for name, value in zip(OTHER_PAYER_COLUMNS, (allowed, paid)):
        if value < 0:
            raise _FieldError(name, f"{name} must not be negative")
    if allowed > MAX_CENTS:
        raise _FieldError(OTHER_PAYER_ALLOWED, f"{OTHER_PAYER_ALLOWED} is implausibly large")
    if paid > allowed:
        raise _FieldError(OTHER_PAYER_PAID, f"{OTHER_PAYER_PAID} exceeds {OTHER_PAYER_ALLOWED}")
    return allowed, paid


def row_problem(rows: list[dict]) -> str | None:
    """Why a row of the claim is no record (more fields than the header, R-46), or None."""
    return next((r[ROW_PROBLEM] for r in rows if ROW_PROBLEM in r), None)


def parse_claim(rows: list[dict]) -> Claim | Reject:
    """Turn the contiguous rows of one claim into a Claim, or the first field error."""
    head = rows[0]
    claim_id = str(head.get("claim_id", "")).strip()
    try:
        wide = row_problem(rows)
        if wide:  # which cell is which cannot be told; the id is read where its column is
            raise _FieldError("row", wide)
        claim_id = _identifier(head, "claim_id")
        for name in CLAIM_LEVEL_FIELDS:
            values = {str(r.get(name, "")).strip() for r in rows}
            if len(values) > 1:
                raise _FieldError(name, f"{name} differs between lines of one claim")
        frequency_text = str(head.get("frequency", "")).strip()
        if frequency_text not in {"1", "7", "8"}:
            raise _FieldError("frequency", "frequency must be 1, 7 or 8")
        frequency = Frequency(int(frequency_text))
        original = str(head.get("original_claim_id", "")).strip()
        if frequency == Frequency.ORIGINAL and original:
            raise _FieldError("original_claim_id", "original_claim_id must be empty for frequency 1")
        if frequency != Frequency.ORIGINAL:
            original = _identifier(head, "original_claim_id")
            if original == claim_id:
                raise _FieldError("original_claim_id", "a claim cannot correct itself")
        member_id = _identifier(head, "member_id")
        npi = _require(head, "provider_npi")
        if not NPI_FORMAT.match(npi):
            raise _FieldError("provider_npi", "provider_npi must be 10 digits")
        received = _day(head, "received_date")
        diagnoses = tuple(d.strip() for d in str(head.get("diagnoses", "")).split(";") if d.strip())
        if not diagnoses:
            raise _FieldError("diagnoses", "at least one diagnosis is required")
        if len(diagnoses) > MAX_DIAGNOSES:
            raise _FieldError("diagnoses", f"at most {MAX_DIAGNOSES} diagnoses")
        bad = next((reason for reason in map(diagnosis_error, diagnoses) if reason), None)
        if bad:
            raise _FieldError("diagnoses", bad)
        if len(rows) > MAX_LINES_PER_CLAIM:
            raise _FieldError("claim_id", f"more than {MAX_LINES_PER_CLAIM} lines")
        lines = tuple(_claim_line(r, received) for r in rows)
        wrong_set = code_set_error(diagnoses, [line.service_date for line in lines])
        if wrong_set:
            raise _FieldError("diagnoses", wrong_set)
    except _FieldError as exc:
        return Reject(claim_id, exc.field, exc.reason)
    return Claim(claim_id, frequency, original, member_id, npi, received, diagnoses, lines)


def iter_claim_rows(path: Path) -> Iterator[list[dict]]:
    """Yield the rows of each claim: consecutive rows sharing a claim_id, streamed. A row with
    more fields than the header carries why under ``fields.ROW_PROBLEM`` (its claim is
    rejected by :func:`parse_claim`)."""
    pending: list[dict] = []
    for _, _, row in csv_rows(path, CLAIM_COLUMNS):
        if pending and row["claim_id"] != pending[0]["claim_id"]:
            yield pending
            pending = []
        pending.append(row)
    if pending:
        yield pending


def iter_claims(path: str | Path) -> Iterator[Claim | Reject]:
    """Stream claims.csv as Claims, or Rejects for records with a bad field (A-3)."""
    for rows in iter_claim_rows(Path(path)):
        yield parse_claim(rows)


def columns_for(rows: list[dict]) -> list[str]:
    """The columns an importer writes: A-2.5's, ``service_date_end`` only when a line has a
    range (A-10.2), the prior payer's amounts only when a line has them (A-11.1), so files
    without either stay as they were."""
    ranged = any(str(r.get(SERVICE_DATE_END) or "") for r in rows)
    secondary = any(str(r.get(OTHER_PAYER_PAID) or "") for r in rows)
    return CLAIM_COLUMNS + ([SERVICE_DATE_END] if ranged else []) + (OTHER_PAYER_COLUMNS if secondary else [])


def write_claims_csv(path: Path, rows: list[dict]) -> Path:
    """Write claims.csv rows (dicts by column name) as the importers do."""
    import csv

    from .atomic import atomic_output

    with atomic_output(path, newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, columns_for(rows), lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        # importers check every row (parse_claim) first, so no text cell of a written row
        # begins with a formula character; made safe all the same, amounts (never negative) as given
        amounts = {"billed", *OTHER_PAYER_COLUMNS}
        writer.writerows({k: v if k in amounts else text_cell(v) for k, v in row.items()} for row in rows)
    return path
