"""The member's word (Members.sol) holds its eligibility and the accumulators of one plan year,
the latest it has lines of; other years are kept apart. Whatever order claims of different
years come in (A-1.3, A-1.4), each line is priced against its own year's accumulators and adds
to, or is taken back from, that year only (A-6.6, A-7.1); the family's years likewise.
accumulators(member, year) reads any year.

examples/basic, GOLD-PPO-2026 (M100 and M101, family S100): deductible 500.00 / 1000.00,
out-of-pocket max 2000.00 / 4000.00, coinsurance 20%; 71046 allowed 38.00 a unit, no copay;
99213 92.00 with a 25.00 copay."""
from tests.contracts.helpers import (
    NPI_IMAGING, NPI_ORTHO, Status, accumulators, assert_approved, claim, enroll, outcome, outcomes, status_of,
    submit, void,
)


def imaging(claim_id, dos, received, units=1, billed=60_00, member="M100", lines=None):
    return claim(claim_id, member=member, npi=NPI_IMAGING, diagnoses=("R05.9",), received=received,
                 lines=lines or [(dos, "71046", units, billed)])


def test_a_claim_of_an_earlier_year_after_a_later_one(loaded, biller):
    """A-1.3 / A-6.4: 2026 meets the deductible (500.00, OOP 552.00); a 2027 line starts 2027
    with 38.00 of deductible; then a 2026 line is priced against 2026 (deductible met: 20% of
    38.00 = 7.60) and added to 2026, leaving 2027 as it was; a further 2027 line adds to 2027."""
    submit(loaded, biller, imaging("A", "2026-03-10", "2026-03-20", units=20, billed=1000_00))
    b = outcome(submit(loaded, biller, imaging("B", "2027-01-04", "2027-01-05")))
    assert_approved(b, "B", billed=60_00, allowed=38_00, deductible=38_00, paid=0)
    c = outcome(submit(loaded, biller, imaging("C", "2026-12-30", "2027-01-06")))
    assert_approved(c, "C", billed=60_00, allowed=38_00, coinsurance=7_60, paid=30_40)
    assert accumulators(loaded, "M100", 2026) == ((500_00, 559_60), (500_00, 559_60))
    assert accumulators(loaded, "M100", 2027) == ((38_00, 38_00), (38_00, 38_00))
    assert accumulators(loaded, "M101", 2026) == ((0, 0), (500_00, 559_60))
    assert accumulators(loaded, "M101", 2027) == ((0, 0), (38_00, 38_00))
    d = outcome(submit(loaded, biller, imaging("D", "2027-01-05", "2027-01-06")))
    assert_approved(d, "D", billed=60_00, allowed=38_00, deductible=38_00, paid=0)
    assert accumulators(loaded, "M100", 2027) == ((76_00, 76_00), (76_00, 76_00))
    assert accumulators(loaded, "M100", 2026) == ((500_00, 559_60), (500_00, 559_60))


def test_reversals_take_back_from_their_own_year(loaded, biller):
    """A-7.1: with 2027 in the member's word, voiding the 2026 claim that met the deductible
    takes 500.00 / 552.00 back from 2026 only; voiding the 2027 claim empties 2027 only."""
    submit(loaded, biller, imaging("A", "2026-03-10", "2026-03-20", units=20, billed=1000_00))
    submit(loaded, biller, imaging("B", "2027-01-04", "2027-01-05"))
    submit(loaded, biller, imaging("C", "2026-12-30", "2027-01-06"))
    submit(loaded, biller, void("VA", "A", npi=NPI_IMAGING, received="2027-01-07"))
    assert accumulators(loaded, "M100", 2026) == ((0, 7_60), (0, 7_60))
    assert accumulators(loaded, "M100", 2027) == ((38_00, 38_00), (38_00, 38_00))
    submit(loaded, biller, void("VB", "B", npi=NPI_IMAGING, received="2027-01-07"))
    assert accumulators(loaded, "M100", 2027) == ((0, 0), (0, 0))
    assert accumulators(loaded, "M100", 2026) == ((0, 7_60), (0, 7_60))
    submit(loaded, biller, void("VC", "C", npi=NPI_IMAGING, received="2027-01-07"))
    assert accumulators(loaded, "M100", 2026) == ((0, 0), (0, 0))


def test_three_years_out_of_order(loaded, biller):
    """A-1.3: 2026, then 2028, then 2027, then 2026 again: 38.00 of deductible each, and the
    last 2026 line (2 units, 76.00) adds to 2026's 38.00."""
    submit(loaded, biller, imaging("X", "2026-12-20", "2026-12-21"))
    submit(loaded, biller, imaging("Y", "2028-01-03", "2028-01-04"))
    submit(loaded, biller, imaging("Z", "2027-06-01", "2027-06-02"))
    w = outcome(submit(loaded, biller, imaging("W", "2026-12-21", "2026-12-22", units=2, billed=80_00)))
    assert_approved(w, "W", billed=80_00, allowed=76_00, deductible=76_00, paid=0)
    assert accumulators(loaded, "M100", 2026) == ((114_00, 114_00), (114_00, 114_00))
    assert accumulators(loaded, "M100", 2027) == ((38_00, 38_00), (38_00, 38_00))
    assert accumulators(loaded, "M100", 2028) == ((38_00, 38_00), (38_00, 38_00))
    assert accumulators(loaded, "M100", 2025) == ((0, 0), (0, 0))


