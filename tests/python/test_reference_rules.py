"""The reference model, rule by rule (docs/ADJUDICATION.md A-n, docs/RULES.md R-n)."""
import pytest

from claimledger.money import share
from claimledger.records import Frequency, LineStatus
from claimledger.reference_review import ReviewError

from .builders import IN_NET, OUT_NET, auth, claim, csv_rows, engine, line, rows


def test_a1_2_share_rounds_half_up_to_the_cent():
    assert share(17150, 2000) == 3430
    assert share(25, 5000) == 13  # 12.5 cents -> 13
    assert share(24, 5000) == 12


def test_a4_1_unknown_member_is_denied_31():
    assert csv_rows(engine(), claim("C1", member="NOPE"))[0].endswith("DENIED,0.00,0.00,0.00,0.00,0.00,0.00,CO-31:60.00")


@pytest.mark.parametrize("dos,carc", [("2025-12-31", "26"), ("2026-07-01", "27")])
def test_a4_2_outside_coverage(dos, carc):
    result = rows(engine(), claim("C1", line(dos=dos), member="M2", received="2026-07-02"))
    assert result[0].adjustments[0].code == carc


def test_a4_3_unknown_provider_is_denied_b7():
    assert rows(engine(), claim("C1", npi="5555555555"))[0].adjustments[0].code == "B7"


def test_a4_4_timely_filing_counts_days_strictly_greater():
    eng = engine({"timely_filing_days": 4})
    assert rows(eng, claim("C1", line(dos="2026-03-01"), received="2026-03-05"))[0].status == LineStatus.APPROVED
    assert rows(eng, claim("C2", line(dos="2026-03-01"), received="2026-03-06"))[0].adjustments[0].code == "29"


def test_a4_5_code_not_in_fee_schedule_is_96():
    assert rows(engine(), claim("C1", line(code="99999")))[0].adjustments[0].code == "96"


def test_a4_6_out_of_network_not_covered_is_242_and_checked_after_96():
    eng = engine({"out_of_network_covered": False})
    assert rows(eng, claim("C1", npi=OUT_NET))[0].adjustments[0].code == "242"
    assert rows(eng, claim("C2", line(code="99999"), npi=OUT_NET))[0].adjustments[0].code == "96"


def test_a4_7_diagnosis_prefix():
    eng = engine()
    assert rows(eng, claim("C1", line(code="20610", billed=9000), dx=("J06.9",)))[0].adjustments[0].code == "11"
    assert rows(eng, claim("C2", line(code="20610", billed=9000), dx=("J06.9", "M25.561")))[0].status == LineStatus.APPROVED


def test_a4_8_duplicate_of_another_claim_but_not_of_its_own_lines():
    eng = engine()
    same = line(code="71046", billed=6000)
    assert [r.status for r in rows(eng, claim("C1", same, same))] == [LineStatus.APPROVED, LineStatus.APPROVED]
    assert rows(eng, claim("C2", same))[0].adjustments[0].code == "18"


def test_a4_8_reversed_lines_no_longer_count_as_duplicates():
    eng = engine()
    rows(eng, claim("C1"))
    rows(eng, claim("V1", frequency=Frequency.VOID, original="C1"))
    assert rows(eng, claim("C2"))[0].status == LineStatus.APPROVED


def test_a4_9_10_prior_auth_missing_then_exhausted():
    eng = engine(auths=[auth("A1", units=1, start="2026-02-01", end="2026-03-31")])
    assert rows(eng, claim("C1", line(code="70553", billed=90000, dos="2026-04-01"), received="2026-04-02"))[0].adjustments[0].code == "197"
    assert rows(eng, claim("C2", line(code="70553", billed=90000, units=2)))[0].adjustments[0].code == "198"
    assert rows(eng, claim("C3", line(code="70553", billed=90000)))[0].status == LineStatus.APPROVED
    assert eng.auth_used["A1"] == 1
    assert rows(eng, claim("C4", line(code="70553", billed=80000)))[0].adjustments[0].code == "198"


