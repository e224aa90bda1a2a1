"""Where the engine keeps line outcomes (LineBook, R-20): every line has a content key (member,
provider, date of service, code, units, billed: the A-4.8 duplicate key); the key's slot holds
the number of live (approved or pended) lines with that key and the outcome of one of them, its
occupant; a line whose key slot is held by a line of a claim that is not reversed keeps its
outcome in a slot of its own. These tests read the behaviour through lineOf and the events,
and the slots themselves with eth_getStorageAt, to show which slot each line took.

examples/basic, GOLD-PPO-2026: 71046 (imaging) allowed 38.00, no copay; 99213 92.00 with a
25.00 copay; deductible 500.00, coinsurance 20%."""
import brownie
import pytest
from brownie import web3
from eth_utils import keccak

from tests.contracts.helpers import (
    NPI_IMAGING, ZERO32, Status, accumulators, assert_approved, assert_denied, cid, claim, err, line_record,
    outcome, outcomes, replacement, status_of, submit, void,
)

LATE = dict(received="2026-09-01")  # GOLD timely filing: 180 days after a DOS of 2026-03-01
IMAGING_LINE = ("2026-03-10", "71046", 1, 60_00)
MASK40 = 2**40 - 1


def imaging(claim_id, lines=(IMAGING_LINE,), **kw):
    kw.setdefault("received", "2026-03-20")
    return claim(claim_id, npi=NPI_IMAGING, diagnoses=("R05.9",), lines=list(lines), **kw)


# ------------------------------------------------------------------------------ reading the slots


def _slot(key: bytes, base: int) -> int:
    """The storage slot of `mapping[key]` for a mapping at slot `base` (bytes32 keys)."""
    return int.from_bytes(keccak(bytes(key) + base.to_bytes(32, "big")), "big")


class Slots:
    """The LineBook's two mappings in the engine's storage. Their position is found from the
    claim record of a recorded claim, which EngineStorage declares just before the LineBook
    (`_claims`, then `_lineBook.keyed`, `_lineBook.lines`)."""

    def __init__(self, engine, recorded_claim_id: str):
        state, lines, frequency, npi, tag = engine.claim(cid(recorded_claim_id))
        word = state | lines << 8 | frequency << 16 | npi << 32 | int.from_bytes(bytes(tag), "big") << 96
        self.engine = engine
        base = next(b for b in range(64) if self._read(_slot(cid(recorded_claim_id), b)) == word)
        self.keyed_base, self.lines_base = base + 1, base + 2

    def _read(self, slot: int) -> int:
        return int.from_bytes(web3.eth.get_storage_at(self.engine.address, slot), "big")

    def key_slot(self, packed: bytes, number: int) -> dict:
        """The key slot of line `number` of a packed claim."""
        return decode(self._read(_slot(content_key(packed, number), self.keyed_base)))

    def own_slot(self, packed: bytes, number: int) -> dict:
        """The line's own slot (empty when its outcome is kept in its key's slot)."""
        line_key = keccak(bytes(packed[:32]) + number.to_bytes(32, "big"))
        return decode(self._read(_slot(line_key, self.lines_base)))


def content_key(packed: bytes, number: int) -> bytes:
    """ClaimCodec.duplicateKey: keccak of member (32 bytes), provider NPI (8) and the line (19)."""
    at = 80 + (32 if packed[77] & 1 else 0) + 8 * packed[78] + 19 * (number - 1)
    return keccak(bytes(packed[32:72]) + bytes(packed[at:at + 19]))


def decode(word: int) -> dict:
    """An outcome word (LineBook): the live count (key slots only), status, the status it had
    (reversed lines), plan version, amounts (approved) or CARC (denied)."""
    status, previous = Status(word >> 16 & 0xF), Status(word >> 20 & 0xF)
    denied = Status.DENIED in (status, previous)
    return {
        "count": word & 0xFFFF, "status": status, "previous": previous, "version": word >> 24 & 0xFFFFFF,
        "amounts": (0, 0, 0, 0) if denied else tuple(word >> s & MASK40 for s in (96, 136, 176, 216)),
        "carc": (word >> 96 & 2**64 - 1).to_bytes(8, "big").rstrip(b"\0").decode() if denied else "",
    }


