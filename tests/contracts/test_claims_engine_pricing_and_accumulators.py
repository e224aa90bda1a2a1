"""A-6 pricing of approved lines, the accumulators it leaves in the member's and the family's
plan year (A-6.6) and the accrual of the paid amount to the provider (A-8, R-11: token units =
cents * 10,000).

GOLD-PPO-2026 (examples/basic/plans.yaml): deductible 500.00 / 1000.00, out-of-pocket max
2000.00 / 4000.00, coinsurance 20% in network and 40% out, copay office_visit 25.00. Fees:
99213 92.00 (office_visit), 99214 131.00 (office_visit), 80053 14.50 (lab), 71046 38.00
(imaging). Every expected amount below is worked out by hand from the rules, in cents."""
import pytest

from tests.contracts.helpers import (
    CENT, NPI_IMAGING, NPI_IN, NPI_OUT, account, accumulators, assert_approved, claim, create_plan, enroll, fee,
    outcome, outcomes, statuses, submit, terms,
)


def imaging(claim_id, *lines_, member="M100", npi=NPI_IMAGING):
    """A claim of 71046 lines (units, billed) on 2026-03-10."""
    return claim(claim_id, member=member, npi=npi, diagnoses=("R05.9",), received="2026-03-20",
                 lines=[("2026-03-10", "71046", u, b) for u, b in lines_])


def meet_deductible(engine, biller, member, claim_id=None):
    """71046 x 20 units billed 1000.00: allowed 760.00, deductible 500.00, coinsurance
    20% of 260.00 = 52.00, paid 208.00."""
    return submit(engine, biller, imaging(claim_id or f"DED-{member}", (20, 1000_00), member=member))


@pytest.fixture(scope="module")
def m102(loaded, plan_manager):
    """A third member of family S100, so that the family limits can bind before the
    individual ones."""
    enroll(loaded, plan_manager, "M102", "S100", "GOLD-PPO-2026")
    return "M102"


# ------------------------------------------------------------------------------ copay


def test_a6_3_copay_in_network(loaded, biller):
    """A-6.1 / A-6.3: 99213 billed 120.00: allowed 92.00 (CO-45 28.00), copay 25.00, no
    deductible or coinsurance, paid 67.00; OOP met += 25.00 for member and family."""
    o = outcome(submit(loaded, biller, claim("CX1")))
    assert_approved(o, "CX1", billed=120_00, allowed=92_00, copay=25_00, paid=67_00)
    assert (o.co45, o.patient) == (28_00, 25_00)
    assert accumulators(loaded, "M100") == ((0, 25_00), (0, 25_00))
    assert accumulators(loaded, "M101") == ((0, 0), (0, 25_00))
    assert account(loaded, NPI_IN) == (67_00 * CENT, 0, 0)


def test_a6_3_copay_capped_at_allowed(loaded, biller):
    """A-6.3: copay = min(copay, allowed, oop_left): billed 20.00 -> allowed 20.00, copay
    20.00, paid 0: nothing accrues."""
    tx = submit(loaded, biller, claim("CX1", lines=[("2026-03-01", "99213", 1, 20_00)]))
    assert_approved(tx, "CX1", billed=20_00, allowed=20_00, copay=20_00, paid=0)
    assert loaded.owed(NPI_IN) == 0 and account(loaded, NPI_IN) == (0, 0, 0)
    assert accumulators(loaded, "M100") == ((0, 20_00), (0, 20_00))


def test_a6_3_no_copay_out_of_network(loaded, biller):
    """A-6.3 / A-6.4: out of network the copay does not apply: 99213 billed 120.00 goes to
    the deductible (allowed 92.00, deductible 92.00, paid 0)."""
    tx = submit(loaded, biller, claim("CX1", npi=NPI_OUT))
    assert_approved(tx, "CX1", billed=120_00, allowed=92_00, deductible=92_00, paid=0)
    assert account(loaded, NPI_OUT) == (0, 0, 0)
    assert accumulators(loaded, "M100") == ((92_00, 92_00), (92_00, 92_00))


# ------------------------------------------------------------------------------ deductible, coinsurance


def test_a6_1_allowed_is_billed_when_lower(loaded, biller):
    """A-6.1: allowed = min(billed, fee * units): 2 x 38.00 = 76.00 > billed 50.00, no CO-45."""
    o = outcome(submit(loaded, biller, imaging("CX1", (2, 50_00))))
    assert_approved(o, "CX1", billed=50_00, allowed=50_00, deductible=50_00, paid=0)
    assert o.co45 == 0


