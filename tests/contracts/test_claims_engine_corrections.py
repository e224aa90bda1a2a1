"""A-7 corrections (R-7, R-8, R-11, R-14, R-17): a void (8) reverses every line of its original,
a replacement (7) is that void followed by its own lines adjudicated as new. A reversal takes
back accumulators, authorization units, per-day and annual counters, the duplicate count and
the review queue, and recoups the paid amount from the provider's balance. Its lines travel,
as they were, in one ClaimReversed(original, byClaimId, words) just before the correction's
ClaimAccepted. A correction brings the content of the claim it names (R-17)."""
import brownie

from tests.contracts.helpers import (
    CENT, NPI_IMAGING, NPI_IN, NPI_ORTHO, Reason, State, Status, account, accumulators, assert_approved, auth_used,
    b8, cid, claim, claim_state, enroll, err, events, key_of, line_status, names, only, outcome, recorded,
    rejected, replacement, reversals, status_of, submit, void,
)


def reversed_rows(tx):
    """(original claim, line, status it had, carc, billed, allowed, deductible, copay,
    coinsurance, paid) of every line the transaction's ClaimReversed events take back."""
    return [(o.claim, o.number, status_of(o), o.carc, o.billed, o.allowed, o.deductible, o.copay, o.coinsurance,
             o.paid) for o in reversals(tx)]


def imaging(claim_id, units, billed, member="M100", dos="2026-03-10", **kw):
    return claim(claim_id, member=member, npi=NPI_IMAGING, diagnoses=("R05.9",), received="2026-03-20",
                 lines=[(dos, "71046", units, billed)], **kw)


def mri(claim_id, billed=900_00, **kw):
    """70553 for M100 in March: needs PA-0003 (1 unit)."""
    return claim(claim_id, npi=NPI_IMAGING, diagnoses=("G43.909",), received="2026-03-20",
                 lines=[("2026-03-10", "70553", 1, billed)], **kw)


def therapy(claim_id, dos, units=1, billed=40_00, **kw):
    return claim(claim_id, npi=NPI_ORTHO, diagnoses=("M54.5",), received="2026-03-20",
                 lines=[(dos, "97110", units, billed)], **kw)


def surgery(claim_id, **kw):
    return claim(claim_id, member="M101", npi=NPI_ORTHO, diagnoses=("M17.11",), received="2026-03-18",
                 lines=[("2026-03-17", "27447", 1, 32000_00)], **kw)


# ------------------------------------------------------------------------------ void


def test_a7_1_void_reverses_an_approved_line(loaded, biller):
    """A-7.1 / R-7: voiding a claim reports each of its lines as it was (ClaimReversed, status
    APPROVED, its amounts), takes the accumulators back and recoups the paid amount; the void
    is recorded without lines of its own."""
    original = claim("CX1")
    submit(loaded, biller, original)  # 99213: allowed 92.00, copay 25.00, paid 67.00
    tx = submit(loaded, biller, void("V1", "CX1"))
    assert names(tx) == ["ClaimReversed", "ClaimAccepted"]
    reversal = only(tx, "ClaimReversed")
    assert (bytes(reversal["claimId"]), bytes(reversal["byClaimId"])) == (cid("CX1"), cid("V1"))
    assert reversed_rows(tx) == [(cid("CX1"), 1, Status.APPROVED, "", 120_00, 92_00, 0, 25_00, 0, 67_00)]
    accepted = only(tx, "ClaimAccepted")
    assert (accepted["header"] >> 8 & 0xFF, accepted["header"] >> 16 & 0xFF, accepted["lines"]) == (0, 8, ())
    assert accumulators(loaded, "M100") == ((0, 0), (0, 0))
    assert (claim_state(loaded, "CX1"), claim_state(loaded, "V1")) == (State.REVERSED, State.VOID)
    assert line_status(loaded, original) == Status.REVERSED
    assert loaded.claim(cid("V1"))[1] == 0  # no lines of its own
    assert account(loaded, NPI_IN) == (67_00 * CENT, 67_00 * CENT, 0)
    assert loaded.owed(NPI_IN) == 0 and loaded.totalOutstanding() == 0


