"""Signed transactions with our own nonces, a bounded window of them in flight.

brownie sends one transaction and waits; a replay cannot. :class:`TxSender` signs locally
(eth-account, fast with coincurve), numbers nonces itself and keeps at most ``window``
transactions unconfirmed, collecting receipts in nonce order.

On a live chain it also (see :mod:`claimledger.fees` for the prices):
- replaces a transaction that has waited ``replace_after_s`` without a receipt by one at the
  same nonce with raised fees (a free one is sent again as it was);
- hands a receipt over only once its block has ``confirmations`` blocks (itself included; 1:
  as soon as it is mined, the dev path) and is still the chain's block at that height: a
  transaction whose block went away (a reorg) is looked for again and, if the new chain does
  not have it, sent again with every later one, so nothing is lost; the engine makes a claim
  it knows a no-op (A-3), so nothing counts twice. A reorg deeper than ``confirmations`` after
  a receipt was handed over is not seen: choose the depth the chain can reorg.
The settings of every sender a command creates come from :func:`configure`.

A nonce this sender numbered may be taken by another: the same key sending from another host
(R-47's lock is a file on one machine). The node then refuses our transaction at that nonce
("nonce too low", "replacement transaction underpriced"), or ours, taken into the pool, is
displaced by the other one and never mined. Either way the sender ends within seconds with
:class:`NonceTaken` (R-51), never waiting for a receipt that cannot come: a transaction of ours
the node does not have while it counts a transaction of the address at our nonce, or no
receipt for any form of ours while the chain's count of the address is past our nonce (each
seen twice, ``TAKEN_RECHECK_S`` apart).
"""
from __future__ import annotations

import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from eth_account import Account
from hexbytes import HexBytes
from web3 import Web3

from .fees import Fees, FeePolicy
from .keylock import hold_key
from .rpc import NodeUnreachable

REPLACE_AFTER_S = 60.0  # a transaction without a receipt this long is replaced (or sent again)
RECEIPT_TIMEOUT_S = 600.0
FEE_REFRESH_S = 5.0  # how old a fee quote may be on a chain that charges for gas
POLL_S = 0.005
BLOCK_POLL_S = 0.05
IDLE_MINE_S = 0.05  # a dev node whose tip stood still this long gets an empty block from a waiting sender
DEV_CLIENTS = ("anvil", "hardhatnetwork")  # web3_clientVersion prefixes of nodes that mine on request
LOST_CHECK_S = 1.0  # how often a transaction waited for is looked for in the node's pool
# a nonce seen taken by another transaction is believed only if it still is this much later: a dev
# node may count the transactions of a block it has just mined before their receipts are there
TAKEN_RECHECK_S = 5.0


class TxFailed(RuntimeError):
    """A transaction reverted or could not be sent."""


class NonceTaken(TxFailed):
    """Another sender's transaction holds one of this sender's nonces (R-51): ours can never be
    mined. One line naming the nonce and the key."""


@dataclass(frozen=True)
class SendSettings:
    """How every sender of a command treats the chain: fees, confirmations, replacement."""

    fees: FeePolicy = field(default_factory=FeePolicy)
    confirmations: int = 1
    replace_after_s: float = REPLACE_AFTER_S


_settings = SendSettings()


def configure(settings: SendSettings) -> None:
    """The settings of every :class:`TxSender` created from now on (a command sets them once)."""
    global _settings
    if settings.confirmations < 1:
        raise ValueError("--confirmations must be at least 1 (1: as soon as the transaction is mined)")
    _settings = settings


@contextmanager
def configured(settings: SendSettings) -> Iterator[None]:
    previous = _settings
    configure(settings)
    try:
        yield
    finally:
        configure(previous)


@dataclass
class Sent:
    tx_hash: bytes  # the newest form sent at this nonce
    tag: Any  # the caller's handle on what this transaction carried
    tx: dict | None = None  # the unsigned fields, to sign a replacement
    raw: bytes = b""  # the newest signed form, to send again
    fees: Fees | None = None
    sent_at: float = 0.0
    hashes: list[bytes] = field(default_factory=list)  # every form sent at this nonce
    receipt: dict | None = None  # mined, waiting for its confirmations


@dataclass
class SenderStats:
    replaced: int = 0  # transactions replaced with raised fees (or sent again, free ones)
    resent: int = 0  # transactions sent again because a reorg dropped their block