def test_r5_first_covering_authorization_with_enough_units_is_used():
    eng = engine(auths=[auth("A1", units=1), auth("A2", units=3)])
    rows(eng, claim("C1", line(code="70553", billed=90000, units=2)))
    assert eng.auth_used == {"A1": 0, "A2": 2} or (eng.auth_used["A2"] == 2 and eng.auth_used["A1"] == 0)


def test_a4_11_units_per_day_count_approved_units_of_the_day():
    eng = engine()
    assert rows(eng, claim("C1", line(code="97110", units=3, billed=12000)))[0].status == LineStatus.APPROVED
    assert rows(eng, claim("C2", line(code="97110", units=2, billed=8000)))[0].adjustments[0].code == "151"
    assert rows(eng, claim("C3", line(code="97110", units=1, billed=4000)))[0].status == LineStatus.APPROVED


def test_a4_12_annual_limit_counts_approved_lines_in_the_plan_year():
    eng = engine()
    for i, dos in enumerate(("2026-02-01", "2026-02-02")):
        assert rows(eng, claim(f"C{i}", line(code="97110", dos=dos, billed=3200)))[0].status == LineStatus.APPROVED
    assert rows(eng, claim("C9", line(code="97110", dos="2026-02-03", billed=3200)))[0].adjustments[0].code == "119"


def test_a5_review_and_pend_above_pend_without_applying_anything():
    eng = engine(auths=[])
    result = rows(eng, claim("C1", line(code="27447", billed=3_000_000)))
    assert result[0].status == LineStatus.PENDED and result[0].adjustments == ()
    assert eng.individual[("M1", 2026)].deductible == 0
    assert rows(eng, claim("C2", line(code="71046", billed=600_000)))[0].status == LineStatus.PENDED  # > pend_above
    assert eng.pending_lines() == [("C1", 1), ("C2", 1)]


def test_a5_reviewer_approval_prices_against_accumulators_of_that_moment():
    eng = engine()
    rows(eng, claim("C1", line(code="27447", billed=3_000_000)))
    rows(eng, claim("C2", line(code="71046", billed=6000)))  # 38.00 of deductible met meanwhile
    decided = eng.decide("C1", 1, approve=True)
    assert decided.status == LineStatus.APPROVED
    assert decided.allowed == 185000 and decided.deductible == 50000 - 3800
    with pytest.raises(ReviewError):
        eng.decide("C1", 1, approve=True)


def test_a5_reviewer_denial_uses_the_given_carc():
    eng = engine()
    rows(eng, claim("C1", line(code="27447", billed=3_000_000)))
    assert str(eng.decide("C1", 1, approve=False, carc="50").adjustments[0]) == "CO-50:30000.00"


def test_a6_copay_in_network_and_coinsurance_out_of_network():
    eng = engine()
    assert csv_rows(eng, claim("C1", line(code="99213", billed=12000)))[0] == \
        "C1,1,APPROVED,92.00,0.00,25.00,0.00,67.00,25.00,CO-45:28.00;PR-3:25.00"
    # out of network: no copay, deductible then 40% coinsurance
    assert csv_rows(eng, claim("C2", line(code="99213", billed=12000, dos="2026-03-02"), npi=OUT_NET))[0] == \
        "C2,1,APPROVED,92.00,92.00,0.00,0.00,0.00,92.00,CO-45:28.00;PR-1:92.00"


