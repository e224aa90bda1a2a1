"""``claimledger rewards register|list|pay``: member incentives of a run (A-12). Thin over
:mod:`.rewards`: parse, call, print."""
from __future__ import annotations

import argparse
import csv
import os
from pathlib import Path

from .cli_networks import add_network_options


def add_rewards_command(sub) -> None:
    rewards = sub.add_parser("rewards", help="member incentives of a run: register a payee (the member's signed act), "
                                             "list what members earned, pay them from the incentive pool (A-12)")
    rewards.add_argument("action", choices=["register", "list", "pay"],
                         help="register: the member names where its rewards go, signed with its own key; "
                              "list: each member's rewards; pay: the treasurer pays members from the pool")
    rewards.add_argument("run", help="run directory written by `adjudicate` (holds deployments.json)")
    rewards.add_argument("member_id", nargs="?", help="the member who registers (register)")
    rewards.add_argument("--payee", help="the address the member's rewards are paid to (register)")
    rewards.add_argument("--member-key-env", help="environment variable holding the member's own private key "
                                                  "(register): the key whose address the plan manager bound (R-43)")
    rewards.add_argument("--fund", action="store_true",
                         help="pay: first fund the incentive pool with what the members paid are owed beyond it")
    rewards.add_argument("--rpc", help="JSON-RPC URL (default: the run's saved embedded chain)")
    add_network_options(rewards)
    rewards.set_defaults(func=cmd_rewards)


def cmd_rewards(args: argparse.Namespace) -> int:
    from .deployment_dir import run_node
    from .keys import load_keys
    from .money import format_cents
    from .review import open_deployment
    from .rewards import RewardsFailed, append_incentives, member_rewards, pay, register_payee

    run_dir = Path(args.run)
    if args.action == "register" and not (args.member_id and args.payee and args.member_key_env):
        raise ValueError("rewards register needs MEMBER_ID, --payee ADDRESS and --member-key-env VAR")
    with run_node(run_dir, args.rpc, args.deployment) as w3:
        dep = open_deployment(w3, run_dir)
        keys, _ = load_keys()
        if args.action == "register":
            key = os.environ.get(args.member_key_env, "").strip()
            if not key:
                raise RewardsFailed(f"{args.member_key_env} holds no key")
            register_payee(dep, keys, key, args.member_id, args.payee)
            print(f"{args.member_id}: rewards are paid to {args.payee}")
            return 0
        members = run_members(run_dir)
        if args.action == "list":
            accounts = member_rewards(dep, members)
            print(f"{len(accounts)} member(s) with rewards")
            for m in accounts:
                payee = m.payee or "no payee registered: rewards wait"
                print(f"{m.member_id:<20} earned {format_cents(m.earned):>9} taken back {format_cents(m.taken_back):>9} "
                      f"paid {format_cents(m.paid):>9} owed {format_cents(m.owed):>9}  {payee}")
            return 0
        rows = pay(dep, keys, members, fund=args.fund)
        append_incentives(run_dir, rows)
    print(f"paid {len(rows)} member(s) {format_cents(sum(r.amount for r in rows))} from the incentive pool; "
          f"appended to {run_dir / 'incentives.csv'}")
    return 0


def run_members(run_dir: Path) -> list[str]:
    """The members named in the run's incentives.csv, in the order they first appear."""
    from .results import INCENTIVES_FILE

    path = run_dir / INCENTIVES_FILE
    if not path.is_file():
        return []
    with open(path, newline="") as fh:
        return list(dict.fromkeys(row["member_id"] for row in csv.DictReader(fh)))