def test_a7_1_void_restores_authorization_units(loaded, biller):
    """A-7.1: the units an approved line consumed go back to its authorization, so the same
    service can be approved again."""
    tx = submit(loaded, biller, mri("CX1"))
    assert [(bytes(e["authId"]), e["units"], e["used"]) for e in tx.events["AuthorizationConsumed"]] == [
        (cid("PA-0003"), 1, 1)]
    assert auth_used(loaded, "PA-0003") == 1
    assert outcome(submit(loaded, biller, mri("CX2", billed=901_00))).carc == "198"
    tx = submit(loaded, biller, void("V1", "CX1", npi=NPI_IMAGING))
    assert [(bytes(e["authId"]), e["units"], e["used"]) for e in tx.events["AuthorizationRestored"]] == [
        (cid("PA-0003"), 1, 0)]
    assert auth_used(loaded, "PA-0003") == 0
    assert status_of(outcome(submit(loaded, biller, mri("CX3")))) == Status.APPROVED


def test_a7_1_void_takes_back_units_per_day_and_duplicates(loaded, biller):
    """A-7.1 / A-4.8 / A-4.11: a voided 80053 (1 a day) no longer counts: the very same line
    under a new claim id is neither CO-18 nor CO-151."""
    lab = dict(lines=[("2026-03-01", "80053", 1, 40_00)])
    submit(loaded, biller, claim("CX1", **lab))
    assert outcome(submit(loaded, biller, claim("CX2", **lab))).carc == "18"
    submit(loaded, biller, void("V1", "CX1"))
    assert status_of(outcome(submit(loaded, biller, claim("CX3", **lab)))) == Status.APPROVED


def test_a7_1_void_takes_back_the_annual_count(loaded, biller):
    """A-7.1 / A-4.12: with 97110 at its annual limit (3), voiding one makes room for another."""
    submit(loaded, biller, *[therapy(f"CX{i}", f"2026-03-0{i}") for i in (1, 2, 3)])
    assert outcome(submit(loaded, biller, therapy("CX4", "2026-03-04"))).carc == "119"
    submit(loaded, biller, void("V2", "CX2", npi=NPI_ORTHO))
    assert status_of(outcome(submit(loaded, biller, therapy("CX5", "2026-03-05")))) == Status.APPROVED


def test_r7_void_of_a_pended_line_leaves_the_review_queue(loaded, biller, reviewer):
    """R-7: a PENDED line leaves the queue and is reported as pended with zero amounts; it can
    no longer be decided, and no longer counts as a duplicate."""
    pended = surgery("CX1")
    submit(loaded, biller, pended)
    tx = submit(loaded, biller, void("V1", "CX1", member="M101", npi=NPI_ORTHO))
    assert reversed_rows(tx) == [(cid("CX1"), 1, Status.PENDED, "", 32000_00, 0, 0, 0, 0, 0)]
    assert account(loaded, NPI_ORTHO) == (0, 0, 0)
    assert loaded.pendingCount() == 0 and loaded.pendingPage(0, 10)[0] == ()
    with brownie.reverts(err("LineNotPending", cid("CX1"), 1)):
        loaded.approvePended(pended, 1, {"from": reviewer})
    assert status_of(outcome(submit(loaded, biller, surgery("CX2")))) == Status.PENDED


def test_r7_void_of_a_denied_line_keeps_its_carc(loaded, biller):
    """R-7: a DENIED line is reported reversed with its CARC and zero amounts; nothing to recoup."""
    submit(loaded, biller, claim("CX1", member="M999"))
    tx = submit(loaded, biller, void("V1", "CX1", member="M999"))
    assert reversed_rows(tx) == [(cid("CX1"), 1, Status.DENIED, "31", 120_00, 0, 0, 0, 0, 0)]
    assert account(loaded, NPI_IN) == (0, 0, 0)


