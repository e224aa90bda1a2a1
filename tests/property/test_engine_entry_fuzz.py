"""Fuzzing the engine's entry points (issue 18): arbitrary claim inputs sent straight to
`submitClaims` (a batch) and `submitClaim` (one claim), as the biller, never through the loader.

- Structured claims (ids made up or raw 32 bytes, members and providers known or not, dates
  from 0 to 2^32 - 1, 0 and maximal units and amounts, up to 51 lines and 13 diagnoses,
  duplicated lines, corrections whose originals are unknown, of another member, or whose
  recorded content is withheld or altered): each is refused exactly as the reference model
  refuses it (a `ClaimRecordRejected` event in a batch, `ClaimRejected(claimId, reason)` alone)
  or adjudicated into exactly the reference's rows and rewards.
- Raw bytes (valid claims with bytes flipped, cut, extended or their counts rewritten, random
  bytes): refused with a custom error of `IClaimsEngine` (never a bare revert, a Panic or out of
  gas), or recorded claim by claim, the batch's other claims decided as the reference decides them.

After every call: money is conserved, accumulators stay within 0..the plan's maxima, no line
is paid twice (`ledger_checks`). Runs on its own anvil; the full profile is
`HYPOTHESIS_PROFILE=full .venv/bin/python -m pytest -p no:pytest-brownie tests/property/test_engine_entry_fuzz.py -s`.
"""
from __future__ import annotations

import os
from collections import Counter
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from claimledger import chain
from claimledger.codec import EncodingError, claim_length, encode_claim
from claimledger.events import ClaimOutcome, claim_names, claim_rows, outcomes_from_events, reward_row
from claimledger.intake import CHAIN_REJECTS
from claimledger.money import CENT_UNITS
from claimledger.records import Claim, Reject
from claimledger.reference import ReferenceEngine

from tests.property.claim_strategies import RawIds, arbitrary_claim, mutated_bytes
from tests.property.engine_calls import EngineCaller, Refusal, chain_year, check_chain_books
from tests.property.ledger_checks import (
    KEYS, Cashbook, check_accumulators, check_money_conserved, check_no_line_paid_twice, rpc,
)
from tests.property.scenario_strategies import reference_data

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
EXAMPLES = {"ci": {"structured": 12, "raw": 25}, "full": {"structured": 600, "raw": 800}}[PROFILE]
MINIMUM_CLAIMS = {"ci": 0, "full": 5_000}[PROFILE]  # issue 18: >= 5,000 generated claims in the full profile
# FUZZ_NO_SHRINK=1 reports a failure as found (shrinking an example of many calls takes minutes)
PHASES = [Phase.explicit, Phase.reuse, Phase.generate] if os.environ.get("FUZZ_NO_SHRINK") else list(Phase)
FUZZ = dict(deadline=None, phases=PHASES,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
RECEIVED_AT = 72  # the first byte of a packed claim's received date (codec.py)
BATCH_LINES = 200  # as the replay does (DEFAULT_BATCH_LINES): a batch stays well inside a block


@pytest.fixture(scope="module")
def counts(request):
    """What the module generated and how the engine took it, written at the end (read in the
    closing note); a fuzz test that sent nothing has tested nothing."""
    tally = Counter()
    yield tally
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"entry-point fuzz ({PROFILE}): " + ", ".join(f"{k} {v}" for k, v in sorted(tally.items())))
    total = tally["structured claims"] + tally["raw inputs"]
    assert total, "nothing was sent"
    if tally["examples structured"] and tally["examples raw"]:  # both tests ran
        assert total >= MINIMUM_CLAIMS, f"{total} generated claims, fewer than {MINIMUM_CLAIMS}"