class TxSender:
    """Signs and sends transactions from one key, pipelined, receipts in order."""

    def __init__(self, w3: Web3, private_key: str, window: int = 32, gas_price: int | None = None,
                 settings: SendSettings | None = None):
        settings = settings or _settings
        if gas_price is not None:
            settings = SendSettings(FeePolicy(settings.fees.max_fee, gas_price), settings.confirmations,
                                    settings.replace_after_s)
        self.w3 = w3
        self.account = Account.from_key(private_key)
        self.address = self.account.address
        self.chain_id = w3.eth.chain_id
        self.lock = hold_key(self, w3, self.chain_id, self.address)  # before the first nonce is read
        self.nonce = w3.eth.get_transaction_count(self.address, "pending")
        self.window = window
        self.policy = settings.fees
        self.confirmations = settings.confirmations
        self.replace_after_s = settings.replace_after_s
        # a dev node that mines only when a transaction comes would never confirm the last ones
        self._mine_idle = self.confirmations > 1 and _is_dev_client(w3)
        self.fees = self.policy.quote(w3)
        self._fees_at = time.monotonic()
        self.block_gas_limit = w3.eth.get_block("latest")["gasLimit"]
        self.stats = SenderStats()
        self._in_flight: deque[Sent] = deque()

    @property
    def gas_price(self) -> int:
        """The legacy gas price offered (the EIP-1559 fee cap on a chain with a base fee)."""
        return self.fees.max_fee if self.fees.dynamic else self.fees.gas_price or 0

    def _tx(self, to: str | None, data: bytes | str, gas: int, value: int) -> dict:
        if not self.fees.free and time.monotonic() - self._fees_at > FEE_REFRESH_S:
            self.fees, self._fees_at = self.policy.quote(self.w3), time.monotonic()
        tx = {"chainId": self.chain_id, "nonce": self.nonce, "gas": min(gas, self.block_gas_limit),
              **self.fees.fields(), "value": value, "data": data}
        if to is not None:
            tx["to"] = to
        self.nonce += 1
        return tx

    def sign(self, to: str | None, data: bytes | str, gas: int, value: int = 0) -> bytes:
        return self.account.sign_transaction(self._tx(to, data, gas, value)).raw_transaction

    def send(self, to: str | None, data: bytes | str, gas: int, tag: Any = None, value: int = 0,
             on_receipt: Callable[[dict, Any], None] | None = None) -> None:
        """Queue one transaction; receipts of earlier ones are handed to ``on_receipt`` as soon
        as they are there (up to two per send, so that handling a block's worth of receipts
        never stops sending for long) and, when the window is full, waited for."""
        tx = self._tx(to, data, gas, value)
        raw = self.account.sign_transaction(tx).raw_transaction
        tx_hash = self._send_new(raw, tx["nonce"])
        self._in_flight.append(Sent(tx_hash, tag, tx, raw, self.fees, time.monotonic(), [tx_hash]))
        for _ in range(2):
            if not (self._in_flight and self._settle_one(on_receipt, wait=False)):
                break
        while len(self._in_flight) > self.window:
            self._settle_one(on_receipt)

    def _send_new(self, raw: bytes, nonce: int) -> bytes:
        """Sends a newly signed transaction; its hash. An answer lost on the way is asked
        again with the same bytes (:mod:`claimledger.rpc`), so the node may say it knows the
        transaction already, or that its nonce is used (it mined it): either is a send if the
        node has it. Never signed again at another nonce: that would send it twice."""
        tx_hash = Web3.keccak(raw)
        try:
            self.w3.eth.send_raw_transaction(raw)
        except NodeUnreachable:
            raise
        except Exception as exc:  # noqa: BLE001 - the node's refusal: "already known", "nonce too low", ...
            if not self._known(tx_hash):
                if self._nonce_taken(nonce, [tx_hash]):  # the node has another transaction at our nonce
                    raise self._taken(nonce, tx_hash) from None
                reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else exc.__class__.__name__
                raise TxFailed(f"the node refused transaction {tx_hash.hex()} of {self.address} at nonce {nonce}: "
                               f"{reason}") from None
        return tx_hash

    def flush(self, on_receipt: Callable[[dict, Any], None] | None = None) -> None:
        """Wait for every transaction in flight."""
        while self._in_flight:
            self._settle_one(on_receipt)

    def transact(self, to: str | None, data: bytes | str, gas: int, value: int = 0) -> dict:
        """Send one transaction and wait for its receipt (for setup steps)."""
        self.flush()
        receipts: list[dict] = []
        collect = lambda receipt, _tag: receipts.append(receipt)  # noqa: E731
        self.send(to, data, gas, value=value, on_receipt=collect)
        self.flush(collect)
        return receipts[0]

    def _settle_one(self, on_receipt, wait: bool = True) -> bool:
        """Hands the oldest transaction's receipt over, once mined and confirmed; without
        ``wait``, only if it is there already."""
        sent = self._in_flight[0]
        if sent.receipt is None:
            sent.receipt = self._find_receipt(sent) if not wait else self._wait_receipt(sent)
            if sent.receipt is None:
                return False
        if self.confirmations > 1 and not self._confirmed(sent, wait):
            return False
        self._in_flight.popleft()
        receipt = sent.receipt
        if receipt["status"] != 1:
            raise TxFailed(f"transaction {bytes(sent.tx_hash).hex()} reverted ({_describe(sent.tag)})")
        if on_receipt is not None:
            on_receipt(receipt, sent.tag)
        return True

    # ------------------------------------------------------------------ waiting, replacing

    def _find_receipt(self, sent: Sent) -> dict | None:
        for tx_hash in reversed(sent.hashes):
            receipt = self._receipt(tx_hash)
            if receipt is not None:
                return receipt
        return None

    def _wait_receipt(self, sent: Sent) -> dict:
        """The receipt of ``sent``, waited for. A transaction the node no longer knows (a reorg
        dropped the block it was in, and the node did not take it back into its pool) is sent
        again at once, with every later one; one the node holds for ``replace_after_s`` is
        replaced (:meth:`_replace_waiting`)."""
        deadline = time.monotonic() + RECEIPT_TIMEOUT_S
        known_checked = time.monotonic()
        while True:
            receipt = self._find_receipt(sent)
            if receipt is not None:
                return receipt
            now = time.monotonic()
            if now > deadline:
                capped = f" (the fee cap allows {self.fees.describe()})" if self.policy.max_fee else ""
                raise TxFailed(f"no receipt for {bytes(sent.tx_hash).hex()} within {RECEIPT_TIMEOUT_S:.0f} s{capped}")
            if now - known_checked >= LOST_CHECK_S:
                known_checked = now
                if self._nonce_taken(sent.tx["nonce"], sent.hashes):
                    raise self._taken(sent.tx["nonce"], sent.tx_hash)
                if not any(self._known(h) for h in sent.hashes):
                    self._send_again_from(sent)
                    continue
            if now - sent.sent_at >= self.replace_after_s:
                self._replace_waiting()
            time.sleep(POLL_S)

    def _nonce_taken(self, nonce: int, hashes: list[bytes]) -> bool:
        """Whether a transaction not ours holds ``nonce``: the chain has mined past it and no form
        of ours has a receipt, or the node counts a transaction there (mined or pooled) and knows
        no form of ours. Believed only if it still holds ``TAKEN_RECHECK_S`` later: anvil was seen
        to count a block's transactions before it had their receipts (twice in seven runs of the
        real-full-disk test, the first look falling as a block of twenty claim batches was mined)."""
        for look in range(2):
            if look:
                time.sleep(TAKEN_RECHECK_S)
            mined_past = self._count("latest") > nonce and not any(self._receipt(h) for h in hashes)
            if not (mined_past or self._count("pending") > nonce and not any(self._known(h) for h in hashes)):
                return False
        return True

    def _count(self, block: str) -> int:
        """The node's count of this address's transactions, mined (``latest``) or with its pool (``pending``)."""
        return self.w3.eth.get_transaction_count(self.address, block)

    def _taken(self, nonce: int, tx_hash: bytes) -> NonceTaken:
        return NonceTaken(f"nonce {nonce} of key {self.address} was taken by another sender (R-47's lock holds on one "
                          f"host only: is this key in use on another?); transaction 0x{bytes(tx_hash).hex()} can never "
                          f"be mined; once the other sender is done, run the command again (adjudicate: with --resume)")

    def _known(self, tx_hash: bytes) -> bool:
        """Whether the node has the transaction, mined or in its pool."""
        return self.w3.provider.make_request("eth_getTransactionByHash", ["0x" + bytes(tx_hash).hex()]).get("result") is not None

    def _replace_waiting(self) -> None:
        """Every transaction in flight that waited too long and is not mined goes again at its
        nonce: with raised fees, or as it was if it is free or the cap allows no raise."""
        now = time.monotonic()
        fresh = self.policy.quote(self.w3)
        self.fees, self._fees_at = fresh, now
        for sent in self._in_flight:
            if sent.receipt is not None or now - sent.sent_at < self.replace_after_s:
                continue
            bumped = None if sent.fees.free else self.policy.bumped(sent.fees, fresh)
            if bumped is None:
                self._send_again(sent.raw)
            else:
                tx = {k: v for k, v in sent.tx.items() if k not in ("gasPrice", "maxFeePerGas", "maxPriorityFeePerGas", "type")}
                raw = self.account.sign_transaction({**tx, **bumped.fields()}).raw_transaction
                if self._send_again(raw):
                    sent.raw, sent.fees, sent.tx_hash = raw, bumped, Web3.keccak(raw)
                    sent.hashes.append(sent.tx_hash)
            sent.sent_at = now
            self.stats.replaced += 1

    def _send_again(self, raw: bytes) -> bool:
        """Sends a signed transaction again; False if the node refuses it (it knows it, or its
        nonce is used: its receipt will tell)."""
        try:
            self.w3.eth.send_raw_transaction(raw)
            return True
        except Exception:  # noqa: BLE001 - "already known", "nonce too low", "underpriced"
            return False

    # ------------------------------------------------------------------ confirmations, reorgs

    def _confirmed(self, sent: Sent, wait: bool) -> bool:
        """True once ``sent``'s block has ``confirmations`` blocks and is still on the chain;
        a block that went away sends its transactions again (see the module's docstring)."""
        deadline = time.monotonic() + RECEIPT_TIMEOUT_S
        request = self.w3.provider.make_request
        last_tip, tip_since = -1, time.monotonic()
        while True:
            number = sent.receipt["blockNumber"]
            tip = int(request("eth_blockNumber", [])["result"], 16)
            if tip != last_tip:
                last_tip, tip_since = tip, time.monotonic()
            elif wait and self._mine_idle and time.monotonic() - tip_since > IDLE_MINE_S:
                request("evm_mine", [])
            deep_enough = tip >= number + self.confirmations - 1
            if deep_enough or wait:
                block = request("eth_getBlockByNumber", [hex(number), False]).get("result")
                if block is None or block["hash"].lower() != str(sent.receipt["blockHash"]).lower():
                    self._reorged(sent)
                    if not wait:
                        return False
                    sent.receipt = self._wait_receipt(sent)
                    continue
                if deep_enough:
                    return True
            if not wait:
                return False
            if time.monotonic() > deadline:
                raise TxFailed(f"block {number} got no {self.confirmations - 1} blocks on top within "
                               f"{RECEIPT_TIMEOUT_S:.0f} s (--confirmations {self.confirmations})")
            time.sleep(BLOCK_POLL_S)

    def _reorged(self, sent: Sent) -> None:
        """``sent``'s block went away. If the chain has it in another block, that receipt
        counts; else it and every later transaction are sent again, in nonce order."""
        receipt = self._find_receipt(sent)
        if receipt is not None and receipt["blockHash"] != sent.receipt["blockHash"]:
            sent.receipt = receipt
            return
        self._send_again_from(sent)

    def _send_again_from(self, sent: Sent) -> None:
        """Sends ``sent`` and every later transaction again as they were signed, in nonce
        order (the node ignores those it has); their receipts are read anew."""
        now = time.monotonic()
        at = self._in_flight.index(sent)
        for later in list(self._in_flight)[at:]:
            later.receipt = None
            self._send_again(later.raw)
            later.sent_at = now
            self.stats.resent += 1

    def _receipt(self, tx_hash: bytes) -> dict | None:
        """The receipt, fetched raw (one request; None if not mined)."""
        raw = self.w3.provider.make_request("eth_getTransactionReceipt", ["0x" + bytes(tx_hash).hex()]).get("result")
        return None if raw is None else receipt_of(raw)


