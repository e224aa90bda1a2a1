"""A-4 line checks 1-12, in order, each CARC at least once, on the examples/basic reference data
(`loaded`): GOLD-PPO-2026 (M100, M101 family S100; M200 covered until 2026-06-30) and
BRONZE-HMO-2026 (M300 from 2026-03-01, no out-of-network). A denied line has allowed = member
share = paid = 0 and its CARC."""
import pytest

from tests.contracts.helpers import (
    NPI_IMAGING, NPI_ORTHO, NPI_OUT, NPI_UNKNOWN, Status, accumulators, account, assert_denied, assert_line,
    auth_used, carcs, claim, create_plan, day, enroll, fee, grant, outcome, outcomes, status_of, statuses,
    submit, void,
)


def _one(engine, biller, claim_id, **kw):
    """Submits a one-claim transaction and returns its single line outcome."""
    return outcome(submit(engine, biller, claim(claim_id, **kw)))


# ------------------------------------------------------------------------------ 1-3 eligibility


def test_a4_1_member_unknown_co31(loaded, biller):
    """A-4.1: member unknown -> CO-31, checked by no plan version."""
    o = _one(loaded, biller, "CX1", member="M999")
    assert_denied(o, "CX1", "31", 120_00)
    assert o.plan_version == 0


def test_a4_2_before_coverage_start_co26(loaded, biller):
    """A-4.2: DOS before coverage_start -> CO-26 (M200 is covered from 2026-01-01)."""
    o = _one(loaded, biller, "CX1", member="M200", received="2026-01-05", lines=[("2025-12-31", "99213", 1, 120_00)])
    assert_denied(o, "CX1", "26", 120_00)


def test_a4_2_after_coverage_end_co27(loaded, biller):
    """A-4.2: DOS after coverage_end -> CO-27 (M200 covered until 2026-06-30)."""
    o = _one(loaded, biller, "CX1", member="M200", received="2026-07-06", lines=[("2026-07-01", "99213", 1, 120_00)])
    assert_denied(o, "CX1", "27", 120_00)


def test_a4_2_coverage_bounds_are_inclusive(loaded, biller):
    """A-4.2: the first and the last covered day are covered."""
    tx = submit(loaded, biller,
                claim("CX1", member="M200", received="2026-01-02", lines=[("2026-01-01", "99213", 1, 120_00)]),
                claim("CX2", member="M200", received="2026-07-01", lines=[("2026-06-30", "99214", 1, 160_00)]))
    assert statuses(tx) == [Status.APPROVED, Status.APPROVED]


def test_a4_3_provider_unknown_cob7(loaded, biller):
    """A-4.3: provider NPI unknown -> CO-B7."""
    assert_denied(_one(loaded, biller, "CX1", npi=NPI_UNKNOWN), "CX1", "B7", 120_00)


def test_r3_no_plan_version_in_effect_co26(loaded, plan_manager, biller):
    """R-3: a DOS before the first sealed version of the member's plan is denied CO-26."""
    create_plan(loaded, plan_manager, "LATE-PLAN", effective_from=day("2026-06-01"), fees={"99213": fee(92_00)})
    enroll(loaded, plan_manager, "MX", "SX", "LATE-PLAN", "2026-01-01")
    tx = submit(loaded, biller,
                claim("CX1", member="MX", received="2026-06-02", lines=[("2026-05-31", "99213", 1, 120_00)]),
                claim("CX2", member="MX", received="2026-06-02", lines=[("2026-06-01", "99213", 1, 120_00)]))
    first, second = outcomes(tx)
    assert_denied(first, "CX1", "26", 120_00)
    assert first.plan_version == 0
    assert status_of(second) == Status.APPROVED and second.plan_version == 1


