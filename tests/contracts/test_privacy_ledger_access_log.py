"""The access log (R-35, IAccessLog): the records officer asks the ledger to decide and record
each reading of a member's claims before anything is shown; the ledger grants it on the
member's consent for that purpose, or to a PAYER reading for payment, and keeps every entry,
refusals too, in the member's list."""
import brownie
from brownie import chain

from tests.contracts.helpers import err, unauthorized
from tests.contracts.privacy_helpers import (
    MEMBER, OTHER_MEMBER, PAYMENT, RESEARCH, TREATMENT, ZERO32, grant, later, plain, values,
)

SHOWN = b"\x5e" * 32


def test_an_access_with_consent_is_granted_and_kept(registered, records_officer, outsider, member_account):
    party = outsider.address
    registered.grantConsent(*grant(registered, member_account, party, TREATMENT), {"from": outsider})
    assert registered.mayAccess(MEMBER, party, TREATMENT)
    tx = registered.recordAccess(MEMBER, party, TREATMENT, SHOWN, {"from": records_officer})
    assert tx.return_value is True
    assert values(tx.events["AccessRecorded"]) == ("0x" + MEMBER.hex(), party, TREATMENT, True, "0x" + SHOWN.hex(), 0)
    assert registered.accessCount(MEMBER) == 1 and registered.accessCount(OTHER_MEMBER) == 0
    assert plain(registered.accessAt(MEMBER, 0)) == (party, TREATMENT, True, tx.timestamp, "0x" + SHOWN.hex())


def test_an_access_without_consent_is_refused_and_kept(registered, records_officer, outsider):
    tx = registered.recordAccess(MEMBER, outsider, RESEARCH, ZERO32, {"from": records_officer})
    assert tx.return_value is False
    assert plain(registered.accessAt(MEMBER, 0)) == (outsider.address, RESEARCH, False, tx.timestamp, "0x" + ZERO32.hex())
    with brownie.reverts(err("RefusedAccessShowsNothing", MEMBER, outsider)):
        registered.recordAccess(MEMBER, outsider, RESEARCH, SHOWN, {"from": records_officer})


def test_the_plans_payer_reads_for_payment_only(registered, records_officer, reviewer):
    assert registered.recordAccess(MEMBER, reviewer, PAYMENT, SHOWN, {"from": records_officer}).return_value is True
    assert registered.recordAccess(MEMBER, reviewer, TREATMENT, ZERO32, {"from": records_officer}).return_value is False
    assert registered.accessCount(MEMBER) == 2


def test_an_expired_consent_grants_nothing(registered, records_officer, outsider, member_account):
    until = chain[-1].timestamp + 50
    registered.grantConsent(*grant(registered, member_account, outsider, TREATMENT, until), {"from": outsider})
    later(until - chain[-1].timestamp)
    assert not registered.mayAccess(MEMBER, outsider, TREATMENT)
    assert registered.recordAccess(MEMBER, outsider, TREATMENT, ZERO32, {"from": records_officer}).return_value is False


def test_only_the_records_officer_writes_the_log(registered, outsider):
    with brownie.reverts(unauthorized(outsider, "RECORDS_OFFICER")):
        registered.recordAccess(MEMBER, outsider, TREATMENT, ZERO32, {"from": outsider})


def test_an_entry_past_the_end_is_unknown(registered):
    with brownie.reverts(err("AccessEntryUnknown", MEMBER, 0)):
        registered.accessAt(MEMBER, 0)
