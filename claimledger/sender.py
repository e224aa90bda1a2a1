"""Signed transactions with our own nonces, a bounded window of them in flight.

brownie sends one transaction and waits; a replay cannot. :class:`TxSender` signs locally
(eth-account, fast with coincurve), numbers nonces itself and keeps at most ``window``
transactions unconfirmed, collecting receipts in nonce order.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any, Callable

from eth_account import Account
from web3 import Web3


class TxFailed(RuntimeError):
    """A transaction reverted or could not be sent."""


@dataclass
class Sent:
    tx_hash: bytes
    tag: Any  # the caller's handle on what this transaction carried


class TxSender:
    """Signs and sends transactions from one key, pipelined, receipts in order."""

    def __init__(self, w3: Web3, private_key: str, window: int = 32, gas_price: int | None = None):
        self.w3 = w3
        self.account = Account.from_key(private_key)
        self.address = self.account.address
        self.chain_id = w3.eth.chain_id
        self.nonce = w3.eth.get_transaction_count(self.address, "pending")
        self.window = window
        self.gas_price = w3.eth.gas_price if gas_price is None else gas_price
        self.block_gas_limit = w3.eth.get_block("latest")["gasLimit"]
        self._in_flight: deque[Sent] = deque()

    def sign(self, to: str | None, data: bytes | str, gas: int, value: int = 0) -> bytes:
        tx = {
            "chainId": self.chain_id, "nonce": self.nonce, "gas": min(gas, self.block_gas_limit), "gasPrice": self.gas_price,
            "value": value, "data": data,
        }
        if to is not None:
            tx["to"] = to
        self.nonce += 1
        return self.account.sign_transaction(tx).raw_transaction

    def send(self, to: str | None, data: bytes | str, gas: int, tag: Any = None, value: int = 0,
             on_receipt: Callable[[dict, Any], None] | None = None) -> None:
        """Queue one transaction; receipts of earlier ones are handed to ``on_receipt`` as the
        window fills."""
        raw = self.sign(to, data, gas, value)
        tx_hash = self.w3.eth.send_raw_transaction(raw)
        self._in_flight.append(Sent(tx_hash, tag))
        while len(self._in_flight) > self.window:
            self._settle_one(on_receipt)

    def flush(self, on_receipt: Callable[[dict, Any], None] | None = None) -> None:
        """Wait for every transaction in flight."""
        while self._in_flight:
            self._settle_one(on_receipt)

    def transact(self, to: str | None, data: bytes | str, gas: int, value: int = 0) -> dict:
        """Send one transaction and wait for its receipt (for setup steps)."""
        self.flush()
        receipts: list[dict] = []
        self.send(to, data, gas, value=value)
        self.flush(lambda receipt, _tag: receipts.append(receipt))
        return receipts[0]

    def _settle_one(self, on_receipt) -> None:
        sent = self._in_flight.popleft()
        receipt = self.w3.eth.wait_for_transaction_receipt(sent.tx_hash, timeout=600, poll_latency=0.01)
        if receipt["status"] != 1:
            raise TxFailed(f"transaction {sent.tx_hash.hex()} reverted ({_describe(sent.tag)})")
        if on_receipt is not None:
            on_receipt(receipt, sent.tag)


def _describe(tag: Any) -> str:
    if tag is None:
        return "setup"
    return str(tag)[:200]