def test_r3_line_priced_by_the_version_in_effect_on_its_dos(loaded, plan_manager, biller, basic_scenario):
    """R-3 / R-15: a new sealed version of GOLD-PPO-2026 from 2026-07-01 prices lines with a DOS
    from then on; an unsealed later version prices nothing."""
    from claimledger import chain as cl

    gold = basic_scenario.plans["GOLD-PPO-2026"]
    create_plan(loaded, plan_manager, "GOLD-PPO-2026", effective_from=day("2026-07-01"),
                plan_terms=cl.plan_terms(gold), copays={"office_visit": 30_00},
                fees={"99213": fee(100_00, "office_visit")})
    create_plan(loaded, plan_manager, "GOLD-PPO-2026", effective_from=day("2026-09-01"),
                plan_terms=cl.plan_terms(gold), fees={"99213": fee(1_00, "office_visit")}, seal=False)
    tx = submit(loaded, biller,
                claim("CX1", received="2026-07-02", lines=[("2026-06-30", "99213", 1, 120_00)]),
                claim("CX2", received="2026-07-02", lines=[("2026-07-01", "99213", 1, 120_00)]),
                claim("CX3", received="2026-09-02", lines=[("2026-09-01", "99213", 1, 120_00)]),
                claim("CX4", received="2026-07-02", lines=[("2026-07-01", "80053", 1, 40_00)]))
    v1, v2, still_v2, unlisted = outcomes(tx)
    assert_line(v1, "CX1", 1, Status.APPROVED, billed=120_00, allowed=92_00, copay=25_00, paid=67_00, plan_version=1)
    assert_line(v2, "CX2", 1, Status.APPROVED, billed=120_00, allowed=100_00, copay=30_00, paid=70_00,
                plan_version=2)
    assert_line(still_v2, "CX3", 1, Status.APPROVED, billed=120_00, allowed=100_00, copay=30_00, paid=70_00,
                plan_version=2)
    # 80053 is not in version 2's fee schedule: A-4.5 against the version in effect
    assert_denied(unlisted, "CX4", "96", 40_00)
    assert unlisted.plan_version == 2


# ------------------------------------------------------------------------------ 4-7 plan rules


def test_a4_4_late_filing_co29(loaded, biller):
    """A-4.4: received - DOS > timely_filing_days (GOLD 180) -> CO-29; exactly 180 is in time."""
    tx = submit(loaded, biller,
                claim("CX1", received="2026-06-30", lines=[("2026-01-01", "99213", 1, 120_00)]),
                claim("CX2", received="2026-07-01", lines=[("2026-01-01", "99214", 1, 160_00)]))
    in_time, late = outcomes(tx)
    assert day("2026-06-30") - day("2026-01-01") == 180
    assert status_of(in_time) == Status.APPROVED
    assert_denied(late, "CX2", "29", 160_00)


def test_a4_4_late_filing_uses_the_members_plan(loaded, biller):
    """A-4.4: BRONZE-HMO-2026 allows 90 days: 91 days late is CO-29 for M300."""
    o = _one(loaded, biller, "CX1", member="M300", received="2026-06-01", lines=[("2026-03-02", "99213", 1, 100_00)])
    assert day("2026-06-01") - day("2026-03-02") == 91
    assert_denied(o, "CX1", "29", 100_00)


def test_a4_5_code_not_in_fee_schedule_co96(loaded, biller):
    """A-4.5: procedure code not in the plan's fee schedule -> CO-96 (BRONZE has no 80053)."""
    tx = submit(loaded, biller,
                claim("CX1", member="M300", received="2026-04-06", lines=[("2026-04-05", "99999", 1, 100_00)]),
                claim("CX2", member="M300", received="2026-04-06", lines=[("2026-04-05", "80053", 1, 40_00)]))
    a, b = outcomes(tx)
    assert_denied(a, "CX1", "96", 100_00)
    assert_denied(b, "CX2", "96", 40_00)


def test_a4_6_out_of_network_not_covered_co242(loaded, biller):
    """A-4.6: out-of-network provider and a plan without out-of-network cover -> CO-242; GOLD
    covers out of network, so the same service is approved for M100."""
    tx = submit(loaded, biller,
                claim("CX1", member="M300", npi=NPI_OUT, received="2026-04-02",
                      lines=[("2026-04-01", "99213", 1, 100_00)]),
                claim("CX2", member="M100", npi=NPI_OUT, received="2026-04-02",
                      lines=[("2026-04-01", "99213", 1, 100_00)]))
    bronze, gold = outcomes(tx)
    assert_denied(bronze, "CX1", "242", 100_00)
    assert status_of(gold) == Status.APPROVED


