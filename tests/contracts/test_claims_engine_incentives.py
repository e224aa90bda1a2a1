"""Member incentives earned and taken back on the claim path (A-12.1-2, R-42): a plan version
lists incentive codes (setIncentives, kept in the fee entries); the first APPROVED line of such
a code for a member in a plan year earns the member the amount, once per member, code and plan
year; reversing that line takes it back (and the member may earn it again); a reward taken
back after it was paid is netted against the member's later rewards.

Plan WELL: no cost sharing; 99395 allows 160.00 and earns 50.00, 90686 allows 22.00 (earns
20.00), 99213 allows 100.00 and earns nothing; 27447 is pended for review and earns 30.00."""
import brownie
import pytest

from claimledger.money import parse_day

from tests.contracts.helpers import (
    CENT, b8, cid, claim, create_plan, enroll, err, events, fee, names, outcome, recorded, replacement, submit,
    terms, unauthorized, void,
)

PID = cid("WELL")
INCENTIVES = {"99395": 50_00, "90686": 20_00, "27447": 30_00}


@pytest.fixture(scope="module")
def well(loaded, plan_manager):
    fees = {"99395": fee(160_00, "preventive"), "90686": fee(22_00, "preventive"), "99213": fee(100_00),
            "27447": fee(1000_00, "surgery", review=True)}
    version = create_plan(loaded, plan_manager, "WELL", plan_terms=terms(
        deductibleIndividual=0, deductibleFamily=0, coinsuranceBps=0), fees=fees, seal=False)
    loaded.setIncentives(PID, version, [b8(c) for c in INCENTIVES], list(INCENTIVES.values()), {"from": plan_manager})
    loaded.sealPlanVersion(PID, version, b"\x22" * 32, {"from": plan_manager})
    enroll(loaded, plan_manager, "MW", "FW", "WELL")
    return loaded


def visit(claim_id, code="99395", when="2026-03-01", billed=200_00, member="MW", **kw):
    return claim(claim_id, member=member, received=when, lines=[(when, code, 1, billed)], **kw)


def earned(tx) -> list[tuple]:
    return [(bytes(e["memberId"]), bytes(e["claimId"]), e["line"], bytes(e["code"]), e["year"], e["amount"])
            for e in events(tx, "RewardEarned")]


def taken(tx) -> list[tuple]:
    return [(bytes(e["claimId"]), e["line"], bytes(e["code"]), e["amount"]) for e in events(tx, "RewardReversed")]


def account(engine, member="MW") -> tuple:
    """(earned, taken back, paid) in token units."""
    return tuple(engine.rewardAccount(cid(member)))[3:]


# ------------------------------------------------------------------------------ configuration


def test_set_incentives_records_and_reports_the_amounts(well, plan_manager):
    """A-12.1: each incentive is in its fee entry of the version, and reported by an event."""
    for code, amount in INCENTIVES.items():
        assert well.incentive(PID, 1, b8(code)) == amount
    assert well.incentive(PID, 1, b8("99213")) == 0
    version = create_plan(well, plan_manager, "WELL", effective_from=parse_day("2027-01-01"),
                          fees={"99395": fee(170_00, "preventive")}, seal=False)
    tx = well.setIncentives(PID, version, [b8("99395")], [60_00], {"from": plan_manager})
    assert [(e["version"], bytes(e["code"]), e["amount"]) for e in events(tx, "IncentiveSet")] == [(2, b8("99395"), 60_00)]
    well.setFees(PID, version, [b8("99395")], [fee(180_00, "preventive")], {"from": plan_manager})
    assert well.incentive(PID, version, b8("99395")) == 60_00  # an entry set again keeps it


@pytest.mark.parametrize("code,amount,field", [("99999", 10_00, "incentive"), ("99395", 2**40, "incentiveAmount")])
def test_an_incentive_needs_a_listed_code_and_an_amount_below_2_40(well, plan_manager, code, amount, field):
    version = create_plan(well, plan_manager, "WELL", effective_from=parse_day("2027-01-01"),
                          fees={"99395": fee(170_00, "preventive")}, seal=False)
    with brownie.reverts(err("InvalidFeeEntry", PID, b8(code), field)):
        well.setIncentives(PID, version, [b8(code)], [amount], {"from": plan_manager})


def test_only_the_plan_manager_sets_incentives_of_unsealed_versions(well, plan_manager, outsider):
    with brownie.reverts(unauthorized(outsider, "PLAN_MANAGER")):
        well.setIncentives(PID, 1, [b8("99395")], [1], {"from": outsider})
    with brownie.reverts(err("PlanVersionSealed", PID, 1)):
        well.setIncentives(PID, 1, [b8("99395")], [1], {"from": plan_manager})


