"""The plan cache (PlanCache.sol): one submitClaims batch reads a plan version, fee entry,
copay and R-16 flag once for a run of like claims and keeps the last one read. Whatever the
order of a batch's claims, each line is checked and priced by the version in effect on its own
DOS (R-3, R-15), its own code's fee entry and category's copay, its own code's limits.

examples/basic GOLD-PPO-2026 version 1 (from 1970): 99213 92.00 and 99214 131.00 (office_visit,
copay 25.00), 71046 38.00 (imaging), 80053 14.50 (lab, 1 a day), 97110 32.00 (3 a year);
BRONZE-HMO-2026: 99213 80.00, 71046 33.00, no copays, deductible 3000.00. The revisions below
are this module's own."""
import pytest

from claimledger import chain as cl

from tests.contracts.helpers import (
    NPI_IMAGING, NPI_ORTHO, Status, accumulators, assert_approved, assert_denied, claim, create_plan, day, enroll,
    fee, outcomes, status_of, submit,
)


def _next_day(text):
    import datetime

    return (datetime.date.fromisoformat(text) + datetime.timedelta(days=1)).isoformat()


def visit(claim_id, dos, code="99213", billed=120_00, member="M100", npi=None, units=1, **kw):
    npi = npi or (NPI_IMAGING if code == "71046" else None)
    extra = {"npi": npi} if npi else {}
    return claim(claim_id, member=member, received=_next_day(dos), lines=[(dos, code, units, billed)], **extra, **kw)


@pytest.fixture(scope="module")
def revised(loaded, plan_manager, basic_scenario):
    """GOLD-PPO-2026 version 2 from 2026-07-01 (99213 100.00, copay 30.00), version 3 from
    2026-09-01 left unsealed (never prices), version 4 from 2026-10-01 (99213 110.00, copay
    35.00); the terms of version 1."""
    gold = cl.plan_terms(basic_scenario.plans["GOLD-PPO-2026"])
    create_plan(loaded, plan_manager, "GOLD-PPO-2026", effective_from=day("2026-07-01"), plan_terms=gold,
                copays={"office_visit": 30_00}, fees={"99213": fee(100_00, "office_visit")})
    create_plan(loaded, plan_manager, "GOLD-PPO-2026", effective_from=day("2026-09-01"), plan_terms=gold,
                copays={"office_visit": 1_00}, fees={"99213": fee(1_00, "office_visit")}, seal=False)
    create_plan(loaded, plan_manager, "GOLD-PPO-2026", effective_from=day("2026-10-01"), plan_terms=gold,
                copays={"office_visit": 35_00}, fees={"99213": fee(110_00, "office_visit")})
    return loaded


def test_a_batch_across_plan_revisions_is_priced_by_each_version(revised, biller):
    """R-3 / R-15: the claims of one batch, back and forth across the revision dates, are each
    priced by the sealed version in effect on their DOS: version 1 before 2026-07-01 (92.00,
    copay 25.00), version 2 from then (100.00, copay 30.00; version 3 is not sealed), version 4
    from 2026-10-01 (110.00, copay 35.00)."""
    days = ["2026-06-30", "2026-07-01", "2026-06-29", "2026-09-30", "2026-10-01", "2026-07-02", "2026-01-15"]
    tx = submit(revised, biller, *[visit(f"C{i}", d) for i, d in enumerate(days)])
    expected = [(1, 92_00, 25_00), (2, 100_00, 30_00), (1, 92_00, 25_00), (2, 100_00, 30_00),
                (4, 110_00, 35_00), (2, 100_00, 30_00), (1, 92_00, 25_00)]
    got = [(o.plan_version, o.allowed, o.copay) for o in outcomes(tx)]
    assert got == expected
    for o, (_, allowed, copay) in zip(outcomes(tx), expected):
        assert o.paid == allowed - copay and status_of(o) == Status.APPROVED
    assert accumulators(revised, "M100") == ((0, 200_00), (0, 200_00))