def test_a6_4_deductible_then_coinsurance_within_one_claim(loaded, biller):
    """A-6.4 / A-1.4 / A-1.2: line 1 (20 units, 1000.00): allowed 760.00, deductible 500.00,
    coinsurance 52.00, paid 208.00. Line 2 sees line 1's accumulators: billed 30.03 ->
    allowed 30.03, no deductible, coinsurance 20% of 30.03 = 6.006 -> 6.01 (half-up), paid
    24.02. One accrual of 232.02 for the claim."""
    first, second = outcomes(submit(loaded, biller, imaging("CX1", (20, 1000_00), (1, 30_03))))
    assert_approved(first, "CX1", billed=1000_00, allowed=760_00, deductible=500_00, coinsurance=52_00, paid=208_00)
    assert_approved(second, "CX1", number=2, billed=30_03, allowed=30_03, coinsurance=6_01, paid=24_02)
    assert accumulators(loaded, "M100") == ((500_00, 558_01), (500_00, 558_01))
    assert account(loaded, NPI_IMAGING) == (232_02 * CENT, 0, 0)


@pytest.fixture(scope="module")
def quarter(loaded, plan_manager):
    """Plan QUARTER for member MQ: no deductible, 25% coinsurance (so that shares fall on half
    cents), 71046 allowed 1000.00."""
    create_plan(loaded, plan_manager, "QUARTER", plan_terms=terms(
        deductibleIndividual=0, deductibleFamily=0, coinsuranceBps=2500), fees={"71046": fee(1000_00, "imaging")})
    enroll(loaded, plan_manager, "MQ", "SQ", "QUARTER")
    return "MQ"


@pytest.mark.parametrize("billed,coinsurance", [
    (10_02, 2_51),  # 25% of 10.02 = 2.505: a half cent rounds up (not to even)
    (10_01, 2_50),  # 2.5025 -> 2.50
    (10_03, 2_51),  # 2.5075 -> 2.51
    (2, 1),  # 0.5 cent -> 1 cent
    (1, 0),  # 0.25 cent -> 0
])
def test_a1_2_coinsurance_rounds_half_up_to_the_cent(loaded, biller, quarter, billed, coinsurance):
    """A-1.2: share = floor((amount * bps + 5000) / 10000): half-up to the cent."""
    o = outcome(submit(loaded, biller, imaging("CX1", (1, billed), member=quarter)))
    assert_approved(o, "CX1", billed=billed, allowed=billed, coinsurance=coinsurance)
    assert accumulators(loaded, quarter) == ((0, coinsurance), (0, coinsurance))


def test_a6_4_later_claim_sees_met_deductible(loaded, biller):
    """A-1.4: claims are adjudicated in submission order against the accumulators left before:
    38.00 allowed, 20% coinsurance 7.60, paid 30.40."""
    meet_deductible(loaded, biller, "M100")
    tx = submit(loaded, biller, imaging("CX2", (1, 60_00)))
    assert_approved(tx, "CX2", billed=60_00, allowed=38_00, coinsurance=7_60, paid=30_40)
    assert accumulators(loaded, "M100") == ((500_00, 559_60), (500_00, 559_60))


def test_a6_4_out_of_network_coinsurance(loaded, biller):
    """A-6.4: the out-of-network rate (40%) applies out of network: 38.00 -> 15.20, paid 22.80."""
    meet_deductible(loaded, biller, "M100")
    tx = submit(loaded, biller, imaging("CX2", (1, 90_00), npi=NPI_OUT))
    assert_approved(tx, "CX2", billed=90_00, allowed=38_00, coinsurance=15_20, paid=22_80)
    assert account(loaded, NPI_OUT) == (22_80 * CENT, 0, 0)


@pytest.fixture(scope="module")
def tight(loaded, plan_manager):
    """Plan TIGHT for member MT (family ST): out-of-pocket max 600.00 below the deductible
    1000.00; 71046 allowed 800.00; 99213 92.00 with an office_visit copay of 25.00; lab
    (80053, 14.50) has a copay of 0.00."""
    create_plan(loaded, plan_manager, "TIGHT", plan_terms=terms(
        deductibleIndividual=1000_00, deductibleFamily=2000_00, oopMaxIndividual=600_00, oopMaxFamily=1200_00),
        copays={"office_visit": 25_00, "lab": 0},
        fees={"71046": fee(800_00, "imaging"), "99213": fee(92_00, "office_visit"), "80053": fee(14_50, "lab")})
    enroll(loaded, plan_manager, "MT", "ST", "TIGHT")
    return "MT"


