"""``claimledger bench``: settlement throughput and gas, measured against baselines in one run.

On one fresh anvil and with the same sending pipeline (:class:`~claimledger.sender.TxSender`:
local signing, own nonces, a window of transactions in flight) it measures, in order:
plain ETH transfers, ERC-20 transfers, one claim per transaction, and batched claims. Every
claim is a one-line in-network claim that is approved and paid (each moves money and changes
accumulators). Speeds are reported as they are and as ratios to the baselines of the same run.
"""
from __future__ import annotations

import json
import os
import platform
import time
from contextlib import ExitStack, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from eth_account import Account

from . import chain
from .atomic import write_text_atomically
from .chain import ENGINE
from .codec import encode_claim
from .events import EventDecoder
from .money import parse_day
from .node import connect, dev_private_keys, interval_mining
from .records import Claim, ClaimLine, FeeEntry, Frequency, LineStatus, Member, Plan, Provider
from .scenario import Scenario
from .sender import TxSender

BENCH_GAS_LIMIT = 1_000_000_000
TRANSFER_GAS = 21_000
ERC20_GAS = 60_000
SINGLE_CLAIM_GAS = 1_000_000
BATCH_GAS = 90_000_000
BATCHED_FIRST_DAY = 160  # the batched phase's claims are for other days than the single phase's
STEADY_CLAIMS = 100_000  # claims the chain holds before the steady-state phase is measured
GAS_PER_SECOND = 15_000_000  # what a permissioned chain gives an application: 30M-gas blocks every 2 s
US_CLAIMS_PER_S = 130  # the US average: ~4.1 billion claims a year (benchmarks/README.md)
PROBE_CLAIMS = 5_000  # at most this many of the batched phase's claims are run through the probe
OPTIMISTIC_BATCH = 1_000  # claims a batch of optimistic settlement (issue 19's figure)
NPIS = [str(1_000_000_000 + i * 7919) for i in range(20)]


@dataclass
class Phase:
    """One measured phase: transactions confirmed over time."""

    name: str
    items: int = 0  # claims or transfers
    transactions: int = 0
    gas: int = 0
    seconds: float = 0.0
    # (seconds since phase start, items confirmed so far, gas of tx, items in tx, latency s)
    timeline: list[tuple[float, int, int, int, float]] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.items / self.seconds if self.seconds else 0.0

    @property
    def gas_per_item(self) -> float:
        return self.gas / self.items if self.items else 0.0


def bench_scenario(members: int) -> Scenario:
    """A plan whose office visits are paid after a copay, members on it, in-network providers."""
    plan = Plan(
        plan_id="BENCH-PPO", deductible_individual=50_000, deductible_family=100_000,
        oop_max_individual=900_000, oop_max_family=1_800_000, coinsurance_bps=2_000,
        out_of_network_covered=True, out_of_network_coinsurance_bps=4_000,
        copays={"office_visit": 2_500}, timely_filing_days=365, pend_above=None,
        fee_schedule={"99213": FeeEntry(9_200, "office_visit"), "99214": FeeEntry(13_100, "office_visit")},
    )
    start = parse_day("2026-01-01")
    return Scenario(
        {plan.plan_id: plan},
        {f"B{i:06d}": Member(f"B{i:06d}", f"F{i // 4:06d}", plan.plan_id, start, None) for i in range(members)},
        {npi: Provider(npi, f"Bench provider {i}", True) for i, npi in enumerate(NPIS)},
        [],
    )


def bench_claims(prefix: str, count: int, members: int, first_day: int = 0) -> list[Claim]:
    """One-line approved claims: distinct members, days and amounts, so none is a duplicate of
    another. Phases pass different ``first_day``s so that their claims are not duplicates of
    each other's (A-4.8) either."""
    start = parse_day("2026-01-01") + first_day
    claims = []
    for i in range(count):
        dos = start + i // members
        claims.append(Claim(
            f"{prefix}{i:08d}", Frequency.ORIGINAL, "", f"B{i % members:06d}", NPIS[i % len(NPIS)],
            dos + 2, ("J06.9",), (ClaimLine(dos, "99213", 1, 12_000 + i % 997),),
        ))
    return claims


def approved_lines(engine) -> Callable[[dict], int]:
    """A counter of the lines of a receipt's ClaimAccepted events, which raises on any line that
    is not approved; it reads only their status (bits 8-15 of each line word)."""
    decoder = EventDecoder(engine)
    topic = decoder.topic("ClaimAccepted")

    def count(receipt: dict) -> int:
        approved = 0
        for log in receipt["logs"]:
            if not (log["topics"] and bytes(log["topics"][0]) == topic):
                continue
            for words in decoder.decode_log(log)[1]["words"]:
                status = words.status
                if status != LineStatus.APPROVED:
                    raise RuntimeError(f"a bench claim was not approved (line {status}): the figures "
                                       "would not be those of approved claims")
                approved += 1
        return approved

    return count


