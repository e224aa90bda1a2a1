"""The command line of optimistic settlement (docs/OPTIMISTIC.md): ``adjudicate --mode
optimistic``, ``watch RUN_DIR``, ``challenge RUN_DIR --batch B --claim C``, ``finalize RUN_DIR`` and
``repost RUN_DIR``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

MODES = ("chain", "optimistic")
EXIT_FOUND = 3  # watch: a finding (whether or not a challenge won)
OPTIMISTIC_FIGURES = ("optimistic_gas_per_claim", "optimistic_network_claims_per_s", "optimistic_offchain_claims_per_s",
                      "watch_seconds_per_batch", "challenge_gas_upheld", "resolve_gas_upheld",
                      "challenge_gas_unfounded", "resolve_gas_unfounded")


def add_mode_options(parser: argparse.ArgumentParser, window: bool = True) -> None:
    parser.add_argument("--mode", choices=MODES, default="chain",
                        help="chain: every claim adjudicated on chain (default); optimistic: adjudicated off chain, "
                             "posted in batches with a state root after each claim, challengeable for a window")
    if window:
        parser.add_argument("--window", type=int, default=None,
                            help="optimistic: blocks a batch stays open to challenge (default 20)")
        parser.add_argument("--no-finalize", action="store_true",
                            help="optimistic: stop once the batches are posted (watch or challenge them; "
                                 "--resume finalizes and pays)")


def adjudicate_optimistic_cmd(args, on_start, on_progress):
    from .optimistic.adjudicator import BATCH_CLAIMS, adjudicate_optimistic
    from .optimistic.settlement import WINDOW

    if args.client != "anvil" or args.deployment or args.no_keep_chain:
        raise OptimisticUsage("--mode optimistic runs on the embedded anvil or --rpc (not --client, --deployment "
                              "or --no-keep-chain)")
    return adjudicate_optimistic(Path(args.scenario), Path(args.out), rpc=args.rpc,
                                 batch_claims=args.batch or BATCH_CLAIMS,
                                 window=args.window or WINDOW, on_start=on_start, on_progress=on_progress,
                                 resume=args.resume, finalize=not args.no_finalize)


class OptimisticUsage(ValueError):
    """An option that --mode optimistic does not take."""


def delivery(args):
    """``submit``'s way to the rules: None on chain; with --mode optimistic, the adjudicator of the
    run directory --deployment names (claimledger.optimistic.submission)."""
    from contextlib import nullcontext

    if args.mode != "optimistic":
        return nullcontext(None)
    from .optimistic.adjudicator import BATCH_CLAIMS
    from .optimistic.submission import optimistic_delivery

    return optimistic_delivery(Path(args.deployment), args.rpc, args.batch or BATCH_CLAIMS)


def cmd_finalize(args) -> int:
    from .optimistic.submission import finalize_run

    paid = finalize_run(Path(args.run_dir), args.rpc)
    print(f"final; paid {paid['paid_cents'] / 100:,.2f} to {paid['providers']} provider(s), "
          f"{paid['outstanding_cents'] / 100:,.2f} outstanding")
    return 0


def _w3(args):
    from .node import connect, run_chain

    if args.rpc:
        from contextlib import nullcontext

        return nullcontext(connect(args.rpc))
    return run_chain(Path(args.run_dir))


def cmd_watch(args) -> int:
    from .optimistic.watcher import defend, watch

    with _w3(args) as w3:
        if args.defend:
            for a in defend(Path(args.run_dir), w3):
                print(f"answered challenge {a['challenge']} of batch {a['batch']} claim {a['index']} with "
                      f"{a['keys']} keys ({a['gas']:,} gas)")
        report = watch(Path(args.run_dir), w3, challenge=not args.no_challenge, follow=args.follow,
                       go_on=_until_interrupted)
        _print_watch(report)
        if not report.findings:
            return 0
        if args.repost and any(c["upheld"] for c in report.challenges):
            from .optimistic.takeover import repost

            _print_repost(repost(Path(args.run_dir), w3))
    return EXIT_FOUND


def _print_watch(report) -> None:
    print(f"checked {report.batches} batch(es), {report.claims} claim(s) in {report.seconds:.1f}s "
          f"({report.claims_per_second:.1f} claims/s)")
    for f in report.findings:
        proof = "provable on chain" if f.provable else "not provable on chain: re-submit, report the adjudicator"
        print(f"  batch {f.batch_id} claim {f.index}: {f.kind}: {f.detail} ({proof})")
    for c in report.challenges:
        outcome = "upheld: the batch is cut there, the bond is the challenger's" if c["upheld"] else "rejected"
        print(f"  challenge {c['challenge']} of batch {c['batch']} claim {c['index']}: {outcome} "
              f"(challenge {c['gas_challenge']:,} gas, resolve {c['gas_resolve']:,} gas)")
    if not report.findings:
        print("every posted root is the one the rules give")


def _until_interrupted(report) -> bool:
    print(f"  {report.batches} batch(es), {report.claims} claim(s) checked; watching", flush=True)
    return True


def cmd_challenge(args) -> int:
    from .optimistic.watcher import challenge_claim

    with _w3(args) as w3:
        c = challenge_claim(Path(args.run_dir), w3, args.batch, args.claim)
    outcome = "upheld: fault proven, the batch is cut at the claim" if c["upheld"] else \
        "rejected: the posted root is right, the challenger's bond went to the adjudicator"
    print(f"challenge {c['challenge']} of batch {c['batch']} claim {c['index']}: {outcome} "
          f"(challenge {c['gas_challenge']:,} gas, resolve {c['gas_resolve']:,} gas)")
    return 0 if c["upheld"] else 1


def cmd_repost(args) -> int:
    from .optimistic.takeover import repost

    with _w3(args) as w3:
        _print_repost(repost(Path(args.run_dir), w3, finalize=not args.no_finalize))
    return 0


def _print_repost(r) -> None:
    print(f"{r.history} claim(s) valid on chain, every root checked; posted {r.posted} claim(s) again in "
          f"{len(r.batches)} batch(es)" + (f" ({', '.join(map(str, r.batches))})" if r.batches else ""))
    if r.finalized:
        print(f"finalized batch(es) {', '.join(map(str, r.finalized))}")
    if r.settlement:
        print(f"paid {r.settlement['paid_cents'] / 100:,.2f} to {r.settlement['providers']} provider(s), "
              f"{r.settlement['outstanding_cents'] / 100:,.2f} outstanding")


def add_optimistic_commands(sub) -> None:
    watch = sub.add_parser("watch", help="check every posted batch of an optimistic run; challenge the first "
                                         "wrong claim (challenger role)")
    watch.add_argument("run_dir", help="the run directory of adjudicate --mode optimistic")
    watch.add_argument("--rpc", help="the settlement chain's node (default: the run's embedded chain)")
    watch.add_argument("--no-challenge", action="store_true", help="report only")
    watch.add_argument("--follow", type=float, metavar="SECONDS",
                       help="then look for new batches every SECONDS, until Ctrl-C or a wrong root")
    watch.add_argument("--defend", action="store_true",
                       help="first answer the open challenges of this run's batches with the keys and originals "
                            "their claims read (the adjudicator's role: its key)")
    watch.add_argument("--repost", action="store_true",
                       help="once a challenge is upheld, post the claims it cut off again as the adjudicator of "
                            "CLAIMLEDGER_ADJUDICATOR_KEY, then finalize and pay (what `repost` does)")
    watch.set_defaults(func=cmd_watch)
    chal = sub.add_parser("challenge", help="challenge one claim of a posted batch (challenger role)")
    chal.add_argument("run_dir", help="the run directory of adjudicate --mode optimistic")
    chal.add_argument("--batch", type=int, required=True, help="the batch's id")
    chal.add_argument("--claim", type=int, required=True, help="the claim's index in the batch (from 0)")
    chal.add_argument("--rpc", help="the settlement chain's node (default: the run's embedded chain)")
    chal.set_defaults(func=cmd_challenge)
    fin = sub.add_parser("finalize", help="finalize an optimistic run's batches once their window is over and pay "
                                          "the providers (after submit --mode optimistic)")
    fin.add_argument("run_dir", help="the run directory of adjudicate --mode optimistic")
    fin.add_argument("--rpc", help="the settlement chain's node (default: the run's embedded chain)")
    fin.set_defaults(func=cmd_finalize)
    rep = sub.add_parser("repost", help="after a proven fault (or an adjudicator that stopped): post the claims "
                                        "handed in that the chain does not hold, as another adjudicator (its key: "
                                        "CLAIMLEDGER_ADJUDICATOR_KEY), then finalize and pay")
    rep.add_argument("run_dir", help="the run directory of adjudicate --mode optimistic")
    rep.add_argument("--rpc", help="the settlement chain's node (default: the run's embedded chain)")
    rep.add_argument("--no-finalize", action="store_true", help="stop once the claims are posted")
    rep.set_defaults(func=cmd_repost)


def print_optimistic(result) -> None:
    s = result.stats
    if s is not None and s.transactions:
        print(f"posted {s.claims:,} claims in {s.transactions} batch(es): {s.gas_used:,} gas, "
              f"{s.gas_used / max(s.claims, 1):,.0f} gas a claim", file=sys.stdout)
