"""A-6 pricing of approved lines, the accumulators it leaves in MemberRegistry (A-6.6) and the
escrow accrual of the paid amount (A-8, R-11: token units = cents * 10,000).

GOLD-PPO-2026 (examples/basic/plans.yaml): deductible 500.00 / 1000.00, out-of-pocket max
2000.00 / 4000.00, coinsurance 20% in network and 40% out, copay office_visit 25.00. Fees:
99213 92.00 (office_visit), 71046 38.00 (imaging). Every expected amount below is worked out
by hand from the rules, in cents."""
import pytest

from tests.contracts.helpers import (
    CENT, NPI_IMAGING, NPI_IN, NPI_OUT, accrued, accumulators, assert_approved, cid, claim, create_plan,
    enroll, events, fee, lines, submit, terms,
)

IMAGING = dict(npi=NPI_IMAGING, diagnoses=("R05.9",), received="2026-03-20")


def imaging(claim_id, *lines_, member="M100", npi=NPI_IMAGING):
    """A claim of 71046 lines (units, billed) on 2026-03-10."""
    return claim(claim_id, member=member, npi=npi, diagnoses=("R05.9",), received="2026-03-20",
                 lines=[("2026-03-10", "71046", u, b) for u, b in lines_])


def meet_deductible(engine, biller, member, claim_id=None):
    """71046 x 20 units billed 1000.00: allowed 760.00, deductible 500.00, coinsurance
    20% of 260.00 = 52.00, paid 208.00."""
    return submit(engine, biller, imaging(claim_id or f"DED-{member}", (20, 1000_00), member=member))


@pytest.fixture(scope="module")
def m102(loaded, members, plan_manager):
    """A third member of family S100, so that the family limits can bind before the
    individual ones."""
    enroll(members, plan_manager, "M102", "S100", "GOLD-PPO-2026")
    return "M102"


# ------------------------------------------------------------------------------ copay


def test_a6_3_copay_in_network(loaded, members, biller):
    """A-6.1 / A-6.3: 99213 billed 120.00: allowed 92.00 (CO-45 28.00), copay 25.00, no
    deductible or coinsurance, paid 67.00; OOP met += 25.00 for member and family."""
    tx = submit(loaded, biller, claim("CX1"))
    assert_approved(tx, "CX1", billed=120_00, allowed=92_00, copay=25_00)
    ev = tx.events["AccumulatorsApplied"][0]
    assert (bytes(ev["memberId"]), bytes(ev["familyId"]), ev["year"], ev["deductible"], ev["oop"]) == (
        cid("M100"), cid("S100"), 2026, 0, 25_00)
    assert accumulators(members, "M100") == ((0, 25_00), (0, 25_00))
    assert accumulators(members, "M101") == ((0, 0), (0, 25_00))
    assert accrued(tx) == [(NPI_IN, cid("CX1"), 67_00 * CENT)]


def test_a6_3_copay_capped_at_allowed(loaded, members, escrow, biller):
    """A-6.3: copay = min(copay, allowed, oop_left): billed 20.00 -> allowed 20.00, copay
    20.00, paid 0: nothing accrues."""
    tx = submit(loaded, biller, claim("CX1", lines=[("2026-03-01", "99213", 1, 20_00)]))
    assert_approved(tx, "CX1", billed=20_00, allowed=20_00, copay=20_00)
    assert accrued(tx) == [] and escrow.owed(NPI_IN) == 0
    assert accumulators(members, "M100") == ((0, 20_00), (0, 20_00))


def test_a6_3_no_copay_out_of_network(loaded, members, biller):
    """A-6.3 / A-6.4: out of network the copay does not apply: 99213 billed 120.00 goes to
    the deductible (allowed 92.00, deductible 92.00, paid 0)."""
    tx = submit(loaded, biller, claim("CX1", npi=NPI_OUT))
    assert_approved(tx, "CX1", billed=120_00, allowed=92_00, deductible=92_00)
    assert accrued(tx) == []
    assert accumulators(members, "M100") == ((92_00, 92_00), (92_00, 92_00))


# ------------------------------------------------------------------------------ deductible, coinsurance