def test_a6_4_deductible_bounded_by_oop_left(loaded, biller, tight):
    """A-6.4: deductible = min(allowed, deductible left, oop_left) and coinsurance = min(share,
    oop_left - deductible): allowed 800.00 -> deductible 600.00 (the OOP max), coinsurance 0,
    paid 200.00."""
    tx = submit(loaded, biller, imaging("CX1", (1, 900_00), member=tight))
    assert_approved(tx, "CX1", billed=900_00, allowed=800_00, deductible=600_00, paid=200_00)
    assert accumulators(loaded, tight) == ((600_00, 600_00), (600_00, 600_00))


def test_a6_3_copay_bounded_by_oop_left(loaded, biller, tight):
    """A-6.3: copay = min(copay, allowed, oop_left): with 10.00 left to the OOP max the 25.00
    copay is 10.00 and the plan pays 82.00."""
    submit(loaded, biller, imaging("CX1", (1, 590_00), member=tight))  # deductible 590.00
    tx = submit(loaded, biller, claim("CX2", member=tight))
    assert_approved(tx, "CX2", billed=120_00, allowed=92_00, copay=10_00, paid=82_00)
    assert account(loaded, NPI_IN) == (82_00 * CENT, 0, 0)
    assert accumulators(loaded, tight) == ((590_00, 600_00), (590_00, 600_00))


def test_a6_3_zero_copay_still_replaces_deductible(loaded, biller, tight):
    """A-6.3: a category with a copay of 0.00 has a copay: no deductible, no coinsurance, the
    plan pays the whole allowed amount."""
    tx = submit(loaded, biller, claim("CX1", member=tight, lines=[("2026-03-01", "80053", 1, 40_00)]))
    assert_approved(tx, "CX1", billed=40_00, allowed=14_50, paid=14_50)
    assert account(loaded, NPI_IN) == (14_50 * CENT, 0, 0)
    assert accumulators(loaded, tight) == ((0, 0), (0, 0))


# ------------------------------------------------------------------------------ family


def test_a6_4_family_deductible_binds_before_individual(loaded, biller, m102):
    """A-6.4: deductible left = min(individual left, family left). M100 meets 500.00, M101
    meets 380.00 (10 units), so M102 has 500.00 individual but only 120.00 family left:
    10 units (380.00) -> deductible 120.00, coinsurance 20% of 260.00 = 52.00, paid 208.00."""
    meet_deductible(loaded, biller, "M100")
    submit(loaded, biller, imaging("CX2", (10, 380_00), member="M101"))
    tx = submit(loaded, biller, imaging("CX3", (10, 380_00), member="M102"))
    assert_approved(tx, "CX3", billed=380_00, allowed=380_00, deductible=120_00, coinsurance=52_00, paid=208_00)
    family = (1000_00, 1104_00)  # deductible 500 + 380 + 120; OOP 552 + 380 + 172
    assert accumulators(loaded, "M102") == ((120_00, 172_00), family)
    assert accumulators(loaded, "M101") == ((380_00, 380_00), family)
    assert accumulators(loaded, "M100") == ((500_00, 552_00), family)
    # the family deductible is met: M102's next line has no deductible
    tx = submit(loaded, biller, imaging("CX4", (1, 60_00), member="M102"))
    assert_approved(tx, "CX4", billed=60_00, allowed=38_00, coinsurance=7_60, paid=30_40)


def reach_oop_max(engine, biller, member, claim_id):
    """Two lines of 131 units (4978.00 each, under pend_above): line 1 deductible 500.00 +
    coinsurance 895.60 (20% of 4478.00); line 2 coinsurance capped at the 604.40 left to
    the individual OOP max (2000.00)."""
    return submit(engine, biller, imaging(claim_id, (131, 4978_00), (131, 4978_00), member=member))


def test_a6_2_individual_out_of_pocket_max(loaded, biller):
    """A-6.2 / A-6.3 / A-6.4: coinsurance stops at the individual OOP max; once it is met the
    copay is 0 too (min(copay, allowed, oop_left)) and the plan pays the whole allowed."""
    first, second = outcomes(reach_oop_max(loaded, biller, "M100", "CX1"))
    assert_approved(first, "CX1", billed=4978_00, allowed=4978_00, deductible=500_00, coinsurance=895_60,
                    paid=3582_40)
    assert_approved(second, "CX1", number=2, billed=4978_00, allowed=4978_00, coinsurance=604_40, paid=4373_60)
    assert accumulators(loaded, "M100") == ((500_00, 2000_00), (500_00, 2000_00))
    assert account(loaded, NPI_IMAGING) == (7956_00 * CENT, 0, 0)

    tx = submit(loaded, biller, claim("CX2"))  # 99213 in network: copay would be 25.00
    assert_approved(tx, "CX2", billed=120_00, allowed=92_00, paid=92_00)
    assert account(loaded, NPI_IN) == (92_00 * CENT, 0, 0)
    assert accumulators(loaded, "M100") == ((500_00, 2000_00), (500_00, 2000_00))


