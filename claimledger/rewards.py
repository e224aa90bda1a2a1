"""Member incentives on a run's deployment (A-12): a member's signed registration of where its
rewards go, the treasurer's funding of the incentive pool and payments from it, and what each
member has earned, had taken back and was paid. Thin over the engine: the rules live in the
contracts (and, independently, in :mod:`claimledger.reward_book`).

A member signs with its own key (R-43: the plan manager bound that key's address on chain, from
the ``reward_signer`` column of ``members.csv``); the insurer's treasurer key relays the signed
registration, so the member needs no ether. Member ids are never sent in clear: on chain a
member is its keyed pseudonym (R-30), found through the deployment's key store.
"""
from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from pathlib import Path

from eth_account import Account
from eth_utils import keccak
from web3 import Web3

from . import chain
from .chain import ENGINE, Deployment, Keys
from .events import EventDecoder
from .money import CENT_UNITS
from .records import RewardRow, RewardStatus
from .atomic import atomic_output
from .results import INCENTIVES_FILE, reward_row_cells
from .sender import TxSender

REGISTRATION_SECONDS = 3600  # how long a registration's signature stays valid
PAY_CHUNK = 100  # members per payRewards transaction


class RewardsFailed(RuntimeError):
    """A rewards command could not be carried out: one-line reason."""


def demo_member_key(member_id: str) -> str:
    """A deterministic member key for examples and tests only (a real member keeps its own
    key and never shares it): keccak of a fixed prefix and the member id."""
    return "0x" + keccak(text=f"claimledger-demo-member:{member_id}").hex()


def member_key(dep: Deployment, member_id: str) -> bytes:
    """The member's on-chain pseudonym, from the deployment's key store; a member the store does
    not know (never enrolled, or forgotten under R-32) is refused."""
    key = dep.ids.find_member(member_id)
    if key is None:
        raise RewardsFailed(f"member {member_id}: not in this deployment's key store (never enrolled, or forgotten)")
    return key


def payee_typed_data(chain_id: int, engine: str, member_key: bytes, payee: str, nonce: int, deadline: int) -> dict:
    """The EIP-712 typed data a member signs to name its rewards' payee (IRewards)."""
    return {
        "types": {
            "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                             {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
            "RewardPayee": [{"name": "memberId", "type": "bytes32"}, {"name": "payee", "type": "address"},
                            {"name": "nonce", "type": "uint256"}, {"name": "deadline", "type": "uint256"}],
        },
        "primaryType": "RewardPayee",
        "domain": {"name": "claimledger", "version": "1", "chainId": chain_id, "verifyingContract": engine},
        "message": {"memberId": member_key, "payee": payee, "nonce": nonce, "deadline": deadline},
    }


def sign_payee(dep: Deployment, member_private_key: str, member_id: str, payee: str, deadline: int) -> bytes:
    """The member's signature of its registration of ``payee``, for its next nonce."""
    engine = dep[ENGINE]
    nonce = engine.functions.rewardAccount(member_key(dep, member_id)).call()[1]
    data = payee_typed_data(dep.w3.eth.chain_id, engine.address, member_key(dep, member_id), payee, nonce, deadline)
    return bytes(Account.sign_typed_data(member_private_key, full_message=data).signature)


def register_payee(dep: Deployment, keys: Keys, member_private_key: str, member_id: str, payee: str) -> dict:
    """The member's signed act naming ``payee`` for its rewards, relayed by the treasurer's key."""
    if not Web3.is_address(payee):
        raise RewardsFailed(f"register {member_id}: payee {payee!r} is not an address")
    payee = Web3.to_checksum_address(payee)  # an address in any case, as people copy them
    engine = dep[ENGINE]
    deadline = int(time.time()) + REGISTRATION_SECONDS
    signature = sign_payee(dep, member_private_key, member_id, payee, deadline)
    fn = engine.functions.registerRewardPayee(member_key(dep, member_id), payee, deadline, signature)
    return _transact(dep, keys.treasurer, fn, f"register {member_id}")


def fund_pool(dep: Deployment, keys: Keys, units: int) -> None:
    """The treasurer mints ``units`` test-token units and funds the incentive pool with them."""
    token, engine = dep["SettlementToken"], dep[ENGINE]
    treasurer = TxSender(dep.w3, keys.treasurer)
    chain._call(treasurer, token, "mint", treasurer.address, units)
    chain._call(treasurer, token, "approve", engine.address, units)
    chain._call(treasurer, engine, "fundIncentives", units)


@dataclass(frozen=True)
class MemberRewards:
    """A member's rewards as the engine holds them, in cents."""

    member_id: str
    earned: int
    taken_back: int
    paid: int
    owed: int
    payee: str | None


def member_rewards(dep: Deployment, member_ids: list[str]) -> list[MemberRewards]:
    """The reward accounts of ``member_ids`` (those with none left out)."""
    engine = dep[ENGINE]
    out = []
    for member_id in member_ids:
        signer, _, payee, earned, taken, paid = engine.functions.rewardAccount(member_key(dep, member_id)).call()
        if earned or taken or paid:
            out.append(MemberRewards(member_id, earned // CENT_UNITS, taken // CENT_UNITS, paid // CENT_UNITS,
                                     (earned - taken - paid) // CENT_UNITS, None if int(payee, 16) == 0 else payee))
    return out


def pay(dep: Deployment, keys: Keys, member_ids: list[str], fund: bool = False) -> list[RewardRow]:
    """The treasurer pays every listed member with a registered payee what it is owed, as far
    as the pool allows (with ``fund``, after funding the pool with what they are owed beyond
    it); returns the PAID rows of incentives.csv, in payment order."""
    engine = dep[ENGINE]
    if fund:
        owed = sum(max(0, m.owed) for m in member_rewards(dep, member_ids) if m.payee) * CENT_UNITS
        need = owed - engine.functions.incentivePool().call()
        if need > 0:
            fund_pool(dep, keys, need)
    names = {member_key(dep, m): m for m in member_ids}
    decoder = EventDecoder(engine)
    rows = []
    for start in range(0, len(member_ids), PAY_CHUNK):
        chunk = [member_key(dep, m) for m in member_ids[start:start + PAY_CHUNK]]
        receipt = _transact(dep, keys.treasurer, engine.functions.payRewards(chunk), "payRewards")
        for name, values in decoder.decode(receipt):
            if name == "RewardPaid":
                rows.append(RewardRow(names[values["memberId"]], "", None, "", values["amount"] // CENT_UNITS,
                                      RewardStatus.PAID))
    return rows


def append_incentives(run_dir: Path, rows: list[RewardRow]) -> None:
    """Appends rows to the run's incentives.csv (A-12.3), in the order they happened."""
    with atomic_output(Path(run_dir) / INCENTIVES_FILE, newline="", copy_existing=True) as fh:
        csv.writer(fh).writerows(reward_row_cells(row) for row in rows)


def _transact(dep: Deployment, key: str, fn, what: str) -> dict:
    """Dry-runs ``fn`` (so a refusal names its custom error), then sends it."""
    return chain.checked_transact(dep, key, fn, lambda reason: RewardsFailed(f"{what}: {reason}"))