def test_r7_void_of_a_line_denied_by_the_reviewer(loaded, biller, reviewer):
    """R-7: a pended line the reviewer denied is reversed as DENIED with the reviewer's CARC
    (and its duplicate count, released by the denial, is not released twice)."""
    pended = surgery("CX1")
    submit(loaded, biller, pended)
    loaded.denyPended(pended, 1, b8("50"), {"from": reviewer})
    tx = submit(loaded, biller, void("V1", "CX1", member="M101", npi=NPI_ORTHO))
    assert reversed_rows(tx) == [(cid("CX1"), 1, Status.DENIED, "50", 32000_00, 0, 0, 0, 0, 0)]
    assert status_of(outcome(submit(loaded, biller, surgery("CX2")))) == Status.PENDED
    assert outcome(submit(loaded, biller, surgery("CX3"))).carc == "18"  # CX2 counts, once


def test_a7_1_void_of_a_mixed_claim(loaded, biller):
    """A-7.1 / R-7: every line of the original is reversed, each with its status; one
    recoupment of the claim's total paid."""
    submit(loaded, biller, claim("CX1", lines=[
        ("2026-03-01", "99213", 1, 120_00),  # approved, paid 67.00
        ("2026-03-01", "99999", 1, 50_00),  # CO-96
        ("2026-03-01", "99214", 1, 6000_00),  # pended
        ("2026-03-01", "80053", 1, 40_00),  # approved, deductible 14.50, paid 0
    ]))
    tx = submit(loaded, biller, void("V1", "CX1"))
    assert reversed_rows(tx) == [
        (cid("CX1"), 1, Status.APPROVED, "", 120_00, 92_00, 0, 25_00, 0, 67_00),
        (cid("CX1"), 2, Status.DENIED, "96", 50_00, 0, 0, 0, 0, 0),
        (cid("CX1"), 3, Status.PENDED, "", 6000_00, 0, 0, 0, 0, 0),
        (cid("CX1"), 4, Status.APPROVED, "", 40_00, 14_50, 14_50, 0, 0, 0),
    ]
    assert account(loaded, NPI_IN) == (67_00 * CENT, 67_00 * CENT, 0)
    assert accumulators(loaded, "M100") == ((0, 0), (0, 0))
    assert loaded.pendingCount() == 0 and loaded.owed(NPI_IN) == 0


def test_a7_1_void_of_an_approved_pended_line(loaded, biller, reviewer):
    """A-7.1: a pended line approved by the reviewer is reversed like any approved line:
    accumulators, authorization units and its accrual (1080.00) are taken back."""
    pended = surgery("CX1")
    submit(loaded, biller, pended)
    loaded.approvePended(pended, 1, {"from": reviewer})
    tx = submit(loaded, biller, void("V1", "CX1", member="M101", npi=NPI_ORTHO))
    assert reversed_rows(tx) == [(cid("CX1"), 1, Status.APPROVED, "", 32000_00, 1850_00, 500_00, 0, 270_00,
                                  1080_00)]
    assert account(loaded, NPI_ORTHO) == (1080_00 * CENT, 1080_00 * CENT, 0)
    assert auth_used(loaded, "PA-0002") == 0
    assert accumulators(loaded, "M101") == ((0, 0), (0, 0))


def test_a7_1_reversal_takes_back_each_members_share_of_the_family(loaded, biller):
    """A-7.1 / A-6.6: the family's accumulators are the sum of its members' lines; voiding
    M101's line takes back its 25.00 from M101 and the family only, M100's stays."""
    submit(loaded, biller, claim("CX1"), claim("CX2", member="M101", lines=[("2026-03-01", "99214", 1, 160_00)]))
    assert accumulators(loaded, "M100") == ((0, 25_00), (0, 50_00))
    submit(loaded, biller, void("V2", "CX2", member="M101"))
    assert accumulators(loaded, "M101") == ((0, 0), (0, 25_00))
    assert accumulators(loaded, "M100") == ((0, 25_00), (0, 25_00))
    submit(loaded, biller, void("V1", "CX1"))
    assert accumulators(loaded, "M100") == ((0, 0), (0, 0))


# ------------------------------------------------------------------------------ replacement