class Run:
    """One example: the scenario loaded on a snapshot of the deployment, the model beside it,
    every row the chain reported, and the claims sent so far."""

    def __init__(self, dep, scenario, counts):
        self.dep, self.scenario, self.counts = dep, scenario, counts
        self.ids = RawIds(dep.ids)
        self.caller = EngineCaller(dep, self.ids)
        self.model = ReferenceEngine.from_scenario(scenario)
        self.cash = Cashbook()
        self.rows = []  # every line row the chain reported, reversals included
        self.years = set()  # plan years the chain's accepted lines fall in
        self.sent: list[Claim] = []
        self.diverged = False  # a mutated claim was recorded: the model no longer follows

    def fund(self, cents: int) -> None:
        if cents:
            chain.fund_escrow(self.dep, KEYS, cents * CENT_UNITS)
            self.model.fund(cents)
            self.cash.funded += cents

    def expect(self, claim: Claim, supplied: bool):
        rows, reject = self.model.submit(claim, original_supplied=supplied)
        return rows, reject, self.model.rewards.drain()

    def compare(self, claim: Claim, outcome, expected) -> None:
        rows, reject, rewards = expected
        assert outcome.reject == reject, claim
        assert outcome.rows == rows, claim
        assert outcome.rewards == rewards, claim
        self.counts["lines compared"] += len(rows)
        self.counts["claims rejected (record error)" if reject else "claims adjudicated or already recorded"] += 1

    def took(self, events) -> None:
        """Keeps the rows and plan years of a call's events for the chain-side books."""
        names = claim_names(self.sent, self.ids)
        for name, values in events:
            if name in ("ClaimAccepted", "ClaimReversed"):
                claim_id = names.get(values["claimId"], "0x" + values["claimId"].hex())
                rows = [w.result(claim_id) for w in values["words"]]
                self.rows += [r.negated() for r in rows] if name == "ClaimReversed" else rows
                self.years |= {chain_year(w.service_date) for w in values["words"]}

    def check(self) -> None:
        """The invariants after a call: the chain's own books always, the model's while it follows."""
        npis = sorted(self.scenario.providers)
        check_chain_books(self.dep, self.scenario, npis, self.rows, self.years)
        if not self.diverged:
            check_money_conserved(self.dep, self.model, npis, self.cash)
            check_accumulators(self.dep, self.scenario, self.model)
            check_no_line_paid_twice(self.dep, self.model, npis)
        self.counts["invariant checks"] += 1

    def settle(self) -> None:
        npis = sorted(self.scenario.providers)
        paid = chain.settle_providers(self.dep, KEYS, npis)
        if not self.diverged:
            expected = sum(self.model.settle(n) for n in npis)
            assert paid == expected * CENT_UNITS
            self.cash.paid_out += expected
        self.check()


def encoded(run: Run, claims, mode: str) -> bytes:
    """The `originals` of a call: every claim sent so far (the chain takes the one whose hash
    matches its record, R-17), none, or each with its received date altered (none matches; the
    bytes still parse)."""
    if mode == "none":
        return b""
    packed = [encode_claim(c, run.ids) for c in claims]
    if mode == "altered":
        packed = [p[:RECEIVED_AT] + bytes([p[RECEIVED_AT] ^ 1]) + p[RECEIVED_AT + 1:] for p in packed]
    return b"".join(packed)


def submit_structured(run: Run, claims: list[Claim], entry: str, mode: str) -> None:
    """Sends ``claims`` as batches (bounded by lines) or one by one; compares each claim's
    outcome with the model's and checks the invariants after every call."""
    supplied = mode == "all"
    if entry == "single":
        for claim in claims:
            run.sent.append(claim)
            expected = run.expect(claim, supplied)
            result = run.caller.submit_one(encode_claim(claim, run.ids), encoded(run, run.sent, mode))
            if expected[1] is not None:  # a record error: the call reverts with its reason
                assert isinstance(result, Refusal) and result.name == "ClaimRejected", (claim, result)
                key, reason = result.args
                assert key == run.ids.claim(claim.claim_id)
                assert CHAIN_REJECTS[reason] == (expected[1].field, expected[1].reason), claim
                run.counts["claims rejected (record error)"] += 1
            else:
                assert not isinstance(result, Refusal), (claim, result)
                run.took(result)
                [outcome] = outcomes_from_events([claim], result, run.ids)
                run.compare(claim, outcome, expected)
            run.check()
        return
    for batch in _by_lines(claims):
        run.sent += batch
        expected = [run.expect(claim, supplied) for claim in batch] if not run.diverged else []
        result = run.caller.submit_batch(b"".join(encode_claim(c, run.ids) for c in batch), encoded(run, run.sent, mode))
        assert not isinstance(result, Refusal), (batch, result)
        run.took(result)
        outcomes = outcomes_from_events(batch, result, run.ids)
        for claim, outcome, want in zip(batch, outcomes, expected) if not run.diverged else ():
            run.compare(claim, outcome, want)
        run.check()


