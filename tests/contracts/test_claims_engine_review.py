"""A-5 pended lines and the reviewer's decisions (R-6, R-15, R-17): a line with `review: true` or
billed above `pend_above` waits in the review queue with nothing applied; approval re-runs
A-4.9 to A-4.12 and prices against the accumulators of that moment, by the plan version the
line was checked against; denial takes the reviewer's CARC. A decision supplies the claim as
submitted (packed).

examples/basic: 27447 (GOLD, surgery, 1850.00, prior_auth, review) for M101 under PA-0002
(1 unit, 2026-03-01..05-31); GOLD pend_above 5000.00; 97110 max 4 units a day, 3 a year."""
import brownie
import pytest

from tests.contracts.helpers import (
    CENT, NPI_IMAGING, NPI_IN, NPI_ORTHO, Status, account, accumulators, assert_approved, assert_denied,
    assert_line, auth_used, b8, cid, claim, create_plan, day, enroll, err, fee, grant, line_record, line_status,
    names, only, outcome, pending, pending_in_order, status_of, statuses, submit, void,
)


def surgery(claim_id, billed=32000_00, member="M101", dos="2026-03-17"):
    return claim(claim_id, member=member, npi=NPI_ORTHO, diagnoses=("M17.11",), received="2026-03-18",
                 lines=[(dos, "27447", 1, billed)])


def therapy(claim_id, units, billed, dos="2026-03-10"):
    return claim(claim_id, npi=NPI_ORTHO, diagnoses=("M54.5",), received="2026-03-20",
                 lines=[(dos, "97110", units, billed)])


def approve(engine, reviewer, packed, number=1):
    return engine.approvePended(packed, number, {"from": reviewer})


def deny(engine, reviewer, packed, code, number=1):
    return engine.denyPended(packed, number, b8(code) if code else b"\0" * 8, {"from": reviewer})


def blocked(claim_id, code, number=1):
    return err("ApprovalBlocked", cid(claim_id), number, b8(code))


# ------------------------------------------------------------------------------ pending


def test_a5_review_flag_pends_and_applies_nothing(loaded, biller):
    """A-5: a line passing A-4 with `review: true` is PENDED: zero amounts, checked against plan
    version 1, in the review queue; no accumulators, authorization units or accrual yet."""
    pended = surgery("CX1")
    tx = submit(loaded, biller, pended)
    assert_line(outcome(tx), "CX1", 1, Status.PENDED, billed=32000_00, plan_version=1)
    assert names(tx) == ["ClaimAccepted"]
    assert loaded.pendingCount() == 1
    assert pending(loaded) == {(cid("CX1"), 1)}
    assert line_status(loaded, pended) == Status.PENDED
    assert auth_used(loaded, "PA-0002") == 0
    assert accumulators(loaded, "M101") == ((0, 0), (0, 0))
    assert account(loaded, NPI_ORTHO) == (0, 0, 0)


def test_a5_billed_above_pend_above_pends(loaded, biller):
    """A-5: billed > pend_above (5000.00) pends; exactly 5000.00 does not."""
    tx = submit(loaded, biller, claim("CX1", lines=[("2026-03-01", "99213", 1, 5000_01)]),
                claim("CX2", lines=[("2026-03-01", "99213", 1, 5000_00)]))
    assert statuses(tx) == [Status.PENDED, Status.APPROVED]
    assert pending(loaded) == {(cid("CX1"), 1)}


def test_a5_no_pend_threshold_never_pends_on_amount(loaded, biller):
    """A-5: pend_above is optional: BRONZE-HMO-2026 has none, so a large bill is not pended."""
    tx = submit(loaded, biller, claim("CX1", member="M300", lines=[("2026-03-01", "99213", 1, 90000_00)]))
    assert_approved(outcome(tx), "CX1", billed=90000_00, allowed=80_00, deductible=80_00, paid=0)


def test_a5_denied_line_is_not_pended(loaded, biller):
    """A-5: only a line that passes A-4 is pended: a surgery without authorization is CO-197."""
    tx = submit(loaded, biller, surgery("CX1", member="M100"))
    assert_denied(tx, "CX1", "197", 32000_00)
    assert loaded.pendingCount() == 0