def test_a7_2_replacement_is_void_then_new_lines(loaded, biller):
    """A-7.2: in one transaction the original's lines are reversed (recouped) and then the
    replacement's own lines adjudicated as new (accrued)."""
    submit(loaded, biller, claim("CX1"))  # paid 67.00
    tx = submit(loaded, biller, replacement("R1", "CX1", lines=[("2026-03-01", "99214", 1, 160_00)]))
    assert [(e.name, bytes(e["claimId"])) for e in tx.events] == [("ClaimReversed", cid("CX1")),
                                                                  ("ClaimAccepted", cid("R1"))]
    assert_approved(outcome(tx), "R1", billed=160_00, allowed=131_00, copay=25_00, paid=106_00)
    assert account(loaded, NPI_IN) == ((67_00 + 106_00) * CENT, 67_00 * CENT, 0)
    assert accumulators(loaded, "M100") == ((0, 25_00), (0, 25_00))
    assert loaded.owed(NPI_IN) == 106_00 * CENT
    assert (claim_state(loaded, "CX1"), claim_state(loaded, "R1")) == (State.REVERSED, State.ACTIVE)


def test_a7_2_replacement_priced_after_the_reversal(loaded, biller):
    """A-7.2 (examples/basic C0002 -> C0021): the replacement meets the deductible again
    because the original's deductible was taken back first: 71046 billed 60.00 then 55.00,
    deductible 38.00 each time, 38.00 met in the end, not 76.00."""
    submit(loaded, biller, imaging("C0002", 1, 60_00, dos="2026-01-15"))
    tx = submit(loaded, biller, imaging("C0021", 1, 55_00, dos="2026-01-15", frequency=7, original="C0002"))
    assert reversed_rows(tx) == [(cid("C0002"), 1, Status.APPROVED, "", 60_00, 38_00, 38_00, 0, 0, 0)]
    assert_approved(outcome(tx), "C0021", billed=55_00, allowed=38_00, deductible=38_00, paid=0)
    assert accumulators(loaded, "M100") == ((38_00, 38_00), (38_00, 38_00))


def test_a7_2_replacement_may_repeat_the_original_line(loaded, biller):
    """A-7.2 / A-4.8: the replacement's line identical to the reversed original is not a
    duplicate of it, and may use the authorization the original held."""
    submit(loaded, biller, mri("CX1"))
    tx = submit(loaded, biller, replacement("R1", "CX1", npi=NPI_IMAGING, diagnoses=("G43.909",),
                                            received="2026-03-21", lines=[("2026-03-10", "70553", 1, 900_00)]))
    assert status_of(outcome(tx)) == Status.APPROVED
    assert auth_used(loaded, "PA-0003") == 1
    assert bytes(loaded.lineOf(recorded(loaded, "R1"), 1)[9]) == cid("PA-0003")


def test_a7_original_and_its_correction_in_one_batch(loaded, biller):
    """A-1.4 / R-17: a batch may carry a claim and its void; the void finds the original's
    content among the batch's originals and reverses what the claim just applied."""
    first = claim("CX1")
    tx = loaded.submitClaims(first + void("V1", "CX1"), first, {"from": biller})
    assert [(e.name, bytes(e["claimId"])) for e in tx.events] == [
        ("ClaimAccepted", cid("CX1")), ("ClaimReversed", cid("CX1")), ("ClaimAccepted", cid("V1"))]
    assert account(loaded, NPI_IN) == (67_00 * CENT, 67_00 * CENT, 0)
    assert accumulators(loaded, "M100") == ((0, 0), (0, 0))


def test_r8_corrections_chain_through_the_latest_claim(loaded, biller):
    """R-8: a replacement may itself be replaced, then voided; each step reverses the previous
    live claim; in the end nothing is met and nothing is owed."""
    submit(loaded, biller, claim("CX1"))
    submit(loaded, biller, replacement("R1", "CX1", lines=[("2026-03-01", "99213", 1, 110_00)]))
    tx = submit(loaded, biller, replacement("R2", "R1", lines=[("2026-03-01", "99214", 1, 160_00)]))
    assert [r[0] for r in reversed_rows(tx)] == [cid("R1")]
    tx = submit(loaded, biller, void("V1", "R2"))
    assert [r[0] for r in reversed_rows(tx)] == [cid("R2")]
    assert [claim_state(loaded, c) for c in ("CX1", "R1", "R2", "V1")] == [
        State.REVERSED, State.REVERSED, State.REVERSED, State.VOID]
    assert accumulators(loaded, "M100") == ((0, 0), (0, 0))
    assert loaded.owed(NPI_IN) == 0
    assert account(loaded, NPI_IN) == ((67_00 + 67_00 + 106_00) * CENT, (67_00 + 67_00 + 106_00) * CENT, 0)