def test_a6_1_allowed_is_billed_when_lower(loaded, biller):
    """A-6.1: allowed = min(billed, fee * units): 2 x 38.00 = 76.00 > billed 50.00."""
    tx = submit(loaded, biller, imaging("CX1", (2, 50_00)))
    assert_approved(tx, "CX1", billed=50_00, allowed=50_00, deductible=50_00)


def test_a6_4_deductible_then_coinsurance_within_one_claim(loaded, members, biller):
    """A-6.4 / A-1.4 / A-1.2: line 1 (20 units, 1000.00): allowed 760.00, deductible 500.00,
    coinsurance 52.00, paid 208.00. Line 2 sees line 1's accumulators: billed 30.03 ->
    allowed 30.03, no deductible, coinsurance 20% of 30.03 = 6.006 -> 6.01 (half-up), paid
    24.02. One accrual of 232.02 for the claim."""
    tx = submit(loaded, biller, imaging("CX1", (20, 1000_00), (1, 30_03)))
    first, second = lines(tx)
    assert_approved(first, "CX1", billed=1000_00, allowed=760_00, deductible=500_00, coinsurance=52_00)
    assert_approved(second, "CX1", number=2, billed=30_03, allowed=30_03, coinsurance=6_01)
    assert accumulators(members, "M100") == ((500_00, 552_00 + 6_01), (500_00, 552_00 + 6_01))
    assert accrued(tx) == [(NPI_IMAGING, cid("CX1"), (208_00 + 24_02) * CENT)]
    applied = [(e["deductible"], e["oop"]) for e in events(tx, "AccumulatorsApplied")]
    assert applied == [(500_00, 552_00), (0, 6_01)]


def test_a6_4_later_claim_sees_met_deductible(loaded, members, biller):
    """A-1.4: claims are adjudicated in submission order against the accumulators left before."""
    meet_deductible(loaded, biller, "M100")
    tx = submit(loaded, biller, imaging("CX2", (1, 60_00)))
    assert_approved(tx, "CX2", billed=60_00, allowed=38_00, coinsurance=7_60)
    assert accumulators(members, "M100") == ((500_00, 559_60), (500_00, 559_60))


def test_a6_4_out_of_network_coinsurance(loaded, biller):
    """A-6.4: the out-of-network rate (40%) applies out of network: 38.00 -> 15.20, paid 22.80."""
    meet_deductible(loaded, biller, "M100")
    tx = submit(loaded, biller, imaging("CX2", (1, 90_00), npi=NPI_OUT))
    assert_approved(tx, "CX2", billed=90_00, allowed=38_00, coinsurance=15_20)
    assert accrued(tx) == [(NPI_OUT, cid("CX2"), 22_80 * CENT)]


@pytest.fixture(scope="module")
def tight(loaded, plans, members, plan_manager):
    """Plan TIGHT for member MT (family ST): out-of-pocket max 600.00 below the deductible
    1000.00; 71046 allowed 800.00; 99213 92.00 with an office_visit copay of 25.00; lab
    (80053, 14.50) has a copay of 0.00."""
    create_plan(plans, plan_manager, "TIGHT", plan_terms=terms(
        deductibleIndividual=1000_00, deductibleFamily=2000_00, oopMaxIndividual=600_00, oopMaxFamily=1200_00),
        copays={"office_visit": 25_00, "lab": 0},
        fees={"71046": fee(800_00, "imaging"), "99213": fee(92_00, "office_visit"), "80053": fee(14_50, "lab")})
    enroll(members, plan_manager, "MT", "ST", "TIGHT")
    return "MT"


def test_a6_4_deductible_bounded_by_oop_left(loaded, members, biller, tight):
    """A-6.4: deductible = min(allowed, deductible left, oop_left) and coinsurance = min(share,
    oop_left - deductible): allowed 800.00 -> deductible 600.00 (the OOP max), coinsurance 0,
    paid 200.00."""
    tx = submit(loaded, biller, imaging("CX1", (1, 900_00), member=tight))
    assert_approved(tx, "CX1", billed=900_00, allowed=800_00, deductible=600_00)
    assert accumulators(members, tight, family="ST") == ((600_00, 600_00), (600_00, 600_00))


