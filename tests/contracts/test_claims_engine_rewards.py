"""Member rewards paid (A-12.3, R-43, R-44): the plan manager binds the key that signs for a
member; the member names where its rewards go by an EIP-712 signature of that key (anyone may
send it); the treasurer funds an incentive pool that the provider escrow never pays from, and
pays members what they are owed as far as it goes, never twice; rewards wait until a payee is
registered. Amounts in token units (1 cent = 10,000)."""
import brownie
import pytest
from eth_account import Account

from claimledger.rewards import demo_member_key, payee_typed_data

from tests.contracts.helpers import (
    CENT, NPI_IN, cid, claim, create_plan, enroll, err, events, fee, names, submit, terms, unauthorized,
)

DEADLINE = 2**40  # far in the future


@pytest.fixture(scope="module")
def rewarded(loaded, plan_manager, biller):
    """Members MA and MB of plan RWD (no cost sharing; 99395 earns 50.00), each with a 99395
    approved: each earned 50.00, and the provider is owed 160.00 for each line."""
    version = create_plan(loaded, plan_manager, "RWD", plan_terms=terms(deductibleIndividual=0, deductibleFamily=0,
                          coinsuranceBps=0), fees={"99395": fee(160_00, "preventive")}, seal=False)
    loaded.setIncentives(cid("RWD"), version, [b"99395\0\0\0"], [50_00], {"from": plan_manager})
    loaded.sealPlanVersion(cid("RWD"), version, b"\x33" * 32, {"from": plan_manager})
    for member in ("MA", "MB"):
        enroll(loaded, plan_manager, member, "F" + member, "RWD")
        submit(loaded, biller, claim("R" + member, member=member, lines=[("2026-03-01", "99395", 1, 200_00)]))
    return loaded


def signer_of(member: str) -> str:
    return Account.from_key(demo_member_key(member)).address


def signature(engine, member: str, payee, nonce: int = 0, deadline: int = DEADLINE, key: str | None = None) -> bytes:
    from brownie import web3

    data = payee_typed_data(web3.eth.chain_id, engine.address, cid(member), str(payee), nonce, deadline)
    return bytes(Account.sign_typed_data(key or demo_member_key(member), full_message=data).signature)


def register(engine, plan_manager, member: str, payee, sender=None):
    """Binds the member's demo key and registers ``payee`` with its signature."""
    engine.setMemberSigners([cid(member)], [signer_of(member)], {"from": plan_manager})
    return engine.registerRewardPayee(cid(member), payee, DEADLINE, signature(engine, member, payee),
                                      {"from": sender or plan_manager})


def fund_pool(engine, token, treasurer, amount):
    token.mint(treasurer, amount, {"from": treasurer})
    token.approve(engine, amount, {"from": treasurer})
    return engine.fundIncentives(amount, {"from": treasurer})


# ------------------------------------------------------------------------------ the member's key and payee


def test_the_plan_manager_binds_an_enrolled_members_signer(rewarded, plan_manager, outsider):
    tx = rewarded.setMemberSigners([cid("MA")], [signer_of("MA")], {"from": plan_manager})
    assert [(bytes(e["memberId"]), e["signer"]) for e in events(tx, "MemberSignerSet")] == [(cid("MA"), signer_of("MA"))]
    assert rewarded.rewardAccount(cid("MA"))[0] == signer_of("MA")
    with brownie.reverts(unauthorized(outsider, "PLAN_MANAGER")):
        rewarded.setMemberSigners([cid("MA")], [outsider], {"from": outsider})
    with brownie.reverts(err("MemberNotEnrolled", cid("NOBODY"))):
        rewarded.setMemberSigners([cid("NOBODY")], [outsider], {"from": plan_manager})
    with brownie.reverts(err("InvalidSigner", cid("MA"))):
        rewarded.setMemberSigners([cid("MA")], ["0x" + "00" * 20], {"from": plan_manager})


def test_the_members_signature_registers_its_payee_whoever_sends_it(rewarded, plan_manager, outsider, accounts):
    """A-12.3: the member's signed act, relayed by anyone; its nonce then moves on."""
    tx = register(rewarded, plan_manager, "MA", accounts[6], sender=outsider)
    assert [(bytes(e["memberId"]), e["payee"], e["nonce"]) for e in events(tx, "RewardPayeeRegistered")] == [
        (cid("MA"), accounts[6], 0)]
    assert tuple(rewarded.rewardAccount(cid("MA")))[1:3] == (1, accounts[6])


def test_the_digest_is_eip712_of_the_engines_domain(rewarded):
    from brownie import web3
    from eth_account.messages import encode_typed_data
    from eth_utils import keccak

    data = payee_typed_data(web3.eth.chain_id, rewarded.address, cid("MA"), NPI_ADDRESS, 3, 99)
    message = encode_typed_data(full_message=data)
    assert bytes(rewarded.rewardPayeeDigest(cid("MA"), NPI_ADDRESS, 3, 99)) == keccak(
        b"\x19" + message.version + message.header + message.body)


NPI_ADDRESS = "0x" + "ab" * 20


