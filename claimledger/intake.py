"""The record checks of A-3 that need no state, as the engine makes them (``ClaimsEngine._validate``)
and in its order, for claims that reach the reference model without the loader (a biller
calling the contract directly, the fuzz tests): the loader refuses all of these first, field
by field (R-4, R-14, R-40, R-50), so a claim read from a file never fails one here.
"""
from __future__ import annotations

import datetime as _dt

from .fields import MAX_CENTS, MAX_DIAGNOSES, MAX_LINES_PER_CLAIM, MAX_UNITS
from .records import Claim, Frequency, Reject, RejectReason

LAST_DAY = (_dt.date(9999, 12, 31) - _dt.date(1970, 1, 1)).days  # the last ISO date can write

# the engine's RejectReason (IClaimTypes) -> (field, reason) as the loader and the reference word them
CHAIN_REJECTS: dict[int, tuple[str, str]] = {
    1: ("frequency", "frequency must be 1, 7 or 8"),
    2: ("claim_id", "claim has no lines"),
    3: ("claim_id", "more than 50 lines"),
    4: ("diagnoses", "at most 12 diagnoses"),
    5: ("units", "units must be positive"),
    6: ("billed", "billed must be positive"),
    7: ("service_date", "service_date after received_date"),
    8: ("original_claim_id", "original_claim_id is required"),
    9: ("original_claim_id", "original_claim_id must be empty for frequency 1"),
    10: RejectReason.REUSED_ID.field_and_reason(),
    11: RejectReason.ORIGINAL_UNKNOWN.field_and_reason(),
    12: RejectReason.ORIGINAL_REVERSED.field_and_reason(),
    13: RejectReason.ORIGINAL_IS_VOID.field_and_reason(),
    14: RejectReason.OTHER_MEMBER.field_and_reason(),
    15: RejectReason.OTHER_PROVIDER.field_and_reason(),
    16: ("diagnoses", "at least one diagnosis is required"),
    17: ("units", "units must be at most 9999"),
    18: ("billed", "billed is implausibly large"),
    19: RejectReason.ORIGINAL_NOT_SUPPLIED.field_and_reason(),
    20: ("other_payer_paid", "the prior payer amounts are incomplete or inconsistent"),
    21: ("received_date", "received_date after 9999-12-31"),
}


def intake_reason(claim: Claim) -> int:
    """The engine's RejectReason number of the first A-3 check without state that ``claim``
    fails, in the engine's order; 0 when it passes them all."""
    if claim.frequency not in (Frequency.ORIGINAL, Frequency.REPLACEMENT, Frequency.VOID):
        return 1
    if claim.frequency == Frequency.ORIGINAL and claim.original_claim_id:
        return 9
    if claim.frequency != Frequency.ORIGINAL and not claim.original_claim_id:
        return 8
    if not claim.diagnoses:
        return 16
    if len(claim.diagnoses) > MAX_DIAGNOSES:
        return 4
    if not claim.lines:
        return 2
    if len(claim.lines) > MAX_LINES_PER_CLAIM:
        return 3
    if claim.received_date > LAST_DAY:
        return 21
    for line in claim.lines:
        if line.service_date > claim.received_date:
            return 7
        if line.units <= 0:
            return 5
        if line.units > MAX_UNITS:
            return 17
        if line.billed <= 0:
            return 6
        if line.billed > MAX_CENTS:
            return 18
    if claim.secondary and not _other_payer_valid(claim):
        return 20
    return 0


def _other_payer_valid(claim: Claim) -> bool:
    """A-11.1, R-40: on each line that carries the prior payer's result, paid at most allowed and
    allowed within R-4's limit (a line without ``other_payer_paid`` carries none: the encoding
    gives it 2^40 - 1 twice)."""
    return all(line.other_payer_allowed <= MAX_CENTS and line.other_payer_paid <= line.other_payer_allowed
               for line in claim.lines if line.secondary)


def intake_reject(claim: Claim) -> Reject | None:
    """The record error of the first A-3 check without state that ``claim`` fails, or None."""
    reason = intake_reason(claim)
    return Reject(claim.claim_id, *CHAIN_REJECTS[reason]) if reason else None
