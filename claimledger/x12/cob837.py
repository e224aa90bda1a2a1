"""The prior payer's result of an 837 service line (A-11.1, R-45), both ways.

Read: ``other_payer_paid`` and ``other_payer_allowed`` of ``claims.csv`` from the 2430 line
adjudication (``SVD02`` paid; the allowed amount is what the prior payer paid plus what it left
to the patient, its ``CAS*PR`` amounts), else, for a claim of one line, from the 2320 other
subscriber loop (``AMT*D`` paid, its ``CAS*PR``). A line adjudicated by more than one prior payer
is an error: A-11 has this plan pay second. Claim-level amounts of a claim of several lines
without 2430 loops are a gap.

Written: a claim paid second gets a 2320 loop (the prior payer primary, ``AMT*D`` the sum of its
lines' paid amounts) with its 2330A/2330B names (placeholders: a scenario names no prior payer),
and each line that carries the result a 2430: ``SVD`` with the paid amount, ``CAS*CO*45`` for
what the prior payer did not allow of the charge, ``CAS*PR*1`` for what it left to the patient
(the split of that is not known; the reader adds up every PR amount) and ``DTP*573``."""
from __future__ import annotations

from ..money import format_day
from .drafts837 import _Draft, _Line
from .segments import Segment, parse_amount
from .writer import x12_amount

NONE = {"other_payer_allowed": "", "other_payer_paid": ""}


def patient_responsibility(cas: list[Segment]) -> int:
    """The sum of the ``CAS*PR`` amounts (up to six reason/amount pairs a segment), in cents."""
    total = 0
    for seg in cas:
        if seg.el(1) != "PR":
            continue
        for at in range(3, 19, 3):
            if seg.el(at):
                total += parse_amount(seg.el(at))
    return total


def line_other_payer(mapper, draft: _Draft, line: _Line, n: int, dollars) -> dict[str, str]:
    """The line's ``other_payer_*`` columns (empty when it carries none); errors and gaps go to
    ``mapper`` (a :class:`~claimledger.x12.map837._Mapper`), ``dollars`` formats cents."""
    if len(line.adjudications) > 1:
        mapper.error(line.adjudications[1][0], "2430/SVD", f"{len(line.adjudications)} prior payers adjudicated this "
                                                           f"line: A-11 takes one (this plan pays second)", n)
        return NONE
    if line.adjudications:
        svd, cas = line.adjudications[0]
        return _amounts(mapper, svd, svd.el(2), cas, "2430", n, dollars)
    paid = [seg for _, segs in draft.other_payers for seg in segs if seg.id == "AMT" and seg.el(1) == "D"]
    if not paid:
        return NONE
    if len(draft.lines) != 1 or len(draft.other_payers) != 1:
        mapper.gap(paid[0], "2320/AMT*D", "the other payer's claim-level paid amount is not mapped: A-11.1 takes "
                                          "each line's (2430 SVD), and this claim has no 2430 for its lines", n)
        return NONE
    cas = [seg for seg in draft.other_payers[0][1] if seg.id == "CAS"]
    return _amounts(mapper, paid[0], paid[0].el(2), cas, "2320", n, dollars)


def _amounts(mapper, seg: Segment, paid_text: str, cas: list[Segment], loop: str, n: int, dollars) -> dict[str, str]:
    where = f"{loop}/SVD02" if loop == "2430" else f"{loop}/AMT02"
    try:
        paid = parse_amount(paid_text)
        allowed = paid + patient_responsibility(cas)
    except ValueError as exc:
        mapper.error(seg, where, f"the prior payer's amounts: {exc}", n)
        return NONE
    return {"other_payer_allowed": dollars(allowed), "other_payer_paid": dollars(paid)}


def other_subscriber(w, claim, parties) -> None:
    """2320/2330A/2330B of a claim this plan pays second: the prior payer's claim-level result."""
    paid = sum(line.other_payer_paid for line in claim.lines if line.secondary)
    w.seg("SBR", "P", "18", "", "", "", "", "", "", parties.claim_filing)
    w.seg("AMT", "D", x12_amount(paid))
    w.seg("OI", "", "", "Y", "P", "", "Y")
    w.seg("NM1", "IL", "1", parties.member_last_name, "", "", "", "", "MI", claim.member_id)
    w.seg("NM1", "PR", "2", parties.other_payer_name, "", "", "", "", "PI", parties.other_payer_id)


def line_adjudication(w, claim, line, parties) -> None:
    """2430 of a line that carries the prior payer's result."""
    w.seg("SVD", parties.other_payer_id, x12_amount(line.other_payer_paid), ("HC", line.procedure_code), "",
          line.units)
    if line.billed > line.other_payer_allowed:
        w.seg("CAS", "CO", "45", x12_amount(line.billed - line.other_payer_allowed))
    if line.other_payer_allowed > line.other_payer_paid:
        w.seg("CAS", "PR", "1", x12_amount(line.other_payer_allowed - line.other_payer_paid))
    w.seg("DTP", "573", "D8", format_day(claim.received_date).replace("-", ""))
