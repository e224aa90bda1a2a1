"""The privacy commands (issue 14): ``forget``, ``consent``, ``history``, ``audit``, ``verify``.
Thin over :mod:`.pseudonyms`, :mod:`.consent`, :mod:`.disclosures` and :mod:`.verify`; wired
into ``claimledger/cli.py`` by :func:`add_commands`."""
from __future__ import annotations

import sys
from pathlib import Path

from .opening import opened

EXIT_DIFFERS = 1
KNOWN_ERRORS = ("PseudonymError", "ConsentFailed", "DisclosureFailed", "VerifyFailed")


def _keys():
    from ..keys import load_keys

    return load_keys()[0]


def _env_key(var: str | None, what: str) -> str:
    from ..node import env_private_key

    if not var:
        raise ValueError(f"{what} needs --signer-key-env VAR (the environment variable holding the signer's key)")
    return env_private_key(var)


def cmd_forget(args) -> int:
    import os

    from ..deployment_dir import read_document
    from .pseudonyms import KEYSTORE_ENV, Pseudonyms, keystore_of

    if args.dir is not None:
        path = keystore_of(Path(args.dir), read_document(Path(args.dir)))
    elif os.environ.get(KEYSTORE_ENV):
        path = Path(os.environ[KEYSTORE_ENV])
    else:
        raise ValueError(f"forget needs a deployment or run directory, or {KEYSTORE_ENV}")
    gone = Pseudonyms.open(path).forget(args.member)
    if not gone:
        print(f"claimledger: member {args.member}: no salt in {path} (never seen, or forgotten already)",
              file=sys.stderr)
        return EXIT_DIFFERS
    print(f"member {args.member}: {' and '.join(gone)} salt destroyed in {path}; its on-chain records can no "
          f"longer be found from its id")
    print("  files that name the member in clear (scenarios, run results) are not touched: "
          "delete them as your retention duty allows (docs/PRIVACY.md)")
    return 0


def cmd_consent(args) -> int:
    from web3 import Web3

    from .consent import ConsentDesk, Purpose, end_of_day
    from .disclosures import member_key, party_address

    keys = _keys()
    with opened(Path(args.dir), args.rpc) as dep:
        member = member_key(dep, args.member)
        desk = ConsentDesk(dep, keys.records_officer)
        if args.action == "register":
            if not args.key or not Web3.is_address(args.key):
                raise ValueError("consent register needs --key ADDRESS (the member's own account)")
            desk.register_key(keys.plan_manager, member, Web3.to_checksum_address(args.key))
            print(f"member {args.member}: key {Web3.to_checksum_address(args.key)} registered")
            return 0
        signer = _env_key(args.signer_key_env, f"consent {args.action}")
        if args.action == "delegate":
            until = 0 if args.remove else end_of_day(_required(args.until, "--until DATE (or --remove)"))
            desk.delegate(member, party_address(_required(args.delegate, "--delegate ADDRESS")), until, signer)
            print(f"member {args.member}: delegate {args.delegate} " + ("removed" if args.remove else f"until {args.until}"))
            return 0
        party = party_address(_required(args.party, "--party ADDRESS"))
        purpose = Purpose.parse(_required(args.purpose, "--purpose P"))
        if args.action == "grant":
            desk.grant(member, party, purpose, end_of_day(_required(args.until, "--until DATE")), signer)
            print(f"member {args.member}: {party} may read for {purpose.name.lower()} through {args.until}")
        else:
            desk.revoke(member, party, purpose, signer)
            print(f"member {args.member}: consent of {party} for {purpose.name.lower()} revoked")
    return 0


def _required(value, what: str):
    if value is None:
        raise ValueError(f"needs {what}")
    return value


def cmd_history(args) -> int:
    from .consent import Purpose
    from .disclosures import history, party_address

    party, purpose = party_address(args.party), Purpose.parse(args.purpose)
    with opened(Path(args.run), args.rpc) as dep:
        scenario = dep.scenario
        if not scenario:
            raise ValueError(f"{args.run}: names no scenario (the claims that say whose lines are whose)")
        shown = history(dep, _keys().records_officer, Path(args.run), Path(scenario), args.member, party, purpose)
    access = shown.access
    if not access.granted:
        print(f"claimledger: {party} may not read member {args.member}'s claims for {purpose.name.lower()}: "
              f"refused, and recorded as access #{access.index} in block {shown.block}", file=sys.stderr)
        return EXIT_DIFFERS
    print(f"member {args.member}: {len(shown.rows)} line(s) for {party} ({purpose.name.lower()}); "
          f"access #{access.index} recorded in block {shown.block}")
    for row in shown.rows:
        print(row)
    return 0