# ------------------------------------------------------------------------------ approval


def test_a5_approval_prices_at_decision_time(loaded, biller, reviewer):
    """A-5 / R-6: approved at once, the surgery meets the whole deductible: allowed 1850.00,
    deductible 500.00, coinsurance 20% of 1350.00 = 270.00, paid 1080.00."""
    pended = surgery("CX1")
    submit(loaded, biller, pended)
    tx = approve(loaded, reviewer, pended)
    assert names(tx) == ["PendedLineDecided", "AuthorizationConsumed", "LineAdjudicated"]
    assert_approved(outcome(tx), "CX1", billed=32000_00, allowed=1850_00, deductible=500_00, coinsurance=270_00,
                    paid=1080_00)
    assert outcome(tx).plan_version == 1
    decided = only(tx, "PendedLineDecided")
    assert (bytes(decided["claimId"]), decided["line"], decided["reviewer"], decided["approved"]) == (
        cid("CX1"), 1, reviewer, True)
    consumed = only(tx, "AuthorizationConsumed")
    assert (bytes(consumed["authId"]), consumed["units"], consumed["used"]) == (cid("PA-0002"), 1, 1)
    assert auth_used(loaded, "PA-0002") == 1
    assert account(loaded, NPI_ORTHO) == (1080_00 * CENT, 0, 0)
    assert accumulators(loaded, "M101") == ((500_00, 770_00), (500_00, 770_00))
    assert loaded.pendingCount() == 0
    status, _, code, allowed, deductible, copay, coinsurance, version, plan_id, auth_id = line_record(loaded, pended)
    assert (status, bytes(code), allowed, deductible, copay, coinsurance, version) == (
        Status.APPROVED, b"\0" * 8, 1850_00, 500_00, 0, 270_00, 1)
    assert (bytes(plan_id), bytes(auth_id)) == (cid("GOLD-PPO-2026"), cid("PA-0002"))


def test_a5_approval_sees_accumulators_left_meanwhile(loaded, biller, reviewer):
    """A-5 / R-6: a line approved later is priced against the accumulators of that moment: M101
    met the deductible while the surgery waited (imaging: deductible 500.00, coinsurance
    52.00), so the surgery gets no deductible and coinsurance 370.00: paid 1480.00."""
    pended = surgery("CX1")
    submit(loaded, biller, pended)
    submit(loaded, biller, claim("CX2", member="M101", npi=NPI_IMAGING, diagnoses=("R05.9",), received="2026-03-20",
                                 lines=[("2026-03-19", "71046", 20, 1000_00)]))
    tx = approve(loaded, reviewer, pended)
    assert_approved(outcome(tx), "CX1", billed=32000_00, allowed=1850_00, coinsurance=370_00, paid=1480_00)
    assert accumulators(loaded, "M101") == ((500_00, 922_00), (500_00, 922_00))
    assert loaded.owed(NPI_ORTHO) == 1480_00 * CENT


def test_r15_approval_prices_by_the_version_the_line_was_checked_against(loaded, plan_manager, biller, reviewer):
    """R-15: a version of GOLD-PPO-2026 sealed while the line waits, in effect on its DOS, does
    not price it: the surgery stays 1850.00 allowed (version 1), not 1000.00; a line submitted
    now is checked against version 2."""
    pended = surgery("CX1")
    submit(loaded, biller, pended)
    create_plan(loaded, plan_manager, "GOLD-PPO-2026", effective_from=day("2026-03-01"),
                fees={"27447": fee(1000_00, "surgery", prior_auth=True, review=True)})
    tx = approve(loaded, reviewer, pended)
    assert_approved(outcome(tx), "CX1", billed=32000_00, allowed=1850_00, deductible=500_00, coinsurance=270_00,
                    paid=1080_00)
    assert outcome(tx).plan_version == 1
    later = outcome(submit(loaded, biller, claim("CX2", member="M100", received="2026-03-18",
                                                 lines=[("2026-03-17", "99213", 1, 120_00)])))
    assert later.plan_version == 2 and later.carc == "96"  # version 2 lists 27447 only


