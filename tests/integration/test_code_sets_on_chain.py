"""A-10.1/A-10.2 end to end: ICD-9-CM diagnoses and dx_prefixes go on chain as '#' + code, so
the engine's bytewise prefix match never crosses code sets; the chain and the reference model
give the sample's expected files byte for byte."""
from pathlib import Path

from brownie import web3

from claimledger.pipeline import adjudicate_on_chain, adjudicate_reference

SAMPLE = Path(__file__).resolve().parent.parent / "formats" / "samples" / "scenario-a10"


def test_reference_gives_the_expected_results_of_the_code_set_sample(tmp_path):
    adjudicate_reference(SAMPLE, tmp_path)
    assert (tmp_path / "results.csv").read_bytes() == (SAMPLE / "expected_results.csv").read_bytes()
    assert (tmp_path / "rejects.csv").read_bytes() == (SAMPLE / "expected_rejects.csv").read_bytes()


def test_chain_gives_the_expected_results_of_the_code_set_sample(tmp_path):
    adjudicate_on_chain(SAMPLE, tmp_path, rpc=web3.provider.endpoint_uri)
    results = (tmp_path / "results.csv").read_text().splitlines()
    # an ICD-9 E-code meets an ICD-10 prefix "E8" (and back): CO-11, not a match
    assert results[2] == "L002,1,DENIED,0.00,0.00,0.00,0.00,0.00,0.00,CO-11:350.00"
    assert results[3] == "L003,1,DENIED,0.00,0.00,0.00,0.00,0.00,0.00,CO-11:450.00"
    assert (tmp_path / "results.csv").read_bytes() == (SAMPLE / "expected_results.csv").read_bytes()
    assert (tmp_path / "rejects.csv").read_bytes() == (SAMPLE / "expected_rejects.csv").read_bytes()
