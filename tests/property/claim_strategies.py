"""Hypothesis strategies of arbitrary claim inputs for the engine's entry points (issue 18):
structured claims with every field at and past its limits, and raw bytes (valid packed claims
with bytes flipped, cut, extended or their counts rewritten, and plain random bytes)."""
from __future__ import annotations

from hypothesis import strategies as st

from claimledger.codec import MAX_BILLED, NO_AMOUNT
from claimledger.intake import LAST_DAY
from claimledger.records import Claim, ClaimLine, Frequency

from tests.property.scenario_strategies import BASE, CODES, DX, NPIS

MAX_DAY = 2**32 - 1  # the widest date the encoding holds
UNITS_EDGES = [0, 9_999, 10_000, 65_535]  # R-4 allows 1..9,999; two bytes hold 65,535
BILLED_EDGES = [0, 1, 10**12, 10**12 + 1, MAX_BILLED]  # R-4 allows 1..10^12; five bytes hold 2^40 - 1
DX_CODES = DX + ["Z00.00", "E11.9", "I10"]


class RawIds:
    """The deployment's pseudonyms, except that a name written ``0x`` + 64 hex digits goes on
    chain as those 32 bytes: arbitrary claim and member keys that no pseudonym makes."""

    def __init__(self, ids):
        self.ids = ids

    @staticmethod
    def _raw(name: str) -> bytes | None:
        return bytes.fromhex(name[2:]) if name.startswith("0x") and len(name) == 66 else None

    def claim(self, claim_id: str) -> bytes:
        return self._raw(claim_id) or self.ids.claim(claim_id)

    def member(self, member_id: str) -> bytes:
        return self._raw(member_id) or self.ids.member(member_id)

    def commit(self) -> None:
        self.ids.commit()


raw_key = st.binary(min_size=32, max_size=32).filter(any).map(lambda b: "0x" + b.hex())


@st.composite
def edged(draw, ordinary, edges, wild: bool):
    """``ordinary`` mostly; ``edges`` one time in four when ``wild``, else never."""
    return draw(edges if wild and draw(st.integers(0, 3)) == 0 else ordinary)


def days_around(received: int, coverage_start: int, wild: bool):
    """Dates of service: ordinary ones, or the encoding's extremes, just before coverage, the
    day after the claim was received."""
    return edged(st.integers(max(0, received - 400), received),
                 st.sampled_from([0, MAX_DAY, max(0, coverage_start - 1), min(received + 1, MAX_DAY)]), wild)


@st.composite
def arbitrary_line(draw, received: int, coverage_start: int, wild: bool):
    """A line; when ``wild``, any of its fields at or past R-4's limits now and then; a fifth of
    them carry a prior payer's result, inconsistent ones too (paid above allowed, allowed too large)."""
    units = draw(edged(st.integers(1, 3), st.sampled_from(UNITS_EDGES), wild))
    billed = draw(edged(st.sampled_from([5_000, 12_000, 45_000, 90_000]), st.sampled_from(BILLED_EDGES), wild))
    other_allowed = other_paid = None
    if draw(st.integers(0, 4)) == 0:
        other_allowed = draw(edged(st.integers(0, 60_000), st.sampled_from([10**12, 10**12 + 1, NO_AMOUNT - 1]), wild))
        other_paid = draw(edged(st.integers(0, other_allowed), st.integers(0, NO_AMOUNT - 1), wild))
    return ClaimLine(draw(days_around(received, coverage_start, wild)), draw(st.sampled_from(CODES + ["99999"])),
                     units, billed, None, other_allowed, other_paid)


@st.composite
def arbitrary_claim(draw, scenario, earlier: list[Claim], serial: int):
    """A claim sent straight to the engine: ids made up, reused or raw 32 bytes; members enrolled,
    not, or raw; providers known or not; any frequency; corrections naming earlier claims (also
    of other members and providers), unknown ones or themselves; received dates from 0 to the
    encoding's last day (past 9999-12-31); 0 to 51 lines, some repeated, some of earlier claims;
    0 to 13 diagnoses. Half the claims have ordinary fields (``wild`` False), so that most
    reach adjudication."""
    wild = draw(st.booleans())
    claim_id = draw(st.one_of(*[st.just(f"C{serial}")] * 4, raw_key,
                              st.sampled_from([c.claim_id for c in earlier]) if earlier else st.just(f"C{serial}")))
    member = draw(st.sampled_from(sorted(scenario.members) + ["MX"]) | raw_key)
    npi = draw(st.one_of(st.sampled_from(NPIS + ["1999999999"]),
                         st.integers(0, 2**64 - 1).map(str)))
    frequency = draw(edged(st.sampled_from([Frequency.ORIGINAL] * 4 + [Frequency.REPLACEMENT, Frequency.VOID]),
                           st.integers(0, 255), wild))
    original = ""
    corrects = frequency != Frequency.ORIGINAL if not wild or draw(st.integers(0, 5)) else frequency == Frequency.ORIGINAL
    if corrects:
        choices = [st.just("CX"), st.just(claim_id), raw_key]
        if earlier:
            choices += [st.sampled_from([c.claim_id for c in earlier])] * 4
        original = draw(st.one_of(*choices))
        target = next((c for c in earlier if c.claim_id == original), None)
        if target is not None and draw(st.integers(0, 3)):  # mostly the original's member and provider
            member, npi = target.member_id, target.provider_npi
    coverage_start = min((m.coverage_start for m in scenario.members.values()), default=BASE)
    received = draw(edged(st.integers(BASE, BASE + 240),
                          st.sampled_from([0, max(0, coverage_start - 1), LAST_DAY, LAST_DAY + 1, MAX_DAY]), wild))
    lines = draw(st.lists(arbitrary_line(received, coverage_start, wild), min_size=1, max_size=3))
    count = draw(edged(st.integers(1, 3), st.sampled_from([0, 12, 49, 50, 51]), wild))
    if count > len(lines):  # long claims repeat the lines drawn (duplicated lines)
        lines = [lines[i % len(lines)] for i in range(count)]
    lines = lines[:count]
    billed_before = [line for c in earlier for line in c.lines]
    if billed_before and draw(st.integers(0, 4)) == 0:  # a line another claim billed
        lines.append(draw(st.sampled_from(billed_before)))
    dx = draw(st.lists(st.sampled_from(DX_CODES), min_size=1, max_size=2, unique=True))
    dx_count = draw(edged(st.integers(1, 2), st.sampled_from([0, 11, 12, 13]), wild))
    diagnoses = [dx[i % len(dx)] for i in range(dx_count)]
    return Claim(claim_id, frequency, original, member, npi, received, tuple(diagnoses), tuple(lines))


@st.composite
def mutated_bytes(draw, base: bytes):
    """``base`` with bytes flipped, cut short, extended, its flags or counts rewritten (lengths
    that disagree with the bytes), or random bytes instead."""
    kind = draw(st.sampled_from(["flip", "flip", "truncate", "extend", "counts", "random"]))
    data = bytearray(base)
    if kind == "flip":
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(0, len(data) - 1))
            data[at] ^= draw(st.integers(1, 255))
    elif kind == "truncate":
        data = data[:draw(st.integers(0, len(data) - 1))]
    elif kind == "extend":
        data += draw(st.binary(min_size=1, max_size=60))
    elif kind == "counts":
        data[draw(st.sampled_from([76, 77, 78, 79]))] = draw(st.integers(0, 255))
    else:
        data = bytearray(draw(st.binary(min_size=0, max_size=400)))
    return kind, bytes(data)