def _by_lines(claims: list[Claim]):
    batch, lines = [], 0
    for claim in claims:
        if batch and lines + len(claim.lines) > BATCH_LINES:
            yield batch
            batch, lines = [], 0
        batch.append(claim)
        lines += len(claim.lines)
    if batch:
        yield batch


@contextmanager
def example_on(dep, scenario, counts):
    """An example's Run on a snapshot of the module's deployment, reverted afterwards."""
    snapshot = rpc(dep.w3, "evm_snapshot")
    try:
        chain.load_reference_data(dep, KEYS, scenario)
        yield Run(dep, scenario, counts)
    finally:
        rpc(dep.w3, "evm_revert", snapshot)


def _draw_claims(data, run: Run, how_many: int) -> list[Claim]:
    claims: list[Claim] = []
    for _ in range(how_many):
        serial = len(run.sent) + len(claims)
        claims.append(data.draw(arbitrary_claim(run.scenario, run.sent + claims, serial)))
    run.counts["structured claims"] += len(claims)
    return claims


@settings(max_examples=EXAMPLES["structured"], **FUZZ)
@given(data=st.data())
def test_structured_claims_are_refused_or_adjudicated_as_the_reference(deployed, counts, data):
    """Every arbitrary claim, in a batch or alone, with its originals supplied, withheld or
    altered, is refused with the reference's record error or adjudicated into the reference's
    rows and rewards; the books hold after every call and after paying the providers."""
    counts["examples structured"] += 1
    with example_on(deployed, data.draw(reference_data()), counts) as run:
        run.fund(data.draw(st.integers(0, 500_000)))
        for _ in range(data.draw(st.integers(1, 5))):
            claims = _draw_claims(data, run, data.draw(st.integers(1, 6)))
            entry = data.draw(st.sampled_from(["batch", "single"]))
            mode = data.draw(st.sampled_from(["all", "all", "all", "none", "altered"]))
            run.counts[f"structured sent {entry}"] += len(claims)
            submit_structured(run, claims, entry, mode)
        run.settle()


def _boundaries(data: bytes) -> tuple[list[int], int | None]:
    """Where the packed claims of ``data`` start, as the engine splits them, and the offset at
    which it finds one that does not parse (None when all do)."""
    starts, at = [], 0
    while at < len(data):
        try:
            length = claim_length(data, at)
        except EncodingError:
            return starts, at
        starts.append(at)
        at += length
    return starts, None


@settings(max_examples=EXAMPLES["raw"], **FUZZ)
@given(data=st.data())
def test_raw_bytes_are_refused_with_a_custom_error_or_recorded(deployed, counts, data):
    """A mutated claim between valid ones: alone it is refused with a custom error of the ABI
    (MalformedClaim at the offset the bytes stop parsing, ClaimRejected) or recorded; in a
    batch the whole call is refused with MalformedClaim, or each of its pieces is rejected,
    recorded or found recorded while the claims before it (and after it, when it changed
    nothing) are decided exactly as the reference decides them."""
    counts["examples raw"] += 1
    with example_on(deployed, data.draw(reference_data()), counts) as run:
        run.fund(data.draw(st.integers(0, 200_000)))
        before = _draw_claims(data, run, data.draw(st.integers(0, 2)))
        base = data.draw(st.sampled_from(before) if before and data.draw(st.booleans())
                         else arbitrary_claim(run.scenario, before, 99))
        kind, mutated = data.draw(mutated_bytes(encode_claim(base, run.ids)))
        after = _draw_claims(data, run, data.draw(st.integers(0, 2)))
        garbage = data.draw(st.sampled_from([b"", b"", b"", b"\x00", bytes(79)]) | st.binary(max_size=120))
        run.counts["raw inputs"] += 1
        run.counts[f"raw {kind}"] += 1
        entry = data.draw(st.sampled_from(["batch", "single"]))
        if entry == "single":
            _single_between(run, before, mutated, after, garbage)
        else:
            _batch_around(run, before, mutated, after, garbage)
        run.settle()


