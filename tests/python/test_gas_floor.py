"""The gas floor probe (claimledger.probe, contracts/bench/GasFloorProbe.sol) is a floor of the same work: it prices the bench's claims as
the rules do (the reference model), so its gas per claim is that of approved, paid lines, and it
finds a duplicate line (A-4.8) with either layout of its duplicate index."""
import dataclasses
from types import SimpleNamespace

import pytest

from claimledger.bench import bench_claims, bench_scenario
from claimledger.node import AnvilNode, connect, dev_private_keys
from claimledger.records import LineStatus
from claimledger.reference import adjudicate_scenario
from claimledger.sender import TxFailed, TxSender

MEMBERS = 8  # two families of four
# a slot per duplicate key; fingerprints in a table of 40 buckets of four, empty or 3/4 full
LAYOUTS = [(0, 0), (40, 0), (40, 3)]


@pytest.fixture(scope="module")
def gas_floor():
    from claimledger import probe

    return SimpleNamespace(pack=probe.pack, Probe=probe.Probe)


def test_probe_packs_a_claim_into_106_bytes(gas_floor):
    claim = bench_claims("P", 1, MEMBERS)[0]
    packed = gas_floor.pack(claim)
    assert len(packed) == 106
    assert int.from_bytes(packed[90:98], "big") == claim.lines[0].billed


@pytest.fixture(scope="module")
def node():
    with AnvilNode(accounts=1) as n:
        yield n


@pytest.mark.parametrize("buckets, load", LAYOUTS)
def test_probe_prices_the_bench_claims_as_the_reference_does(gas_floor, node, buckets, load):
    """Two batches for the same members and families: the second meets accumulators the first
    left, as the measured batch of gas_floor.py does. 32 lines more in a table 3/4 full (120 of
    160 places) also make the table look past full buckets."""
    claims = bench_claims("P", 4 * MEMBERS, MEMBERS)
    expected, rejects, _ = adjudicate_scenario(bench_scenario(MEMBERS), claims)
    assert not rejects and all(r.status == LineStatus.APPROVED for r in expected)
    w3 = connect(node.url)
    probe = gas_floor.Probe(w3, TxSender(w3, dev_private_keys(1)[0]), MEMBERS, buckets, load)
    half = len(claims) // 2
    outcomes = probe.outcomes(probe.submit(claims[:half])) + probe.outcomes(probe.submit(claims[half:]))
    assert outcomes == [(r.allowed, r.deductible, r.copay, r.coinsurance) for r in expected]


@pytest.mark.parametrize("buckets, load", LAYOUTS)
def test_probe_refuses_a_line_billed_again_under_another_claim_id(gas_floor, node, buckets, load):
    claims = bench_claims("Q", 2 * MEMBERS, MEMBERS)
    w3 = connect(node.url)
    probe = gas_floor.Probe(w3, TxSender(w3, dev_private_keys(1)[0]), MEMBERS, buckets, load)
    probe.submit(claims)
    again = dataclasses.replace(claims[5], claim_id="Q-AGAIN")
    with pytest.raises(TxFailed):
        probe.submit([again])
    line = claims[5].lines[0]
    a_cent_more = dataclasses.replace(claims[5], claim_id="Q-OTHER", lines=(dataclasses.replace(line, billed=line.billed + 1),))
    assert len(probe.outcomes(probe.submit([a_cent_more]))) == 1  # not the same line: no false duplicate
