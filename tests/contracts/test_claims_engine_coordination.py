"""Coordination of benefits (A-11, R-40, R-41) in the engine: a line that carries the prior
payer's result is checked and priced as if this plan paid first, its accumulators take those
normal amounts, and it reports and pays what A-11.3 leaves (standard or non-duplication), with
the prior payer's amount as OA-23 in its line word. Expected figures are worked out by hand
below each test's name from docs/ADJUDICATION.md (cents).

Plans COB-STD (standard) and COB-ND (non-duplication) have the same terms: deductible
200.00/400.00, out-of-pocket 3,000.00/6,000.00, 20% in network, office visits a 25.00 copay;
99213 allows 100.00, 71046 40.00, 70450 300.00, 27447 1,000.00 (pended for review)."""
import brownie
import pytest

from claimledger.codec import HAS_OTHER_PAYER, NO_AMOUNT

from tests.contracts.helpers import (
    CENT, NPI_IN, Reason, Status, accumulators, account, claim, create_plan, enroll, events, fee, line_record,
    outcome, outcomes, recorded, rejected, reversals, status_of, submit, terms, void,
)

DOS = "2026-03-01"


@pytest.fixture(scope="module")
def plans(loaded, plan_manager):
    fees = {"99213": fee(100_00, "office_visit"), "71046": fee(40_00, "imaging"), "70450": fee(300_00, "imaging"),
            "27447": fee(1000_00, "surgery", review=True)}
    base = dict(deductibleIndividual=200_00, deductibleFamily=400_00, oopMaxIndividual=3000_00,
                oopMaxFamily=6000_00, coinsuranceBps=2000)
    create_plan(loaded, plan_manager, "COB-STD", plan_terms=terms(**base), fees=fees, copays={"office_visit": 25_00})
    create_plan(loaded, plan_manager, "COB-ND", plan_terms=terms(**base, nonDuplication=True), fees=fees,
                copays={"office_visit": 25_00})
    enroll(loaded, plan_manager, "MS", "FS", "COB-STD")
    enroll(loaded, plan_manager, "MN", "FN", "COB-ND")
    return loaded


def second(claim_id, member, code, billed, other_allowed, other_paid, **kw):
    """A one-line claim this plan pays second."""
    return claim(claim_id, member=member, lines=[(DOS, code, 1, billed, other_allowed, other_paid)], **kw)


def reported(o) -> tuple:
    """(allowed, PR-1, PR-3, PR-2, paid, patient, CO-45, OA-23) of a line's event words."""
    w = o.words
    return (w.allowed, w.deductible, w.copay, w.coinsurance, w.paid, w.patient, w.co45, w.prior)


@pytest.mark.parametrize("member,expected", [
    # normal: allowed 100.00, copay 25.00, paid 75.00; prior = min(70.00, 100.00) = 70.00
    # standard: paid = min(75.00, 100.00 - 70.00) = 30.00, patient 0
    ("MS", (100_00, 0, 0, 0, 30_00, 0, 50_00, 70_00)),
    # non-duplication: paid = 75.00 - 70.00 = 5.00, patient = 100.00 - 70.00 - 5.00 = 25.00 (PR-3)
    ("MN", (100_00, 0, 25_00, 0, 5_00, 25_00, 50_00, 70_00)),
])
def test_a_line_paid_second_reports_and_pays_what_a11_leaves(plans, biller, member, expected):
    """A-11.2-4: billed 150.00, the prior payer allowed 110.00 and paid 70.00; the accumulators
    take the normal copay (25.00), the provider accrues the paid amount."""
    o = outcome(submit(plans, biller, second("S1", member, "99213", 150_00, 110_00, 70_00)))
    assert status_of(o) == Status.APPROVED
    assert reported(o) == expected
    w = o.words
    assert w.billed == w.paid + w.co45 + w.prior + w.patient  # billed = paid + adjustments
    assert accumulators(plans, member) == ((0, 25_00), (0, 25_00))
    assert account(plans, NPI_IN)[0] == expected[4] * CENT


@pytest.mark.parametrize("member", ["MS", "MN"])
def test_the_prior_amount_is_at_most_allowed(plans, biller, member):
    """A-11.3: the prior payer paid 120.00 of a line allowed 100.00: prior = 100.00; standard
    pays min(75.00, 0) = 0, non-duplication max(0, 75.00 - 100.00) = 0; patient 0."""
    o = outcome(submit(plans, biller, second("S2", member, "99213", 150_00, 120_00, 120_00)))
    assert reported(o) == (100_00, 0, 0, 0, 0, 0, 50_00, 100_00)