@pytest.mark.parametrize("diagnoses,expected", [
    (("J06.9",), "11"),
    (("M1",), "11"),  # shorter than the prefix M17: no match
    (("J06.9", "Z00.0", "M16.1"), "11"),
    (("M17.11",), ""),
    (("J06.9", "M25.561"), ""),  # any diagnosis of the claim, any prefix
    (("M17",), ""),  # equal to the prefix
])
def test_a4_7_diagnosis_prefixes_co11(loaded, biller, diagnoses, expected):
    """A-4.7: 20610 requires a diagnosis starting with M17 or M25 -> else CO-11."""
    o = _one(loaded, biller, "CX1", npi=NPI_ORTHO, diagnoses=diagnoses, lines=[("2026-03-01", "20610", 1, 150_00)])
    if expected:
        assert_denied(o, "CX1", expected, 150_00)
    else:
        assert status_of(o) == Status.APPROVED


def test_a4_7_codes_without_prefixes_take_any_diagnosis(loaded, biller):
    """A-4.7 applies only when dx_prefixes is set: any diagnosis goes with other codes."""
    assert status_of(_one(loaded, biller, "CX1", diagnoses=("Z00.00",))) == Status.APPROVED


# ------------------------------------------------------------------------------ 8 duplicates


def test_a4_8_exact_duplicate_of_earlier_claim_co18(loaded, biller):
    """A-4.8: same member, provider, DOS, code, units and billed as an approved line of
    another claim -> CO-18."""
    submit(loaded, biller, claim("CX1"))
    assert_denied(_one(loaded, biller, "CX2", received="2026-03-05"), "CX2", "18", 120_00)


@pytest.mark.parametrize("change", [
    dict(lines=[("2026-03-01", "99213", 1, 120_01)]),  # billed
    dict(lines=[("2026-02-28", "99213", 1, 120_00)]),  # DOS
    dict(lines=[("2026-03-01", "99214", 1, 120_00)]),  # code
    dict(lines=[("2026-03-01", "99213", 2, 120_00)]),  # units
    dict(npi=NPI_IMAGING),  # provider
    dict(member="M101"),  # member
], ids=["billed", "dos", "code", "units", "provider", "member"])
def test_a4_8_not_a_duplicate_when_any_key_field_differs(loaded, biller, change):
    """A-4.8: only an exact duplicate is denied (the diagnoses and received date are not part
    of the key)."""
    submit(loaded, biller, claim("CX1"))
    assert status_of(_one(loaded, biller, "CX2", **change)) == Status.APPROVED


def test_a4_8_other_diagnoses_or_received_date_still_duplicate(loaded, biller):
    """A-4.8: the key is member, provider, DOS, code, units and billed: a claim that differs only
    in its diagnoses and received date is a duplicate."""
    submit(loaded, biller, claim("CX1"))
    assert_denied(_one(loaded, biller, "CX2", diagnoses=("R05.9", "J20.9"), received="2026-03-09"), "CX2", "18",
                  120_00)


def test_a4_8_lines_of_the_same_claim_are_not_duplicates(loaded, biller):
    """A-4.8: "of another claim": two identical lines of one claim are both approved, and a
    later claim repeating them is a duplicate twice."""
    twice = [("2026-03-01", "71046", 1, 60_00)] * 2
    assert statuses(submit(loaded, biller, claim("CX1", npi=NPI_IMAGING, lines=twice))) == [Status.APPROVED] * 2
    assert carcs(submit(loaded, biller, claim("CX2", npi=NPI_IMAGING, lines=twice))) == ["18", "18"]


def test_a4_8_denied_line_does_not_count(loaded, biller):
    """A-4.8: only approved or pended lines count: a denied identical line does not."""
    first = _one(loaded, biller, "CX1", npi=NPI_ORTHO, lines=[("2026-03-01", "97110", 5, 160_00)])
    assert first.carc == "151"  # 5 units > 4 per day
    second = _one(loaded, biller, "CX2", npi=NPI_ORTHO, lines=[("2026-03-01", "97110", 5, 160_00)])
    assert second.carc == "151"  # not 18


def test_a4_8_pended_line_counts(loaded, biller):
    """A-4.8 / R-6: a pended line counts for the duplicate check."""
    surgery = dict(member="M101", npi=NPI_ORTHO, received="2026-03-18", diagnoses=("M17.11",),
                   lines=[("2026-03-17", "27447", 1, 32000_00)])
    assert status_of(_one(loaded, biller, "CX1", **surgery)) == Status.PENDED
    assert_denied(_one(loaded, biller, "CX2", **surgery), "CX2", "18", 32000_00)