def test_a6_3_copay_bounded_by_oop_left(loaded, members, biller, tight):
    """A-6.3: copay = min(copay, allowed, oop_left): with 10.00 left to the OOP max the 25.00
    copay is 10.00 and the plan pays 82.00."""
    submit(loaded, biller, imaging("CX1", (1, 590_00), member=tight))  # deductible 590.00
    tx = submit(loaded, biller, claim("CX2", member=tight))
    assert_approved(tx, "CX2", billed=120_00, allowed=92_00, copay=10_00)
    assert accrued(tx) == [(NPI_IN, cid("CX2"), 82_00 * CENT)]
    assert accumulators(members, tight, family="ST") == ((590_00, 600_00), (590_00, 600_00))


def test_a6_3_zero_copay_still_replaces_deductible(loaded, members, biller, tight):
    """A-6.3: a category with a copay of 0.00 has a copay: no deductible, no coinsurance, the
    plan pays the whole allowed amount."""
    tx = submit(loaded, biller, claim("CX1", member=tight, lines=[("2026-03-01", "80053", 1, 40_00)]))
    assert_approved(tx, "CX1", billed=40_00, allowed=14_50)
    assert accrued(tx) == [(NPI_IN, cid("CX1"), 14_50 * CENT)]
    assert accumulators(members, tight, family="ST") == ((0, 0), (0, 0))


# ------------------------------------------------------------------------------ family


def test_a6_4_family_deductible_binds_before_individual(loaded, members, biller, m102):
    """A-6.4: deductible left = min(individual left, family left). M100 meets 500.00, M101
    meets 380.00 (10 units), so M102 has 500.00 individual but only 120.00 family left:
    10 units (380.00) -> deductible 120.00, coinsurance 20% of 260.00 = 52.00, paid 208.00."""
    meet_deductible(loaded, biller, "M100")
    submit(loaded, biller, imaging("CX2", (10, 380_00), member="M101"))
    tx = submit(loaded, biller, imaging("CX3", (10, 380_00), member="M102"))
    assert_approved(tx, "CX3", billed=380_00, allowed=380_00, deductible=120_00, coinsurance=52_00)
    family = (500_00 + 380_00 + 120_00, 552_00 + 380_00 + 172_00)
    assert accumulators(members, "M102") == ((120_00, 172_00), family)
    assert accumulators(members, "M100") == ((500_00, 552_00), family)
    # the family deductible is met: M102's next line has no deductible
    tx = submit(loaded, biller, imaging("CX4", (1, 60_00), member="M102"))
    assert_approved(tx, "CX4", billed=60_00, allowed=38_00, coinsurance=7_60)


def reach_oop_max(engine, biller, member, claim_id):
    """Two lines of 131 units (4978.00 each, under pend_above): line 1 deductible 500.00 +
    coinsurance 895.60 (20% of 4478.00); line 2 coinsurance capped at the 604.40 left to
    the individual OOP max (2000.00)."""
    return submit(engine, biller, imaging(claim_id, (131, 4978_00), (131, 4978_00), member=member))


def test_a6_2_individual_out_of_pocket_max(loaded, members, biller):
    """A-6.2 / A-6.3 / A-6.4: coinsurance stops at the individual OOP max; once it is met the
    copay is 0 too (min(copay, allowed, oop_left)) and the plan pays the whole allowed."""
    tx = reach_oop_max(loaded, biller, "M100", "CX1")
    first, second = lines(tx)
    assert_approved(first, "CX1", billed=4978_00, allowed=4978_00, deductible=500_00, coinsurance=895_60)
    assert_approved(second, "CX1", number=2, billed=4978_00, allowed=4978_00, coinsurance=604_40)
    assert accumulators(members, "M100") == ((500_00, 2000_00), (500_00, 2000_00))
    assert accrued(tx) == [(NPI_IMAGING, cid("CX1"), (4978_00 * 2 - 2000_00) * CENT)]

    tx = submit(loaded, biller, claim("CX2"))  # 99213 in network: copay would be 25.00
    assert_approved(tx, "CX2", billed=120_00, allowed=92_00)
    assert "AccumulatorsApplied" not in tx.events
    assert accrued(tx) == [(NPI_IN, cid("CX2"), 92_00 * CENT)]
    assert accumulators(members, "M100") == ((500_00, 2000_00), (500_00, 2000_00))


