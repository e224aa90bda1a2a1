"""The bench counts only approved claims: a receipt with any other line status stops it."""
from types import SimpleNamespace

import pytest
from eth_abi import encode
from hexbytes import HexBytes

from claimledger import chain
from claimledger.bench import approved_lines

ENGINE = SimpleNamespace(address="0x" + "11" * 20, abi=chain.artifact("ClaimsEngine")["abi"])


def _line_log(status: int) -> dict:
    topic, _ = chain.EventDecoder(ENGINE).static_field("LineAdjudicated", "status")
    data = encode(["uint8", "uint8", "bytes8", "uint64", "uint64", "uint64", "uint64", "uint64", "uint32"],
                  [1, status, b"\0" * 8, 120_00, 92_00, 0, 25_00, 0, 1])
    return {"address": ENGINE.address, "topics": [HexBytes(topic), HexBytes(b"\1" * 32)], "data": HexBytes(data)}


def test_approved_lines_counts_approved_lines_and_refuses_any_other():
    count = approved_lines(ENGINE)
    assert count({"logs": [_line_log(1), _line_log(1)]}) == 2
    with pytest.raises(RuntimeError, match="not approved"):
        count({"logs": [_line_log(1), _line_log(2)]})  # a denied line