def test_a_batch_across_the_first_versions_date_denies_before_it(loaded, plan_manager, biller):
    """R-3: a plan whose only version starts 2026-06-01: a batch going back and forth across
    that date denies CO-26 (no version) before it and prices by version 1 from it."""
    create_plan(loaded, plan_manager, "LATE-PLAN", effective_from=day("2026-06-01"), fees={"99213": fee(92_00)})
    enroll(loaded, plan_manager, "MX", "SX", "LATE-PLAN")
    days = ["2026-05-31", "2026-06-01", "2026-05-30", "2026-06-02"]
    tx = submit(loaded, biller, *[visit(f"C{i}", d, member="MX") for i, d in enumerate(days)])
    assert [(o.carc, o.plan_version) for o in outcomes(tx)] == [("26", 0), ("", 1), ("26", 0), ("", 1)]


def test_a_batch_of_codes_plans_and_categories_in_any_order(loaded, biller):
    """A-6 / R-3: codes, plans (GOLD and BRONZE, both version 1) and categories (copay or
    not) interleaved in one batch each get their own fee entry and copay."""
    tx = submit(loaded, biller,
                visit("C1", "2026-03-02"),  # GOLD 99213: 92.00, copay 25.00
                visit("C2", "2026-03-02", code="71046", billed=60_00),  # GOLD imaging: deductible 38.00
                visit("C3", "2026-03-02", member="M300"),  # BRONZE 99213: 80.00, all deductible
                visit("C4", "2026-03-02", code="80053", billed=40_00),  # GOLD lab: deductible 14.50
                visit("C5", "2026-03-02", code="99214", billed=160_00, member="M101"),  # 131.00, copay 25.00
                visit("C6", "2026-03-02", code="71046", billed=60_00, member="M300"),  # BRONZE 33.00
                visit("C7", "2026-03-03"))  # GOLD 99213 again
    c1, c2, c3, c4, c5, c6, c7 = outcomes(tx)
    assert_approved(c1, "C1", billed=120_00, allowed=92_00, copay=25_00, paid=67_00)
    assert_approved(c2, "C2", billed=60_00, allowed=38_00, deductible=38_00, paid=0)
    assert_approved(c3, "C3", billed=120_00, allowed=80_00, deductible=80_00, paid=0)
    assert_approved(c4, "C4", billed=40_00, allowed=14_50, deductible=14_50, paid=0)
    assert_approved(c5, "C5", billed=160_00, allowed=131_00, copay=25_00, paid=106_00)
    assert_approved(c6, "C6", billed=60_00, allowed=33_00, deductible=33_00, paid=0)
    assert_approved(c7, "C7", billed=120_00, allowed=92_00, copay=25_00, paid=67_00)
    assert accumulators(loaded, "M100") == ((52_50, 102_50), (52_50, 127_50))
    assert accumulators(loaded, "M300") == ((113_00, 113_00), (113_00, 113_00))


def test_a_batch_keeps_each_codes_limits(loaded, biller):
    """R-16 / A-4.11 / A-4.12: 80053 (1 a day) and 97110 (3 a year) are counted, 99213 is not;
    interleaved in one batch, the second 80053 of the day is CO-151 and the fourth 97110 of the
    year CO-119, the 99213 lines between them approved."""
    therapy = dict(code="97110", billed=32_00, npi=NPI_ORTHO, diagnoses=("M54.5",))
    tx = submit(loaded, biller,
                visit("C1", "2026-03-02", code="80053", billed=40_00),
                visit("C2", "2026-03-02"),
                visit("C3", "2026-03-03", **therapy),
                visit("C4", "2026-03-02", code="80053", billed=41_00),
                visit("C5", "2026-03-04", **therapy),
                visit("C6", "2026-03-03"),
                visit("C7", "2026-03-05", **therapy),
                visit("C8", "2026-03-06", **therapy),
                visit("C9", "2026-03-03", code="80053", billed=40_00))
    o = outcomes(tx)
    assert [x.carc for x in o] == ["", "", "", "151", "", "", "", "119", ""]
    assert_denied(o[3], "C4", "151", 41_00)
    assert_denied(o[7], "C8", "119", 32_00)
