"""Consents on the privacy ledger (R-34, IConsentRegistry): member services registers a
member's key; the member, or a delegate while the delegation lasts, signs grants and
revocations as EIP-712 messages that anyone relays; each message carries the member's nonce,
so none counts twice; a consent holds until its end or its revocation, for its purpose only."""
import brownie
import pytest
from brownie import chain
from eth_account import Account

from tests.contracts.helpers import err, unauthorized
from tests.contracts.privacy_helpers import (
    MEMBER, OTHER_MEMBER, OPERATIONS, RESEARCH, TREATMENT, delegation, grant, later, next_block_at, plain, revoke, values,
)

PARTY = "0x000000000000000000000000000000000000bEEF"
STRANGER = Account.from_key(b"\x77" * 32)
DELEGATE = Account.from_key(b"\x66" * 32)


def test_member_services_registers_a_members_key(ledger, plan_manager, outsider, member_account):
    tx = ledger.registerMemberKey(MEMBER, member_account.address, {"from": plan_manager})
    assert values(tx.events["MemberKeyRegistered"]) == ("0x" + MEMBER.hex(), member_account.address)
    assert plain(ledger.memberKey(MEMBER)) == (member_account.address, 1)
    with brownie.reverts(unauthorized(outsider, "MEMBER_SERVICES")):
        ledger.registerMemberKey(MEMBER, outsider, {"from": outsider})
    with brownie.reverts(err("ZeroAddress")):
        ledger.registerMemberKey(MEMBER, "0x" + "00" * 20, {"from": plan_manager})


def test_a_member_grants_and_anyone_relays(registered, outsider, member_account):
    until = chain.time() + 3600
    tx = registered.grantConsent(*grant(registered, member_account, PARTY, TREATMENT, until), {"from": outsider})
    assert values(tx.events["ConsentGranted"]) == ("0x" + MEMBER.hex(), PARTY, TREATMENT, until, member_account.address)
    assert registered.consentHolds(MEMBER, PARTY, TREATMENT) and registered.consentUntil(MEMBER, PARTY, TREATMENT) == until
    assert not registered.consentHolds(MEMBER, PARTY, RESEARCH)  # a purpose of its own
    assert not registered.consentHolds(OTHER_MEMBER, PARTY, TREATMENT)
    assert registered.memberKey(MEMBER)[1] == 2  # the nonce moved on


def test_a_grant_signed_by_another_key_is_refused(registered, outsider):
    with brownie.reverts(err("NotMemberOrDelegate", MEMBER, STRANGER.address)):
        registered.grantConsent(*grant(registered, STRANGER, PARTY), {"from": outsider})


def test_a_relayed_grant_counts_once(registered, outsider, member_account):
    message, signature = grant(registered, member_account, PARTY)
    registered.grantConsent(message, signature, {"from": outsider})
    with brownie.reverts(err("WrongNonce", MEMBER, 2, 1)):
        registered.grantConsent(message, signature, {"from": outsider})


def test_a_member_without_a_key_cannot_grant(registered, outsider, member_account):
    with brownie.reverts(err("MemberKeyUnknown", OTHER_MEMBER)):
        registered.grantConsent(*grant(registered, member_account, PARTY, member=OTHER_MEMBER), {"from": outsider})


@pytest.mark.parametrize("offset", [0, -1])
def test_a_grant_must_end_in_the_future(registered, outsider, member_account, offset):
    at = chain[-1].timestamp + 10
    message = grant(registered, member_account, PARTY, until=at + offset)
    next_block_at(at)
    with brownie.reverts(err("ConsentEndsInThePast", MEMBER, at + offset)):
        registered.grantConsent(*message, {"from": outsider})


def test_a_grant_to_nobody_is_refused(registered, outsider, member_account):
    with brownie.reverts(err("ZeroAddress")):
        registered.grantConsent(*grant(registered, member_account, "0x" + "00" * 20), {"from": outsider})