def test_r15_approval_keeps_the_plan_when_the_member_changes_plan(loaded, plan_manager, biller, reviewer):
    """R-15: the line is priced by the plan it was checked against, even once its member is
    re-enrolled in another plan (BRONZE has no 27447)."""
    pended = surgery("CX1")
    submit(loaded, biller, pended)
    enroll(loaded, plan_manager, "M101", "S100", "BRONZE-HMO-2026")
    tx = approve(loaded, reviewer, pended)
    assert_approved(outcome(tx), "CX1", billed=32000_00, allowed=1850_00, deductible=500_00, coinsurance=270_00,
                    paid=1080_00)
    assert bytes(line_record(loaded, pended)[8]) == cid("GOLD-PPO-2026")


def test_a5_approving_a_pended_line_of_a_mixed_claim_accrues_it_separately(loaded, biller, reviewer):
    """A-5 / A-8: the claim's approved line accrues at submission, its pended line when approved."""
    mixed = claim("CX1", lines=[("2026-03-01", "99213", 1, 120_00), ("2026-03-01", "99214", 1, 6000_00)])
    tx = submit(loaded, biller, mixed)
    assert statuses(tx) == [Status.APPROVED, Status.PENDED]
    assert account(loaded, NPI_IN) == (67_00 * CENT, 0, 0)
    assert pending(loaded) == {(cid("CX1"), 2)}
    tx = approve(loaded, reviewer, mixed, 2)
    assert_approved(outcome(tx), "CX1", number=2, billed=6000_00, allowed=131_00, copay=25_00, paid=106_00)
    assert account(loaded, NPI_IN) == (173_00 * CENT, 0, 0)
    assert loaded.owed(NPI_IN) == 173_00 * CENT


def test_r6_approval_blocked_when_authorization_used_meanwhile(loaded, biller, reviewer):
    """R-6: A-4.10 is re-run at approval: two surgeries pended on PA-0002's single unit; once
    the first is approved the second is ApprovalBlocked(claim, line, "198") and stays pending;
    the reviewer then denies it with CO-198."""
    first, second = surgery("CX1"), surgery("CX2", billed=31000_00)
    submit(loaded, biller, first, second)
    assert loaded.pendingCount() == 2
    approve(loaded, reviewer, first)
    with brownie.reverts(blocked("CX2", "198")):
        approve(loaded, reviewer, second)
    assert pending(loaded) == {(cid("CX2"), 1)}
    assert auth_used(loaded, "PA-0002") == 1
    tx = deny(loaded, reviewer, second, "198")
    assert_denied(outcome(tx), "CX2", "198", 31000_00)


def test_r6_blocked_approval_goes_through_once_the_units_are_given_back(loaded, plan_manager, biller, reviewer):
    """R-6 / A-7.1: on a plan whose 97530 needs review and an authorization (PA-R, 1 unit), two
    pended lines: once the first is approved the second is blocked with CO-198; a void of the
    first gives the unit back, and the second is then approved on it."""
    create_plan(loaded, plan_manager, "REVIEW-PLAN",
                fees={"97530": fee(50_00, "therapy", prior_auth=True, review=True)})
    enroll(loaded, plan_manager, "MR", "SR", "REVIEW-PLAN")
    grant(loaded, plan_manager, "PA-R", "MR", "97530", 1, "2026-03-01", "2026-03-31")
    first, second = (claim(f"CX{i}", member="MR", npi=NPI_ORTHO, lines=[("2026-03-01", "97530", 1, 50_00 + i)])
                     for i in (1, 2))
    submit(loaded, biller, first, second)
    approve(loaded, reviewer, first)
    with brownie.reverts(blocked("CX2", "198")):
        approve(loaded, reviewer, second)
    submit(loaded, biller, void("V1", "CX1", member="MR", npi=NPI_ORTHO))
    assert auth_used(loaded, "PA-R") == 0
    assert status_of(outcome(approve(loaded, reviewer, second))) == Status.APPROVED
    assert auth_used(loaded, "PA-R") == 1