def view(engine, packed: bytes, number: int = 1) -> tuple:
    """lineOf as (status, previous status, CARC, allowed, deductible, copay, coinsurance,
    version, plan id, authorization id)."""
    r = line_record(engine, packed, number)
    return (r[0], r[1], bytes(r[2]).rstrip(b"\0").decode(), *r[3:8], bytes(r[8]), bytes(r[9]))


@pytest.fixture
def slots(loaded, biller):
    submit(loaded, biller, claim("ANCHOR", member="M300", received="2026-03-02"))
    return Slots(loaded, "ANCHOR")


# ------------------------------------------------------------------------------ identical lines of one claim


def test_two_identical_lines_of_one_claim_are_both_approved_and_kept_apart(loaded, biller, slots):
    """A-4.8 / LineBook: two identical lines of one claim are not duplicates of each other; the
    first occupies the key's slot, the second, whose key slot is held by a live line, keeps its
    outcome in its own slot; the key counts two live lines. Priced in order (A-1.4): 456.00 of
    the deductible met before, line 1 takes 38.00 of deductible, line 2 the last 6.00 and 20%
    of 32.00 = 6.40 coinsurance."""
    submit(loaded, biller, imaging("CX0", [("2026-03-09", "71046", 12, 456_00)]))
    twice = imaging("CX1", [IMAGING_LINE, IMAGING_LINE])
    first, second = outcomes(submit(loaded, biller, twice))
    assert_approved(first, "CX1", billed=60_00, allowed=38_00, deductible=38_00, paid=0)
    assert_approved(second, "CX1", number=2, billed=60_00, allowed=38_00, deductible=6_00, coinsurance=6_40,
                    paid=25_60)
    assert view(loaded, twice, 1)[:7] == (Status.APPROVED, Status.NONE, "", 38_00, 38_00, 0, 0)
    assert view(loaded, twice, 2)[:7] == (Status.APPROVED, Status.NONE, "", 38_00, 6_00, 0, 6_40)
    assert content_key(twice, 1) == content_key(twice, 2)
    key = slots.key_slot(twice, 1)
    assert (key["count"], key["status"], key["amounts"]) == (2, Status.APPROVED, (38_00, 38_00, 0, 0))
    assert slots.own_slot(twice, 1)["status"] == Status.NONE
    own = slots.own_slot(twice, 2)
    assert (own["status"], own["amounts"]) == (Status.APPROVED, (38_00, 6_00, 0, 6_40))
    # another claim repeating the line finds two live lines: CO-18, in its own slot
    again = imaging("CX2")
    assert_denied(submit(loaded, biller, again), "CX2", "18", 60_00)
    assert slots.key_slot(again, 1)["count"] == 2
    assert slots.own_slot(again, 1)["carc"] == "18"


def test_voiding_a_claim_with_identical_lines_frees_the_key(loaded, biller, slots):
    """A-7.1 / LineBook: the void takes both live lines off the key's count (one kept in the key
    slot, one in its own); the same line is then approved again, in the key's slot."""
    twice = imaging("CX1", [IMAGING_LINE, IMAGING_LINE])
    submit(loaded, biller, twice)
    tx = submit(loaded, biller, void("V1", "CX1", npi=NPI_IMAGING))
    assert outcomes(tx) == []  # a void has no lines of its own
    key = slots.key_slot(twice, 1)
    assert (key["count"], key["status"], key["previous"]) == (0, Status.REVERSED, Status.APPROVED)
    again = imaging("CX2")
    assert status_of(outcome(submit(loaded, biller, again))) == Status.APPROVED
    key = slots.key_slot(again, 1)
    assert (key["count"], key["status"]) == (1, Status.APPROVED)
    assert slots.own_slot(again, 1)["status"] == Status.NONE


# ------------------------------------------------------------------------------ replacements


