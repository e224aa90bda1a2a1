"""brownie run scripts/deploy.py [main] [SCENARIO_DIR]

Deploys claimledger to the active brownie network, wires the roles, optionally loads a
scenario's plans, members, providers and authorizations, and writes deployments.json.
On the development network the roles use anvil's default accounts.
"""
from pathlib import Path

from brownie import network, web3

from claimledger import chain
from claimledger.node import dev_private_keys
from claimledger.pipeline import DEPLOYMENTS_FILE
from claimledger.scenario import load_scenario


def main(scenario_dir: str = "", out: str = DEPLOYMENTS_FILE):
    if not network.show_active().startswith("development"):
        raise SystemExit("deploy.py uses anvil's public dev keys: run it on the development network only")
    keys = chain.Keys.from_list(dev_private_keys(5))
    dep = chain.deploy(web3, keys)
    if scenario_dir:
        chain.load_reference_data(dep, keys, load_scenario(Path(scenario_dir)))
    dep.save(Path(out))
    for name, address in dep.addresses.items():
        print(f"{name:<24}{address}")
    print(f"wrote {out}")
    return dep
