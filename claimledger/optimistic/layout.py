"""Where the claims engine keeps what optimistic settlement reads from a state root
(docs/OPTIMISTIC.md): the base slots of contracts/engine/EngineStorage.sol's mappings and the
slot of one entry, and how a provider's account word packs (contracts/libraries/
SettlementLedger.sol). tests/optimistic/test_settlement_escrow.py pins every constant against a
live engine; OptimisticSettlement takes ACCOUNTS_SLOT and PAYEES_SLOT at deployment.

A mapping's entry for key k is at keccak256(abi.encode(k, base)): for a uint64 NPI the key is
its 32-byte big-endian word, for a claim id the id itself.
"""
from __future__ import annotations

from typing import Sequence

from eth_utils import keccak

from .smt import Proof, SparseMerkleTree

CLAIMS_SLOT = 4  # EngineStorage._claims: claim id => packed claim record
ACCOUNTS_SLOT = 30  # EngineStorage._ledger.accounts: uint64 NPI => account word
PAYEES_SLOT = 31  # EngineStorage._ledger.payees: uint64 NPI => payee address

UNITS_PER_CENT = 10_000  # the ledger counts cents of a 6-decimal token
_MASK80 = (1 << 80) - 1


def _entry(key: bytes, base: int) -> int:
    return int.from_bytes(keccak(key + base.to_bytes(32, "big")), "big")


def account_slot(npi: int) -> int:
    return _entry(npi.to_bytes(32, "big"), ACCOUNTS_SLOT)


def payee_slot(npi: int) -> int:
    return _entry(npi.to_bytes(32, "big"), PAYEES_SLOT)


def claim_slot(claim_id: bytes) -> int:
    return _entry(claim_id, CLAIMS_SLOT)


# ---------------------------------------------------------------- an account word, in cents

def registered(word: int) -> bool:
    return word & 1 != 0


def in_network(word: int) -> bool:
    return word & 2 != 0


def accrued(word: int) -> int:
    return word >> 8 & _MASK80


def recouped(word: int) -> int:
    return word >> 88 & _MASK80


def paid_out(word: int) -> int:
    return word >> 168 & _MASK80


def owed(word: int) -> int:
    """Cents owed: accrued - recouped - paid out (negative while recoupments exceed accruals)."""
    return accrued(word) - recouped(word) - paid_out(word)


def payee(word: int) -> str:
    """The payee address a payee slot's word holds (0x-hex, lower case)."""
    return "0x" + (word & ((1 << 160) - 1)).to_bytes(20, "big").hex()


def settle_args(tree: SparseMerkleTree, npis: Sequence[int]) -> tuple[list[int], list[bytes], list[Proof]]:
    """OptimisticSettlement.settle's (npis, values, proofs) against ``tree``'s root: per NPI its
    account slot and payee slot in ascending order, their values (32-byte words) and proofs."""
    values: list[bytes] = []
    proofs: list[Proof] = []
    for npi in npis:
        for key in sorted((account_slot(npi), payee_slot(npi))):
            values.append(tree.get(key).to_bytes(32, "big"))
            proofs.append(tree.proof(key))
    return list(npis), values, proofs
