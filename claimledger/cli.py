"""``claimledger``: the command line. Thin over the package: parse, call, print.

Every failure the user can cause ends in one line on stderr and a non-zero exit, never a
traceback (set CLAIMLEDGER_DEBUG=1 to see one).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from . import __version__
from .cli_networks import add_commands, add_network_options, configure_sending
from .cli_bench import add_bench_command
from .cli_optimistic import add_mode_options, delivery, add_optimistic_commands, adjudicate_optimistic_cmd, print_optimistic
from .cli_rewards import add_rewards_command
from .privacy.cli import KNOWN_ERRORS as PRIVACY_ERRORS, add_commands as add_privacy_commands
from .clients import CLIENTS

EXIT_USAGE = 2
EXIT_FAILED = 1


def _progress(total_label: str):
    """A tqdm progress bar fed by (on_start(total), on_progress(n)) callbacks."""
    from tqdm import tqdm

    state: dict = {}

    def on_start(total: int) -> None:
        state["bar"] = tqdm(total=total, unit="claim", desc=total_label, dynamic_ncols=True,
                            disable=not sys.stderr.isatty() and os.environ.get("CLAIMLEDGER_PROGRESS") != "1")

    def on_progress(n: int) -> None:
        state["bar"].update(n)

    def close() -> None:
        if "bar" in state:
            state["bar"].close()

    return on_start, on_progress, close


def cmd_adjudicate(args) -> int:
    from .pipeline import adjudicate_on_chain, adjudicate_reference, write_summary
    from .summary import print_summary

    out = Path(args.out)
    if args.reference:
        result = adjudicate_reference(Path(args.scenario), out)
    elif args.mode == "optimistic":
        on_start, on_progress, close = _progress("adjudicating off chain")
        try:
            result = adjudicate_optimistic_cmd(args, on_start, on_progress)
        finally:
            close()
    else:
        on_start, on_progress, close = _progress("adjudicating")
        try:
            result = adjudicate_on_chain(Path(args.scenario), out, rpc=args.rpc, batch_claims=args.batch or 100,
                                         on_start=on_start, on_progress=on_progress, resume=args.resume,
                                         keep_chain=not args.no_keep_chain, deployment=args.deployment,
                                         client=args.client)
        finally:
            close()
    summary = write_summary(result, {"mode": "reference" if args.reference else args.mode})
    print_summary(summary, result.scenario.input_errors)
    if args.mode == "optimistic":
        print_optimistic(result)
    print(f"wrote {out / 'results.csv'} and {out / 'rejects.csv'}")
    return 0


def cmd_synth(args) -> int:
    from .synth import SynthConfig, generate

    summary = generate(Path(args.out), SynthConfig(claims=args.claims, seed=args.seed))
    print(f"wrote {args.out}: {summary}")
    return 0


def cmd_demo(args) -> int:
    from .demo import run_demo

    run_dir = Path(args.out) / dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return run_demo(run_dir, claims=args.claims, seed=args.seed, batch_claims=args.batch)


def cmd_review(args) -> int:
    from .deployment_dir import run_node
    from .keys import load_keys
    from .money import format_cents
    from .review import claim_names, decide, decide_appeal, open_deployment, pending_lines

    run_dir = Path(args.run)
    with run_node(run_dir, args.rpc, args.deployment) as w3:
        dep = open_deployment(w3, run_dir)
        if args.action == "list":
            lines = pending_lines(dep, claim_names(run_dir, dep.ids))
            print(f"{len(lines)} line(s) pending review")
            for p in lines:
                print(f"{p.claim_id:<20} line {p.line:<3} {p.procedure_code:<8} units {p.units:<4} billed {format_cents(p.billed)}")
            return 0
        if args.claim_id is None or args.line is None:
            raise ValueError(f"review {args.action} needs CLAIM_ID and LINE")
        if args.action == "deny" and not args.carc:
            raise ValueError("review deny needs --carc (the denial's reason code)")
        keys, _ = load_keys(args.key_env, "reviewer")
        if args.action in ("uphold", "overturn"):
            row = decide_appeal(dep, keys, args.claim_id, args.line, args.action == "overturn")
            print(",".join(row.row()))
            return 0
        row = decide(dep, keys, run_dir, args.claim_id, args.line,
                     args.action == "approve", args.carc or "")
        print(",".join(row.row()))
    return 0


def cmd_appeal(args) -> int:
    from .deployment_dir import run_node
    from .keys import load_keys
    from .review import appeal, open_deployment

    run_dir = Path(args.run)
    with run_node(run_dir, args.rpc, args.deployment) as w3:
        digest = appeal(open_deployment(w3, run_dir), load_keys(args.key_env, "biller")[0],
                        args.claim_id, args.line, Path(args.document))
    print(f"appealed {args.claim_id} line {args.line} with document hash 0x{digest.hex()}")
    return 0


def cmd_owed(args) -> int:
    from .deployment_dir import run_node
    from .money import format_cents
    from .review import claim_names, open_deployment, provider_statement

    run_dir = Path(args.run)
    with run_node(run_dir, args.rpc, args.deployment) as w3:
        dep = open_deployment(w3, run_dir)
        summary, movements = provider_statement(dep, claim_names(run_dir, dep.ids), args.provider)
        first_kept = dep.forgotten_before() if args.rpc is None else None  # the embedded node's history
    print(f"provider {args.provider}: " + ", ".join(f"{k} {format_cents(v)}" for k, v in summary.items()))
    if first_kept is not None:
        print(f"  (movements from block {first_kept} on: the node keeps the events of its last "
              f"{dep.history_blocks} blocks; the totals above are the escrow's own)")
    for m in movements:
        print(f"  block {m.block:<6} {m.kind:<9} {format_cents(m.cents):>12}  {m.claim_id}")
    return 0


def cmd_import(args) -> int:
    paths, out = [Path(p) for p in args.paths], Path(args.out)
    plans_from = Path(args.plans_from) if args.plans_from else None
    if args.source == "x12-837":
        from .x12.cli import run_import_x12

        return run_import_x12(paths, out, plans_from, args.plan, Path(args.roster) if args.roster else None)
    if args.source == "x12-834":
        from .x12.import834 import run_import_834

        return run_import_834(paths, out, args.plan)
    if args.source == "fhir":
        from .fhir import run_import_fhir

        return run_import_fhir(paths, out, plans_from, Path(args.roster) if args.roster else None)
    from .synthea import run_import_synthea

    if len(paths) != 1:
        raise ValueError("--from synthea takes one export directory")
    return run_import_synthea(paths[0], out, plans_from, **({"plan_id": args.plan} if args.plan else {}))


def cmd_export(args) -> int:
    run, out = Path(args.run), Path(args.out)
    if args.to in ("x12-835", "x12-837"):
        from .x12.cli import run_export

        return run_export(args.to, run, out) or _anchor_export(args.to, run, out)
    if args.to == "fhir-eob":
        from .fhir import run_export_eob

        return run_export_eob(run, out, Path(args.scenario) if args.scenario else None) or _anchor_export(args.to, run, out)
    if args.to == "fhir-claims":
        from .fhir import run_export_fhir_claims

        return run_export_fhir_claims(run, out)
    return _write_remittance(run, out, args.provider)


def _anchor_export(kind: str, run: Path, out: Path) -> int:
    """Anchors a run's 835 or EOB export on the run's chain, as a batch (issue 14, R-36)."""
    from .privacy.anchoring import anchor_exports

    anchor = anchor_exports(run, [out]) if kind in ("x12-835", "fhir-eob") else None
    if anchor is not None:
        print(f"anchored {out.name} in block {anchor.block} (anchor {anchor.anchor_id[:18]}...)")
    return 0


def _write_remittance(run: Path, out: Path | None, provider: str | None) -> int:
    from .billing import write_remittance

    if not provider:
        raise ValueError("a CSV remittance needs --provider NPI")
    lines = write_remittance(run, provider, out)
    if out:
        print(f"wrote {out}: {lines} line(s) for provider {provider}")
    return 0


def cmd_submit(args) -> int:
    from tqdm import tqdm

    from .billing import submit
    from .deployment_dir import open_deployment
    from .keys import load_keys

    bar = tqdm(unit="claim", desc="submitting", disable=not sys.stderr.isatty())
    try:
        with delivery(args) as deliver:
            dep = open_deployment(Path(args.deployment), args.rpc) if deliver is None else None
            summary = submit(dep, load_keys(args.key_env)[0].biller, Path(args.path), on_progress=bar.update,
                             roster=Path(args.roster) if args.roster else None, batch_claims=args.batch or 100,
                             deliver=deliver)
    finally:
        bar.close()
    print(f"{summary.claims} claim(s) submitted: " + ", ".join(f"{v} {k}" for k, v in sorted(summary.counts.items())))
    for n, reject in enumerate(summary.rejects[:20]):
        which = summary.occurrence.get(n, 1)
        record = f" (record {which} of that id in the file)" if which > 1 else ""
        print(f"  rejected {reject.claim_id}{record}: {reject.field}: {reject.reason}")
    if summary.answers:
        print("answered with " + ", ".join(str(p) for p in summary.answers))
    if summary.claims == 0:
        print("claimledger: nothing was submitted", file=sys.stderr)
        return EXIT_FAILED
    return 0


def cmd_remit(args) -> int:
    return _write_remittance(Path(args.run), Path(args.out) if args.out else None, args.provider)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="claimledger",
        description="Health-insurance claims adjudication and settlement on an EVM ledger.",
    )
    parser.add_argument("--version", action="version", version=f"claimledger {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    adj = sub.add_parser("adjudicate", help="adjudicate a scenario directory (A-2) and write results (A-9)")
    adj.add_argument("scenario", help="directory with plans.yaml, members.csv, providers.csv, "
                                      "authorizations.csv, claims.csv")
    adj.add_argument("--out", required=True, help="output directory")
    adj.add_argument("--reference", action="store_true", help="run the Python reference model, no chain")
    adj.add_argument("--rpc", help="JSON-RPC URL of a node to deploy on, or of --deployment's node "
                                   "(default: start a private anvil and stop it afterwards)")
    adj.add_argument("--client", choices=CLIENTS, default="anvil",
                     help="the embedded node: anvil (kept in OUT) or hardhat (not kept)")
    adj.add_argument("--batch", type=int, default=None,
                     help="claims per transaction (default and max 100); optimistic: claims per batch (default 1000)")
    adj.add_argument("--resume", action="store_true",
                     help="go on from the last checkpoint of OUT (after a run was killed): nothing lost, nothing paid twice")
    adj.add_argument("--no-keep-chain", action="store_true",
                     help="do not save the embedded chain, for replays that are measured, not kept: no --resume, "
                          "review, appeal or statement on OUT afterwards")
    add_network_options(adj)
    add_mode_options(adj)
    adj.set_defaults(func=cmd_adjudicate)

    syn = sub.add_parser("synth", help="generate a synthetic scenario directory")
    syn.add_argument("--claims", type=int, required=True)
    syn.add_argument("--seed", type=int, default=0)
    syn.add_argument("--out", required=True)
    syn.set_defaults(func=cmd_synth)

    review = sub.add_parser("review", help="list and decide pended lines of a run (reviewer role, A-5)")
    review.add_argument("action", choices=["list", "approve", "deny", "uphold", "overturn"],
                        help="list/approve/deny pended lines (A-5); uphold/overturn an appealed line (R-13)")
    review.add_argument("run", help="run directory written by `adjudicate` (holds deployments.json)")
    review.add_argument("claim_id", nargs="?")
    review.add_argument("line", nargs="?", type=int)
    review.add_argument("--carc", help="reason code of a denial, e.g. 50")
    review.add_argument("--rpc", help="JSON-RPC URL (default: the run's saved embedded chain)")
    review.add_argument("--key-env", help="environment variable holding the reviewer's private key (default: anvil's dev key)")
    add_network_options(review)
    review.set_defaults(func=cmd_review)

    appeal = sub.add_parser("appeal", help="appeal a denied line with a document (biller role, R-13)")
    appeal.add_argument("run", help="run directory written by `adjudicate`")
    appeal.add_argument("claim_id")
    appeal.add_argument("line", type=int)
    appeal.add_argument("--document", required=True, help="the appeal letter/records; only its hash goes on chain")
    appeal.add_argument("--rpc", help="JSON-RPC URL (default: the run's saved embedded chain)")
    appeal.add_argument("--key-env", help="environment variable holding the biller's private key (default: anvil's dev key)")
    add_network_options(appeal)
    appeal.set_defaults(func=cmd_appeal)

    owed = sub.add_parser("owed", help="what the escrow owes a provider and why (A-8)")
    owed.add_argument("run", help="run directory written by `adjudicate`")
    owed.add_argument("--provider", required=True, help="provider NPI")
    owed.add_argument("--rpc", help="JSON-RPC URL (default: the run's saved embedded chain)")
    owed.add_argument("--deployment", type=Path, help="directory written by `claimledger deploy` (default: the run's)")
    owed.set_defaults(func=cmd_owed)

    add_bench_command(sub)

    imp = sub.add_parser("import", help="convert X12 837, FHIR R4 Claims or a Synthea export to a scenario directory; "
                                        "X12 834 enrollment to members.csv and roster.csv")
    imp.add_argument("--from", dest="source", required=True, choices=["x12-837", "x12-834", "fhir", "synthea"])
    imp.add_argument("paths", nargs="+", help="input files (Synthea: the CSV export directory)")
    imp.add_argument("--out", required=True, help="scenario directory to write")
    imp.add_argument("--plans-from", help="copy plans, members, providers and authorizations from this scenario")
    imp.add_argument("--plan", help="plan id for members the input names no plan for")
    imp.add_argument("--roster", help="enrollment roster.csv that finds dependents' member ids (A-10.3; "
                                      "default: roster.csv of --plans-from)")
    imp.set_defaults(func=cmd_import)

    exp = sub.add_parser("export", help="write a run's results as X12 835, FHIR EOBs, CSV remittance, or a scenario as 837/FHIR")
    exp.add_argument("--to", required=True, choices=["x12-835", "x12-837", "fhir-eob", "fhir-claims", "csv"])
    exp.add_argument("run", help="run directory (x12-837 and fhir-claims: a scenario directory)")
    exp.add_argument("--out", required=True)
    exp.add_argument("--provider", help="NPI, for the CSV remittance")
    exp.add_argument("--scenario", help="scenario directory, when the run does not name one (reference runs)")
    exp.set_defaults(func=cmd_export)

    sbm = sub.add_parser("submit", help="submit an 837, FHIR or claims.csv file to a running deployment (biller)")
    sbm.add_argument("path")
    sbm.add_argument("--rpc", help="JSON-RPC URL (default: CLAIMLEDGER_RPC, else the deployment's)")
    sbm.add_argument("--deployment", default="deployments.json",
                     help="a deployment directory or its deployments.json (chain id checked)")
    sbm.add_argument("--key-env", help="environment variable holding the biller's private key (default: anvil's dev key)")
    sbm.add_argument("--roster", help="enrollment roster.csv that finds dependents' member ids in an 837 (A-10.3)")
    sbm.add_argument("--batch", type=int, default=None,
                     help="claims per transaction (default and max 100); optimistic: claims per batch (default 1000)")
    add_mode_options(sbm, window=False)
    add_network_options(sbm, deployment=False)
    sbm.set_defaults(func=cmd_submit)

    rem = sub.add_parser("remit", help="a provider's remittance from a run (CSV)")
    rem.add_argument("run", help="run directory")
    rem.add_argument("--provider", required=True, help="NPI")
    rem.add_argument("--out", help="file to write (default: stdout)")
    rem.set_defaults(func=cmd_remit)

    demo = sub.add_parser("demo", help="synthesize, adjudicate on a local anvil, settle and report")
    demo.add_argument("--claims", type=int, default=2000)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--batch", type=int, default=100)
    demo.add_argument("--out", default="runs")
    demo.set_defaults(func=cmd_demo)
    add_commands(sub)
    add_rewards_command(sub)
    add_optimistic_commands(sub)  # watch, challenge (issue 19)
    add_privacy_commands(sub)  # forget, consent, history, audit, verify (issue 14)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "claims", 1) is not None and getattr(args, "claims", 1) <= 0:
        parser.error("--claims must be positive")
    if (getattr(args, "batch", 1) or 1) <= 0:
        parser.error("--batch must be positive")
    if getattr(args, "no_keep_chain", False) and (args.resume or args.rpc or args.reference or args.deployment):
        parser.error("--no-keep-chain is for a fresh run on the embedded node (not with --resume, --rpc or --reference)")
    if getattr(args, "client", "anvil") != "anvil" and (getattr(args, "resume", False) or args.rpc or args.deployment):
        parser.error("--client starts an embedded node: not with --resume (it keeps no chain), --rpc or --deployment")
    try:
        configure_sending(args)
        return args.func(args)
    except KeyboardInterrupt:
        print("claimledger: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place that turns errors into one line
        if os.environ.get("CLAIMLEDGER_DEBUG"):
            raise
        print(f"claimledger: {_one_line(exc)}", file=sys.stderr)
        return EXIT_FAILED


def _one_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    message = text[0] if text else exc.__class__.__name__
    known = ("ScenarioError", "ChainError", "NodeError", "TxFailed", "FormatError", "ReviewFailed", "ValueError",
             "SubmitFailed", "KeyFailed", "KeyInUse", "NonceTaken", "NodeUnreachable", "OutputFailed", "FeeTooHigh", "RewardsFailed", "OptimisticError", "OptimisticUsage",
             "ShadowError", *PRIVACY_ERRORS)
    if exc.__class__.__name__ in known:
        return message
    return f"{exc.__class__.__name__}: {message}"


if __name__ == "__main__":
    sys.exit(main())