def cmd_audit(args) -> int:
    from .disclosures import audit

    with opened(Path(args.run), args.rpc) as dep:
        accesses = audit(dep, args.member)
    print(f"member {args.member}: {len(accesses)} access(es) recorded on chain")
    for access in accesses:
        print(access.line())
    return 0


def cmd_verify(args) -> int:
    from ..chain import ENGINE, PRIVACY
    from .verify import verify_document, verify_path

    if args.document:
        if len(args.target) != 2 or not args.target[1].isdigit():
            raise ValueError("verify --document FILE needs CLAIM_ID LINE")
        claim_id, line = args.target[0], int(args.target[1])
        with opened(Path(args.run or "."), args.rpc) as dep:
            verdict = verify_document(dep[ENGINE], dep.ids.claim(claim_id), line, Path(args.document), claim_id)
    else:
        if len(args.target) != 1:
            raise ValueError("verify takes one PATH (or --document FILE CLAIM_ID LINE)")
        path = Path(args.target[0])
        run = Path(args.run) if args.run else path.parent
        with opened(run, args.rpc) as dep:
            verdict = verify_path(dep[PRIVACY], run, path, args.row)
    if not verdict.ok:
        print(f"claimledger: {verdict.line}", file=sys.stderr)
        return EXIT_DIFFERS
    print(verdict.line)
    return 0


def add_commands(sub) -> None:
    forget = sub.add_parser("forget", help="erase a member (GDPR Art. 17): destroy their salt in the key store")
    forget.add_argument("dir", nargs="?", help="deployment or run directory (default: CLAIMLEDGER_PSEUDONYM_KEYS)")
    forget.add_argument("--member", required=True)
    forget.set_defaults(func=cmd_forget)

    consent = sub.add_parser("consent", help="a member's consents on the privacy ledger (signed by the member)")
    consent.add_argument("action", choices=["register", "grant", "revoke", "delegate"])
    consent.add_argument("dir", help="run or deployment directory")
    consent.add_argument("--member", required=True)
    consent.add_argument("--key", help="register: the member's own account address")
    consent.add_argument("--party", help="grant, revoke: the account that may read")
    consent.add_argument("--purpose", help="treatment, payment, operations or research")
    consent.add_argument("--until", help="grant, delegate: YYYY-MM-DD, the last day it holds (UTC)")
    consent.add_argument("--delegate", help="delegate: the delegate's account address")
    consent.add_argument("--remove", action="store_true", help="delegate: end the delegation")
    consent.add_argument("--signer-key-env", help="the environment variable holding the member's (or delegate's) key")
    consent.add_argument("--rpc")
    consent.set_defaults(func=cmd_consent)

    history = sub.add_parser("history", help="a member's lines for a party, where consent holds; every access recorded on chain first")
    history.add_argument("run", help="run directory")
    history.add_argument("--member", required=True)
    history.add_argument("--as", dest="party", required=True, help="the reading party's account address")
    history.add_argument("--purpose", required=True, help="treatment, payment, operations or research")
    history.add_argument("--rpc")
    history.set_defaults(func=cmd_history)

    audit = sub.add_parser("audit", help="who read a member's claims, when and why (the accounting of disclosures)")
    audit.add_argument("run", help="run or deployment directory")
    audit.add_argument("--member", required=True)
    audit.add_argument("--rpc")
    audit.set_defaults(func=cmd_audit)

    verify = sub.add_parser("verify", help="check a file or row of a run, or an appeal document, against the chain")
    verify.add_argument("target", nargs="+", help="PATH, or with --document: CLAIM_ID LINE")
    verify.add_argument("--row", type=int, help="the row of results.csv or rejects.csv (0: the header)")
    verify.add_argument("--document", help="an appeal letter, checked against the hash recorded with the appeal")
    verify.add_argument("--run", help="the run directory (default: PATH's directory; with --document: .)")
    verify.add_argument("--rpc")
    verify.set_defaults(func=cmd_verify)