@pytest.mark.parametrize("case", ["replayed", "other key", "other payee", "expired", "no signer", "zero payee"])
def test_a_registration_without_the_members_valid_signature_is_refused(rewarded, plan_manager, accounts, case):
    member, payee, deadline = "MA", accounts[6], DEADLINE
    if case != "no signer":
        rewarded.setMemberSigners([cid(member)], [signer_of(member)], {"from": plan_manager})
    sig = signature(rewarded, member, payee)
    expected = err("RewardSignatureInvalid", cid(member))
    if case == "replayed":
        rewarded.registerRewardPayee(cid(member), payee, deadline, sig, {"from": plan_manager})
    elif case == "other key":
        sig = signature(rewarded, member, payee, key=demo_member_key("MB"))
    elif case == "other payee":
        payee = accounts[7]
    elif case == "expired":
        deadline = 1
        sig = signature(rewarded, member, payee, deadline=deadline)
        expected = err("RewardSignatureExpired", cid(member), deadline)
    elif case == "no signer":
        expected = err("InvalidSigner", cid(member))
    else:
        payee = "0x" + "00" * 20
        expected = err("InvalidRewardPayee", cid(member))
    with brownie.reverts(expected):
        rewarded.registerRewardPayee(cid(member), payee, deadline, sig, {"from": plan_manager})


# ------------------------------------------------------------------------------ the pool and payments


def test_the_treasurer_funds_the_pool(rewarded, token, treasurer, outsider):
    tx = fund_pool(rewarded, token, treasurer, 70_00 * CENT)
    assert [(e["from"], e["amount"]) for e in events(tx, "IncentivePoolFunded")] == [(treasurer, 70_00 * CENT)]
    assert rewarded.incentivePool() == 70_00 * CENT == token.balanceOf(rewarded)
    with brownie.reverts(err("ZeroAmount")):
        rewarded.fundIncentives(0, {"from": treasurer})
    with brownie.reverts(unauthorized(outsider, "TREASURER")):
        rewarded.fundIncentives(1, {"from": outsider})


def test_rewards_are_paid_as_far_as_the_pool_goes_and_never_twice(rewarded, token, treasurer, plan_manager,
                                                                    accounts):
    """A-12.3: MA (registered) is paid 50.00 of a 70.00 pool; MB (not registered) waits; paying
    again pays nothing. Then MB registers and the pool's last 20.00 go to it, 30.00 stay owed."""
    register(rewarded, plan_manager, "MA", accounts[6])
    fund_pool(rewarded, token, treasurer, 70_00 * CENT)
    tx = rewarded.payRewards([cid("MB"), cid("MA")], {"from": treasurer})
    assert [(bytes(e["memberId"]), e["payee"], e["amount"], e["owed"]) for e in events(tx, "RewardPaid")] == [
        (cid("MA"), accounts[6], 50_00 * CENT, 0)]
    assert token.balanceOf(accounts[6]) == 50_00 * CENT and rewarded.rewardOwed(cid("MA")) == 0
    assert names(rewarded.payRewards([cid("MA"), cid("MB")], {"from": treasurer})) == []
    register(rewarded, plan_manager, "MB", accounts[7])
    tx = rewarded.payRewards([cid("MA"), cid("MB")], {"from": treasurer})
    assert [(e["amount"], e["owed"]) for e in events(tx, "RewardPaid")] == [(20_00 * CENT, 30_00 * CENT)]
    assert rewarded.incentivePool() == 0
    assert tuple(rewarded.rewardAccount(cid("MB")))[3:] == (50_00 * CENT, 0, 20_00 * CENT)


def test_only_the_treasurer_pays_and_not_while_paused(rewarded, treasurer, admin, outsider):
    with brownie.reverts(unauthorized(outsider, "TREASURER")):
        rewarded.payRewards([cid("MA")], {"from": outsider})
    rewarded.pause({"from": admin})
    with brownie.reverts(err("EnforcedPause")):
        rewarded.payRewards([cid("MA")], {"from": treasurer})


def test_provider_payments_never_touch_the_pool(rewarded, token, treasurer):
    """A-12.3: the escrow owes NPI_IN 320.00; with only the pool funded, settle pays nothing;
    once the escrow is funded it pays from the escrow's tokens only."""
    fund_pool(rewarded, token, treasurer, 100_00 * CENT)
    assert rewarded.escrowBalance() == 0
    assert rewarded.settle.call([NPI_IN], {"from": treasurer}) == 0
    token.mint(treasurer, 300_00 * CENT, {"from": treasurer})
    token.approve(rewarded, 300_00 * CENT, {"from": treasurer})
    rewarded.fund(300_00 * CENT, {"from": treasurer})
    assert rewarded.settle.call([NPI_IN], {"from": treasurer}) == 300_00 * CENT
    rewarded.settle([NPI_IN], {"from": treasurer})
    assert token.balanceOf(rewarded) == rewarded.incentivePool() == 100_00 * CENT


def test_the_rewards_extension_called_directly_refuses_state_changes(rewards_extension, plan_manager, treasurer):
    """Like the first extension, the second refuses at its own address (NotDelegated)."""
    with brownie.reverts(err("NotDelegated")):
        rewards_extension.setMemberSigners([cid("MA")], [signer_of("MA")], {"from": plan_manager})
    with brownie.reverts(err("NotDelegated")):
        rewards_extension.fundIncentives(1, {"from": treasurer})
    with brownie.reverts(err("NotDelegated")):
        rewards_extension.registerRewardPayee(cid("MA"), treasurer, DEADLINE, b"", {"from": treasurer})