def test_replacement_repeating_the_reversed_line_reuses_its_slot(loaded, biller, slots):
    """A-7.2 / LineBook: the original's line is reversed before the replacement's lines are
    adjudicated, so the identical replacement line is no duplicate, is priced after the
    reversal (deductible 38.00 again) and takes over the key's slot; nothing is written to a
    slot of its own."""
    original = imaging("CX1")
    submit(loaded, biller, original)
    repeated = imaging("R1", frequency=7, original="CX1", received="2026-03-21")
    assert content_key(repeated, 1) == content_key(original, 1)
    tx = submit(loaded, biller, repeated)
    assert_approved(outcome(tx), "R1", billed=60_00, allowed=38_00, deductible=38_00, paid=0)
    assert accumulators(loaded, "M100") == ((38_00, 38_00), (38_00, 38_00))
    key = slots.key_slot(repeated, 1)
    assert (key["count"], key["status"], key["amounts"]) == (1, Status.APPROVED, (38_00, 38_00, 0, 0))
    assert slots.own_slot(repeated, 1)["status"] == Status.NONE
    assert slots.own_slot(original, 1)["status"] == Status.NONE
    # the replacement's line is live: a third claim repeating it is CO-18
    assert outcome(submit(loaded, biller, imaging("CX3"))).carc == "18"


def test_replacement_with_other_lines_leaves_the_reversed_key_free(loaded, biller, slots):
    """A-7.2: a replacement with another line occupies another key; the original's key has no
    live line left and its next line is approved."""
    original = imaging("CX1")
    submit(loaded, biller, original)
    submit(loaded, biller, imaging("R1", [("2026-03-10", "71046", 1, 55_00)], frequency=7, original="CX1"))
    key = slots.key_slot(original, 1)
    assert (key["count"], key["status"]) == (0, Status.REVERSED)
    assert status_of(outcome(submit(loaded, biller, imaging("CX2")))) == Status.APPROVED


# ------------------------------------------------------------------------------ duplicates


def test_duplicate_of_a_live_line_is_denied_and_kept_in_its_own_slot(loaded, biller, slots):
    """A-4.8 / LineBook: the duplicate is denied CO-18; the key slot keeps the live line's
    outcome and count 1; the duplicate's outcome is in its own slot, where lineOf finds it."""
    first, duplicate = imaging("CX1"), imaging("CX2", received="2026-03-22")
    submit(loaded, biller, first)
    assert_denied(submit(loaded, biller, duplicate), "CX2", "18", 60_00)
    key = slots.key_slot(first, 1)
    assert (key["count"], key["status"], key["amounts"]) == (1, Status.APPROVED, (38_00, 38_00, 0, 0))
    own = slots.own_slot(duplicate, 1)
    assert (own["count"], own["status"], own["carc"]) == (0, Status.DENIED, "18")
    assert view(loaded, duplicate)[:7] == (Status.DENIED, Status.NONE, "18", 0, 0, 0, 0)
    assert view(loaded, first)[:7] == (Status.APPROVED, Status.NONE, "", 38_00, 38_00, 0, 0)


def test_a_denied_occupant_keeps_the_slot_but_does_not_count(loaded, biller, slots):
    """A-4.8 / LineBook: a line denied for another reason (CO-29) takes the free key slot
    without counting; an identical line of another claim is then no duplicate: approved, in its
    own slot, since the denied line's claim is not reversed."""
    late, timely = imaging("CX1", received="2026-09-10"), imaging("CX2")
    assert outcome(submit(loaded, biller, late)).carc == "29"
    assert slots.key_slot(late, 1)["count"] == 0
    assert status_of(outcome(submit(loaded, biller, timely))) == Status.APPROVED
    key = slots.key_slot(late, 1)
    assert (key["count"], key["status"], key["carc"]) == (1, Status.DENIED, "29")
    assert slots.own_slot(timely, 1)["status"] == Status.APPROVED
    assert view(loaded, late)[:3] == (Status.DENIED, Status.NONE, "29")
    assert view(loaded, timely)[:7] == (Status.APPROVED, Status.NONE, "", 38_00, 38_00, 0, 0)


def test_appeal_overturning_co18_approves_the_line_in_its_own_slot(loaded, biller, reviewer, slots):
    """R-13 / A-4.8 / LineBook: the CO-18 line overturned on appeal is approved where it is kept
    (its own slot) and joins the key's live count: after the original is voided the key still
    counts it, so a third identical line is CO-18."""
    first, duplicate = imaging("CX1"), imaging("CX2", received="2026-03-22")
    submit(loaded, biller, first, duplicate)
    assert view(loaded, duplicate)[:3] == (Status.DENIED, Status.NONE, "18")
    loaded.appeal(duplicate, 1, b"\x42" * 32, {"from": biller})
    tx = loaded.decideAppeal(duplicate, 1, True, {"from": reviewer})
    assert_approved(outcome(tx), "CX2", billed=60_00, allowed=38_00, coinsurance=0, deductible=38_00, paid=0)
    own = slots.own_slot(duplicate, 1)
    assert (own["status"], own["amounts"]) == (Status.APPROVED, (38_00, 38_00, 0, 0))
    assert slots.key_slot(first, 1)["count"] == 2
    submit(loaded, biller, void("V1", "CX1", npi=NPI_IMAGING))
    key = slots.key_slot(first, 1)
    assert (key["count"], key["status"]) == (1, Status.REVERSED)
    assert view(loaded, duplicate)[:7] == (Status.APPROVED, Status.NONE, "", 38_00, 38_00, 0, 0)
    assert outcome(submit(loaded, biller, imaging("CX3"))).carc == "18"