def test_r6_approval_blocked_by_units_per_day(loaded, biller, reviewer):
    """R-6: A-4.11 is re-run at approval: 3 units of 97110 pended (billed 6000.00), then 2 units
    approved the same day; 3 + 2 > 4 blocks the approval with CO-151."""
    pended = therapy("CX1", 3, 6000_00)
    assert statuses(submit(loaded, biller, pended)) == [Status.PENDED]
    assert statuses(submit(loaded, biller, therapy("CX2", 2, 64_00))) == [Status.APPROVED]
    with brownie.reverts(blocked("CX1", "151")):
        approve(loaded, reviewer, pended)
    assert line_status(loaded, pended) == Status.PENDED


def test_r6_approval_blocked_by_annual_limit(loaded, biller, reviewer):
    """R-6: A-4.12 is re-run at approval: three 97110 lines approved in 2026 while one waited
    block it with CO-119."""
    pended = therapy("CX1", 1, 6000_00, dos="2026-03-02")
    submit(loaded, biller, pended)
    submit(loaded, biller, *[therapy(f"CX{i}", 1, 40_00, dos=f"2026-03-0{i}") for i in (3, 4, 5)])
    with brownie.reverts(blocked("CX1", "119")):
        approve(loaded, reviewer, pended)


def test_r6_approved_pended_line_counts_for_the_limits(loaded, biller, reviewer):
    """A-6.6 / R-6: once approved, the pended 3 units of 97110 count for the day: 2 more are
    CO-151."""
    pended = therapy("CX1", 3, 6000_00)
    submit(loaded, biller, pended)
    approve(loaded, reviewer, pended)
    assert outcome(submit(loaded, biller, therapy("CX2", 2, 64_00))).carc == "151"


# ------------------------------------------------------------------------------ denial


def test_a5_deny_with_reviewer_carc(loaded, biller, reviewer):
    """A-5 / R-6: denyPended records CO-<CARC given>: zero amounts, out of the queue, nothing
    applied."""
    pended = surgery("CX1")
    submit(loaded, biller, pended)
    tx = deny(loaded, reviewer, pended, "50")
    assert names(tx) == ["PendedLineDecided", "LineAdjudicated"]
    decided = only(tx, "PendedLineDecided")
    assert (decided["reviewer"], decided["approved"]) == (reviewer, False)
    assert_denied(outcome(tx), "CX1", "50", 32000_00)
    assert outcome(tx).plan_version == 1
    assert loaded.pendingCount() == 0
    assert auth_used(loaded, "PA-0002") == 0
    assert accumulators(loaded, "M101") == ((0, 0), (0, 0))
    assert loaded.owed(NPI_ORTHO) == 0
    status, previous, code = line_record(loaded, pended)[:3]
    assert (status, previous, bytes(code)) == (Status.DENIED, Status.NONE, b8("50"))


def test_r6_denied_pended_line_stops_counting_as_duplicate(loaded, biller, reviewer):
    """R-6 / A-4.8: a pended line counts for duplicates until denied: the same surgery is
    CO-18 while it waits, and pends again once it is denied."""
    pended = surgery("CX1")
    submit(loaded, biller, pended)
    assert_denied(submit(loaded, biller, surgery("CX2")), "CX2", "18", 32000_00)
    deny(loaded, reviewer, pended, "50")
    assert statuses(submit(loaded, biller, surgery("CX3"))) == [Status.PENDED]


def test_r6_approved_pended_line_keeps_counting_as_duplicate(loaded, biller, reviewer):
    """A-4.8: once approved, the line counts as an approved line."""
    pended = surgery("CX1")
    submit(loaded, biller, pended)
    approve(loaded, reviewer, pended)
    assert_denied(submit(loaded, biller, surgery("CX2")), "CX2", "18", 32000_00)


