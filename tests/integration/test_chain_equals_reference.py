"""The contracts and the reference model decide every line alike (A-1 to A-9)."""
import filecmp

import pytest
from brownie import web3

from claimledger.pipeline import adjudicate_on_chain, adjudicate_reference

from tests.conftest import EXAMPLES


@pytest.fixture
def rpc_url():
    return web3.provider.endpoint_uri


def same_files(a, b, names=("results.csv", "rejects.csv")):
    return all(filecmp.cmp(a / n, b / n, shallow=False) for n in names)


def test_reference_reproduces_the_basic_example_exactly(tmp_path):
    adjudicate_reference(EXAMPLES / "basic", tmp_path)
    assert (tmp_path / "results.csv").read_bytes() == (EXAMPLES / "basic" / "expected_results.csv").read_bytes()
    assert (tmp_path / "rejects.csv").read_bytes() == (EXAMPLES / "basic" / "expected_rejects.csv").read_bytes()


def test_chain_reproduces_the_basic_example_exactly(tmp_path, rpc_url):
    result = adjudicate_on_chain(EXAMPLES / "basic", tmp_path, rpc=rpc_url)
    assert (tmp_path / "results.csv").read_bytes() == (EXAMPLES / "basic" / "expected_results.csv").read_bytes()
    assert (tmp_path / "rejects.csv").read_bytes() == (EXAMPLES / "basic" / "expected_rejects.csv").read_bytes()
    # what was paid net of the reversals is what the escrow paid out, nothing outstanding
    assert result.settlement["outstanding_cents"] == 0
    assert result.settlement["paid_cents"] == 67_00 + 106_00 + 137_20 + 22_80


@pytest.mark.parametrize("seed,batch", [(11, 25), (12, 1)])
def test_chain_equals_reference_on_synthetic_claims(tmp_path, rpc_url, seed, batch):
    from claimledger.synth import SynthConfig, generate

    scenario = tmp_path / "scenario"
    generate(scenario, SynthConfig(claims=150, seed=seed, denial_mix=0.2, duplicate_rate=0.05,
                                   resubmit_rate=0.03, correction_rate=0.08, reject_rate=0.02))
    adjudicate_on_chain(scenario, tmp_path / "chain", rpc=rpc_url, batch_claims=batch)
    adjudicate_reference(scenario, tmp_path / "reference")
    assert same_files(tmp_path / "chain", tmp_path / "reference")
