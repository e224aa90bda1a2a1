"""Signed transactions with our own nonces, a bounded window of them in flight.

brownie sends one transaction and waits; a replay cannot. :class:`TxSender` signs locally
(eth-account, fast with coincurve), numbers nonces itself and keeps at most ``window``
transactions unconfirmed, collecting receipts in nonce order.
"""
from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable

from eth_account import Account
from hexbytes import HexBytes
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
        """Queue one transaction; receipts of earlier ones are handed to ``on_receipt`` as soon
        as they are there (up to two per send, so that handling a block's worth of receipts
        never stops sending for long) and, when the window is full, waited for."""
        raw = self.sign(to, data, gas, value)
        tx_hash = self.w3.eth.send_raw_transaction(raw)
        self._in_flight.append(Sent(tx_hash, tag))
        for _ in range(2):
            if not (self._in_flight and self._settle_one(on_receipt, wait=False)):
                break
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
        collect = lambda receipt, _tag: receipts.append(receipt)  # noqa: E731
        self.send(to, data, gas, value=value, on_receipt=collect)
        self.flush(collect)
        return receipts[0]

    def _settle_one(self, on_receipt, wait: bool = True) -> bool:
        """Hands the oldest transaction's receipt over; without ``wait``, only if it is there."""
        receipt = self._receipt(self._in_flight[0].tx_hash, timeout=600.0 if wait else None)
        if receipt is None:
            return False
        sent = self._in_flight.popleft()
        if receipt["status"] != 1:
            raise TxFailed(f"transaction {sent.tx_hash.hex()} reverted ({_describe(sent.tag)})")
        if on_receipt is not None:
            on_receipt(receipt, sent.tag)
        return True


    def _receipt(self, tx_hash: bytes, timeout: float | None = 600.0) -> dict | None:
        """The receipt, fetched raw: web3's result formatters cost more than the node's work
        at replay rates. Numbers become ints, topics and data bytes; the rest stays as sent.
        With ``timeout`` None it asks once and returns None if the transaction is not mined."""
        deadline = time.monotonic() + (timeout or 0.0)
        request = self.w3.provider.make_request
        while True:
            raw = request("eth_getTransactionReceipt", ["0x" + bytes(tx_hash).hex()]).get("result")
            if raw is not None:
                break
            if timeout is None:
                return None
            if time.monotonic() > deadline:
                raise TxFailed(f"no receipt for {bytes(tx_hash).hex()} within {timeout:.0f} s")
            time.sleep(0.005)
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


def _describe(tag: Any) -> str:
    if tag is None:
        return "setup"
    return str(tag)[:200]
