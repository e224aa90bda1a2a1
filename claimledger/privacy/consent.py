"""Consents on the privacy ledger (MedRec, R-34): a member's key registered by member services;
grants, revocations and delegations signed off chain by the member (or a delegate) as EIP-712
typed data, and relayed by anyone (here the records officer, who pays the gas).

The messages are those of ``interfaces/IConsentRegistry.sol``; the domain is the ledger's
(``claimledger PrivacyLedger``, version 1, the chain id and the ledger's address).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import IntEnum

from eth_account import Account
from eth_account.messages import encode_typed_data

from ..chain import PRIVACY, Deployment, revert_reason
from ..sender import TxSender

DOMAIN_NAME = "claimledger PrivacyLedger"
DOMAIN_VERSION = "1"
CONSENT_GAS = 300_000


class Purpose(IntEnum):
    """``IConsentRegistry.Purpose``."""

    TREATMENT = 0
    PAYMENT = 1
    OPERATIONS = 2
    RESEARCH = 3

    @classmethod
    def parse(cls, text: str) -> "Purpose":
        try:
            return cls[text.upper()]
        except KeyError:
            raise ValueError(f"purpose {text!r}: one of {', '.join(p.name.lower() for p in cls)}") from None


TYPES = {
    "Grant": [{"name": "member", "type": "bytes32"}, {"name": "party", "type": "address"},
              {"name": "purpose", "type": "uint8"}, {"name": "until", "type": "uint64"},
              {"name": "nonce", "type": "uint64"}],
    "Revoke": [{"name": "member", "type": "bytes32"}, {"name": "party", "type": "address"},
               {"name": "purpose", "type": "uint8"}, {"name": "nonce", "type": "uint64"}],
    "Delegation": [{"name": "member", "type": "bytes32"}, {"name": "delegate", "type": "address"},
                   {"name": "until", "type": "uint64"}, {"name": "nonce", "type": "uint64"}],
}


class ConsentFailed(RuntimeError):
    """The ledger refused: one line naming its custom error."""


def end_of_day(text: str) -> int:
    """``--until YYYY-MM-DD``: the consent holds through that day (UTC), so it ends at the
    start of the next."""
    day = dt.date.fromisoformat(text)
    return int(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), dt.timezone.utc).timestamp())


def sign(chain_id: int, ledger_address: str, kind: str, message: dict, signer_key: str) -> bytes:
    """The EIP-712 signature of ``message`` of type ``kind`` for the domain of the ledger at
    ``ledger_address`` on chain ``chain_id``."""
    domain = {"name": DOMAIN_NAME, "version": DOMAIN_VERSION, "chainId": chain_id,
              "verifyingContract": ledger_address}
    signable = encode_typed_data(domain_data=domain, message_types={kind: TYPES[kind]}, message_data=message)
    return bytes(Account.sign_message(signable, signer_key).signature)


@dataclass
class ConsentDesk:
    """Sends consent transactions of one deployment: member services registers keys, the relay
    (any funded key) carries signed messages."""

    dep: Deployment
    relay_key: str

    @property
    def ledger(self):
        return self.dep[PRIVACY]

    def nonce(self, member: bytes) -> int:
        return self.ledger.functions.memberKey(member).call()[1]

    def register_key(self, member_services_key: str, member: bytes, key_address: str) -> dict:
        return self._send(member_services_key, "registerMemberKey", member, key_address)

    def grant(self, member: bytes, party: str, purpose: Purpose, until: int, signer_key: str) -> dict:
        message = {"member": member, "party": party, "purpose": int(purpose), "until": until,
                   "nonce": self.nonce(member)}
        signature = self._sign("Grant", message, signer_key)
        return self._send(self.relay_key, "grantConsent", tuple(message.values()), signature)

    def revoke(self, member: bytes, party: str, purpose: Purpose, signer_key: str) -> dict:
        message = {"member": member, "party": party, "purpose": int(purpose), "nonce": self.nonce(member)}
        signature = self._sign("Revoke", message, signer_key)
        return self._send(self.relay_key, "revokeConsent", tuple(message.values()), signature)

    def delegate(self, member: bytes, delegate: str, until: int, signer_key: str) -> dict:
        message = {"member": member, "delegate": delegate, "until": until, "nonce": self.nonce(member)}
        signature = self._sign("Delegation", message, signer_key)
        return self._send(self.relay_key, "setDelegate", tuple(message.values()), signature)

    def _sign(self, kind: str, message: dict, signer_key: str) -> bytes:
        return sign(self.dep.w3.eth.chain_id, self.ledger.address, kind, message, signer_key)

    def _send(self, key: str, fn: str, *args) -> dict:
        """Dry-runs the call (so that a refusal names the ledger's custom error), then sends it."""
        sender = TxSender(self.dep.w3, key)
        call = getattr(self.ledger.functions, fn)(*args)
        try:
            call.call({"from": sender.address})
        except Exception as exc:  # noqa: BLE001 - the revert's custom error is the message
            raise ConsentFailed(revert_reason(self.ledger, exc)) from None
        return sender.transact(self.ledger.address, call._encode_transaction_data(), CONSENT_GAS)
