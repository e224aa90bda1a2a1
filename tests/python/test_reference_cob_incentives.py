"""The reference model's coordination of benefits (A-11) and member incentives (A-12), rule by
rule, with the figures worked out by hand in the docstrings (cents). Plan P (builders.plan):
deductible 500.00/1,000.00, 20% in network, office visits a 25.00 copay; 99213 allows 92.00,
71046 38.00."""
import dataclasses

import pytest

from claimledger.records import COB_NON_DUPLICATION, RewardRow, RewardStatus
from claimledger.line_pricing import Coordinated, Pricing, coordinate
from claimledger.reward_book import RewardBook

from tests.python.builders import claim, csv_rows, engine, line, rows


def second(code="99213", billed=12000, other_allowed=10000, other_paid=6000, dos="2026-03-01"):
    return dataclasses.replace(line(code, billed, dos=dos), other_payer_allowed=other_allowed,
                               other_payer_paid=other_paid)


# ------------------------------------------------------------------------------ arithmetic


@pytest.mark.parametrize("pricing,other,non_dup,expected", [
    # normal paid 75.00 (copay 25.00): prior 70.00; standard min(75, 30) = 30; patient 0
    (Pricing(10000, 0, 2500, 0), 7000, False, Coordinated(7000, 3000, 0, 0, 0)),
    # non-duplication: 75 - 70 = 5.00; patient 100 - 70 - 5 = 25.00 = PR-3
    (Pricing(10000, 0, 2500, 0), 7000, True, Coordinated(7000, 500, 0, 2500, 0)),
    # prior above allowed is capped: 100.00; nothing paid, nothing left to the patient
    (Pricing(10000, 0, 2500, 0), 15000, False, Coordinated(10000, 0, 0, 0, 0)),
    # deductible 200, coinsurance 20 of allowed 300: prior 10; paid min(80, 290) = 80;
    # patient 210 = PR-1 200 + PR-2 10
    (Pricing(30000, 20000, 0, 2000), 1000, False, Coordinated(1000, 8000, 20000, 0, 1000)),
    # no prior result: the normal amounts
    (Pricing(30000, 20000, 0, 2000), None, True, Coordinated(0, 8000, 20000, 0, 2000)),
])
def test_coordinate_is_a11_3(pricing, other, non_dup, expected):
    got = coordinate(pricing, other, non_dup)
    assert got == expected
    assert pricing.allowed == got.prior + got.paid + sum(got[2:])  # patient = allowed - prior - paid


def test_a_line_paid_second_reports_oa23_and_its_accumulators_take_the_normal_amounts():
    """A-11.2/4: 99213 billed 120.00, allowed 92.00, copay 25.00, normal paid 67.00; the prior
    payer paid 60.00: standard paid min(67, 32) = 32.00, patient 0; the member's out-of-pocket
    met takes the normal 25.00."""
    eng = engine()
    assert csv_rows(eng, claim("C1", second())) == ["C1,1,APPROVED,92.00,0.00,0.00,0.00,32.00,0.00,CO-45:28.00;OA-23:60.00"]
    assert eng.individual[("M1", 2026)].oop == 2500
    assert eng.accounts["1234567893"].accrued == 3200


def test_non_duplication_pays_the_normal_amount_less_the_prior():
    """A-11.3: 67.00 - 60.00 = 7.00; patient 92 - 60 - 7 = 25.00 (PR-3)."""
    eng = engine({"cob": COB_NON_DUPLICATION})
    assert csv_rows(eng, claim("C1", second())) == [
        "C1,1,APPROVED,92.00,0.00,25.00,0.00,7.00,25.00,CO-45:28.00;OA-23:60.00;PR-3:25.00"]


def test_a_reversal_takes_back_the_normal_amounts_and_reports_the_split():
    """A-7.1 with A-11: the void's REVERSED row negates what was reported; the accumulators lose
    what they took (the normal 25.00 copay), the provider is recouped the 32.00 paid."""
    eng = engine()
    rows(eng, claim("C1", second()))
    reversed_rows = rows(eng, claim("V1", second(), frequency=8, original="C1"))
    assert [",".join(r.row()) for r in reversed_rows] == [
        "C1,1,REVERSED,-92.00,0.00,0.00,0.00,-32.00,0.00,CO-45:-28.00;OA-23:-60.00"]
    assert eng.individual[("M1", 2026)].oop == 0
    assert eng.accounts["1234567893"].balance == 0


