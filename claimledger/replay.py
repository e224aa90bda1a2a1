"""Replaying a claim stream through the claims engine in batches, pipelined.

Claims go in ``submitClaims`` batches (bounded by claims and by lines, so a batch stays well
inside the block gas limit), signed locally and sent with a window of transactions in
flight. Each receipt's events are paired back with the batch's records, so outcomes come out
in submission order, loader rejects in their place among them.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Iterable

from .chain import ENGINE, CallEncoder, Deployment
from .codec import encode_claim
from .events import ClaimOutcome, EventDecoder, outcomes_from_events
from .originals import OriginalContents
from .records import Claim, Reject
from .sender import TxSender

DEFAULT_BATCH_CLAIMS = 100  # the engine's MAX_BATCH: per-batch reads (roles, plans, fees) shared by more claims
DEFAULT_BATCH_LINES = 200  # a transaction stays near 10M gas at most (docs/ENGINE.md)
BATCH_GAS = 29_000_000


def hex_hash(value) -> str:
    """A block hash as 0x and 64 lower-case hex digits (a node's raw answer or web3's bytes)."""
    return value.lower() if isinstance(value, str) else "0x" + bytes(value).hex()


@dataclass
class ReplayStats:
    claims: int = 0
    lines: int = 0
    transactions: int = 0
    gas_used: int = 0
    started: float = field(default_factory=time.monotonic)
    finished: float = 0.0
    # (seconds since start, claims confirmed, gas of the transaction, claims in it)
    timeline: list[tuple[float, int, int, int]] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    @property
    def claims_per_second(self) -> float:
        return self.claims / self.seconds if self.seconds > 0 else 0.0

    @property
    def gas_per_claim(self) -> float:
        return self.gas_used / self.claims if self.claims else 0.0


@dataclass
class _Batch:
    items: list = field(default_factory=list)  # Claims and loader Rejects, in order
    claims: int = 0
    lines: int = 0

    def __str__(self) -> str:
        ids = [i.claim_id for i in self.items if isinstance(i, Claim)]
        return f"batch of {len(ids)} claims {ids[0]}..{ids[-1]}" if ids else "empty batch"


def replay(
    dep: Deployment,
    biller_key: str,
    items: Iterable[Claim | Reject],
    on_outcome: Callable[[ClaimOutcome], None],
    batch_claims: int = DEFAULT_BATCH_CLAIMS,
    batch_lines: int = DEFAULT_BATCH_LINES,
    window: int = 16,
    on_progress: Callable[[int], None] | None = None,
    on_checkpoint: Callable[[int, tuple[int, int], str], None] | None = None,
    originals: OriginalContents | None = None,
) -> ReplayStats:
    """Submits every Claim in order; hands each record's outcome to ``on_outcome`` in order.
    A batch with replacements or voids carries the content of the claims they name (R-17),
    found by ``originals`` (by default among the claims replayed recently, then on the chain;
    see :class:`OriginalContents`), to which every claim is added as it is sent.

    ``on_checkpoint(records, position, block_hash)`` is called whenever every record up to
    ``records`` (claims and loader rejects, counted from the start of ``items``) has had its
    outcome handed over and the chain has confirmed them by ``position`` = (block, transaction
    index) in the block of hash ``block_hash``: the point a resumed replay starts from."""
    engine = dep[ENGINE]
    decoder = EventDecoder(engine)
    encode_submit = CallEncoder(engine, "submitClaims")
    sender = TxSender(dep.w3, biller_key, window=window)
    ids = dep.ids  # privacy: claim and member ids as the deployment's pseudonyms
    originals = originals if originals is not None else OriginalContents(ids, dep)
    stats = ReplayStats()

    done = {"records": 0}

    def on_receipt(receipt: dict, batch: _Batch) -> None:
        for outcome in outcomes_from_events(batch.items, decoder.decode(receipt), ids):
            on_outcome(outcome)
        done["records"] += len(batch.items)
        if on_checkpoint is not None:
            on_checkpoint(done["records"], (receipt["blockNumber"], receipt["transactionIndex"]),
                          hex_hash(receipt["blockHash"]))
        stats.claims += batch.claims
        stats.lines += batch.lines
        stats.transactions += 1
        stats.gas_used += receipt["gasUsed"]
        stats.timeline.append((time.monotonic() - stats.started, stats.claims, receipt["gasUsed"], batch.claims))
        if on_progress is not None:
            on_progress(len(batch.items))  # records, as the run's count of the file (loader rejects too)

    def send(batch: _Batch) -> None:
        claims = [i for i in batch.items if isinstance(i, Claim)]
        packed = [encode_claim(c, ids) for c in claims]
        for claim in packed:  # before the originals: a correction may name a claim of its batch
            originals.add(claim)
        data = encode_submit(b"".join(packed), originals.for_claims(claims))
        ids.commit()  # privacy: new members' salts on disk before their pseudonyms go on chain
        sender.send(engine.address, data, BATCH_GAS, tag=batch, on_receipt=on_receipt)

    batch = _Batch()
    for item in items:
        if isinstance(item, Claim):
            if batch.claims and (batch.claims >= batch_claims or batch.lines + len(item.lines) > batch_lines):
                send(batch)
                batch = _Batch()
            batch.claims += 1
            batch.lines += len(item.lines)
        batch.items.append(item)
    if batch.claims:
        send(batch)
    sender.flush(on_receipt)
    if not batch.claims and batch.items:  # trailing loader rejects after the last sent claim
        for outcome in outcomes_from_events(batch.items, [], ids):
            on_outcome(outcome)
        done["records"] += len(batch.items)
        if on_checkpoint is not None:
            tip = dep.w3.eth.get_block("latest")
            on_checkpoint(done["records"], (tip["number"], 1 << 30), hex_hash(tip["hash"]))
    stats.finished = time.monotonic()
    return stats