def test_a4_8_reversed_line_does_not_count(loaded, biller):
    """A-4.8 "of another claim that is not reversed": once the approved line is voided, the same
    line under a new claim id is approved."""
    submit(loaded, biller, claim("CX1"))
    submit(loaded, biller, void("V1", "CX1"))
    assert status_of(_one(loaded, biller, "CX2")) == Status.APPROVED


# ------------------------------------------------------------------------------ 9-10 prior auth


def test_a4_9_no_authorization_co197(loaded, biller):
    """A-4.9: prior_auth and no authorization for member+code covering the DOS -> CO-197
    (PA-0003 covers M100's 70553 in March only; PA-0001 is M101's)."""
    imaging = dict(npi=NPI_IMAGING, diagnoses=("G43.909",))
    tx = submit(loaded, biller,
                claim("CX1", received="2026-04-02", lines=[("2026-04-01", "70553", 1, 900_00)], **imaging),
                claim("CX2", received="2026-02-11", lines=[("2026-02-10", "70553", 1, 900_00)], **imaging),
                claim("CX3", member="M200", received="2026-03-11", lines=[("2026-03-10", "70553", 1, 900_00)],
                      **imaging))
    for o, claim_id in zip(outcomes(tx), ("CX1", "CX2", "CX3")):
        assert_denied(o, claim_id, "197", 900_00)


def test_a4_10_authorization_units_exceeded_co198(loaded, biller):
    """A-4.10: an authorization covers the DOS but has fewer units left than the line -> CO-198;
    once its unit is used by an approved line, the next line is CO-198 too."""
    imaging = dict(npi=NPI_IMAGING, diagnoses=("G43.909",), received="2026-03-20")
    assert_denied(_one(loaded, biller, "CX1", lines=[("2026-03-10", "70553", 2, 1800_00)], **imaging),
                  "CX1", "198", 1800_00)
    approved = _one(loaded, biller, "CX2", lines=[("2026-03-10", "70553", 1, 900_00)], **imaging)
    assert status_of(approved) == Status.APPROVED
    assert auth_used(loaded, "PA-0003") == 1
    assert_denied(_one(loaded, biller, "CX3", lines=[("2026-03-11", "70553", 1, 900_00)], **imaging),
                  "CX3", "198", 900_00)


# ------------------------------------------------------------------------------ 11-12 limits


def test_a4_11_units_per_day_co151(loaded, biller):
    """A-4.11: units already approved for member+code+DOS plus the line's > max (97110: 4)."""
    therapy = dict(npi=NPI_ORTHO, diagnoses=("M54.5",), received="2026-03-12")
    assert status_of(_one(loaded, biller, "CX1", lines=[("2026-03-10", "97110", 3, 120_00)], **therapy)) == \
        Status.APPROVED
    assert_denied(_one(loaded, biller, "CX2", lines=[("2026-03-10", "97110", 2, 80_00)], **therapy),
                  "CX2", "151", 80_00)
    assert status_of(_one(loaded, biller, "CX3", lines=[("2026-03-10", "97110", 1, 40_00)], **therapy)) == \
        Status.APPROVED  # 3 + 1 = 4 is not more than 4
    assert status_of(_one(loaded, biller, "CX4", lines=[("2026-03-11", "97110", 3, 120_00)], **therapy)) == \
        Status.APPROVED  # another day


def test_a4_11_earlier_lines_of_the_same_claim_count(loaded, biller):
    """A-4.11 / A-1.4: the second 80053 line of one claim on the same DOS exceeds 1 per day."""
    tx = submit(loaded, biller, claim("CX1", lines=[("2026-03-01", "80053", 1, 40_00),
                                                    ("2026-03-01", "80053", 1, 41_00)]))
    first, second = outcomes(tx)
    assert status_of(first) == Status.APPROVED
    assert_denied(second, "CX1", "151", 41_00, number=2)


def test_a4_11_units_per_day_are_per_member(loaded, biller):
    """A-4.11: the count is per member: M101's 80053 on the day M100 had one is approved."""
    submit(loaded, biller, claim("CX1", lines=[("2026-03-01", "80053", 1, 40_00)]))
    o = _one(loaded, biller, "CX2", member="M101", lines=[("2026-03-01", "80053", 1, 40_00)])
    assert status_of(o) == Status.APPROVED


