"""What the PHI scan looks for: every name, address, birth date, phone number and member, claim
or authorization number that the scan's inputs carry, read from the inputs themselves, and the
forms each could take on chain (as text, as bytes, as the unsalted keccak of the text)."""
from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

from eth_utils import keccak

MIN_LENGTH = 3  # shorter values ("IL", an initial) would match by chance, and name no one alone
PERSON_NM1 = ("IL", "QC")  # 837 subscriber and patient (not the provider, payer or submitter)
MAPPING_SLOTS = 64
NUMBER_DIGITS = 7  # phone, SSN and member numbers as numbers; a ZIP code as 8 bytes is most zeros  # storage slots of mappings keyed directly by an id: keccak(key . slot)


def _rows(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def from_x12(path: Path) -> set[str]:
    """Names, ids, addresses and birth dates of subscribers and patients, phone numbers,
    claim, original claim and prior authorization numbers of an 837."""
    found: set[str] = set()
    person = False
    for segment in path.read_text().split("~"):
        e = segment.strip().split("*")
        if e[0] == "NM1":
            person = e[1] in PERSON_NM1
            if person:
                found.update(e[3:6] + e[9:10])
        elif e[0] in ("N3", "N4", "DMG") and person:
            found.update(e[1:4] if e[0] != "DMG" else e[2:3])
        elif e[0] == "PER":
            found.update(e[4::2])
        elif e[0] == "CLM":
            found.add(e[1])
        elif e[0] == "REF" and e[1] in ("F8", "G1", "9F", "EA"):
            found.add(e[2])
    return found


def from_fhir(path: Path) -> set[str]:
    """Patients' names, birth dates, addresses, phone numbers and identifiers; coverages'
    subscriber ids; claims' identifiers."""
    found: set[str] = set()
    for entry in json.loads(path.read_text())["entry"]:
        r = entry["resource"]
        if r["resourceType"] == "Patient":
            for name in r.get("name", []):
                found.update([name.get("family", "")] + name.get("given", []))
            found.add(r.get("birthDate", ""))
            for address in r.get("address", []):
                found.update(address.get("line", []) + [address.get("city", ""), address.get("postalCode", "")])
            found.update(t["value"] for t in r.get("telecom", []))
        if r["resourceType"] in ("Patient", "Claim", "Coverage"):
            found.update(i["value"] for i in r.get("identifier", []))
        if r["resourceType"] == "Coverage":
            found.add(r.get("subscriberId", ""))
    return found


def from_synthea(directory: Path) -> set[str]:
    found: set[str] = set()
    for row in _rows(directory / "patients.csv"):
        found.update(row[k] for k in ("Id", "BIRTHDATE", "SSN", "DRIVERS", "PASSPORT", "FIRST", "LAST", "MAIDEN",
                                      "ADDRESS", "CITY", "ZIP", "BIRTHPLACE"))
    found.update(row["Id"] for row in _rows(directory / "claims.csv"))
    found.update(row["PHONE"] for row in _rows(directory / "payers.csv"))
    return found


def from_scenario(directory: Path) -> set[str]:
    """Member, family, claim and authorization ids, and the roster's names and birth dates."""
    found: set[str] = set()
    for row in _rows(directory / "members.csv"):
        found.update((row["member_id"], row["subscriber_id"]))
    for row in _rows(directory / "roster.csv"):
        found.update(row[k] for k in ("member_id", "subscriber_id", "first_name", "last_name", "birth_date"))
    for row in _rows(directory / "claims.csv"):
        found.update((row["claim_id"], row["original_claim_id"]))
    found.update(row["auth_id"] for row in _rows(directory / "authorizations.csv"))
    return found


def searchable(values: set[str]) -> list[str]:
    return sorted(v for v in (v.strip() for v in values) if len(v) >= MIN_LENGTH)


def _date(text: str) -> dt.date | None:
    for pattern in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            pass
    return None


def forms(value: str) -> dict[str, bytes]:
    """The needles for one value: its text (as written, upper and lower case), its binary
    forms (a number as 8 bytes and as a 32-byte word; a date as the engine's 4-byte day and as
    YYYYMMDD, also in text), and its unsalted keccak."""
    out = {f"text:{variant}": variant.encode() for variant in {value, value.upper(), value.lower()}}
    digits = "".join(c for c in value if c.isdigit())
    if len(digits) >= NUMBER_DIGITS and all(c.isdigit() or c in "-() .+" for c in value):
        number = int(digits)
        out["bytes:uint64"] = number.to_bytes(8, "big") if number < 2**64 else digits.encode()
        out["bytes:word"] = number.to_bytes(32, "big")
    day = _date(value)
    if day is not None:
        days = (day - dt.date(1970, 1, 1)).days
        ymd = int(day.strftime("%Y%m%d"))
        out["text:yyyymmdd"] = str(ymd).encode()
        out["bytes:yyyymmdd"] = ymd.to_bytes(4, "big")
        if days > 0:
            out["bytes:day"] = days.to_bytes(4, "big")
    out["keccak"] = keccak(text=value)
    return out


def mapping_slots(hashed: bytes) -> set[bytes]:
    """The storage slots a mapping at slot 0..63 keyed by ``hashed`` would use."""
    return {keccak(hashed + p.to_bytes(32, "big")) for p in range(MAPPING_SLOTS)}
