"""A-5 pended lines and the reviewer's decisions (R-6): a line with `review: true` or billed
above `pend_above` waits in the review queue with nothing applied; approval re-runs A-4.9 to
A-4.12 and prices against the accumulators of that moment; denial takes the reviewer's CARC.

examples/basic: 27447 (GOLD, surgery, 1850.00, prior_auth, review) for M101 under PA-0002
(1 unit, 2026-03-01..05-31); GOLD pend_above 5000.00; 97110 max 4 units a day, 3 a year."""
import brownie
import pytest

from tests.contracts.helpers import (
    CENT, NPI_IMAGING, NPI_IN, NPI_ORTHO, Status, accrued, accumulators, assert_approved, assert_denied,
    assert_line, auth_used, b8, cid, claim, err, line_of, line_status, lines, names, pending, pending_in_order,
    recorded_by_key, submit,
)


def surgery(claim_id, billed=32000_00, member="M101", dos="2026-03-17"):
    return claim(claim_id, member=member, npi=NPI_ORTHO, diagnoses=("M17.11",), received="2026-03-18",
                 lines=[(dos, "27447", 1, billed)])


def therapy(claim_id, units, billed, dos="2026-03-10"):
    return claim(claim_id, npi=NPI_ORTHO, diagnoses=("M54.5",), received="2026-03-20",
                 lines=[(dos, "97110", units, billed)])


def approve(engine, reviewer, claim_id, number=1):
    return engine.approvePended(_as_submitted(engine, claim_id), number, {"from": reviewer})


def deny(engine, reviewer, claim_id, code, number=1):
    return engine.denyPended(_as_submitted(engine, claim_id), number, b8(code) if code else b"\0" * 8, {"from": reviewer})


def _as_submitted(engine, claim_id):
    """The claim a decision supplies (R-17): as recorded, or any claim of that id if none was."""
    return recorded_by_key(engine, cid(claim_id)) or claim(claim_id)


def blocked(claim_id, code, number=1):
    return err("ApprovalBlocked", cid(claim_id), number, b8(code))


# ------------------------------------------------------------------------------ pending


def test_a5_review_flag_pends_and_applies_nothing(loaded, members, authorizations, escrow, biller):
    """A-5: a line passing A-4 with `review: true` is PENDED: status 3, zero amounts, in the
    review queue; no accumulators, authorization units or accrual yet."""
    tx = submit(loaded, biller, surgery("CX1"))
    assert_line(line_of(tx), "CX1", 1, Status.PENDED, billed=32000_00, plan_version=1)
    assert names(tx) == ["ClaimAccepted", "LineAdjudicated"]
    assert loaded.pendingCount() == 1
    assert pending(loaded) == {(cid("CX1"), 1)}
    assert line_status(loaded, "CX1") == Status.PENDED
    assert auth_used(authorizations, "PA-0002") == 0
    assert accumulators(members, "M101") == ((0, 0), (0, 0))
    assert escrow.owed(NPI_ORTHO) == 0


def test_a5_billed_above_pend_above_pends(loaded, biller):
    """A-5: billed > pend_above (5000.00) pends; exactly 5000.00 does not."""
    tx = submit(loaded, biller, claim("CX1", lines=[("2026-03-01", "99213", 1, 5000_01)]),
                claim("CX2", lines=[("2026-03-01", "99213", 1, 5000_00)]))
    assert [e["status"] for e in lines(tx)] == [Status.PENDED, Status.APPROVED]
    assert pending(loaded) == {(cid("CX1"), 1)}


def test_a5_no_pend_threshold_never_pends_on_amount(loaded, biller):
    """A-5: pend_above is optional: BRONZE-HMO-2026 has none, so a large bill is not pended."""
    tx = submit(loaded, biller, claim("CX1", member="M300", lines=[("2026-03-01", "99213", 1, 90000_00)]))
    assert_approved(line_of(tx), "CX1", billed=90000_00, allowed=80_00, deductible=80_00)


def test_a5_denied_line_is_not_pended(loaded, biller):
    """A-5: only a line that passes A-4 is pended: a surgery without authorization is CO-197."""
    tx = submit(loaded, biller, surgery("CX1", member="M100"))
    assert_denied(tx, "CX1", "197", 32000_00)
    assert loaded.pendingCount() == 0


# ------------------------------------------------------------------------------ approval


def test_a5_approval_prices_at_decision_time(loaded, members, authorizations, biller, reviewer):
    """A-5 / R-6: approved at once, the surgery meets the whole deductible: allowed 1850.00,
    deductible 500.00, coinsurance 20% of 1350.00 = 270.00, paid 1080.00."""
    submit(loaded, biller, surgery("CX1"))
    tx = approve(loaded, reviewer, "CX1")
    assert_approved(line_of(tx), "CX1", billed=32000_00, allowed=1850_00, deductible=500_00, coinsurance=270_00)
    decided = tx.events["PendedLineDecided"][0]
    assert (bytes(decided["claimId"]), decided["line"], decided["reviewer"], decided["approved"]) == (
        cid("CX1"), 1, reviewer, True)
    assert accrued(tx) == [(NPI_ORTHO, cid("CX1"), 1080_00 * CENT)]
    assert tx.events["AuthorizationConsumed"][0]["used"] == 1
    assert auth_used(authorizations, "PA-0002") == 1
    assert accumulators(members, "M101") == ((500_00, 770_00), (500_00, 770_00))
    assert loaded.pendingCount() == 0 and line_status(loaded, "CX1") == Status.APPROVED