def test_a6_2_family_out_of_pocket_max(loaded, members, biller, m102):
    """A-6.2: oop_left = min(individual, family): with M100 and M101 at 2000.00 each the
    family (4000.00) is met and M102 pays nothing (deductible, copay, coinsurance all 0)."""
    reach_oop_max(loaded, biller, "M100", "CX1")
    reach_oop_max(loaded, biller, "M101", "CX2")
    assert accumulators(members, "M102") == ((0, 0), (1000_00, 4000_00))
    tx = submit(loaded, biller, imaging("CX3", (1, 60_00), member="M102"), claim("CX4", member="M102"))
    a, b = lines(tx)
    assert_approved(a, "CX3", billed=60_00, allowed=38_00)
    assert_approved(b, "CX4", billed=120_00, allowed=92_00)
    assert accumulators(members, "M102") == ((0, 0), (1000_00, 4000_00))


def test_a1_3_accumulators_are_per_plan_year(loaded, members, biller):
    """A-1.3 / A-6.6: the plan year is the calendar year of the DOS: a 2027 line starts with
    nothing met, and the 2026 accumulators are left as they were."""
    meet_deductible(loaded, biller, "M100")
    tx = submit(loaded, biller, claim("CX2", npi=NPI_IMAGING, diagnoses=("R05.9",), received="2027-01-05",
                                      lines=[("2027-01-04", "71046", 1, 60_00)]))
    assert_approved(tx, "CX2", billed=60_00, allowed=38_00, deductible=38_00)
    assert tx.events["AccumulatorsApplied"][0]["year"] == 2027
    assert accumulators(members, "M100", 2027) == ((38_00, 38_00), (38_00, 38_00))
    assert accumulators(members, "M100", 2026) == ((500_00, 552_00), (500_00, 552_00))


# ------------------------------------------------------------------------------ escrow accrual


def test_accrual_per_claim_and_provider(loaded, escrow, biller):
    """A-8 / R-11: each claim's paid amount (its approved lines only) accrues to its provider,
    in token units (1 cent = 10,000); the escrow owes the sum."""
    tx = submit(loaded, biller,
                claim("CX1", lines=[("2026-03-01", "99213", 1, 120_00), ("2026-03-01", "80053", 1, 40_00),
                                    ("2026-03-01", "80053", 1, 41_00)]),  # line 3: CO-151
                claim("CX2", lines=[("2026-03-01", "99214", 1, 160_00)]),
                imaging("CX3", (20, 1000_00)))
    assert [e["status"] for e in lines(tx)] == [1, 1, 2, 1, 1]
    # CX1: 99213 paid 67.00; 80053 allowed 14.50 all deductible; CX2: 99214 paid 106.00;
    # CX3: paid 208.00 but the deductible is already 14.50 met: deductible 485.50,
    # coinsurance 20% of 274.50 = 54.90, paid 219.60
    assert accrued(tx) == [
        (NPI_IN, cid("CX1"), 67_00 * CENT),
        (NPI_IN, cid("CX2"), 106_00 * CENT),
        (NPI_IMAGING, cid("CX3"), 219_60 * CENT),
    ]
    assert escrow.owed(NPI_IN) == 173_00 * CENT
    assert escrow.owed(NPI_IMAGING) == 219_60 * CENT
    assert tuple(escrow.account(NPI_IN)) == (173_00 * CENT, 0, 0)
    assert escrow.totalOutstanding() == (173_00 + 219_60) * CENT


def _next_day(text):
    import datetime

    return (datetime.date.fromisoformat(text) + datetime.timedelta(days=1)).isoformat()


@pytest.mark.parametrize("dos,year", [
    ("2026-01-01", 2026), ("2026-02-28", 2026), ("2026-03-01", 2026), ("2026-12-31", 2026),
    ("2027-01-01", 2027), ("2028-02-29", 2028), ("2100-02-28", 2100), ("2100-03-01", 2100),
])
def test_a1_3_plan_year_is_the_calendar_year_of_the_dos(loaded, members, biller, dos, year):
    """A-1.3: accumulators are kept for the calendar year of the DOS (days since 1970 ->
    year, across month, leap-day and century boundaries)."""
    tx = submit(loaded, biller, claim("CX1", received=_next_day(dos), lines=[(dos, "99213", 1, 120_00)]))
    assert tx.events["AccumulatorsApplied"][0]["year"] == year
    assert accumulators(members, "M100", year) == ((0, 25_00), (0, 25_00))