# ------------------------------------------------------------------------------ lineOf


def test_line_of_before_and_after_reversal(loaded, biller, reviewer, slots):
    """IClaimViews.lineOf: an active claim's line reads back in full (status, CARC, amounts,
    version, plan, authorization); once its claim is reversed a line kept in its key's slot
    reads REVERSED only (the slot may have a new occupant), a line kept in its own slot keeps
    what it was."""
    c = imaging("CX1", [IMAGING_LINE, IMAGING_LINE, ("2026-03-10", "99999", 1, 10_00)])
    submit(loaded, biller, c)
    gold = cid("GOLD-PPO-2026")
    assert view(loaded, c, 1) == (Status.APPROVED, Status.NONE, "", 38_00, 38_00, 0, 0, 1, gold, ZERO32)
    assert view(loaded, c, 2) == (Status.APPROVED, Status.NONE, "", 38_00, 38_00, 0, 0, 1, gold, ZERO32)
    assert view(loaded, c, 3) == (Status.DENIED, Status.NONE, "96", 0, 0, 0, 0, 1, gold, ZERO32)

    submit(loaded, biller, replacement("R1", "CX1", npi=NPI_IMAGING, diagnoses=("R05.9",), received="2026-03-20",
                                      lines=[IMAGING_LINE]))
    # line 1 was in its key's slot, which R1's line now occupies: only the status is certain
    assert view(loaded, c, 1) == (Status.REVERSED, Status.NONE, "", 0, 0, 0, 0, 0, ZERO32, ZERO32)
    # so was line 3 (CO-96, alone on its key)
    assert view(loaded, c, 3) == (Status.REVERSED, Status.NONE, "", 0, 0, 0, 0, 0, ZERO32, ZERO32)
    # line 2 was in its own slot: it keeps what it was
    assert view(loaded, c, 2) == (Status.REVERSED, Status.APPROVED, "", 38_00, 38_00, 0, 0, 1, gold, ZERO32)


def test_line_of_needs_the_claim_as_submitted_and_an_existing_line(loaded, biller):
    """IClaimViews.lineOf: another content under the claim id, or a claim never recorded, is
    ClaimContentMismatch; line 0 or past the last is LineUnknown; a void has no lines."""
    c = imaging("CX1")
    submit(loaded, biller, c)
    with brownie.reverts(err("ClaimContentMismatch", cid("CX1"))):
        loaded.lineOf(imaging("CX1", received="2026-03-21"), 1)
    with brownie.reverts(err("ClaimContentMismatch", cid("NOPE"))):
        loaded.lineOf(imaging("NOPE"), 1)
    for number in (0, 2):
        with brownie.reverts(err("LineUnknown", cid("CX1"), number)):
            loaded.lineOf(c, number)
    v = void("V1", "CX1", npi=NPI_IMAGING)
    submit(loaded, biller, v)
    with brownie.reverts(err("LineUnknown", cid("V1"), 1)):
        loaded.lineOf(v, 1)


def test_a_reversed_line_kept_in_its_key_slot_is_reported_reversed_only(loaded, biller):
    """IClaimTypes.LineRecord, R-26: a line of a reversed claim kept in its content key's slot is
    REVERSED only (the slot may have a new occupant); its amounts are in its ClaimReversed event."""
    c = imaging("CX1")
    submit(loaded, biller, c)
    submit(loaded, biller, void("V1", "CX1", npi=NPI_IMAGING))
    record = view(loaded, c)
    assert record[:2] == (Status.REVERSED, Status.NONE) and tuple(record[3:7]) == (0, 0, 0, 0)