def test_a4_12_annual_limit_co119(loaded, biller):
    """A-4.12: lines already approved for member+code in the plan year >= limit (97110: 3)."""
    therapy = dict(npi=NPI_ORTHO, diagnoses=("M54.5",))
    days = ["2026-03-02", "2026-03-03", "2026-03-04"]
    tx = submit(loaded, biller, *[claim(f"CX{i}", received="2026-03-20", lines=[(d, "97110", 1, 40_00)], **therapy)
                                  for i, d in enumerate(days)])
    assert statuses(tx) == [Status.APPROVED] * 3
    assert_denied(_one(loaded, biller, "CX9", received="2026-03-20", lines=[("2026-03-05", "97110", 1, 40_00)],
                       **therapy), "CX9", "119", 40_00)


def test_a4_12_annual_limit_is_per_plan_year(loaded, biller):
    """A-4.12 / A-1.3: the plan year is the DOS's calendar year: 2027 starts a new count."""
    therapy = dict(npi=NPI_ORTHO, diagnoses=("M54.5",))
    days = ["2026-12-29", "2026-12-30", "2026-12-31"]
    submit(loaded, biller, *[claim(f"CX{i}", received="2027-01-02", lines=[(d, "97110", 1, 40_00)], **therapy)
                             for i, d in enumerate(days)])
    tx = submit(loaded, biller,
                claim("CX8", received="2027-01-02", lines=[("2027-01-01", "97110", 1, 40_00)], **therapy),
                claim("CX9", received="2027-01-02", lines=[("2026-12-28", "97110", 1, 40_00)], **therapy))
    new_year, old_year = outcomes(tx)
    assert status_of(new_year) == Status.APPROVED
    assert_denied(old_year, "CX9", "119", 40_00)


# ------------------------------------------------------------------------------ order of checks


@pytest.mark.parametrize("kw,expected", [
    (dict(member="M999", npi=NPI_UNKNOWN), "31"),  # 1 before 3
    (dict(member="M200", npi=NPI_UNKNOWN, received="2026-07-06", lines=[("2026-07-01", "99999", 1, 120_00)]),
     "27"),  # 2 before 3 and 5
    (dict(npi=NPI_UNKNOWN, received="2026-12-01", lines=[("2026-01-02", "99999", 1, 120_00)]), "B7"),  # 3 before 4
    (dict(received="2026-12-01", lines=[("2026-01-02", "99999", 1, 120_00)]), "29"),  # 4 before 5
    (dict(member="M300", npi=NPI_OUT, received="2026-04-02", lines=[("2026-04-01", "99999", 1, 120_00)]),
     "96"),  # 5 before 6
    (dict(member="M300", npi=NPI_OUT, received="2026-04-02", lines=[("2026-04-01", "99213", 1, 120_00)]),
     "242"),
    (dict(npi=NPI_ORTHO, diagnoses=("J06.9",), lines=[("2026-03-01", "20610", 1, 150_00)]), "11"),
    (dict(npi=NPI_IMAGING, diagnoses=("G43.909",), received="2026-04-02",
          lines=[("2026-04-01", "70553", 2, 900_00)]), "197"),  # 9 before 10
    (dict(npi=NPI_ORTHO, diagnoses=("M54.5",), lines=[("2026-03-01", "97110", 5, 200_00)]), "151"),
], ids=["31", "27", "B7", "29", "96", "242", "11", "197", "151"])
def test_a4_first_failing_check_gives_the_carc(loaded, biller, kw, expected):
    """A-4: checks run in order 1-12; the first that fails denies the line."""
    o = _one(loaded, biller, "CX1", **kw)
    assert o.carc == expected and status_of(o) == Status.DENIED


def test_a4_8_duplicate_before_authorization_check(loaded, biller):
    """A-4: a duplicate (8) is reported before an exhausted authorization (10)."""
    imaging = dict(npi=NPI_IMAGING, diagnoses=("G43.909",), received="2026-03-20",
                   lines=[("2026-03-10", "70553", 1, 900_00)])
    submit(loaded, biller, claim("CX1", **imaging))
    assert _one(loaded, biller, "CX2", **imaging).carc == "18"