def test_an_earlier_years_out_of_pocket_max_still_binds(loaded, biller):
    """A-6.2: M100 reaches 2026's OOP max (deductible 500.00 + coinsurance 895.60 + 604.40); a
    2027 visit pays its 25.00 copay; a later 2026 visit pays none (2026's OOP is met)."""
    submit(loaded, biller, imaging("A", "2026-03-10", "2026-03-20",
                                   lines=[("2026-03-10", "71046", 131, 4978_00)] * 2))
    assert accumulators(loaded, "M100", 2026) == ((500_00, 2000_00), (500_00, 2000_00))
    visit_2027 = outcome(submit(loaded, biller, claim("B", received="2027-01-05",
                                                      lines=[("2027-01-04", "99213", 1, 120_00)])))
    assert_approved(visit_2027, "B", billed=120_00, allowed=92_00, copay=25_00, paid=67_00)
    visit_2026 = outcome(submit(loaded, biller, claim("C", received="2027-01-05",
                                                      lines=[("2026-12-30", "99213", 1, 120_00)])))
    assert_approved(visit_2026, "C", billed=120_00, allowed=92_00, paid=92_00)
    assert accumulators(loaded, "M100", 2026) == ((500_00, 2000_00), (500_00, 2000_00))
    assert accumulators(loaded, "M100", 2027) == ((0, 25_00), (0, 25_00))


def test_a_claim_spanning_the_new_year(loaded, biller):
    """A-1.3 / A-1.4: lines of one claim on 2026-12-31, 2027-01-01 and 2026-12-30 each meet
    38.00 of their own year's deductible; its void takes every year back to nothing."""
    tx = submit(loaded, biller, imaging("A", None, "2027-01-02", lines=[
        ("2026-12-31", "71046", 1, 60_00), ("2027-01-01", "71046", 1, 60_00), ("2026-12-30", "71046", 1, 60_00)]))
    assert [(o.allowed, o.deductible) for o in outcomes(tx)] == [(38_00, 38_00)] * 3
    assert accumulators(loaded, "M100", 2026) == ((76_00, 76_00), (76_00, 76_00))
    assert accumulators(loaded, "M100", 2027) == ((38_00, 38_00), (38_00, 38_00))
    submit(loaded, biller, void("V", "A", npi=NPI_IMAGING, received="2027-01-02"))
    assert accumulators(loaded, "M100", 2026) == ((0, 0), (0, 0))
    assert accumulators(loaded, "M100", 2027) == ((0, 0), (0, 0))


def test_a_pended_line_of_an_earlier_year_approved_after_a_later_one(loaded, biller, reviewer):
    """A-5 / A-1.3: M101's 2026 surgery waits for review while a 2027 visit is adjudicated; its
    approval is priced against 2026 (nothing met: deductible 500.00, coinsurance 20% of 1350.00
    = 270.00) and leaves 2027 as it was."""
    surgery = claim("S", member="M101", npi=NPI_ORTHO, diagnoses=("M17.11",), received="2026-03-18",
                    lines=[("2026-03-17", "27447", 1, 32000_00)])
    assert status_of(outcome(submit(loaded, biller, surgery))) == Status.PENDED
    submit(loaded, biller, claim("B", member="M101", received="2027-01-05", lines=[("2027-01-04", "99213", 1, 120_00)]))
    tx = loaded.approvePended(surgery, 1, {"from": reviewer})
    assert_approved(outcome(tx), "S", billed=32000_00, allowed=1850_00, deductible=500_00, coinsurance=270_00,
                    paid=1080_00)
    assert accumulators(loaded, "M101", 2026) == ((500_00, 770_00), (500_00, 770_00))
    assert accumulators(loaded, "M101", 2027) == ((0, 25_00), (0, 25_00))
    assert accumulators(loaded, "M100", 2026) == ((0, 0), (500_00, 770_00))


def test_re_enrollment_keeps_every_year(loaded, plan_manager, biller):
    """A-2.2: re-enrolling a member (same family) changes its coverage, not what it has met in
    the year its word holds or in earlier ones."""
    submit(loaded, biller, imaging("A", "2026-03-10", "2026-03-20"))
    submit(loaded, biller, imaging("B", "2027-01-04", "2027-01-05"))
    enroll(loaded, plan_manager, "M100", "S100", "GOLD-PPO-2026", "2026-01-01", "2027-12-31")
    assert accumulators(loaded, "M100", 2026) == ((38_00, 38_00), (38_00, 38_00))
    assert accumulators(loaded, "M100", 2027) == ((38_00, 38_00), (38_00, 38_00))