def _single_between(run: Run, before, mutated: bytes, after, garbage: bytes) -> None:
    """Valid claims, then the mutated bytes alone (submitClaim), then valid claims again."""
    submit_structured(run, before, "batch", "all")
    originals = encoded(run, run.sent, "all") + garbage
    result = run.caller.submit_one(mutated, originals)
    starts, broken = _boundaries(mutated)
    broken_originals = _boundaries(originals)[1]
    if broken is not None or len(starts) != 1:  # the claim first, then its originals
        assert isinstance(result, Refusal) and result.name == "MalformedClaim", result
        assert result.args == (claim_length(mutated, 0) if starts else 0,)
    elif broken_originals is not None:
        assert isinstance(result, Refusal) and result.name == "MalformedClaim", result
        assert result.args == (broken_originals,)
    elif isinstance(result, Refusal):
        assert result.name == "ClaimRejected" and result.args[0] == mutated[:32], result
        assert result.args[1] in CHAIN_REJECTS
    if isinstance(result, Refusal):
        run.counts[f"raw single refused {result.name}"] += 1
    else:
        _took_pieces(run, mutated, [0], result, 0)
        run.took(result)
    run.check()
    submit_structured(run, after, "batch", "all")


def _batch_around(run: Run, before, mutated: bytes, after, garbage: bytes) -> None:
    """[before..., mutated, after...] in one call (submitClaims)."""
    head = b"".join(encode_claim(c, run.ids) for c in before)
    data = head + mutated + b"".join(encode_claim(c, run.ids) for c in after)
    originals = encoded(run, run.sent + before + after, "all") + garbage
    result = run.caller.submit_batch(data, originals)
    starts, broken = _boundaries(data)
    broken_originals = _boundaries(originals)[1]
    if broken_originals is not None or broken is not None:  # originals are parsed first
        assert isinstance(result, Refusal) and result.name == "MalformedClaim", result
        assert result.args == ((broken_originals if broken_originals is not None else broken),)
        run.counts[f"raw batch refused {result.name}"] += 1
        run.check()  # nothing happened
        return
    assert not isinstance(result, Refusal), result
    names = claim_names(before + after, run.ids)
    index = 0
    run.sent += before
    for claim in before:
        index = _compare_next(run, claim, result, index, names)
    end = len(head) + len(mutated)
    aligned = all(end + offset in starts for offset in _offsets(after, run.ids))
    pieces = [s for s in starts if s >= len(head) and (s < end or not aligned)]
    index = _took_pieces(run, data, pieces, result, index)
    if aligned:
        run.sent += after
        for claim in after:
            index = _compare_next(run, claim, result, index, names)
    else:
        run.counts["raw batch: mutated bytes ran into the next claims"] += 1
    assert index == len(result), "events left over"
    run.took(result)
    run.check()


def _compare_next(run: Run, claim: Claim, events, index: int, names) -> int:
    """Compares the events of ``claim`` from ``index`` with the model (unless a mutated claim
    was recorded before it, which the model cannot follow); returns the index after them."""
    rewards = []
    name, values, rows, index = claim_rows(events, index, names, claim.claim_id, rewards)
    if run.diverged:
        return index
    reject = Reject(claim.claim_id, *CHAIN_REJECTS[values["reason"]]) if name == "ClaimRecordRejected" else None
    outcome = ClaimOutcome(claim.claim_id, rows, reject, name == "ClaimAlreadyRecorded", claim,
                           [reward_row(n, v, claim.member_id, names) for n, v in rewards])
    run.compare(claim, outcome, run.expect(claim, True))
    return index


def _offsets(claims, ids) -> list[int]:
    offsets, at = [], 0
    for claim in claims:
        offsets.append(at)
        at += len(encode_claim(claim, ids))
    return offsets


def _took_pieces(run: Run, data: bytes, starts: list[int], events, index: int) -> int:
    """Reads the events of the claims the mutated bytes parsed into (each rejected, recorded or
    found recorded); once one is recorded, the model no longer follows the chain."""
    for at in starts:
        key = data[at:at + 32]
        name, values, _, index = claim_rows(events, index, {}, "0x" + key.hex(), [])
        assert values["claimId"] == key
        run.counts[f"raw piece {name}"] += 1
        run.diverged |= name == "ClaimAccepted"
    return index
