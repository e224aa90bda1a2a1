"""Fixtures' helpers for the privacy ledger's tests: EIP-712 messages signed by members' own
keys (claimledger.privacy.consent.sign), as a member's wallet would sign them."""
from __future__ import annotations

from claimledger.privacy.consent import Purpose, sign

TREATMENT, PAYMENT, OPERATIONS, RESEARCH = (int(p) for p in Purpose)
MEMBER = b"\x11" * 32  # a member's pseudonym (the engine's key of the member)
OTHER_MEMBER = b"\x22" * 32
ZERO32 = b"\0" * 32


def values(event) -> tuple:
    """An event's arguments as plain Python values (bytes as 0x hex, numbers as int)."""
    return plain(event.values())


def plain(items) -> tuple:
    """A call's returned tuple, or an event's values, as plain Python values."""
    out = []
    for value in items:
        if isinstance(value, (bytes, bytearray)):
            out.append("0x" + bytes(value).hex())
        elif isinstance(value, bool):
            out.append(bool(value))
        elif isinstance(value, int):
            out.append(int(value))
        else:
            out.append(str(value))
    return tuple(out)


def next_block_at(timestamp: int) -> None:
    """The next block is mined at ``timestamp`` (anvil's evm_setNextBlockTimestamp)."""
    from brownie import web3

    web3.provider.make_request("evm_setNextBlockTimestamp", [timestamp])


def later(seconds: int) -> None:
    """A block mined ``seconds`` after the last one."""
    from brownie import chain, web3

    next_block_at(chain[-1].timestamp + seconds)
    web3.provider.make_request("evm_mine", [])


def signed(ledger, kind: str, message: dict, account) -> tuple[tuple, bytes]:
    """(the struct to pass, the signature of ``account``, an eth_account LocalAccount)."""
    from brownie import web3

    return tuple(message.values()), sign(web3.eth.chain_id, ledger.address, kind, message, account.key)


def grant(ledger, signer, party, purpose=TREATMENT, until=None, nonce=None, member=MEMBER):
    from brownie import chain

    message = {"member": member, "party": str(party), "purpose": purpose,
               "until": until if until is not None else chain.time() + 3600,
               "nonce": ledger.memberKey(member)[1] if nonce is None else nonce}
    return signed(ledger, "Grant", message, signer)


def revoke(ledger, signer, party, purpose=TREATMENT, member=MEMBER):
    message = {"member": member, "party": str(party), "purpose": purpose, "nonce": ledger.memberKey(member)[1]}
    return signed(ledger, "Revoke", message, signer)


def delegation(ledger, signer, delegate, until, member=MEMBER):
    message = {"member": member, "delegate": str(delegate), "until": until, "nonce": ledger.memberKey(member)[1]}
    return signed(ledger, "Delegation", message, signer)
