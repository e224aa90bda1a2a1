"""``bench --mode optimistic``: optimistic settlement's figures on the bench's own node, in the
same run as the on-chain ones (benchmarks/README.md).

The bench's one-line claims go through the adjudicator's shadow (its off-chain throughput), are
posted in batches of ``batch`` claims to an ``OptimisticSettlement`` on the bench node
(``optimistic_gas_per_claim``: the posting transactions' gas over the claims, so
``optimistic_network_claims_per_s`` at the bench's gas per second), then checked by a watcher with
an engine of its own (``watch_seconds_per_batch``). Last, the first batch is posted again to a
second settlement with one root wrong in its middle, and the watcher's challenge of it is
resolved (``challenge_gas`` and ``resolve_gas`` of a successful challenge, and what an unfounded
one against the honest batch costs).
"""
from __future__ import annotations

import time
from typing import Callable

from ..chain import Keys
from ..privacy.pseudonyms import Pseudonyms
from .settlement import Parties, SettlementChain
from .shadow import shadow_chain
from .watcher import Replayer, dispute

BENCH_WINDOW = 100_000  # blocks: the bench mines a block a transaction, and both challenges come late


def measure_optimistic(w3, keys: Keys, scenario, claims: list, batch: int, gas_per_second: int,
                       progress: Callable[[str, int], Callable[[int], None]]) -> dict:
    def phase(name: str, total: int) -> Callable[[int], None]:
        return progress(name, total) or (lambda n: None)

    parties = Parties.from_keys(keys)
    pseudonyms = Pseudonyms.in_memory()
    with shadow_chain(scenario, pseudonyms) as shadow:
        tick = phase("claims through the adjudicator's shadow", len(claims))
        started = time.monotonic()
        steps = []
        for claim in claims:
            steps.append(shadow.submit(claim))
            tick(1)
        shadow_seconds = time.monotonic() - started
        genesis = shadow.genesis_root
    honest = SettlementChain.deploy(w3, parties, genesis, window=BENCH_WINDOW)
    gas = 0
    for at in range(0, len(steps), batch):
        part = steps[at:at + batch]
        _, receipt = honest.post_batch([s.claim for s in part], [s.post_root[:28] for s in part])
        gas += receipt["gasUsed"]
    gas_per_claim = gas / len(steps)
    posted = honest.posted_batches()

    with shadow_chain(scenario, pseudonyms) as watcher_shadow:
        replayer = Replayer(watcher_shadow, honest)
        replayer.check_genesis()
        tick = phase("a watcher checking the batches", len(steps))
        started = time.monotonic()
        for b in posted:
            assert replayer.check(b) is None, f"batch {b.batch_id}: the honest posting has a wrong root"
            tick(len(b.claims))
        watch_seconds = time.monotonic() - started

    first = posted[0]
    middle = len(first.claims) // 2
    wrong = list(first.roots)
    wrong[middle] = wrong[middle - 1] if middle else bytes(28)
    cheated = SettlementChain.deploy(w3, parties, genesis, window=BENCH_WINDOW)
    cheated.post_batch(first.claims, wrong)
    (bad,) = cheated.posted_batches()
    with shadow_chain(scenario, pseudonyms) as watcher_shadow:
        replayer = Replayer(watcher_shadow, cheated)
        index, step = replayer.check(bad)
        fault = dispute(replayer, bad, index, step)
    with shadow_chain(scenario, pseudonyms) as watcher_shadow:
        replayer = Replayer(watcher_shadow, honest)
        _, step = replayer.check(first, stop_at=middle)
        unfounded = dispute(replayer, first, middle, step)
    assert fault["upheld"] and not unfounded["upheld"]
    return {
        "optimistic_batch_claims": batch,
        "optimistic_gas_per_claim": round(gas_per_claim),
        "optimistic_network_claims_per_s": round(gas_per_second / gas_per_claim, 1),
        "optimistic_offchain_claims_per_s": round(len(steps) / shadow_seconds, 1),
        "watch_seconds_per_batch": round(watch_seconds * batch / len(steps), 2),
        "watch_claims_per_s": round(len(steps) / watch_seconds, 1),
        "challenge_batch_claims": len(first.claims),
        "challenge_gas_upheld": fault["gas_challenge"],
        "resolve_gas_upheld": fault["gas_resolve"],
        "challenge_gas_unfounded": unfounded["gas_challenge"],
        "resolve_gas_unfounded": unfounded["gas_resolve"],
    }
