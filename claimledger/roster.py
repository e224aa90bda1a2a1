"""The enrollment roster (A-10.3): who a patient is, off chain.

A claim for a dependent (X12 loop 2000C, a FHIR Coverage whose beneficiary is not its
subscriber) names the subscriber's id and the patient's name and birth date, not the patient's
own member id. ``roster.csv`` (``member_id,subscriber_id,first_name,last_name,birth_date``, as
an 834 carries it) finds that id: exactly one roster member with the subscriber id, the birth
date and the first name (case-insensitive) gives it; none or several is a record error on
``member_id``. Names and birth dates never leave this module for the chain or the results.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .csv_safety import read_text_cell
from .fields import _FieldError, _day, _identifier, _load_records, _require
from .money import format_day

ROSTER_FILE = "roster.csv"
ROSTER_COLUMNS = ["member_id", "subscriber_id", "first_name", "last_name", "birth_date"]


@dataclass(frozen=True)
class RosterEntry:
    member_id: str
    subscriber_id: str
    first_name: str
    last_name: str
    birth_date: int  # days since 1970-01-01


@dataclass(frozen=True)
class RosterMatch:
    """The member a patient is, or why none could be told (a record error on ``member_id``)."""

    member_id: str | None
    subscriber_id: str = ""
    reason: str = ""


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


class Roster:
    """Roster members by (subscriber id, birth date, first name)."""

    def __init__(self, entries: list[RosterEntry]):
        self.entries = entries
        self._index: dict[tuple[str, int, str], list[RosterEntry]] = defaultdict(list)
        for entry in entries:
            self._index[(entry.subscriber_id, entry.birth_date, _name_key(entry.first_name))].append(entry)

    def find(self, subscriber_id: str, birth_date: int, first_name: str) -> RosterMatch:
        """A-10.3: exactly one match gives the member id."""
        found = self._index.get((subscriber_id, birth_date, _name_key(first_name)), [])
        who = f"subscriber id {subscriber_id}, birth date {format_day(birth_date)}, first name {first_name!r}"
        if not found:
            return RosterMatch(None, reason=f"no roster member with {who} (A-10.3)")
        if len(found) > 1:
            ids = ", ".join(e.member_id for e in found)
            return RosterMatch(None, reason=f"{len(found)} roster members match {who} ({ids}): ambiguous (A-10.3)")
        return RosterMatch(found[0].member_id, found[0].subscriber_id)


def load_roster(path: Path, errors: list) -> Roster | None:
    """``roster.csv`` if the file exists (None otherwise); a bad row is skipped and reported
    as an input error (R-10), like any reference-data row."""
    if not Path(path).is_file():
        return None
    seen: set[str] = set()

    def parse(row: dict) -> RosterEntry:
        member_id = _identifier(row, "member_id")
        if member_id in seen:
            raise _FieldError("member_id", "member_id listed twice")
        # names as the 834 import wrote them: a quote it put before a formula character is not
        # part of the name (R-46), so "=Ann" in roster.csv as "'=Ann" still finds claims for "=Ann"
        entry = RosterEntry(member_id, _identifier(row, "subscriber_id"), read_text_cell(_require(row, "first_name")),
                            read_text_cell(str(row.get("last_name", "")).strip()), _day(row, "birth_date"))
        seen.add(member_id)
        return entry

    return Roster(_load_records(Path(path), ROSTER_FILE, ROSTER_COLUMNS, "member_id", parse, errors))