def test_a_member_revokes(registered, outsider, member_account):
    registered.grantConsent(*grant(registered, member_account, PARTY, OPERATIONS), {"from": outsider})
    tx = registered.revokeConsent(*revoke(registered, member_account, PARTY, OPERATIONS), {"from": outsider})
    assert values(tx.events["ConsentRevoked"]) == ("0x" + MEMBER.hex(), PARTY, OPERATIONS, member_account.address)
    assert not registered.consentHolds(MEMBER, PARTY, OPERATIONS) and registered.consentUntil(MEMBER, PARTY, OPERATIONS) == 0
    with brownie.reverts(err("ConsentNotHeld", MEMBER, PARTY, OPERATIONS)):
        registered.revokeConsent(*revoke(registered, member_account, PARTY, OPERATIONS), {"from": outsider})


def test_a_consent_ends_at_its_time(registered, outsider, member_account):
    until = chain[-1].timestamp + 100
    registered.grantConsent(*grant(registered, member_account, PARTY, until=until), {"from": outsider})
    later(until - 1 - chain[-1].timestamp)
    assert registered.consentHolds(MEMBER, PARTY, TREATMENT)
    later(1)
    assert not registered.consentHolds(MEMBER, PARTY, TREATMENT)
    with brownie.reverts(err("ConsentNotHeld", MEMBER, PARTY, TREATMENT)):  # nothing left to revoke
        registered.revokeConsent(*revoke(registered, member_account, PARTY), {"from": outsider})


def test_a_delegate_grants_and_revokes_while_the_delegation_lasts(registered, outsider, member_account):
    ends = chain[-1].timestamp + 1000
    tx = registered.setDelegate(*delegation(registered, member_account, DELEGATE.address, ends), {"from": outsider})
    assert values(tx.events["DelegateSet"]) == ("0x" + MEMBER.hex(), DELEGATE.address, ends)
    assert registered.delegateUntil(MEMBER, DELEGATE.address) == ends
    tx = registered.grantConsent(*grant(registered, DELEGATE, PARTY, RESEARCH), {"from": outsider})
    assert tx.events["ConsentGranted"]["signer"] == DELEGATE.address
    registered.revokeConsent(*revoke(registered, DELEGATE, PARTY, RESEARCH), {"from": outsider})
    later(ends - chain[-1].timestamp)
    with brownie.reverts(err("NotMemberOrDelegate", MEMBER, DELEGATE.address)):
        registered.grantConsent(*grant(registered, DELEGATE, PARTY), {"from": outsider})


def test_only_the_members_own_key_sets_delegates(registered, outsider, member_account):
    registered.setDelegate(*delegation(registered, member_account, DELEGATE.address, chain.time() + 1000),
                           {"from": outsider})
    with brownie.reverts(err("NotMember", MEMBER, DELEGATE.address)):
        registered.setDelegate(*delegation(registered, DELEGATE, STRANGER.address, chain.time() + 1000),
                               {"from": outsider})
    registered.setDelegate(*delegation(registered, member_account, DELEGATE.address, 0), {"from": outsider})
    with brownie.reverts(err("NotMemberOrDelegate", MEMBER, DELEGATE.address)):  # removed
        registered.grantConsent(*grant(registered, DELEGATE, PARTY), {"from": outsider})


def test_a_new_key_voids_what_the_old_one_signed(registered, plan_manager, outsider, member_account):
    pending = grant(registered, member_account, PARTY)
    registered.registerMemberKey(MEMBER, STRANGER.address, {"from": plan_manager})
    with brownie.reverts(err("WrongNonce", MEMBER, 2, 1)):
        registered.grantConsent(*pending, {"from": outsider})
    with brownie.reverts(err("NotMemberOrDelegate", MEMBER, member_account.address)):
        registered.grantConsent(*grant(registered, member_account, PARTY), {"from": outsider})
    registered.grantConsent(*grant(registered, STRANGER, PARTY), {"from": outsider})
