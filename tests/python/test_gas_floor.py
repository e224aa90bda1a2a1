"""benchmarks/gas_floor.py's probe is a floor of the same work: it prices the bench's claims as
the rules do (the reference model), so its gas per claim is that of approved, paid lines."""
import importlib.util
from pathlib import Path

import pytest

from claimledger.bench import bench_claims, bench_scenario
from claimledger.node import AnvilNode, connect, dev_private_keys
from claimledger.records import LineStatus
from claimledger.reference import adjudicate_scenario
from claimledger.sender import TxSender

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "gas_floor.py"
MEMBERS = 8  # two families of four


@pytest.fixture(scope="module")
def gas_floor():
    spec = importlib.util.spec_from_file_location("gas_floor", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_probe_packs_a_claim_into_106_bytes(gas_floor):
    claim = bench_claims("P", 1, MEMBERS)[0]
    packed = gas_floor.pack(claim)
    assert len(packed) == 106
    assert int.from_bytes(packed[90:98], "big") == claim.lines[0].billed


def test_probe_prices_the_bench_claims_as_the_reference_does(gas_floor):
    """Two batches for the same members and families: the second meets accumulators the first
    left, as the measured batch of gas_floor.py does."""
    claims = bench_claims("P", 4 * MEMBERS, MEMBERS)
    expected, rejects, _ = adjudicate_scenario(bench_scenario(MEMBERS), claims)
    assert not rejects and all(r.status == LineStatus.APPROVED for r in expected)
    with AnvilNode(accounts=1) as node:
        w3 = connect(node.url)
        probe = gas_floor.Probe(w3, TxSender(w3, dev_private_keys(1)[0]), MEMBERS)
        half = len(claims) // 2
        outcomes = probe.outcomes(probe.submit(claims[:half])) + probe.outcomes(probe.submit(claims[half:]))
    assert outcomes == [(r.allowed, r.deductible, r.copay, r.coinsurance) for r in expected]