def test_denial_needs_a_reason(loaded, biller, reviewer):
    """A-5: the reviewer's denial carries a CARC: DenialNeedsReason(claim, line) otherwise."""
    pended = surgery("CX1")
    submit(loaded, biller, pended)
    with brownie.reverts(err("DenialNeedsReason", cid("CX1"), 1)):
        deny(loaded, reviewer, pended, "")
    assert line_status(loaded, pended) == Status.PENDED


# ------------------------------------------------------------------------------ not pending


@pytest.mark.parametrize("decision", ["approve", "deny"])
def test_decisions_need_a_pending_line(loaded, biller, reviewer, decision):
    """A-5: only a pending line can be decided: LineNotPending(claim, line) for an approved,
    a denied, a missing (0, 2) and an already decided line; ClaimContentMismatch for a claim
    never recorded (R-17)."""
    approved, denied, decided = claim("CX1"), claim("CX2", member="M999"), surgery("CX3")
    submit(loaded, biller, approved, denied, decided)
    approve(loaded, reviewer, decided)

    def decide(packed, number=1):
        if decision == "approve":
            return approve(loaded, reviewer, packed, number)
        return deny(loaded, reviewer, packed, "50", number)

    for packed, claim_id, number in ((approved, "CX1", 1), (denied, "CX2", 1), (approved, "CX1", 2),
                                     (approved, "CX1", 0), (decided, "CX3", 1)):
        with brownie.reverts(err("LineNotPending", cid(claim_id), number)):
            decide(packed, number)
    with brownie.reverts(err("ClaimContentMismatch", cid("CX-NONE"))):
        decide(claim("CX-NONE"))


def test_denied_pended_line_cannot_be_approved(loaded, biller, reviewer):
    """A-5: a decision is final."""
    pended = surgery("CX1")
    submit(loaded, biller, pended)
    deny(loaded, reviewer, pended, "50")
    with brownie.reverts(err("LineNotPending", cid("CX1"), 1)):
        approve(loaded, reviewer, pended)


def test_review_queue_keeps_arrival_order(loaded, biller, reviewer):
    """A-5: the review queue lists every pending line once, in the order the lines were pended,
    whatever order decisions take them out in (pendingPage, read in pages across the log)."""
    c1 = surgery("CX1")
    c2 = claim("CX2", lines=[("2026-03-01", "99213", 1, 6000_00)])
    c3 = claim("CX3", lines=[("2026-03-02", "99213", 1, 120_00), ("2026-03-02", "99214", 1, 7000_00)])
    c4 = claim("CX4", member="M101", received="2026-03-04", lines=[("2026-03-03", "99213", 1, 8000_00)])
    submit(loaded, biller, c1, c2, c3, c4)
    assert pending_in_order(loaded) == [(cid("CX1"), 1), (cid("CX2"), 1), (cid("CX3"), 2), (cid("CX4"), 1)]
    approve(loaded, reviewer, c1)  # out of the front
    assert pending_in_order(loaded) == [(cid("CX2"), 1), (cid("CX3"), 2), (cid("CX4"), 1)]
    deny(loaded, reviewer, c3, "50", 2)  # out of the middle
    assert pending_in_order(loaded) == [(cid("CX2"), 1), (cid("CX4"), 1)]
    c5 = claim("CX5", received="2026-03-06", lines=[("2026-03-05", "99213", 1, 9000_00)])
    submit(loaded, biller, c5)  # at the back
    assert pending_in_order(loaded) == [(cid("CX2"), 1), (cid("CX4"), 1), (cid("CX5"), 1)]
    assert loaded.pendingCount() == 3
    refs, cursor = loaded.pendingPage(0, 100)
    assert [(bytes(c), n) for c, n in refs] == [(cid("CX2"), 1), (cid("CX4"), 1), (cid("CX5"), 1)] and cursor == 0
    refs, cursor = loaded.pendingPage(5, 10)  # past the log's end
    assert (list(refs), cursor) == ([], 0)
    for packed in (c4, c2, c5):
        approve(loaded, reviewer, packed)
    assert pending_in_order(loaded) == [] and loaded.pendingCount() == 0