# ------------------------------------------------------------------------------ recoupment


def test_r11_recoup_after_payment_goes_negative_and_nets_later(loaded, token, biller, treasurer):
    """A-8 / R-11: a payment already settled is recouped from the provider's balance, which
    goes negative (-67.00) and is netted against later accruals (106.00 -> 39.00 owed)."""
    from claimledger.chain import payee_for

    token.mint(treasurer, 10_000_00 * CENT, {"from": treasurer})
    token.approve(loaded, 10_000_00 * CENT, {"from": treasurer})
    loaded.fund(10_000_00 * CENT, {"from": treasurer})
    submit(loaded, biller, claim("CX1"))
    loaded.settle([NPI_IN], {"from": treasurer})
    assert token.balanceOf(payee_for(str(NPI_IN))) == 67_00 * CENT

    submit(loaded, biller, void("V1", "CX1"))
    assert account(loaded, NPI_IN) == (67_00 * CENT, 67_00 * CENT, 67_00 * CENT)
    assert loaded.owed(NPI_IN) == -67_00 * CENT
    assert loaded.totalOutstanding() == 0
    assert loaded.settle.call([NPI_IN], {"from": treasurer}) == 0  # nothing to pay while negative

    submit(loaded, biller, claim("CX2", lines=[("2026-03-02", "99214", 1, 160_00)]))  # paid 106.00
    assert loaded.owed(NPI_IN) == 39_00 * CENT
    assert loaded.totalOutstanding() == 39_00 * CENT
    loaded.settle([NPI_IN], {"from": treasurer})
    assert token.balanceOf(payee_for(str(NPI_IN))) == 106_00 * CENT
    assert loaded.owed(NPI_IN) == 0 and loaded.totalOutstanding() == 0


# ------------------------------------------------------------------------------ family change


def test_r14_a_member_cannot_change_family_so_reversals_hit_the_family_charged(loaded, plan_manager, biller):
    """A-7.1, R-14: a reversal takes back what the line applied from the member's family; a
    member cannot move to another family (re-enrollment with another family is refused)."""
    submit(loaded, biller, claim("CX1"))  # copay 25.00: member and family S100 OOP 25.00
    with brownie.reverts(err("FamilyChange", cid("M100"), cid("S100"), cid("S999"))):
        enroll(loaded, plan_manager, "M100", "S999", "GOLD-PPO-2026")
    enroll(loaded, plan_manager, "M100", "S100", "GOLD-PPO-2026", end="2026-12-31")  # same family: fine
    assert accumulators(loaded, "M100") == ((0, 25_00), (0, 25_00))  # re-enrollment keeps them
    submit(loaded, biller, void("V1", "CX1"))
    assert accumulators(loaded, "M100") == ((0, 0), (0, 0))
    assert accumulators(loaded, "M101") == ((0, 0), (0, 0))


# ------------------------------------------------------------------------------ the original supplied


def test_r17_a_correction_without_its_recorded_original_is_rejected(loaded, biller):
    """R-17: the engine keeps a claim's content as a tag, so a correction brings the original
    as submitted: none, or another content under its id, is OriginalNotSupplied and changes
    nothing (the original stays active, its line approved)."""
    original = claim("CX1")
    submit(loaded, biller, original)
    other_content = claim("CX1", lines=[("2026-03-02", "99213", 1, 120_00)])
    for originals in (b"", other_content):
        tx = loaded.submitClaims(void("V1", "CX1"), originals, {"from": biller})
        assert names(tx) == ["ClaimRecordRejected"]
        assert tx.events["ClaimRecordRejected"][0]["reason"] == Reason.ORIGINAL_NOT_SUPPLIED
        with brownie.reverts(rejected("V1", Reason.ORIGINAL_NOT_SUPPLIED)):
            loaded.submitClaim(void("V1", "CX1"), originals, {"from": biller})
    assert (claim_state(loaded, "CX1"), line_status(loaded, original)) == (State.ACTIVE, Status.APPROVED)