def test_a6_2_family_out_of_pocket_max(loaded, biller, m102):
    """A-6.2: oop_left = min(individual, family): with M100 and M101 at 2000.00 each the
    family (4000.00) is met and M102 pays nothing (deductible, copay, coinsurance all 0)."""
    reach_oop_max(loaded, biller, "M100", "CX1")
    reach_oop_max(loaded, biller, "M101", "CX2")
    assert accumulators(loaded, "M102") == ((0, 0), (1000_00, 4000_00))
    tx = submit(loaded, biller, imaging("CX3", (1, 60_00), member="M102"), claim("CX4", member="M102"))
    a, b = outcomes(tx)
    assert_approved(a, "CX3", billed=60_00, allowed=38_00, paid=38_00)
    assert_approved(b, "CX4", billed=120_00, allowed=92_00, paid=92_00)
    assert accumulators(loaded, "M102") == ((0, 0), (1000_00, 4000_00))


def test_a1_3_accumulators_are_per_plan_year(loaded, biller):
    """A-1.3 / A-6.6: the plan year is the calendar year of the DOS: a 2027 line starts with
    nothing met, and the 2026 accumulators are left as they were."""
    meet_deductible(loaded, biller, "M100")
    tx = submit(loaded, biller, claim("CX2", npi=NPI_IMAGING, diagnoses=("R05.9",), received="2027-01-05",
                                      lines=[("2027-01-04", "71046", 1, 60_00)]))
    assert_approved(tx, "CX2", billed=60_00, allowed=38_00, deductible=38_00, paid=0)
    assert accumulators(loaded, "M100", 2027) == ((38_00, 38_00), (38_00, 38_00))
    assert accumulators(loaded, "M100", 2026) == ((500_00, 552_00), (500_00, 552_00))


def _next_day(text):
    import datetime

    return (datetime.date.fromisoformat(text) + datetime.timedelta(days=1)).isoformat()


@pytest.mark.parametrize("dos,year", [
    ("2026-01-01", 2026), ("2026-02-28", 2026), ("2026-03-01", 2026), ("2026-12-31", 2026),
    ("2027-01-01", 2027), ("2028-02-29", 2028), ("2100-02-28", 2100), ("2100-03-01", 2100),
])
def test_a1_3_plan_year_is_the_calendar_year_of_the_dos(loaded, biller, dos, year):
    """A-1.3: accumulators are kept for the calendar year of the DOS (days since 1970 ->
    year, across month, leap-day and century boundaries), and for no other year."""
    submit(loaded, biller, claim("CX1", received=_next_day(dos), lines=[(dos, "99213", 1, 120_00)]))
    assert accumulators(loaded, "M100", year) == ((0, 25_00), (0, 25_00))
    assert accumulators(loaded, "M100", year - 1) == ((0, 0), (0, 0))
    assert accumulators(loaded, "M100", year + 1) == ((0, 0), (0, 0))


# ------------------------------------------------------------------------------ accrual


def test_accrual_per_claim_and_provider(loaded, biller):
    """A-8 / R-11: each claim's paid amount (its approved lines only) accrues to its provider,
    in token units (1 cent = 10,000); the escrow owes the sum."""
    tx = submit(loaded, biller,
                claim("CX1", lines=[("2026-03-01", "99213", 1, 120_00), ("2026-03-01", "80053", 1, 40_00),
                                    ("2026-03-01", "80053", 1, 41_00)]),  # line 3: CO-151
                claim("CX2", lines=[("2026-03-01", "99214", 1, 160_00)]),
                imaging("CX3", (20, 1000_00)))
    assert statuses(tx) == [1, 1, 2, 1, 1]
    # CX1: 99213 paid 67.00; 80053 allowed 14.50 all deductible (lab has no copay): paid 0;
    # CX2: 99214 paid 106.00; CX3: the deductible is 14.50 met: deductible 485.50,
    # coinsurance 20% of 274.50 = 54.90, paid 219.60
    assert [o.paid for o in outcomes(tx)] == [67_00, 0, 0, 106_00, 219_60]
    assert loaded.owed(NPI_IN) == 173_00 * CENT
    assert loaded.owed(NPI_IMAGING) == 219_60 * CENT
    assert account(loaded, NPI_IN) == (173_00 * CENT, 0, 0)
    assert loaded.totalOutstanding() == (173_00 + 219_60) * CENT