def test_a5_approval_sees_accumulators_left_meanwhile(loaded, members, escrow, biller, reviewer):
    """A-5 / R-6: a line approved later is priced against the accumulators of that moment: M101
    met the deductible while the surgery waited (imaging: deductible 500.00, coinsurance
    52.00), so the surgery gets no deductible and coinsurance 370.00: paid 1480.00."""
    submit(loaded, biller, surgery("CX1"))
    submit(loaded, biller, claim("CX2", member="M101", npi=NPI_IMAGING, diagnoses=("R05.9",), received="2026-03-20",
                                 lines=[("2026-03-19", "71046", 20, 1000_00)]))
    tx = approve(loaded, reviewer, "CX1")
    assert_approved(line_of(tx), "CX1", billed=32000_00, allowed=1850_00, coinsurance=370_00)
    assert accrued(tx) == [(NPI_ORTHO, cid("CX1"), 1480_00 * CENT)]
    assert accumulators(members, "M101") == ((500_00, 922_00), (500_00, 922_00))
    assert escrow.owed(NPI_ORTHO) == 1480_00 * CENT


def test_a5_approving_a_pended_line_of_a_mixed_claim_accrues_it_separately(loaded, escrow, biller, reviewer):
    """A-5 / A-8: the claim's approved line accrues at submission, its pended line when approved."""
    tx = submit(loaded, biller, claim("CX1", lines=[("2026-03-01", "99213", 1, 120_00),
                                                    ("2026-03-01", "99214", 1, 6000_00)]))
    assert [e["status"] for e in lines(tx)] == [Status.APPROVED, Status.PENDED]
    assert accrued(tx) == [(NPI_IN, cid("CX1"), 67_00 * CENT)]
    assert pending(loaded) == {(cid("CX1"), 2)}
    tx = approve(loaded, reviewer, "CX1", 2)
    assert_approved(line_of(tx), "CX1", number=2, billed=6000_00, allowed=131_00, copay=25_00)
    assert accrued(tx) == [(NPI_IN, cid("CX1"), 106_00 * CENT)]
    assert escrow.owed(NPI_IN) == 173_00 * CENT


def test_r6_approval_blocked_when_authorization_used_meanwhile(loaded, authorizations, biller, reviewer):
    """R-6: A-4.10 is re-run at approval: two surgeries pended on PA-0002's single unit; once
    the first is approved the second is ApprovalBlocked(claim, line, "198") and stays pending;
    the reviewer then denies it with CO-198."""
    submit(loaded, biller, surgery("CX1"), surgery("CX2", billed=31000_00))
    assert loaded.pendingCount() == 2
    approve(loaded, reviewer, "CX1")
    with brownie.reverts(blocked("CX2", "198")):
        approve(loaded, reviewer, "CX2")
    assert pending(loaded) == {(cid("CX2"), 1)}
    assert auth_used(authorizations, "PA-0002") == 1
    tx = deny(loaded, reviewer, "CX2", "198")
    assert_denied(line_of(tx), "CX2", "198", 31000_00)


def test_r6_approval_blocked_by_units_per_day(loaded, biller, reviewer):
    """R-6: A-4.11 is re-run at approval: 3 units of 97110 pended (billed 6000.00), then 2 units
    approved the same day; 3 + 2 > 4 blocks the approval with CO-151."""
    assert line_of(submit(loaded, biller, therapy("CX1", 3, 6000_00)))["status"] == Status.PENDED
    assert line_of(submit(loaded, biller, therapy("CX2", 2, 64_00)))["status"] == Status.APPROVED
    with brownie.reverts(blocked("CX1", "151")):
        approve(loaded, reviewer, "CX1")
    assert line_status(loaded, "CX1") == Status.PENDED


def test_r6_approval_blocked_by_annual_limit(loaded, biller, reviewer):
    """R-6: A-4.12 is re-run at approval: three 97110 lines approved in 2026 while one waited
    block it with CO-119."""
    submit(loaded, biller, therapy("CX1", 1, 6000_00, dos="2026-03-02"))
    submit(loaded, biller, *[therapy(f"CX{i}", 1, 40_00, dos=f"2026-03-0{i}") for i in (3, 4, 5)])
    with brownie.reverts(blocked("CX1", "119")):
        approve(loaded, reviewer, "CX1")


# ------------------------------------------------------------------------------ denial


