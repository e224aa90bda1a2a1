"""The settlement chain's side of optimistic settlement (docs/OPTIMISTIC.md): the token, a
``ClaimReplay`` implementation and ``OptimisticSettlement``, deployed and driven by the parties'
keys; the batches posted, read back from the chain (events and the posting transactions'
calldata); waiting out a window.

A run directory keeps the addresses in ``optimistic/settlement.json``.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from eth_account import Account
from web3 import Web3
from web3.logs import DISCARD

from .. import chain
from ..atomic import write_text_atomically
from ..codec import split_claims
from ..keys import DEV_CHAIN_IDS
from ..money import CENT_UNITS
from ..node import dev_private_keys, env_private_key
from ..sender import TxSender

SETTLEMENT_FILE = "optimistic/settlement.json"
GAS = 30_000_000
WINDOW = 20  # blocks a batch stays open to challenge (the demo's; a consortium's is hours)
RESPONSE = 5  # blocks the adjudicator has to add keys to a challenge
ADJUDICATOR_BOND = 10_000 * 10**6  # token units (1 cent = 10,000): $10,000
CHALLENGER_BOND = 1_000 * 10**6
POSTED, FINAL, CANCELLED = 1, 2, 3  # IOptimisticSettlement.BatchStatus
OPEN, RESPONDED = 1, 2  # IOptimisticSettlement.ChallengeStatus
POLL_S = 2.0  # seconds between looks at a chain that is not a dev chain


class OptimisticError(RuntimeError):
    """A batch, a challenge or a settlement that cannot go on, with the reason."""


@dataclass
class Parties:
    """The private keys of optimistic settlement's parties: the admin, the adjudicator (its
    bond), a challenger (a watcher's), the treasurer (escrow). Anvil's dev keys 0, 6, 7 and 4
    unless ``CLAIMLEDGER_ADJUDICATOR_KEY`` / ``CLAIMLEDGER_CHALLENGER_KEY`` (and the run's
    admin and treasurer keys) are set."""

    admin: str
    adjudicator: str
    challenger: str
    treasurer: str

    @classmethod
    def from_keys(cls, keys: chain.Keys) -> "Parties":
        dev = dev_private_keys(8)

        def key(role: str, default: str) -> str:
            var = f"CLAIMLEDGER_{role}_KEY"
            return env_private_key(var) if os.environ.get(var) else default

        return cls(str(keys.admin), key("ADJUDICATOR", dev[6]), key("CHALLENGER", dev[7]), str(keys.treasurer))

    def address(self, role: str) -> str:
        return Account.from_key(getattr(self, role)).address


@dataclass
class PostedBatch:
    """A batch as the chain holds it, with the claims and roots of its posting transaction."""

    batch_id: int
    adjudicator: str
    claims: list[bytes]
    roots: list[bytes]  # 28 bytes each: the root after each claim
    pre_root: bytes
    post_root: bytes
    status: int
    valid_count: int
    posted_block: int
    tx_hash: str


class SettlementChain:
    """OptimisticSettlement and its token on one chain, each party with its own sender."""

    def __init__(self, w3: Web3, addresses: dict, parties: Parties, from_block: int = 0):
        self.w3 = w3
        self.addresses = addresses
        self.parties = parties
        self.from_block = from_block
        self.token = w3.eth.contract(addresses["SettlementToken"], abi=chain.artifact("SettlementToken")["abi"])
        self.contract = w3.eth.contract(addresses["OptimisticSettlement"],
                                        abi=chain.artifact("OptimisticSettlement")["abi"])

    # ------------------------------------------------------------------ deployment

    @classmethod
    def deploy(cls, w3: Web3, parties: Parties, genesis_root: bytes, window: int = WINDOW,
               response: int = RESPONSE, adjudicator_bond: int = ADJUDICATOR_BOND,
               challenger_bond: int = CHALLENGER_BOND) -> "SettlementChain":
        """A token, a replay implementation and the settlement on ``genesis_root``; the roles
        granted, the adjudicator and the challenger given ten bonds' worth of tokens each (a dev
        chain's: on another chain they bring their own), the adjudicator's bond deposited."""
        from ..chain import _deploy_one
        from .layout import ACCOUNTS_SLOT, PAYEES_SLOT

        admin = _sender(w3, parties.admin)
        a = admin.address
        first = w3.eth.block_number
        token = _deploy_one(w3, admin, "SettlementToken", a, 0)
        replay = _deploy_one(w3, admin, "ClaimReplay")
        settlement = _deploy_one(w3, admin, "OptimisticSettlement", a, 0, token, replay, genesis_root[:28],
                                 ACCOUNTS_SLOT.to_bytes(32, "big"), PAYEES_SLOT.to_bytes(32, "big"), window,
                                 response, adjudicator_bond, challenger_bond)
        out = cls(w3, {"SettlementToken": token, "ClaimReplay": replay, "OptimisticSettlement": settlement},
                  parties, first)
        for role, name in (("adjudicator", "ADJUDICATOR"), ("challenger", "CHALLENGER"), ("treasurer", "TREASURER")):
            out.send("admin", out.contract, "grantRole", chain.ROLES[name], parties.address(role))
        out.send("admin", out.token, "grantRole", chain.ROLES["MINTER"], a)
        for role in ("adjudicator", "challenger", "treasurer"):
            if w3.eth.chain_id in DEV_CHAIN_IDS and role != "treasurer":
                out.send("admin", out.token, "mint", parties.address(role), 10 * adjudicator_bond)
            out.send(role, out.token, "approve", settlement, 2**256 - 1)
        out.send("adjudicator", out.contract, "depositBond")
        return out

    def save(self, run_dir: Path) -> None:
        document = {"chain_id": self.w3.eth.chain_id, "from_block": self.from_block, "addresses": self.addresses}
        path = Path(run_dir) / SETTLEMENT_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomically(path, json.dumps(document, indent=2) + "\n")

    @classmethod
    def load(cls, w3: Web3, run_dir: Path, parties: Parties) -> "SettlementChain":
        path = Path(run_dir) / SETTLEMENT_FILE
        if not path.exists():
            raise OptimisticError(f"{run_dir}: no {SETTLEMENT_FILE}: not a run of --mode optimistic")
        document = json.loads(path.read_text())
        if document["chain_id"] != w3.eth.chain_id:
            raise OptimisticError(f"{path}: chain {document['chain_id']}, but the node is chain {w3.eth.chain_id}")
        out = cls(w3, document["addresses"], parties, document["from_block"])
        if not w3.eth.get_code(out.contract.address):
            raise OptimisticError(f"{path}: no OptimisticSettlement at {out.contract.address} on this node")
        return out

    # ------------------------------------------------------------------ transactions

    def sender(self, role: str) -> TxSender:
        return _sender(self.w3, getattr(self.parties, role))

    def send(self, role: str, contract, fn: str, *args) -> dict:
        """Sends ``fn(*args)`` from ``role`` and waits; a revert is an :class:`OptimisticError`
        naming the custom error (found by a call of the same transaction)."""
        data = contract.encode_abi(fn, args=list(args))
        try:
            getattr(contract.functions, fn)(*args).call({"from": self.parties.address(role), "gas": GAS})
        except Exception as exc:  # noqa: BLE001 - the custom error, decoded below
            raise OptimisticError(f"{fn}: {custom_error(contract, exc)}") from None
        receipt = self.sender(role).transact(contract.address, data, GAS)
        if receipt["status"] != 1:
            raise OptimisticError(f"{fn}: the transaction reverted")
        return receipt

    def post_batch(self, claims: list[bytes], roots: list[bytes]) -> tuple[int, dict]:
        """Posts ``claims`` with the 28-byte root after each; the batch's id and the receipt."""
        receipt = self.send("adjudicator", self.contract, "postBatch", b"".join(claims), list(roots))
        (event,) = self.contract.events.BatchPosted().process_receipt(receipt, errors=DISCARD)
        return event["args"]["batchId"], receipt

    def finalize(self, batch_id: int) -> dict:
        return self.send("adjudicator", self.contract, "finalize", batch_id)

    # ------------------------------------------------------------------ reading

    def batch(self, batch_id: int) -> dict:
        fields = ("leafRoot", "preRoot", "postRoot", "adjudicator", "postedBlock", "status", "count", "validCount",
                  "openChallenges")
        return dict(zip(fields, self.contract.functions.batch(batch_id).call()))

    def batch_count(self) -> int:
        return self.contract.functions.batchCount().call()

    def posted_batches(self, first: int = 1) -> list[PostedBatch]:
        """Every batch from ``first`` on, with its claims and roots read from its posting
        transaction (the data a watcher needs: the chain keeps it as calldata)."""
        events = self.contract.events.BatchPosted().get_logs(from_block=self.from_block)
        out = []
        for event in sorted(events, key=lambda e: e["args"]["batchId"]):
            batch_id = event["args"]["batchId"]
            if batch_id < first:
                continue
            tx = self.w3.eth.get_transaction(event["transactionHash"])
            fn, args = self.contract.decode_function_input(tx["input"])
            if fn.fn_name != "postBatch" or tx["to"] != self.contract.address:
                raise OptimisticError(f"batch {batch_id}: posted by a call this watcher cannot read ({fn.fn_name})")
            state = self.batch(batch_id)
            out.append(PostedBatch(batch_id, state["adjudicator"], list(split_claims(args["claims"])),
                                   [bytes(r) for r in args["roots"]], bytes(state["preRoot"]),
                                   bytes(state["postRoot"]), state["status"], state["validCount"],
                                   state["postedBlock"], event["transactionHash"].to_0x_hex()))
        return out

    # ------------------------------------------------------------------ time

    def wait_blocks(self, until: int, timeout: float = 3600.0, on_poll: Callable[[], object] | None = None) -> None:
        """Until the chain's head is past block ``until``: mined at once on a dev chain (time
        passes there only when someone mines), waited for on any other, ``on_poll()`` called
        every few seconds meanwhile."""
        head = self.w3.eth.block_number
        if head > until:
            return
        if self.w3.eth.chain_id in DEV_CHAIN_IDS:
            if on_poll is not None:  # what the others sent so far is answered before time passes
                on_poll()
            self.w3.provider.make_request("anvil_mine", [hex(until - head + 1)])
            return
        deadline = time.monotonic() + timeout
        while self.w3.eth.block_number <= until:
            if time.monotonic() > deadline:
                raise OptimisticError(f"the chain did not reach block {until + 1} within {timeout:.0f}s")
            if on_poll is not None:
                on_poll()
            time.sleep(POLL_S)

    # ------------------------------------------------------------------ escrow

    def settle(self, tree, npis: list[int], funding_ratio: float = 1.0, chunk: int = 20) -> dict:
        """Funds the escrow with ``funding_ratio`` x what the final root says is owed and not yet
        paid, and pays the providers, ``chunk`` a transaction, each account proven against the
        final root with ``tree`` (which must hold the final state)."""
        from .layout import account_slot, owed, settle_args

        paid_before = {npi: self.contract.functions.paidTo(npi).call() for npi in npis}
        owed_units = sum(max(0, owed(tree.get(account_slot(npi))) * CENT_UNITS - paid_before[npi]) for npi in npis)
        have = self.contract.functions.escrowBalance().call()
        need = max(0, int(owed_units * funding_ratio) - have)
        if need:
            if self.w3.eth.chain_id in DEV_CHAIN_IDS:
                self.send("admin", self.token, "mint", self.parties.address("treasurer"), need)
            self.send("treasurer", self.contract, "fund", need)
        paid = 0
        for at in range(0, len(npis), chunk):
            args = settle_args(tree, npis[at:at + chunk])
            receipt = self.send("treasurer", self.contract, "settle", *args)
            paid += sum(e["args"]["amount"] for e in
                        self.contract.events.ProviderPaid().process_receipt(receipt, errors=DISCARD))
        return {"funded_cents": need // CENT_UNITS, "paid_cents": paid // CENT_UNITS,
                "outstanding_cents": (owed_units - paid) // CENT_UNITS, "providers": len(npis)}


_SENDERS: dict[tuple, TxSender] = {}


def _sender(w3: Web3, key: str) -> TxSender:
    """One sender a key and node for the process: two would each count the key's nonces. A node
    is its URL and the hash of its block 0 (a port that a stopped node held may serve another)."""
    node = w3.__dict__.get("_claimledger_node")
    if node is None:
        node = w3.__dict__["_claimledger_node"] = (getattr(w3.provider, "endpoint_uri", id(w3)),
                                                   bytes(w3.eth.get_block(0)["hash"]))
    if (node, str(key)) not in _SENDERS:
        _SENDERS[node, str(key)] = TxSender(w3, key, window=1)
    return _SENDERS[node, str(key)]


def custom_error(contract, exc: Exception) -> str:
    """The name and arguments of the custom error in ``exc`` (a reverted call), else its text."""
    data = getattr(exc, "data", None)
    if isinstance(data, str) and data.startswith("0x") and len(data) >= 10:
        from eth_abi import decode
        from eth_utils import keccak

        for item in contract.abi:
            if item.get("type") != "error":
                continue
            types = [i["type"] for i in item["inputs"]]
            if keccak(text=f"{item['name']}({','.join(types)})")[:4].hex() == data[2:10]:
                values = decode(types, bytes.fromhex(data[10:]))
                shown = ", ".join(v.hex() if isinstance(v, bytes) else str(v) for v in values)
                return f"{item['name']}({shown})"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
