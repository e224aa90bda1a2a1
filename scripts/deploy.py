"""brownie run scripts/deploy.py main [SCENARIO_DIR] [OUT_DIR] --network NAME

`claimledger deploy` and `claimledger load` through brownie's network config: deploys the
contracts to the active network (brownie's `--network`, e.g. `development` or a network added
with `brownie networks add`), wires the roles, optionally loads a scenario's plans, members,
providers and authorizations (only what changed, R-18), and writes OUT_DIR/deployments.json
(default `deployments/<network>`), which every `claimledger ... --deployment OUT_DIR` uses.
Run again with the same OUT_DIR it deploys nothing and loads only what changed.

Role keys as for `claimledger` (keystores, `CLAIMLEDGER_<ROLE>_KEY`); anvil's public dev keys
only on a dev chain. On a network that is not a dev chain, it shows what it will do and asks
before sending (as yearn's scripts do); CLAIMLEDGER_YES=1 skips the question.
"""
import datetime as dt
import os
from pathlib import Path

from brownie import network, web3

from claimledger.deployment_dir import DEPLOYMENTS_FILE, deploy_to, load_into
from claimledger.keys import DEV_CHAIN_IDS, load_keys


def main(scenario_dir: str = "", out_dir: str = ""):
    name = network.show_active()
    out = Path(out_dir or f"deployments/{name}")
    keys, sources = load_keys()
    chain_id = web3.eth.chain_id
    if chain_id not in DEV_CHAIN_IDS and not os.environ.get("CLAIMLEDGER_YES"):
        for source in sources:
            print(f"{source.role:<14}{source.address}  ({source.source})")
        what = "deploy and load" if not (out / DEPLOYMENTS_FILE).exists() else "load"
        if input(f"{what} on {name} (chain {chain_id}) into {out}? [y/N] ").strip().lower() != "y":
            raise SystemExit("nothing sent")
    if not (out / DEPLOYMENTS_FILE).exists():
        dep = deploy_to(out, web3.provider.endpoint_uri, keys, sources)
        for contract, address in dep.addresses.items():
            print(f"{contract:<24}{address}")
        print(f"wrote {out / DEPLOYMENTS_FILE} (chain {chain_id})")
    if scenario_dir:
        today = (dt.date.today() - dt.date(1970, 1, 1)).days
        for line in load_into(out, Path(scenario_dir), keys, sources, today, web3.provider.endpoint_uri).lines():
            print(line)
    return out