def _run_phase(name: str, sender: TxSender, jobs: list[tuple[str, bytes, int, int]],
               on_progress: Callable[[int], None] | None = None,
               approved: Callable[[dict], int] | None = None) -> Phase:
    """Sends (to, data, gas, items) jobs through the pipeline and records each confirmation;
    with ``approved`` it checks that every claim of every transaction had its line approved."""
    phase = Phase(name)
    started = time.monotonic()

    def on_receipt(receipt: dict, tag: tuple[int, float]) -> None:
        items, sent_at = tag
        if receipt["status"] != 1:
            raise RuntimeError(f"{name}: a transaction reverted")
        if approved is not None and approved(receipt) != items:
            raise RuntimeError(f"{name}: a transaction adjudicated fewer lines than it carried claims")
        now = time.monotonic()
        phase.items += items
        phase.transactions += 1
        phase.gas += receipt["gasUsed"]
        phase.timeline.append((now - started, phase.items, receipt["gasUsed"], items, now - sent_at))
        if on_progress is not None:
            on_progress(items)

    for to, data, gas, items in jobs:
        sender.send(to, data, gas, tag=(items, time.monotonic()), on_receipt=on_receipt)
    sender.flush(on_receipt)
    phase.seconds = time.monotonic() - started
    return phase


def measure_signing(sender: TxSender, count: int) -> float:
    """Signatures per second of the sending account (eth-account, coincurve when installed)."""
    nonce = sender.nonce
    started = time.monotonic()
    for _ in range(count):
        sender.sign(sender.address, b"", TRANSFER_GAS, value=1)
    elapsed = time.monotonic() - started
    sender.nonce = nonce
    return count / elapsed