def test_the_prior_payer_amounts_are_part_of_the_content():
    """A-3, R-40: the same claim id with other prior amounts is another claim."""
    eng = engine()
    rows(eng, claim("C1", second()))
    _, reject = eng.submit(claim("C1", second(other_paid=5000)))
    assert reject.field == "claim_id"


# ------------------------------------------------------------------------------ A-12 rewards


def incentive_engine(**plan):
    return engine({"incentives": {"99213": 1000, "71046": 500}, **plan})


def test_the_first_approved_line_of_a_code_in_a_plan_year_earns_once():
    """A-12.2: M1's first 99213 of 2026 earns 10.00, the second none; 2027 earns again; M2 its own."""
    eng = incentive_engine()
    rows(eng, claim("C1", line("99213", 12000)))
    rows(eng, claim("C2", line("99213", 12000, dos="2026-04-01"), received="2026-04-02"))
    rows(eng, claim("C3", line("99213", 12000, dos="2026-05-01"), member="M2", received="2026-05-02"))
    assert eng.rewards.drain() == [
        RewardRow("M1", "C1", 1, "99213", 1000, RewardStatus.EARNED),
        RewardRow("M2", "C3", 1, "99213", 1000, RewardStatus.EARNED)]


def test_denied_lines_earn_nothing_and_reversal_takes_back_so_the_replacement_earns():
    """A-12.2, R-42: a replacement reverses the earner (REVERSED row) and earns anew."""
    eng = incentive_engine()
    rows(eng, claim("C0", line("71046", 6000, dos="2025-12-01"), received="2025-12-02"))  # CO-26
    rows(eng, claim("C1", line("71046", 6000)))
    rows(eng, claim("C2", line("71046", 5000), frequency=7, original="C1"))
    assert [(r.claim_id, r.amount, r.status) for r in eng.rewards.drain()] == [
        ("C1", 500, RewardStatus.EARNED), ("C1", -500, RewardStatus.REVERSED), ("C2", 500, RewardStatus.EARNED)]


def test_a_line_approved_while_another_held_the_reward_does_not_take_it_over():
    """R-42: rewards are decided when a line is approved."""
    eng = incentive_engine()
    rows(eng, claim("C1", line("71046", 6000)))
    rows(eng, claim("C2", line("71046", 6000, dos="2026-04-01"), received="2026-04-02"))
    rows(eng, claim("V1", line("71046", 6000), frequency=8, original="C1"))
    assert eng.rewards.live == {} and eng.rewards.accounts["M1"].owed == 0


def test_rewards_wait_for_a_payee_are_paid_as_far_as_the_pool_goes_and_net_later():
    """A-12.3: nothing paid before M1 registers; then 10.00 of a 12.00 pool; a reward taken back
    after it was paid leaves M1 owing, netted against the next."""
    book = RewardBook()
    book.earn("M1", "C1", 1, "99213", 2026, 1000)
    book.fund(1200)
    assert book.pay("M1") == 0
    book.register("M1", "0xabc")
    assert book.pay("M1") == 1000 and book.pay("M1") == 0 and book.pool == 200
    book.take_back("M1", "C1", 1, "99213", 2026)
    assert book.accounts["M1"].owed == -1000
    book.earn("M1", "C9", 1, "71046", 2026, 500)
    assert book.accounts["M1"].owed == -500 and book.pay("M1") == 0
    assert [r.status for r in book.drain()] == [RewardStatus.EARNED, RewardStatus.PAID, RewardStatus.REVERSED,
                                                RewardStatus.EARNED]


def test_rewards_never_change_the_results():
    """A-12.3: the same claims give the same results.csv rows with or without incentives."""
    c = claim("C1", line("99213", 12000), second(dos="2026-03-02"))
    assert csv_rows(incentive_engine(), c) == csv_rows(engine(), c)


def test_the_plan_year_of_a_reward_is_the_year_of_its_date_of_service():
    eng = incentive_engine()
    rows(eng, claim("C1", line("99213", 12000, dos="2026-12-31"), received="2027-01-02"))
    assert ("M1", "99213", 2026) in eng.rewards.live
