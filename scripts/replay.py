"""brownie run scripts/replay.py main SCENARIO_DIR OUT_DIR

Deploys to the active development network, loads SCENARIO_DIR, replays its claims in
batches and writes OUT_DIR/results.csv, rejects.csv and summary.json.
"""
from pathlib import Path

from brownie import web3

from claimledger.pipeline import adjudicate_on_chain, write_summary
from claimledger.summary import print_summary


def main(scenario_dir: str = "examples/basic", out_dir: str = "runs/brownie-replay"):
    result = adjudicate_on_chain(Path(scenario_dir), Path(out_dir), rpc=web3.provider.endpoint_uri)
    print_summary(write_summary(result, {"mode": "chain"}), result.scenario.input_errors)
    print(f"wrote {out_dir}")