# ------------------------------------------------------------------------------ earning


def test_the_first_approved_line_of_a_code_in_a_year_earns_the_reward(well, biller):
    """A-12.2: the first 99395 of MW in 2026 earns 50.00; a second one that year earns
    nothing; the first of 2027 earns again."""
    tx = submit(well, biller, visit("I1"))
    assert earned(tx) == [(cid("MW"), cid("I1"), 1, b8("99395"), 2026, 50_00)]
    assert names(tx).index("RewardEarned") < names(tx).index("ClaimAccepted")
    assert earned(submit(well, biller, visit("I2", when="2026-09-01"))) == []
    assert earned(submit(well, biller, visit("I3", when="2027-01-05")))[0][4:] == (2027, 50_00)
    assert well.rewardOf(cid("MW"), b8("99395"), 2026) == 50_00
    assert account(well) == (100_00 * CENT, 0, 0)


def test_each_code_of_a_claim_earns_its_own_reward(well, biller):
    c = claim("I4", member="MW", received="2026-03-01",
              lines=[("2026-03-01", "99395", 1, 200_00), ("2026-03-01", "90686", 1, 30_00),
                     ("2026-03-01", "99213", 1, 150_00)])
    assert [(e[2], e[5]) for e in earned(submit(well, biller, c))] == [(1, 50_00), (2, 20_00)]


def test_denied_and_pended_lines_earn_nothing_until_approved(well, biller, reviewer):
    """A-12.2: only an APPROVED line earns: a denied one (CO-26 before coverage) and a pended one
    do not; the pended line earns when the reviewer approves it."""
    assert earned(submit(well, biller, visit("I5", when="2025-12-01"))) == []
    assert earned(submit(well, biller, visit("I6", code="27447", billed=1200_00))) == []
    tx = well.approvePended(recorded(well, "I6"), 1, {"from": reviewer})
    assert earned(tx) == [(cid("MW"), cid("I6"), 1, b8("27447"), 2026, 30_00)]


def test_a_line_paid_second_earns_the_reward_too(well, biller):
    """R-42: an approved line earns whoever paid for it (A-11)."""
    c = claim("I7", member="MW", received="2026-03-01", lines=[("2026-03-01", "99395", 1, 200_00, 160_00, 100_00)])
    assert outcome(tx := submit(well, biller, c)).prior == 100_00
    assert earned(tx)[0][5] == 50_00


# ------------------------------------------------------------------------------ taking back


def test_reversing_the_earning_line_takes_the_reward_back_and_it_can_be_earned_again(well, biller):
    """A-12.2, R-42: a replacement reverses the line that earned (RewardReversed, before the
    ClaimReversed that reports the line) and its own line earns the reward again."""
    submit(well, biller, visit("I8"))
    tx = submit(well, biller, replacement("I9", "I8", member="MW", received="2026-03-01",
                                           lines=[("2026-03-01", "99395", 1, 190_00)]))
    assert taken(tx) == [(cid("I8"), 1, b8("99395"), 50_00)]
    assert names(tx).index("RewardReversed") < names(tx).index("ClaimReversed")
    assert earned(tx)[0][1:3] == (cid("I9"), 1)
    assert account(well) == (100_00 * CENT, 50_00 * CENT, 0)


def test_reversing_a_line_that_did_not_earn_takes_nothing_back(well, biller):
    """R-42: the second 99395 of the year earned nothing; voiding it leaves the first's reward."""
    submit(well, biller, visit("I10"))
    submit(well, biller, visit("I11", when="2026-05-01"))
    assert taken(submit(well, biller, void("I11V", "I11", member="MW", received="2026-03-01"))) == []
    assert well.rewardOf(cid("MW"), b8("99395"), 2026) == 50_00


def test_a_reward_taken_back_after_it_was_paid_is_netted_against_later_rewards(well, biller, treasurer, token,
                                                                                accounts, plan_manager):
    """A-12.2: paid 50.00, then its line is voided: MW owes 50.00 (owed -50.00); a later 90686
    (20.00) leaves it owing 30.00, so nothing is paid."""
    from tests.contracts.test_claims_engine_rewards import fund_pool, register

    register(well, plan_manager, "MW", accounts[7])
    submit(well, biller, visit("I12"))
    fund_pool(well, token, treasurer, 100_00 * CENT)
    well.payRewards([cid("MW")], {"from": treasurer})
    submit(well, biller, void("I12V", "I12", member="MW", received="2026-03-01"))
    assert well.rewardOwed(cid("MW")) == -50_00 * CENT
    submit(well, biller, visit("I13", code="90686", billed=30_00))
    assert well.rewardOwed(cid("MW")) == -30_00 * CENT
    assert well.payRewards.call([cid("MW")], {"from": treasurer}) == 0
