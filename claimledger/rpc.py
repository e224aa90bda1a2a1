"""The HTTP connection to a node: requests that got no answer are sent again, and a node that
stays silent is one line, not a traceback.

web3's HTTPProvider retries only the methods it knows to be reads; a dropped answer to
``eth_sendRawTransaction`` raised, and the replay died though the node might hold the
transaction. Sending signed bytes again is harmless (same hash: the node takes it or says it
knows it, see :meth:`claimledger.sender.TxSender.send`), and so is every other request
claimledger makes (reads, ``evm_mine`` of an empty block, balances set to a value), so every
method is retried here: a connection refused, reset or closed without an answer, an HTTP
error status (a proxy's 502) or a timeout, ``RETRIES`` times with a doubling pause. After
that :class:`NodeUnreachable` says which node and what was asked.
"""
from __future__ import annotations

import time
from typing import Any

import requests
from web3 import HTTPProvider
from web3.providers.rpc.utils import ExceptionRetryConfiguration

RETRIES = 6
BACKOFF_S = 0.1  # 0.1, 0.2, 0.4, 0.8, 1.6 s between the tries: a node that restarts has ~3 s
# web3 retries a method whose name or namespace (before the first "_") is listed
EVERY_NAMESPACE = ["eth", "evm", "net", "web3", "anvil", "hardhat", "debug", "txpool"]
TRANSPORT_ERRORS = (ConnectionError, requests.ConnectionError, requests.HTTPError, requests.Timeout)


class NodeUnreachable(RuntimeError):
    """The node gave no answer after every retry: one-line reason."""


class RetryingProvider(HTTPProvider):
    """An HTTPProvider that retries every method on transport errors (see the module)."""

    def __init__(self, url: str, timeout: float, retries: int = RETRIES):
        super().__init__(url, request_kwargs={"timeout": timeout}, exception_retry_configuration=ExceptionRetryConfiguration(
            errors=TRANSPORT_ERRORS, retries=retries, backoff_factor=BACKOFF_S, method_allowlist=EVERY_NAMESPACE))

    def make_request(self, method: Any, params: Any) -> Any:
        started = time.monotonic()
        try:
            return super().make_request(method, params)
        except TRANSPORT_ERRORS as exc:
            raise self._unreachable(str(method), exc, started) from None

    def make_batch_request(self, batch_requests: list) -> Any:
        """Several requests in one HTTP round trip, retried as a whole like one request (web3
        retries no batch)."""
        started = time.monotonic()
        retries = self.exception_retry_configuration.retries
        for attempt in range(retries + 1):
            try:
                return super().make_batch_request(batch_requests)
            except TRANSPORT_ERRORS as exc:
                if attempt == retries:
                    methods = ", ".join(sorted({str(method) for method, _ in batch_requests}))
                    raise self._unreachable(f"a batch of {methods}", exc, started) from None
                time.sleep(BACKOFF_S * 2 ** attempt)

    def _unreachable(self, what: str, exc: BaseException, started: float) -> NodeUnreachable:
        return NodeUnreachable(
            f"the node at {self.endpoint_uri} does not answer ({what}: {_reason(exc)}; "
            f"{self.exception_retry_configuration.retries} tries in {time.monotonic() - started:.1f} s); "
            f"once it is back, run the command again (adjudicate: with --resume)")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return f"HTTP {exc.response.status_code}"
    if isinstance(exc, requests.Timeout):
        return "timed out"
    text = str(exc)
    for known in ("Connection refused", "Connection reset", "Connection aborted", "RemoteDisconnected"):
        if known in text:
            return known.lower()
    return exc.__class__.__name__
