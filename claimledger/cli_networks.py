"""The commands and options of deployments that live (issue 16): ``deploy``, ``load``, ``keys``,
and the ``--deployment``, ``--confirmations``, ``--max-fee-gwei`` and ``--client`` options that
the other commands take. Thin over :mod:`.deployment_dir`, :mod:`.keys` and :mod:`.sender`."""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

SENDING_COMMANDS = ("adjudicate", "submit", "review", "appeal", "bench", "deploy", "load", "rewards")


def add_network_options(parser: argparse.ArgumentParser, deployment: bool = True) -> None:
    """Options of a command that sends transactions."""
    if deployment:
        parser.add_argument("--deployment", type=Path,
                            help="directory written by `claimledger deploy`: its contracts on its node (chain id checked)")
    parser.add_argument("--confirmations", type=int,
                        help="blocks (the transaction's own included) before a transaction counts as done "
                             "(default: the deployment's, else 1)")
    parser.add_argument("--max-fee-gwei", type=float, help="never offer more than this per gas (default: no cap)")


def configure_sending(args) -> None:
    """Sets fees and confirmations for every transaction the command sends."""
    from .deployment_dir import read_document, recorded_deployment
    from .fees import FeePolicy, gwei
    from .sender import SendSettings, configure

    if getattr(args, "command", None) not in SENDING_COMMANDS:
        return
    confirmations = args.confirmations
    deployment = getattr(args, "deployment", None) or getattr(args, "deployment_dir", None)
    if deployment is None and getattr(args, "run", None):
        deployment = recorded_deployment(Path(args.run))  # a run on a deployment that lives
    if confirmations is None and deployment is not None and Path(deployment).is_dir():
        confirmations = read_document(deployment).get("confirmations")
    configure(SendSettings(FeePolicy(max_fee=gwei(args.max_fee_gwei)), confirmations or 1))


def cmd_deploy(args) -> int:
    from .deployment_dir import deploy_to
    from .keys import load_keys

    keys, sources = load_keys()
    dep = deploy_to(Path(args.out), args.rpc, keys, sources, args.confirmations or 1)
    for name, address in dep.addresses.items():
        print(f"{name:<24}{address}")
    for source in sources:
        print(f"{source.role:<24}{source.address}  ({source.source})")
    print(f"wrote {Path(args.out) / 'deployments.json'} (chain {dep.w3.eth.chain_id})")
    return 0


def cmd_load(args) -> int:
    from .deployment_dir import load_into
    from .keys import load_keys
    from .money import parse_day

    keys, sources = load_keys()
    day = parse_day(args.effective_from) if args.effective_from else (dt.date.today() - dt.date(1970, 1, 1)).days
    report = load_into(Path(args.deployment_dir), Path(args.scenario), keys, sources, day, args.rpc)
    for line in report.lines():
        print(line)
    return 0


def cmd_keys(args) -> int:
    from eth_account import Account

    from .keys import KeyFailed, keystore_password, load_keys, write_keystore
    from .node import env_private_key

    if args.action == "list":
        _, sources = load_keys()
        for source in sources:
            print(f"{source.role:<14}{source.address}  {source.source}")
        return 0
    if args.file is None:
        raise KeyFailed(f"keys {args.action} needs the keystore FILE to write")
    path = Path(args.file)
    if args.action == "new":
        key = "0x" + bytes(Account.create().key).hex()
    else:
        if not args.key_env:
            raise KeyFailed("keys import needs --key-env VAR (the environment variable that holds the key)")
        key = env_private_key(args.key_env)
    password = keystore_password(args.role, path, confirm=True)
    address = write_keystore(path, key, password)
    print(f"wrote {path}: keystore of {address}")
    return 0


def add_commands(sub) -> None:
    dep = sub.add_parser("deploy", help="deploy the contracts once, into a directory later commands point at")
    dep.add_argument("--rpc", required=True, help="JSON-RPC URL of the node (recorded, unless given as CLAIMLEDGER_RPC)")
    dep.add_argument("--out", required=True, help="directory to write deployments.json into (must hold none)")
    add_network_options(dep, deployment=False)
    dep.set_defaults(func=cmd_deploy)

    load = sub.add_parser("load", help="load a scenario's plans, members, providers and authorizations: only what changed")
    load.add_argument("deployment_dir", help="directory written by `claimledger deploy`")
    load.add_argument("scenario", help="scenario directory (plans.yaml, members.csv, providers.csv, authorizations.csv)")
    load.add_argument("--effective-from", help="YYYY-MM-DD from which a changed plan takes effect (R-25; default today)")
    load.add_argument("--rpc", help="JSON-RPC URL (default: CLAIMLEDGER_RPC, else the one recorded at deploy)")
    add_network_options(load, deployment=False)
    load.set_defaults(func=cmd_load)

    keys = sub.add_parser("keys", help="role keys: where each comes from; encrypted keystores to create or import")
    keys.add_argument("action", choices=["list", "new", "import"])
    keys.add_argument("file", nargs="?", help="keystore file to write (new, import)")
    keys.add_argument("--key-env", help="import: the environment variable that holds the key")
    keys.add_argument("--role", help="take the password from CLAIMLEDGER_<ROLE>_PASSWORD")
    keys.set_defaults(func=cmd_keys)