def test_a4_10_auth_before_units_per_day(loaded, plan_manager, biller):
    """A-4: with prior_auth and max_units_per_day both failing, CO-198 (10) wins over
    CO-151 (11); with a usable authorization the day limit still applies."""
    create_plan(loaded, plan_manager, "AUTH-PLAN",
                fees={"97530": fee(50_00, "therapy", prior_auth=True, max_units_per_day=2)})
    enroll(loaded, plan_manager, "MX", "SX", "AUTH-PLAN")
    grant(loaded, plan_manager, "PA-X", "MX", "97530", 2, "2026-03-01", "2026-03-31")
    therapy = dict(member="MX", npi=NPI_ORTHO)
    assert _one(loaded, biller, "CX1", lines=[("2026-03-01", "97530", 3, 150_00)], **therapy).carc == "198"
    grant(loaded, plan_manager, "PA-Y", "MX", "97530", 9, "2026-03-01", "2026-03-31")
    assert _one(loaded, biller, "CX2", lines=[("2026-03-01", "97530", 3, 151_00)], **therapy).carc == "151"


def test_denied_lines_change_nothing(loaded, biller):
    """A-4: a denied line applies no accumulators, no auth units and accrues nothing."""
    tx = submit(loaded, biller, claim("CX1", member="M999"),
                claim("CX2", npi=NPI_IMAGING, diagnoses=("G43.909",), received="2026-03-11",
                      lines=[("2026-03-10", "70553", 2, 1800_00)]))
    assert statuses(tx) == [Status.DENIED, Status.DENIED]
    assert accumulators(loaded, "M100") == ((0, 0), (0, 0))
    assert auth_used(loaded, "PA-0003") == 0
    assert account(loaded, NPI_IMAGING) == (0, 0, 0)
    assert loaded.totalOutstanding() == 0


# ------------------------------------------------------------------------------ R-16 limit counters


def test_r16_a_limit_counts_lines_approved_after_it_was_loaded(loaded, plan_manager, biller):
    """R-16: counters are kept for a code once some plan version limits it. A limit loaded after
    lines of its code were approved does not count those lines; it counts from then on."""
    create_plan(loaded, plan_manager, "LIMIT-PLAN", fees={"99395": fee(150_00, "preventive")})
    enroll(loaded, plan_manager, "MX", "SX", "LIMIT-PLAN")
    early = _one(loaded, biller, "CX1", member="MX", received="2026-02-02", lines=[("2026-02-01", "99395", 1, 150_00)])
    assert status_of(early) == Status.APPROVED
    create_plan(loaded, plan_manager, "LIMIT-PLAN", effective_from=day("2026-07-01"),
                fees={"99395": fee(150_00, "preventive", annual_limit=1)})
    tx = submit(loaded, biller,
                claim("CX2", member="MX", received="2026-08-03", lines=[("2026-08-01", "99395", 1, 150_00)]),
                claim("CX3", member="MX", received="2026-08-03", lines=[("2026-08-02", "99395", 1, 150_00)]))
    counted_from_now, over = outcomes(tx)
    assert status_of(counted_from_now) == Status.APPROVED and counted_from_now.plan_version == 2
    assert_denied(over, "CX3", "119", 150_00)


def test_r16_reversing_a_line_approved_before_counting_started_keeps_the_count(loaded, plan_manager, biller):
    """R-16: a line approved before a limit on its code was loaded was never counted; voiding it
    must leave the count of the lines approved since: with annual_limit 1 used by CX2, CX3 is
    still CO-119 after CX1 (uncounted) is voided."""
    create_plan(loaded, plan_manager, "LIMIT-PLAN", fees={"99395": fee(150_00, "preventive")})
    enroll(loaded, plan_manager, "MX", "SX", "LIMIT-PLAN")
    submit(loaded, biller, claim("CX1", member="MX", received="2026-02-02", lines=[("2026-02-01", "99395", 1, 150_00)]))
    create_plan(loaded, plan_manager, "LIMIT-PLAN", effective_from=day("2026-07-01"),
                fees={"99395": fee(150_00, "preventive", annual_limit=1)})
    counted = _one(loaded, biller, "CX2", member="MX", received="2026-08-03",
                   lines=[("2026-08-01", "99395", 1, 150_00)])
    assert status_of(counted) == Status.APPROVED
    submit(loaded, biller, void("V1", "CX1", member="MX", received="2026-08-03"))
    over = _one(loaded, biller, "CX3", member="MX", received="2026-08-03", lines=[("2026-08-02", "99395", 1, 150_00)])
    assert_denied(over, "CX3", "119", 150_00)
