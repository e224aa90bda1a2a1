"""The bench counts only approved claims: a receipt with any other line status stops it."""
from types import SimpleNamespace

import pytest
from eth_abi import encode
from hexbytes import HexBytes

from claimledger import chain
from claimledger.bench import approved_lines
from claimledger.events import EventDecoder

ENGINE = SimpleNamespace(address="0x" + "11" * 20, abi=chain.artifact("IClaimsEngine")["abi"])


def _claim_log(*statuses: int) -> dict:
    """A ClaimAccepted log whose lines have ``statuses`` (line word bits 8-15)."""
    words = []
    for number, status in enumerate(statuses, start=1):
        words += [number | status << 8, 0]
    data = encode(["uint256", "uint256[]"], [0, words])
    topic = EventDecoder(ENGINE).topic("ClaimAccepted")
    return {"address": ENGINE.address, "topics": [HexBytes(topic), HexBytes(b"\1" * 32), HexBytes(b"\0" * 32)],
            "data": HexBytes(data)}


def test_approved_lines_counts_approved_lines_and_refuses_any_other():
    count = approved_lines(ENGINE)
    assert count({"logs": [_claim_log(1), _claim_log(1, 1)]}) == 3
    with pytest.raises(RuntimeError, match="not approved"):
        count({"logs": [_claim_log(1), _claim_log(1, 2)]})  # a denied line