def test_a6_family_deductible_and_oop_max_cap_the_patient_share():
    eng = engine({"deductible_individual": 10000, "deductible_family": 12000,
                  "oop_max_individual": 20000, "oop_max_family": 25000})
    r1 = rows(eng, claim("C1", line(code="71046", billed=3800)))[0]  # M1: 38.00 deductible
    r2 = rows(eng, claim("C2", line(code="71046", billed=3800), member="M2"))[0]  # M2: 38.00
    assert (r1.deductible, r2.deductible) == (3800, 3800)
    rows(eng, claim("C3", line(code="27447", billed=185000, dos="2026-03-02"), member="M2"))  # pended
    decided = eng.decide("C3", 1, approve=True)
    # deductible left: min(individual 100 - 38, family 120 - 76) = 44.00 (the family cap binds)
    # out-of-pocket left: min(200 - 38, 250 - 76) = 162.00, so coinsurance is capped at 118.00
    assert decided.deductible == 4400
    assert decided.coinsurance == 16200 - 4400
    assert decided.patient == 16200
    assert eng.family[("S1", 2026)].oop == 3800 + 3800 + 16200


def test_a7_void_reverses_accumulators_auth_units_counters_and_payment():
    eng = engine(auths=[auth("A1", units=1)])
    rows(eng, claim("C1", line(code="70553", billed=90000), line(code="97110", units=4, billed=12800), dx=("G43.909",)))
    assert eng.auth_used["A1"] == 1
    paid = sum(r.result.paid for r in eng.claims["C1"].lines)
    reversed_rows = rows(eng, claim("V1", line(), frequency=Frequency.VOID, original="C1"))
    assert [r.status for r in reversed_rows] == [LineStatus.REVERSED, LineStatus.REVERSED]
    assert eng.auth_used["A1"] == 0
    assert eng.individual[("M1", 2026)].deductible == 0 and eng.individual[("M1", 2026)].oop == 0
    assert eng.accounts[IN_NET].balance == 0 and eng.accounts[IN_NET].recouped == paid


def test_a7_replacement_reverses_then_adjudicates_as_new():
    eng = engine()
    rows(eng, claim("C1"))
    result = rows(eng, claim("C2", line(billed=5500), frequency=Frequency.REPLACEMENT, original="C1"))
    assert [r.status for r in result] == [LineStatus.REVERSED, LineStatus.APPROVED]
    assert result[0].claim_id == "C1" and result[0].allowed == -3800


@pytest.mark.parametrize("target,kwargs,field,reason", [
    ("NOPE", {}, "original_claim_id", "original claim unknown"),
    ("C1", {"member": "M2"}, "member_id", "original claim names another member"),
    ("C1", {"npi": OUT_NET}, "provider_npi", "original claim names another provider"),
])
def test_a3_corrections_that_cannot_apply_are_rejected(target, kwargs, field, reason):
    eng = engine()
    rows(eng, claim("C1"))
    result, reject = eng.submit(claim("C2", frequency=Frequency.VOID, original=target, **kwargs))
    assert result == [] and (reject.field, reject.reason) == (field, reason)


def test_a3_already_reversed_and_void_originals_are_rejected():
    eng = engine()
    rows(eng, claim("C1"))
    rows(eng, claim("V1", frequency=Frequency.VOID, original="C1"))
    assert eng.submit(claim("V2", frequency=Frequency.VOID, original="C1"))[1].reason == "original claim already reversed"
    assert eng.submit(claim("V3", frequency=Frequency.VOID, original="V1"))[1].reason == "original claim is a void"


def test_a3_idempotent_resubmission_and_reused_id():
    eng = engine()
    first = rows(eng, claim("C1"))
    assert first and eng.submit(claim("C1")) == ([], None)
    result, reject = eng.submit(claim("C1", line(billed=6100)))
    assert result == [] and reject.reason == "claim_id reused with different content"
    assert eng.accounts[IN_NET].accrued == first[0].paid  # paid once


def test_a8_settlement_pays_as_far_as_funded_and_keeps_the_rest_outstanding():
    eng = engine()
    rows(eng, claim("C1", line(code="99213", billed=12000)))  # paid 67.00
    eng.fund(5000)
    assert eng.settle(IN_NET) == 5000
    assert eng.outstanding() == 1700
    eng.fund(10000)
    assert eng.settle(IN_NET) == 1700 and eng.settle(IN_NET) == 0