def test_the_patient_share_is_split_deductible_first(plans, biller):
    """A-11.3: 70450 billed 350.00, allowed 300.00; normal: deductible 200.00, coinsurance
    20% of 100.00 = 20.00, paid 80.00. Prior 10.00: paid = min(80.00, 290.00) = 80.00, patient
    = 300.00 - 10.00 - 80.00 = 210.00 = PR-1 200.00 + PR-2 10.00 (at most its normal 20.00)."""
    o = outcome(submit(plans, biller, second("S3", "MS", "70450", 350_00, 50_00, 10_00)))
    assert reported(o) == (300_00, 200_00, 0, 10_00, 80_00, 210_00, 50_00, 10_00)
    assert accumulators(plans, "MS") == ((200_00, 220_00), (200_00, 220_00))  # the normal amounts


def test_a_line_without_the_prior_result_in_a_claim_paid_second_is_priced_as_before(plans, biller):
    """A-11.1: line 1 (71046 billed 90.00) carries no prior result: deductible 40.00, no OA-23;
    line 2 is the secondary office visit of the first test (standard)."""
    c = claim("S4", member="MS", lines=[(DOS, "71046", 1, 90_00), (DOS, "99213", 1, 150_00, 110_00, 70_00)])
    assert c[77] & HAS_OTHER_PAYER and c.count(NO_AMOUNT.to_bytes(5, "big")) == 2
    tx = submit(plans, biller, c)
    first, secondary = [reported(o) for o in outcomes(tx)]
    assert first == (40_00, 40_00, 0, 0, 0, 40_00, 50_00, 0)
    assert secondary == (100_00, 0, 0, 0, 30_00, 0, 50_00, 70_00)


def test_a_prior_payment_of_zero_is_priced_as_a_primary_line(plans, biller):
    """A-11.3 with prior 0: paid = min(75.00, 100.00) = 75.00, patient 25.00, no OA-23."""
    o = outcome(submit(plans, biller, second("S5", "MN", "99213", 150_00, 90_00, 0)))
    assert reported(o) == (100_00, 0, 25_00, 0, 75_00, 25_00, 50_00, 0)


def test_a_reversal_takes_back_what_was_applied_and_reports_what_was_reported(plans, biller):
    """A-7.1 with A-11: the void re-supplies the original (R-17), from which the prior amount
    is found again: its ClaimReversed words are the accepted ones, the accumulators lose the
    normal copay (25.00) and the provider is recouped the 30.00 paid."""
    original = second("S6", "MS", "99213", 150_00, 110_00, 70_00)
    accepted = outcome(submit(plans, biller, original)).words
    tx = submit(plans, biller, void("S6V", "S6", member="MS"))
    (taken,) = reversals(tx)
    assert taken.words == accepted
    assert accumulators(plans, "MS") == ((0, 0), (0, 0))
    assert account(plans, NPI_IN)[:2] == (30_00 * CENT, 30_00 * CENT)


def test_a_pended_line_paid_second_is_priced_second_when_approved(plans, biller, reviewer):
    """A-5 with A-11: 27447 billed 1,200.00 is pended; approved, normal: allowed 1,000.00,
    deductible 200.00, coinsurance 20% of 800.00 = 160.00, paid 640.00. Prior 600.00:
    standard paid = min(640.00, 400.00) = 400.00, patient 0."""
    submit(plans, biller, second("S7", "MS", "27447", 1200_00, 900_00, 600_00))
    tx = plans.approvePended(recorded(plans, "S7"), 1, {"from": reviewer})
    assert reported(outcome(tx)) == (1000_00, 0, 0, 0, 400_00, 0, 200_00, 600_00)
    assert accumulators(plans, "MS") == ((200_00, 360_00), (200_00, 360_00))


def test_line_of_gives_what_the_accumulators_took(plans, biller):
    """R-41: the line's outcome keeps the normal amounts (A-11.2); what it reported is in its
    events."""
    c = second("S8", "MS", "99213", 150_00, 110_00, 70_00)
    submit(plans, biller, c)
    record = line_record(plans, c)
    assert record[0] == Status.APPROVED and record[3:7] == (100_00, 0, 25_00, 0)


@pytest.mark.parametrize("other", [(100_00, NO_AMOUNT), (NO_AMOUNT, 10_00), (50_00, 60_00), (10**12 + 1, 0),
                                   (NO_AMOUNT, NO_AMOUNT)],
                         ids=["paid-missing", "allowed-missing", "paid-over-allowed", "allowed-too-large", "none"])
def test_inconsistent_prior_amounts_are_a_record_error(plans, biller, other):
    """A-3, R-40: in a claim whose lines carry the prior result, a line has both amounts or
    neither, paid at most allowed, allowed within R-4's limit, and one line has them (the codec
    writes these amounts as given; the loader refuses them first)."""
    with brownie.reverts(rejected("S9", Reason.OTHER_PAYER_INVALID)):
        submit(plans, biller, second("S9", "MS", "99213", 150_00, *other))


def test_the_claim_accepted_event_is_the_only_line_event(plans, biller):
    """One event a claim still (R-27): a secondary line adds no event of its own."""
    tx = submit(plans, biller, second("S10", "MS", "99213", 150_00, 110_00, 70_00))
    assert len(events(tx, "ClaimAccepted")) == 1 and not events(tx, "LineAdjudicated")