def run_bench(out_dir: Path, claims: int = 2000, batch: int = 100, window: int = 512,
              on_phase: Callable[[str, int], Callable[[int], None]] | None = None,
              client: str = "anvil", rpc: str | None = None, deployment: Path | None = None,
              steady_claims: int = STEADY_CLAIMS, gas_per_second: int = GAS_PER_SECOND, mode: str = "chain",
              optimistic_batch: int = OPTIMISTIC_BATCH) -> dict:
    """Runs every phase on one fresh embedded node of ``client`` (or on the node at ``rpc``, or
    ``deployment``'s node, with fresh contracts and the role keys of :func:`keys.load_keys`)
    and writes ``OUT/bench.json`` and ``OUT/report.html``.

    After the batched phase the same claims (up to :data:`PROBE_CLAIMS`) go through the gas
    floor probe on the same node (``gas_floor_probe``); then, unless ``steady_claims`` is 0, the
    chain is filled with approved claims until it holds ``steady_claims`` and a batched phase of
    ``claims`` more is measured again (``gas_per_claim_batched_steady``). ``gas_per_second`` is
    the chain the ``network_claims_per_s`` figures are worked out for. With ``mode``
    "optimistic" the optimistic settlement's figures follow on the same node
    (:mod:`claimledger.optimistic.bench`), at least one batch of ``optimistic_batch`` claims."""
    from .clients import embedded_node
    from .deployment_dir import node_url, read_document
    from .keys import load_keys, refuse_dev_keys

    out_dir.mkdir(parents=True, exist_ok=True)
    keys, sources = load_keys()
    members = max(50, min(claims, 5_000), -(-claims // BATCHED_FIRST_DAY))  # phases never share a day
    progress = on_phase or (lambda name, total: None)
    if deployment is not None:
        rpc = node_url(read_document(deployment), rpc, deployment)
    embedded = rpc is None
    with embedded_node(client, gas_limit=BENCH_GAS_LIMIT, accounts=10) if embedded else nullcontext() as node:
        w3 = connect(node.url if embedded else rpc)
        refuse_dev_keys(sources, w3.eth.chain_id)
        dep = chain.deploy(w3, keys)
        chain.load_reference_data(dep, keys, bench_scenario(members))
        engine, token = dep[ENGINE], dep["SettlementToken"]
        biller = TxSender(w3, keys.biller, window=window)
        sign_per_s = measure_signing(biller, min(claims, 2000))

        # every phase: the biller's key, one pipeline, and anvil mining a block a second, as
        # claimledger's replays run it (see benchmarks/README.md)
        phases = ExitStack()
        if embedded:  # a node given with --rpc mines as it does
            phases.enter_context(interval_mining(w3))
        sink = Account.from_key(dev_private_keys(6)[5]).address
        eth = _run_phase("eth_transfer", biller, [(sink, b"", TRANSFER_GAS, 1)] * claims,
                         progress("ETH transfers", claims))
        treasurer = TxSender(w3, keys.treasurer)
        treasurer.transact(token.address, token.encode_abi("mint", args=[biller.address, 10**15]), 200_000)
        transfer = bytes.fromhex(token.encode_abi("transfer", args=[sink, 1])[2:])
        erc20 = _run_phase("erc20_transfer", biller, [(token.address, transfer, ERC20_GAS, 1)] * claims,
                           progress("ERC-20 transfers", claims))

        encode_one = chain.CallEncoder(engine, "submitClaim")
        single_jobs = [
            (engine.address, encode_one(encode_claim(c, dep.ids), b""), SINGLE_CLAIM_GAS, 1)
            for c in bench_claims("S", claims, members)
        ]
        single = _run_phase("claims_single", biller, single_jobs, progress("claims, 1 per tx", claims),
                            approved=approved_lines(engine))

        batched_claims = bench_claims("B", claims, members, BATCHED_FIRST_DAY)
        batch_jobs = _batch_jobs(engine, batched_claims, batch, dep.ids)
        batched = _run_phase("claims_batched", biller, batch_jobs, progress(f"claims, {batch} per tx", claims),
                             approved=approved_lines(engine))
        batched_days = -(-claims // members)
        steady = None
        if steady_claims > 2 * claims:
            filler = steady_claims - 2 * claims
            first_day = BATCHED_FIRST_DAY + batched_days
            _run_phase("filling", biller, _batch_jobs(engine, bench_claims("F", filler, members, first_day), batch, dep.ids),
                       progress(f"filling the chain to {steady_claims:,} claims", filler), approved=approved_lines(engine))
            first_day += -(-filler // members)
            steady = _run_phase("claims_batched_steady", biller,
                                _batch_jobs(engine, bench_claims("T", claims, members, first_day), batch, dep.ids),
                                progress(f"claims, {batch} per tx, steady", claims), approved=approved_lines(engine))
        phases.close()
        probe_gas = measure_probe(w3, biller, members, batched_claims[:PROBE_CLAIMS], batch,
                                  progress("the same claims through the gas floor probe", min(claims, PROBE_CLAIMS)))

        optimistic = {}
        if mode == "optimistic":
            from .optimistic.bench import measure_optimistic

            count = max(claims, optimistic_batch)
            optimistic = measure_optimistic(w3, keys, bench_scenario(members), bench_claims("O", count, members),
                                            optimistic_batch, gas_per_second, progress)
        settle_started = time.monotonic()
        from .pipeline import settle_all
        settlement = settle_all(dep, keys, NPIS)
        settle_seconds = time.monotonic() - settle_started
        client_version = w3.provider.make_request("web3_clientVersion", []).get("result")

    result = {
        "client": client_version,
        "claims": claims,
        "batch_size": batch,
        "window": window,
        "baseline_eth_tps": round(eth.per_second, 1),
        "baseline_erc20_tps": round(erc20.per_second, 1),
        "claims_per_s_single": round(single.per_second, 1),
        "claims_per_s_batched": round(batched.per_second, 1),
        "ratio_batched_to_erc20": round(batched.per_second / erc20.per_second, 3),
        "ratio_single_to_erc20": round(single.per_second / erc20.per_second, 3),
        "gas_per_claim_single": round(single.gas_per_item),
        "gas_per_claim_batched": round(batched.gas_per_item),
        "gas_floor_probe": round(probe_gas),
        "ratio_batched_to_probe": round(batched.gas_per_item / probe_gas, 3),
        "gas_per_claim_batched_steady": round(steady.gas_per_item) if steady else None,
        "steady_after_claims": steady_claims if steady else None,
        "gas_per_second": gas_per_second,
        "network_claims_per_s": round(gas_per_second / batched.gas_per_item, 1),
        "network_claims_per_s_steady": round(gas_per_second / steady.gas_per_item, 1) if steady else None,
        "us_average_claims_per_s": US_CLAIMS_PER_S,
        "gas_per_erc20_transfer": round(erc20.gas_per_item),
        "sign_per_s": round(sign_per_s, 1),
        "node_gas_per_s_batched": round(batched.gas / batched.seconds) if batched.seconds else 0,
        "node_gas_per_s_erc20": round(erc20.gas / erc20.seconds) if erc20.seconds else 0,
        "settlement": {**settlement, "seconds": round(settle_seconds, 3)},
        "latency_s_batched": _percentiles([t[4] for t in batched.timeline]),
        "latency_s_single": _percentiles([t[4] for t in single.timeline]),
        **optimistic,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
    }
    write_text_atomically(out_dir / "bench.json", json.dumps(result, indent=2) + "\n")
    _write_bench_report(out_dir, result, [eth, erc20, single, batched])
    return result


def _batch_jobs(engine, claims: list[Claim], batch: int, ids) -> list[tuple[str, bytes, int, int]]:
    """``submitClaims`` transactions of ``batch`` claims each, ids as ``ids`` maps them."""
    encode = chain.CallEncoder(engine, "submitClaims")
    jobs = []
    for start in range(0, len(claims), batch):
        chunk = [encode_claim(c, ids) for c in claims[start:start + batch]]
        jobs.append((engine.address, encode(b"".join(chunk), b""), BATCH_GAS, len(chunk)))
    return jobs


def measure_probe(w3, sender: TxSender, members: int, claims: list[Claim], batch: int,
                  on_progress: Callable[[int], None] | None = None) -> float:
    """Gas per claim of ``claims`` through the gas floor probe (:mod:`claimledger.probe`), in
    transactions of ``batch``, after one warm-up claim per member, so that accumulators exist
    as they do for the engine's batched phase (the single phase came first)."""
    from .probe import Probe

    probe = Probe(w3, sender, members)
    warm = bench_claims("W", members, members)
    for start in range(0, len(warm), batch):
        probe.submit(warm[start:start + batch])
    jobs = [(probe.address, probe.submit_data(claims[s:s + batch]), BATCH_GAS, len(claims[s:s + batch]))
            for s in range(0, len(claims), batch)]
    return _run_phase("gas_floor_probe", sender, jobs, on_progress).gas_per_item


def _percentiles(values: list[float]) -> dict:
    if not values:
        return {}
    ordered = sorted(values)
    pick = lambda q: round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 4)  # noqa: E731
    return {"p50": pick(0.5), "p95": pick(0.95), "max": round(ordered[-1], 4)}


def _write_bench_report(out_dir: Path, result: dict, phases: list[Phase]) -> Path:
    import base64
    import html
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def figure_png(fig) -> str:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
        plt.close(fig)
        return base64.b64encode(buffer.getvalue()).decode()

    fig, ax = plt.subplots(figsize=(9, 4))
    for phase in phases:
        xs = [t[0] for t in phase.timeline]
        ys = [t[1] for t in phase.timeline]
        ax.plot(xs, ys, label=f"{phase.name} ({phase.per_second:,.0f}/s)")
    ax.set_xlabel("seconds since phase start")
    ax.set_ylabel("transfers or claims confirmed")
    ax.set_title("Throughput over each phase (same node, same pipeline)")
    ax.legend(loc="lower right")
    throughput = figure_png(fig)

    fig, ax = plt.subplots(figsize=(9, 3.5))
    names = [p.name for p in phases]
    ax.bar(names, [p.gas_per_item for p in phases], color=["#999", "#777", "#c44", "#48c"], edgecolor="white")
    for i, p in enumerate(phases):
        ax.text(i, p.gas_per_item, f"{p.gas_per_item:,.0f}", ha="center", va="bottom")
    ax.set_ylabel("gas per transfer or claim")
    ax.set_title("Gas per item")
    gas = figure_png(fig)

    fig, ax = plt.subplots(figsize=(9, 3.5))
    for phase in phases[2:]:
        ax.hist([t[4] * 1000 for t in phase.timeline], bins=40, alpha=0.6, label=phase.name, edgecolor="white")
    ax.set_xlabel("submit to confirmation, ms (per transaction)")
    ax.set_ylabel("transactions")
    ax.set_title("Latency from submission to confirmed adjudication and accrual")
    ax.legend()
    latency = figure_png(fig)

    rows = "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(json.dumps(v))}</td></tr>" for k, v in result.items()
    )
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>claimledger bench</title>
<style>body{{font-family:sans-serif;max-width:1000px;margin:2em auto}}th{{text-align:left;padding-right:1em}}
td,th{{border-bottom:1px solid #ddd;padding:4px}}</style></head><body>
<h1>claimledger bench</h1>
<p>{result['claims']:,} items per phase, batches of {result['batch_size']}, {result['window']} transactions in flight.
Batched claims: <b>{result['claims_per_s_batched']:,}/s</b> = {result['ratio_batched_to_erc20']} x ERC-20 transfers
({result['baseline_erc20_tps']:,}/s); one claim per transaction: {result['claims_per_s_single']:,}/s.</p>
<p>Gas per batched claim: <b>{result['gas_per_claim_batched']:,}</b> ({result['ratio_batched_to_probe']} x the gas floor
probe's {result['gas_floor_probe']:,} on the same claims). A chain giving {result['gas_per_second']:,} gas a second carries
<b>{result['network_claims_per_s']:,} claims/s</b> at that gas (US average: {result['us_average_claims_per_s']} claims/s).</p>
<img src="data:image/png;base64,{throughput}"><img src="data:image/png;base64,{gas}">
<img src="data:image/png;base64,{latency}"><h2>bench.json</h2><table>{rows}</table></body></html>"""
    path = out_dir / "report.html"
    write_text_atomically(path, page)
    return path
