"""The reference model's review (A-5, R-6) and appeals (R-13): decisions on lines already
adjudicated, mixed into :class:`claimledger.reference.ReferenceEngine`, whose state they read
and change."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .line_pricing import Carc
from .records import LineResult, LineStatus

if TYPE_CHECKING:
    from .reference import LineRecord


class ReviewError(Exception):
    """A reviewer decision that cannot be applied (R-6)."""


class AppealError(ReviewError):
    """An appeal, or an appeal decision, that cannot be applied (R-13); the chain reverts."""


class AppealState(str, enum.Enum):
    """Where a line's appeal stands (R-13); a line is appealed at most once."""

    OPEN = "OPEN"
    UPHELD = "UPHELD"
    OVERTURNED = "OVERTURNED"


@dataclass
class Appeal:
    """A line's appeal (R-13): the CARC of the denial appealed and the hash of the off-chain
    appeal letter and records."""

    carc: str
    document_hash: bytes
    state: AppealState = AppealState.OPEN



class ReviewAndAppeals:
    """A-5 review and R-13 appeals of :class:`claimledger.reference.ReferenceEngine` (which
    provides the state and the line rules: ``pending``, ``appeals``, ``claims``, ``duplicates``,
    ``_approve``, ``_denial``, ``_denied``, ``_limit_denial``, ``_plan_and_fee``,
    ``_duplicate_key``)."""

    # ---------------------------------------------------------------------------- A-5 review

    def pending_lines(self) -> list[tuple[str, int]]:
        """The review queue, oldest first."""
        return list(self.pending)

    def decide(self, claim_id: str, number: int, approve: bool, carc: str = "") -> LineResult:
        """A reviewer's decision on a pended line (A-5, R-6); returns the line's new row."""
        record = self.pending.get((claim_id, number))
        if record is None:
            raise ReviewError(f"{claim_id} line {number} is not pending")
        claim = self.claims[claim_id].claim
        if approve:
            _, fee = self._plan_and_fee(claim.member_id, record.line)
            denial = self._limit_denial(claim.member_id, record.line, fee)
            if denial is not None:
                raise ReviewError(f"{claim_id} line {number} cannot be approved: CARC {denial.value}")
            self._approve(claim, record)
        else:
            if not carc:
                raise ReviewError("a denial needs a CARC")
            record.result = self._denied(claim_id, number, record.line, carc)
            self.duplicates[record.duplicate_key] -= 1
            record.duplicate_key = None
        del self.pending[(claim_id, number)]
        return record.result

    # ---------------------------------------------------------------------------- R-13 appeals

    def appeal(self, claim_id: str, number: int, document_hash: bytes) -> Appeal:
        """The biller appeals a DENIED line once, with the hash of the off-chain appeal letter
        and records (R-13); the line stays denied while the appeal is open."""
        if not any(document_hash):
            raise AppealError(f"{claim_id} line {number}: an appeal needs a document hash")
        if (claim_id, number) in self.appeals:
            raise AppealError(f"{claim_id} line {number} was already appealed")
        record = self._denied_line(claim_id, number)
        if record is None:
            raise AppealError(f"{claim_id} line {number} is not denied")
        appeal = Appeal(record.result.adjustments[0].code, bytes(document_hash))
        self.appeals[(claim_id, number)] = appeal
        return appeal

    def decide_appeal(self, claim_id: str, number: int, overturn: bool) -> LineResult:
        """A reviewer upholds or overturns an open appeal (R-13); returns the line's row after
        the decision. Overturning re-runs the A-4 checks without the appealed one against the
        state of this moment: if none fails the line is approved and priced (A-6), never pended;
        else it stays denied with the CARC of the check that failed."""
        appeal = self.appeals.get((claim_id, number))
        record = self._denied_line(claim_id, number)
        if appeal is None or appeal.state != AppealState.OPEN or record is None:
            raise AppealError(f"{claim_id} line {number} has no open appeal")
        if not overturn:
            appeal.state = AppealState.UPHELD
            return record.result
        appeal.state = AppealState.OVERTURNED
        claim = self.claims[claim_id].claim
        skip = next((c for c in Carc if c.value == appeal.carc), None)  # None for a reviewer's own CARC
        denial = self._denial(claim, record.line, skip)
        if denial is not None:
            record.result = self._denied(claim_id, number, record.line, denial.value)
            return record.result
        record.duplicate_key = self._duplicate_key(claim, record.line)
        self.duplicates[record.duplicate_key] += 1
        self._approve(claim, record)
        return record.result

    def _denied_line(self, claim_id: str, number: int) -> LineRecord | None:
        """The line if it is DENIED and its claim not reversed (R-7 takes a reversed line back)."""
        claim = self.claims.get(claim_id)
        if claim is None or claim.reversed or not 1 <= number <= len(claim.lines):
            return None
        record = claim.lines[number - 1]
        return record if record.result.status == LineStatus.DENIED else None