def test_a5_deny_with_reviewer_carc(loaded, members, authorizations, escrow, biller, reviewer):
    """A-5 / R-6: denyPended records CO-<CARC given>: status 2, zero amounts, out of the queue,
    nothing applied."""
    submit(loaded, biller, surgery("CX1"))
    tx = deny(loaded, reviewer, "CX1", "50")
    decided = tx.events["PendedLineDecided"][0]
    assert (decided["reviewer"], decided["approved"]) == (reviewer, False)
    assert_denied(line_of(tx), "CX1", "50", 32000_00)
    assert loaded.pendingCount() == 0
    assert auth_used(authorizations, "PA-0002") == 0
    assert accumulators(members, "M101") == ((0, 0), (0, 0))
    assert escrow.owed(NPI_ORTHO) == 0 and "Accrued" not in tx.events


def test_r6_denied_pended_line_stops_counting_as_duplicate(loaded, biller, reviewer):
    """R-6 / A-4.8: a pended line counts for duplicates until denied: the same surgery is
    CO-18 while it waits, and pends again once it is denied."""
    submit(loaded, biller, surgery("CX1"))
    assert_denied(submit(loaded, biller, surgery("CX2")), "CX2", "18", 32000_00)
    deny(loaded, reviewer, "CX1", "50")
    assert line_of(submit(loaded, biller, surgery("CX3")))["status"] == Status.PENDED


def test_r6_approved_pended_line_keeps_counting_as_duplicate(loaded, biller, reviewer):
    """A-4.8: once approved, the line counts as an approved line."""
    submit(loaded, biller, surgery("CX1"))
    approve(loaded, reviewer, "CX1")
    assert_denied(submit(loaded, biller, surgery("CX2")), "CX2", "18", 32000_00)


def test_denial_needs_a_reason(loaded, biller, reviewer):
    """A-5: the reviewer's denial carries a CARC: DenialNeedsReason(claim, line) otherwise."""
    submit(loaded, biller, surgery("CX1"))
    with brownie.reverts(err("DenialNeedsReason", cid("CX1"), 1)):
        deny(loaded, reviewer, "CX1", "")
    assert line_status(loaded, "CX1") == Status.PENDED


# ------------------------------------------------------------------------------ not pending


@pytest.mark.parametrize("decision", ["approve", "deny"])
def test_decisions_need_a_pending_line(loaded, biller, reviewer, decision):
    """A-5: only a pending line can be decided: LineNotPending(claim, line) for an approved,
    a denied, an unknown, a missing and an already decided line."""
    submit(loaded, biller, claim("CX1"), claim("CX2", member="M999"), surgery("CX3"))
    approve(loaded, reviewer, "CX3")

    def decide(claim_id, number=1):
        if decision == "approve":
            return approve(loaded, reviewer, claim_id, number)
        return deny(loaded, reviewer, claim_id, "50", number)

    for claim_id, number in (("CX1", 1), ("CX2", 1), ("CX-NONE", 1), ("CX1", 2), ("CX3", 1)):
        with brownie.reverts(err("LineNotPending", cid(claim_id), number)):
            decide(claim_id, number)


def test_denied_pended_line_cannot_be_approved(loaded, biller, reviewer):
    """A-5: a decision is final."""
    submit(loaded, biller, surgery("CX1"))
    deny(loaded, reviewer, "CX1", "50")
    with brownie.reverts(err("LineNotPending", cid("CX1"), 1)):
        approve(loaded, reviewer, "CX1")


def test_review_queue_keeps_arrival_order(loaded, biller, reviewer):
    """A-5: the review queue lists every pending line once, in the order the lines were pended,
    whatever order decisions take them out in (pendingPage, read in pages across the log)."""
    submit(loaded, biller, surgery("CX1"),
           claim("CX2", lines=[("2026-03-01", "99213", 1, 6000_00)]),
           claim("CX3", lines=[("2026-03-02", "99213", 1, 120_00), ("2026-03-02", "99214", 1, 7000_00)]),
           claim("CX4", member="M101", received="2026-03-04", lines=[("2026-03-03", "99213", 1, 8000_00)]))
    assert pending_in_order(loaded) == [(cid("CX1"), 1), (cid("CX2"), 1), (cid("CX3"), 2), (cid("CX4"), 1)]
    approve(loaded, reviewer, "CX1")  # out of the front
    assert pending_in_order(loaded) == [(cid("CX2"), 1), (cid("CX3"), 2), (cid("CX4"), 1)]
    deny(loaded, reviewer, "CX3", "50", 2)  # out of the middle
    assert pending_in_order(loaded) == [(cid("CX2"), 1), (cid("CX4"), 1)]
    submit(loaded, biller, claim("CX5", received="2026-03-06", lines=[("2026-03-05", "99213", 1, 9000_00)]))  # at the back
    assert pending_in_order(loaded) == [(cid("CX2"), 1), (cid("CX4"), 1), (cid("CX5"), 1)]
    assert loaded.pendingCount() == 3
    refs, cursor = loaded.pendingPage(0, 100)
    assert [(bytes(c), n) for c, n in refs] == [(cid("CX2"), 1), (cid("CX4"), 1), (cid("CX5"), 1)] and cursor == 0
    for claim_id in ("CX4", "CX2", "CX5"):
        approve(loaded, reviewer, claim_id)
    assert pending_in_order(loaded) == [] and loaded.pendingCount() == 0
