"""Gas per claim of each kind of claim, kept in ``benchmarks/gas-snapshot.json`` and checked by
``make test`` (``tests/integration/test_gas_snapshot.py``): gas is deterministic, so a change
that moves a figure by more than 1% fails until the snapshot is updated in the same commit.

    .venv/bin/python benchmarks/gas_snapshot.py            # measure and compare
    .venv/bin/python benchmarks/gas_snapshot.py --write    # measure and write the snapshot

Each kind is one ``submitClaims`` of ten claims of that kind on a fresh anvil, loaded with the
bench's plan (``claimledger.bench``, a pend threshold and an incentive code added) after one
approved warm-up claim per member (so that accumulators exist, as in a running system); a figure
is the transaction's gas divided by ten (so it includes a tenth of the 21,000 a transaction
costs). Corrections name approved one-line originals submitted just before, with the same line
(a replacement) or none of their own (a void). ``secondary`` claims are office visits this plan
pays second (A-11: the prior payer allowed 90.00 and paid 60.00); ``incentive`` claims are each
member's first preventive visit of the year, which earns it a reward (A-12: a new reward slot,
and the member's first reward account).

The privacy ledger's kinds (docs/PRIVACY.md) are the gas of one transaction each, on the same
deployment afterwards: a member's key registered, a consent granted (the first of a member and
party) and revoked (both relayed EIP-712 signatures), an access recorded (the member's first),
and a run anchored (one root, whatever the run's size: never per claim).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from claimledger import chain  # noqa: E402
from claimledger.bench import BATCH_GAS, BENCH_GAS_LIMIT, NPIS, bench_scenario  # noqa: E402
from claimledger.chain import ENGINE, Keys  # noqa: E402
from claimledger.codec import encode_claim  # noqa: E402
from claimledger.money import parse_day  # noqa: E402
from claimledger.node import AnvilNode, connect, dev_private_keys  # noqa: E402
from claimledger.records import Claim, ClaimLine, FeeEntry, Frequency  # noqa: E402
from claimledger.sender import TxSender  # noqa: E402

SNAPSHOT = Path(__file__).resolve().parent / "gas-snapshot.json"
PER_KIND = 10
TOLERANCE = 0.01
CLAIM_KINDS = ("approved", "denied", "pended", "multi_line", "replacement", "void", "secondary", "incentive")
PRIVACY_KINDS = ("member_key_registered", "consent_granted", "consent_revoked", "access_recorded", "run_anchored")
KINDS = CLAIM_KINDS + PRIVACY_KINDS
MEMBERS = PER_KIND * len(CLAIM_KINDS)  # each kind its own members
INCENTIVE_CODE = "99395"  # a preventive visit the snapshot's plan rewards with 50.00


def _claim(claim_id: str, member: int, day: int, lines=None, frequency=Frequency.ORIGINAL, original="") -> Claim:
    start = parse_day("2026-01-01")
    lines = lines or ((start + day, "99213", 1, 12_000 + member),)
    return Claim(claim_id, frequency, original, f"B{member:06d}", NPIS[member % len(NPIS)], start + day + 2,
                 ("J06.9",), tuple(ClaimLine(d, code, units, billed, None, *other) for d, code, units, billed, *other in lines))


def claims_of(kind: str, first_member: int) -> tuple[list[Claim], list[Claim]]:
    """(claims submitted before, the ten measured claims) of a kind."""
    start = parse_day("2026-01-01")
    members = range(first_member, first_member + PER_KIND)
    if kind == "approved":
        return [], [_claim(f"A{m}", m, 10) for m in members]
    if kind == "denied":  # CO-96: the code is not in the fee schedule
        return [], [_claim(f"D{m}", m, 10, ((start + 10, "99999", 1, 5_000),)) for m in members]
    if kind == "pended":  # billed above the plan's pend threshold
        return [], [_claim(f"P{m}", m, 10, ((start + 10, "99214", 1, 150_000 + m),)) for m in members]
    if kind == "secondary":  # the prior payer allowed 90.00 and paid 60.00
        return [], [_claim(f"S{m}", m, 10, ((start + 10, "99213", 1, 12_000 + m, 9_000, 6_000),)) for m in members]
    if kind == "incentive":  # each member's first preventive visit of the year
        return [], [_claim(f"I{m}", m, 10, ((start + 10, INCENTIVE_CODE, 1, 20_000 + m),)) for m in members]
    if kind == "multi_line":  # three approved lines
        return [], [_claim(f"L{m}", m, 10, tuple((start + 10, code, 1, 12_000 + 100 * k + m)
                                                  for k, code in enumerate(("99213", "99214", "99213"))))
                    for m in members]
    originals = [_claim(f"O{kind[0]}{m}", m, 10) for m in members]
    frequency = Frequency.REPLACEMENT if kind == "replacement" else Frequency.VOID
    corrections = [dataclasses.replace(o, claim_id=f"C{kind[0]}{m}", frequency=frequency, original_claim_id=o.claim_id)
                   for m, o in zip(members, originals)]
    return originals, corrections


def measure() -> dict[str, int]:
    """Gas per claim of each kind, on a fresh anvil."""
    keys = Keys.from_list(dev_private_keys(6))
    scenario = bench_scenario(MEMBERS)
    plan = next(iter(scenario.plans.values()))
    fees = {**plan.fee_schedule, INCENTIVE_CODE: FeeEntry(16_500, "preventive")}
    scenario.plans[plan.plan_id] = dataclasses.replace(plan, pend_above=100_000, fee_schedule=fees,
                                                       incentives={INCENTIVE_CODE: 5_000})
    with AnvilNode(gas_limit=BENCH_GAS_LIMIT, accounts=10) as node:
        w3 = connect(node.url)
        dep = chain.deploy(w3, keys)
        chain.load_reference_data(dep, keys, scenario)
        engine = dep[ENGINE]
        submit = chain.CallEncoder(engine, "submitClaims")
        biller = TxSender(w3, keys.biller)

        def send(claims: list[Claim], originals: list[Claim] = ()) -> int:
            data = submit(b"".join(encode_claim(c, dep.ids) for c in claims),
                          b"".join(encode_claim(o, dep.ids) for o in originals))
            return biller.transact(engine.address, data, BATCH_GAS)["gasUsed"]

        send([_claim(f"W{m}", m, 1) for m in range(MEMBERS)])  # accumulators exist
        figures = {}
        for index, kind in enumerate(CLAIM_KINDS):
            before, measured = claims_of(kind, index * PER_KIND)
            if before:
                send(before)
            figures[kind] = round(send(measured, before) / PER_KIND)
        figures.update(measure_privacy(dep, keys))
    return figures


def measure_privacy(dep, keys: Keys) -> dict[str, int]:
    """Gas of one transaction of each privacy kind (consents relayed by the records officer)."""
    from eth_account import Account

    from claimledger.privacy.consent import ConsentDesk, Purpose

    member, party = dep.ids.member("B000001"), "0x000000000000000000000000000000000000bEEF"
    wallet = Account.from_key(b"\x5a" * 32)
    desk = ConsentDesk(dep, keys.records_officer)
    ledger = dep[chain.PRIVACY]
    until = dep.w3.eth.get_block("latest")["timestamp"] + 86_400
    return {
        "member_key_registered": desk.register_key(keys.plan_manager, member, wallet.address)["gasUsed"],
        "consent_granted": desk.grant(member, party, Purpose.TREATMENT, until, wallet.key)["gasUsed"],
        "access_recorded": TxSender(dep.w3, keys.records_officer).transact(ledger.address, ledger.encode_abi(
            "recordAccess", args=[member, party, int(Purpose.TREATMENT), b"\x01" * 32]), BATCH_GAS)["gasUsed"],
        "consent_revoked": desk.revoke(member, party, Purpose.TREATMENT, wallet.key)["gasUsed"],
        "run_anchored": TxSender(dep.w3, keys.records_officer).transact(ledger.address, ledger.encode_abi(
            "anchor", args=[b"\x02" * 32, b"\x03" * 32, 1_000_000]), BATCH_GAS)["gasUsed"],
    }


def differences(measured: dict[str, int], snapshot: dict[str, int]) -> list[str]:
    """The kinds whose gas moved by more than the tolerance, or that are new or gone."""
    out = []
    for kind in sorted(set(measured) | set(snapshot)):
        old, new = snapshot.get(kind), measured.get(kind)
        if old is None or new is None or abs(new - old) > TOLERANCE * old:
            out.append(f"{kind}: snapshot {old}, measured {new}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write the measured figures to the snapshot")
    args = parser.parse_args()
    figures = measure()
    for kind, gas in figures.items():
        print(f"{kind:<24}{gas:>10,}")
    if args.write:
        SNAPSHOT.write_text(json.dumps(figures, indent=2) + "\n")
        print(f"wrote {SNAPSHOT}")
        return 0
    moved = differences(figures, json.loads(SNAPSHOT.read_text()) if SNAPSHOT.exists() else {})
    for line in moved:
        print(f"moved: {line}")
    return 1 if moved else 0


if __name__ == "__main__":
    sys.exit(main())
