"""The claims engine's packed claim encoding (``IClaimIntake``, docs/ENGINE.md), both ways.

A claim travels as bytes, big-endian, back to back with the others of its batch:

    claimId 32 | memberId 32 | providerNpi 8 | receivedDate 4 | frequency 1 | flags 1 |
    diagnosis count 1 | line count 1 | [originalClaimId 32, when flags bit 0] |
    diagnoses 8 each | lines: serviceDate 4, procedureCode 8, units 2, billed 5 each
    [+ otherPayerAllowed 5, otherPayerPaid 5 each, when flags bit 1 (A-11, R-40)]

A claim whose lines carry no prior payer's result has exactly the bytes it had before A-11
(and so the same content hash); in a claim where some do, a line without one carries the
amount 2^40 - 1 twice.

Claim and member ids are the deployment's keyed pseudonyms (``Pseudonyms``, docs/PRIVACY.md);
codes are ASCII, left-aligned, zero-padded.
The engine records the keccak256 of a claim's bytes after its id as the claim's content
(A-3 idempotence, R-17), so the encoding of a claim is canonical: one claim, one byte string.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from eth_utils import keccak

from .codesets import diagnosis_bytes
from .records import Claim

if TYPE_CHECKING:  # privacy: the ids' mapping (issue 14)
    from .privacy.pseudonyms import Pseudonyms

HEADER_BYTES = 80
ID_BYTES = 32
DIAGNOSIS_BYTES = 8
LINE_BYTES = 19
OTHER_PAYER_BYTES = 10
HAS_ORIGINAL = 1
HAS_OTHER_PAYER = 2
NO_AMOUNT = 2**40 - 1  # a line of a claim paid second that carries no prior payer's result
ZERO_ID = b"\0" * ID_BYTES
MAX_BILLED = 2**40 - 1  # 5 bytes; the engine refuses more than 10^12 cents anyway


class EncodingError(ValueError):
    """A claim that does not fit the packed encoding: names the claim and the field."""


def to_id(text: str) -> bytes:
    """The unsalted on-chain key of an id that names no person: a plan id. Ids of persons, or
    that may carry one, go through the deployment's ``Pseudonyms`` (R-30)."""
    return keccak(text=text)


def to_bytes8(text: str) -> bytes:
    """A procedure code, diagnosis or CARC as the engine's left-aligned ``bytes8``."""
    raw = text.encode("ascii")
    if len(raw) > 8:
        raise EncodingError(f"code {text!r} longer than 8 characters")
    return raw.ljust(8, b"\0")


def to_bytes16(text: str) -> bytes:
    raw = text.encode("ascii")
    if len(raw) > 16:
        raise EncodingError(f"category {text!r} longer than 16 characters")
    return raw.ljust(16, b"\0")


def from_fixed_bytes(raw: bytes) -> str:
    return bytes(raw).rstrip(b"\0").decode("ascii")


def encode_claim(claim: Claim, ids: "Pseudonyms") -> bytes:
    """The claim's packed bytes, its ids as ``ids`` maps them (the deployment's pseudonyms)."""
    original = ids.claim(claim.original_claim_id) if claim.original_claim_id else b""
    secondary = claim.secondary
    flags = (HAS_ORIGINAL if original else 0) | (HAS_OTHER_PAYER if secondary else 0)
    try:
        head = b"".join((
            ids.claim(claim.claim_id), ids.member(claim.member_id), int(claim.provider_npi).to_bytes(8, "big"),
            claim.received_date.to_bytes(4, "big"),
            bytes((int(claim.frequency), flags, len(claim.diagnoses), len(claim.lines))),
        ))
        lines = b"".join(
            line.service_date.to_bytes(4, "big") + to_bytes8(line.procedure_code) + line.units.to_bytes(2, "big")
            + line.billed.to_bytes(5, "big") + (_other_payer(line) if secondary else b"")
            for line in claim.lines
        )
    except (OverflowError, ValueError) as exc:
        raise EncodingError(f"claim {claim.claim_id}: does not fit the engine's encoding ({exc})") from None
    return head + original + b"".join(diagnosis_bytes(d) for d in claim.diagnoses) + lines


def _other_payer(line) -> bytes:
    if not line.secondary:
        return NO_AMOUNT.to_bytes(5, "big") * 2
    return line.other_payer_allowed.to_bytes(5, "big") + line.other_payer_paid.to_bytes(5, "big")


def content_hash(packed: bytes) -> bytes:
    """What the engine records of a claim's content: keccak256 of its bytes after the id."""
    return keccak(packed[ID_BYTES:])


def claim_key(packed: bytes) -> bytes:
    """The claim id key a packed claim starts with."""
    return bytes(packed[:ID_BYTES])


def claim_length(data: bytes, at: int = 0) -> int:
    """The length of the packed claim at ``at``; raises if ``data`` is too short to hold it."""
    if len(data) - at < HEADER_BYTES:
        raise EncodingError(f"packed claims: {len(data) - at} bytes left at {at}, a header needs {HEADER_BYTES}")
    flags, diagnoses, lines = data[at + 77], data[at + 78], data[at + 79]
    length = (HEADER_BYTES + (ID_BYTES if flags & HAS_ORIGINAL else 0) + diagnoses * DIAGNOSIS_BYTES
              + lines * line_bytes(flags))
    if at + length > len(data):
        raise EncodingError(f"packed claims: the claim at {at} runs past the end")
    return length


def line_bytes(flags: int) -> int:
    """The bytes of one line of a claim with these flags."""
    return LINE_BYTES + (OTHER_PAYER_BYTES if flags & HAS_OTHER_PAYER else 0)


def split_claims(data: bytes) -> Iterator[bytes]:
    """The packed claims of a batch, one by one."""
    at = 0
    while at < len(data):
        length = claim_length(data, at)
        yield bytes(data[at:at + length])
        at += length


@dataclass(frozen=True)
class PackedLine:
    """One line of a packed claim, as the engine reads it."""

    service_date: int
    procedure_code: str
    units: int
    billed: int
    other_payer_allowed: int | None = None
    other_payer_paid: int | None = None


def packed_lines(packed: bytes) -> list[PackedLine]:
    """The lines of a packed claim."""
    flags = packed[77]
    at = HEADER_BYTES + (ID_BYTES if flags & HAS_ORIGINAL else 0) + packed[78] * DIAGNOSIS_BYTES
    stride = line_bytes(flags)
    lines = []
    for _ in range(packed[79]):
        raw = packed[at:at + stride]
        other = [None, None]
        if flags & HAS_OTHER_PAYER:
            amounts = [int.from_bytes(raw[19:24], "big"), int.from_bytes(raw[24:29], "big")]
            other = [None if a == NO_AMOUNT else a for a in amounts]
        lines.append(PackedLine(int.from_bytes(raw[0:4], "big"), from_fixed_bytes(raw[4:12]),
                                int.from_bytes(raw[12:14], "big"), int.from_bytes(raw[14:19], "big"), *other))
        at += stride
    return lines


def packed_provider(packed: bytes) -> int:
    return int.from_bytes(packed[64:72], "big")