def receipt_of(raw: dict) -> dict:
    """A receipt as the node sent it, made usable without web3's result formatters (they cost
    more than the node's work at replay rates): numbers become ints, topics and data bytes; the
    rest stays as sent."""
    receipt = dict(raw)
    for key in ("status", "gasUsed", "blockNumber", "transactionIndex"):
        receipt[key] = int(raw[key], 16)
    receipt["transactionHash"] = HexBytes(raw["transactionHash"])
    if raw.get("contractAddress"):
        receipt["contractAddress"] = Web3.to_checksum_address(raw["contractAddress"])
    receipt["logs"] = [
        {**log, "topics": [HexBytes(t) for t in log["topics"]], "data": HexBytes(log["data"]),
         "logIndex": int(log["logIndex"], 16), "blockNumber": int(log["blockNumber"], 16),
         "transactionIndex": int(log["transactionIndex"], 16),
         "transactionHash": HexBytes(log["transactionHash"]), "blockHash": HexBytes(log["blockHash"]),
         "address": Web3.to_checksum_address(log["address"])}
        for log in raw["logs"]
    ]
    return receipt


def _is_dev_client(w3: Web3) -> bool:
    try:
        version = w3.provider.make_request("web3_clientVersion", []).get("result") or ""
    except Exception:  # noqa: BLE001 - a node that does not say is no dev node we know
        return False
    return version.lower().startswith(DEV_CLIENTS)


def _describe(tag: Any) -> str:
    if tag is None:
        return "setup"
    return str(tag)[:200]