def test_r17_original_not_supplied_comes_before_member_and_provider(loaded, biller):
    """R-17: without its original, a correction naming another member or provider is
    OriginalNotSupplied (the member is taken from the original's content)."""
    submit(loaded, biller, claim("CX1"))
    with brownie.reverts(rejected("V1", Reason.ORIGINAL_NOT_SUPPLIED)):
        loaded.submitClaim(void("V1", "CX1", member="M101", npi=NPI_IMAGING), b"", {"from": biller})


def test_r17_the_matching_original_is_found_among_others(loaded, biller):
    """R-17: entries that are not the recorded content of a named claim are ignored."""
    first, second = claim("CX1"), claim("CX2", lines=[("2026-03-02", "99213", 1, 120_00)])
    submit(loaded, biller, first, second)
    decoys = claim("CX1", lines=[("2026-03-03", "99213", 1, 120_00)]) + second
    tx = loaded.submitClaims(void("V1", "CX1"), decoys + first, {"from": biller})
    assert reversed_rows(tx) == [(cid("CX1"), 1, Status.APPROVED, "", 120_00, 92_00, 0, 25_00, 0, 67_00)]
    assert (claim_state(loaded, "CX1"), claim_state(loaded, "CX2")) == (State.REVERSED, State.ACTIVE)


def test_r17_a_review_decision_supplies_the_claim_as_submitted(loaded, biller, reviewer):
    """R-17 / A-5: approving or denying a pended line with another content under its claim id
    reverts with ClaimContentMismatch."""
    pended = surgery("CX1")
    submit(loaded, biller, pended)
    forged = claim("CX1", member="M101", npi=NPI_ORTHO, diagnoses=("M17.11",), received="2026-03-18",
                   lines=[("2026-03-17", "27447", 1, 31000_00)])
    with brownie.reverts(err("ClaimContentMismatch", cid("CX1"))):
        loaded.approvePended(forged, 1, {"from": reviewer})
    with brownie.reverts(err("ClaimContentMismatch", cid("CX1"))):
        loaded.denyPended(forged, 1, b8("50"), {"from": reviewer})
    with brownie.reverts(err("ClaimContentMismatch", cid("CX1"))):
        loaded.lineOf(forged, 1)
    assert line_status(loaded, pended) == Status.PENDED


def test_r17_recorded_contents_are_read_back_together(loaded, biller):
    """R-17: what the engine accepted under several ids, read back from the transactions that
    recorded them in one look-up: claims of one batch and of a single submission, each as it
    was accepted (not a later content rejected under its id), unknown ids absent."""
    from brownie import web3

    from claimledger import chain
    from claimledger.privacy.pseudonyms import Pseudonyms
    from claimledger.recorded import recorded_claim, recorded_claims

    def visit(claim_id, dos):
        return claim(claim_id, received="2026-03-20", lines=[(dos, "99213", 1, 120_00)])

    first, second, alone = visit("CX1", "2026-03-02"), visit("CX2", "2026-03-03"), visit("CX3", "2026-03-04")
    submit(loaded, biller, first, second)
    submit(loaded, biller, alone)
    assert names(loaded.submitClaims(visit("CX1", "2026-03-05"), b"", {"from": biller})) == ["ClaimRecordRejected"]
    dep = chain.Deployment(web3, {"ClaimsEngine": loaded.address}, pseudonyms=Pseudonyms.unkeyed())
    keys = [cid("CX3"), cid("NEVER"), cid("CX1"), cid("CX2"), cid("CX1")]
    found = recorded_claims(dep, keys, chunk=2)  # four ids once each: two look-ups
    assert found == {key_of(c): c for c in (first, second, alone)}
    assert recorded_claim(dep, cid("NEVER")) is None
    assert events(loaded.submitClaim(void("V1", "CX2"), found[cid("CX2")], {"from": biller}), "ClaimReversed")
