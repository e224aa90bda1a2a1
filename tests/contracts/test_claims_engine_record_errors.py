"""A-3 record errors (R-2, R-4, R-8, R-9, R-14): a record that cannot be adjudicated is rejected
with a reason, changes nothing on chain and does not stop the records after it; a re-submission
with the same id and content is a no-op. Claims travel packed (IClaimIntake): bytes that do not
parse as packed claims revert the whole call with MalformedClaim, a batch holds at most
MAX_BATCH claims."""
import brownie
import pytest

from claimledger.codec import content_hash
from claimledger.intake import LAST_DAY

from tests.contracts.helpers import (
    NPI_IMAGING, NPI_IN, Reason, State, Status, accumulators, account, cid, claim, claim_state, err, events,
    key_of, line_status, names, only, originals_for, outcome, rejected, replacement, submit, void,
)

DOS = "2026-03-01"


def _lines(n, code="99213"):
    return [(DOS, code, 1, 100_00 + i) for i in range(n)]


# claims rejected before any state is looked at
STATELESS = [
    pytest.param(lambda: claim("CX1", frequency=2), Reason.BAD_FREQUENCY, id="frequency-2"),
    pytest.param(lambda: claim("CX1", frequency=0), Reason.BAD_FREQUENCY, id="frequency-0"),
    pytest.param(lambda: claim("CX1", frequency=9), Reason.BAD_FREQUENCY, id="frequency-9"),
    pytest.param(lambda: claim("CX1", frequency=7), Reason.ORIGINAL_MISSING, id="replacement-without-original"),
    pytest.param(lambda: claim("CX1", frequency=8), Reason.ORIGINAL_MISSING, id="void-without-original"),
    pytest.param(lambda: claim("CX1", original="C0"), Reason.ORIGINAL_GIVEN, id="original-with-original-id"),
    pytest.param(lambda: claim("CX1", diagnoses=()), Reason.NO_DIAGNOSES, id="no-diagnoses"),
    pytest.param(lambda: claim("CX1", diagnoses=[f"J0{i % 10}.{i}" for i in range(13)]),
                 Reason.TOO_MANY_DIAGNOSES, id="13-diagnoses"),
    pytest.param(lambda: claim("CX1", lines=[]), Reason.NO_LINES, id="no-lines"),
    pytest.param(lambda: claim("CX1", lines=_lines(51)), Reason.TOO_MANY_LINES, id="51-lines"),
    pytest.param(lambda: claim("CX1", received="2026-03-01", lines=[("2026-03-02", "99213", 1, 120_00)]),
                 Reason.SERVICE_AFTER_RECEIVED, id="dos-after-received"),
    pytest.param(lambda: claim("CX1", lines=[(DOS, "99213", 0, 120_00)]), Reason.UNITS_NOT_POSITIVE,
                 id="zero-units"),
    pytest.param(lambda: claim("CX1", lines=[(DOS, "71046", 10_000, 4000_00)]), Reason.TOO_MANY_UNITS,
                 id="10000-units"),
    pytest.param(lambda: claim("CX1", lines=[(DOS, "99213", 1, 0)]), Reason.BILLED_NOT_POSITIVE,
                 id="zero-billed"),
    pytest.param(lambda: claim("CX1", lines=[(DOS, "71046", 1, 10**12 + 1)]), Reason.BILLED_TOO_LARGE,
                 id="billed-above-ten-billion-dollars"),
    pytest.param(lambda: claim("CX1", lines=[(DOS, "99213", 1, 120_00), (DOS, "80053", 0, 40_00)]),
                 Reason.UNITS_NOT_POSITIVE, id="bad-second-line-rejects-whole-claim"),
    pytest.param(lambda: claim("CX1", received=LAST_DAY + 1), Reason.RECEIVED_DATE_OUT_OF_RANGE,
                 id="received-after-9999-12-31"),
    pytest.param(lambda: claim("CX1", received=2**32 - 1, lines=[(2**32 - 1, "99213", 1, 120_00)]),
                 Reason.RECEIVED_DATE_OUT_OF_RANGE, id="dates-at-the-encodings-last-day"),
]


@pytest.mark.parametrize("build,reason", STATELESS)
def test_invalid_record_is_rejected(loaded, biller, build, reason):
    """A-3 / R-2 / R-4 / R-9 / R-14: submitClaim reverts with ClaimRejected(claimId, reason) and
    records nothing of the claim; in a batch the record emits ClaimRecordRejected(claimId,
    reason) and nothing else."""
    with brownie.reverts(rejected("CX1", reason)):
        loaded.submitClaim(build(), b"", {"from": biller})
    tx = loaded.submitClaims(build(), b"", {"from": biller})
    assert names(tx) == ["ClaimRecordRejected"]
    ev = only(tx, "ClaimRecordRejected")
    assert (bytes(ev["claimId"]), ev["reason"]) == (cid("CX1"), reason)
    assert claim_state(loaded, "CX1") == State.NONE


def test_boundaries_are_accepted(loaded, biller):
    """R-4: 50 lines, 12 diagnoses, 9,999 units and 10^12 cents billed are within the limits;
    DOS == received is valid; R-50: a claim received on 9999-12-31 is too."""
    tx = submit(loaded, biller,
                claim("CX1", lines=_lines(50, "71046")),
                claim("CX2", diagnoses=[f"J0{i % 10}.{i}" for i in range(12)]),
                claim("CX3", received=DOS, lines=[(DOS, "99213", 1, 120_00)]),
                claim("CX4", lines=[(DOS, "71046", 9_999, 10**12)]),
                claim("CX5", received=LAST_DAY))
    assert names(tx) == ["ClaimAccepted"] * 5
    assert loaded.claim(cid("CX1"))[1] == 50


def test_claim_record_keeps_a_tag_of_the_content(loaded, biller):
    """A-3, R-17: the claim record is one slot: state, lines, frequency, NPI and a 160-bit tag of
    the content hash (the keccak256 of the packed bytes after the id); ClaimAccepted carries the
    record but the state in its header, indexed by claim id and provider."""
    packed = claim("CX1")
    tx = submit(loaded, biller, packed)
    state, line_count, frequency, npi, tag = loaded.claim(cid("CX1"))
    assert (state, line_count, frequency, npi) == (State.ACTIVE, 1, 1, NPI_IN)
    assert bytes(tag) == content_hash(packed)[:20]
    ev = only(tx, "ClaimAccepted")
    assert (bytes(ev["claimId"]), ev["providerNpi"]) == (cid("CX1"), NPI_IN)
    header = ev["header"]
    assert (header & 0xFF, header >> 8 & 0xFF, header >> 16 & 0xFF, header >> 32 & (2**64 - 1)) == (0, 1, 1, NPI_IN)
    assert (header >> 96).to_bytes(20, "big") == content_hash(packed)[:20]
    assert len(ev["lines"]) == 2  # two words a line


def test_unknown_claim_reads_as_none(loaded):
    assert tuple(loaded.claim(cid("NOPE")))[:4] == (State.NONE, 0, 0, 0)


# claims rejected because of what is already on chain
def _reused(engine, biller):
    submit(engine, biller, claim("C1"))
    return claim("C1", lines=[(DOS, "99213", 1, 121_00)])


def _original_unknown(engine, biller):
    return replacement("C2", "C-NEVER")


def _names_itself(engine, biller):
    return replacement("C2", "C2")


def _original_replaced(engine, biller):
    submit(engine, biller, claim("C1"))
    submit(engine, biller, replacement("C2", "C1", lines=[(DOS, "99213", 1, 110_00)]))
    return replacement("C3", "C1", lines=[(DOS, "99213", 1, 100_00)])


def _original_voided(engine, biller):
    submit(engine, biller, claim("C1"))
    submit(engine, biller, void("C2", "C1"))
    return void("C3", "C1")


def _original_is_void(engine, biller):
    submit(engine, biller, claim("C1"))
    submit(engine, biller, void("C2", "C1"))
    return replacement("C3", "C2")


def _void_of_void(engine, biller):
    submit(engine, biller, claim("C1"))
    submit(engine, biller, void("C2", "C1"))
    return void("C3", "C2")


def _other_member(engine, biller):
    submit(engine, biller, claim("C1"))
    return replacement("C2", "C1", member="M101")


def _other_provider(engine, biller):
    submit(engine, biller, claim("C1"))
    return void("C2", "C1", npi=NPI_IMAGING)


STATEFUL = [
    pytest.param(_reused, "C1", Reason.REUSED_CLAIM_ID, id="reused-id-other-content"),
    pytest.param(_original_unknown, "C2", Reason.ORIGINAL_UNKNOWN, id="original-unknown"),
    pytest.param(_names_itself, "C2", Reason.ORIGINAL_UNKNOWN, id="names-itself"),
    pytest.param(_original_replaced, "C3", Reason.ORIGINAL_REVERSED, id="original-already-replaced"),
    pytest.param(_original_voided, "C3", Reason.ORIGINAL_REVERSED, id="original-already-voided"),
    pytest.param(_original_is_void, "C3", Reason.ORIGINAL_IS_VOID, id="replace-a-void"),
    pytest.param(_void_of_void, "C3", Reason.ORIGINAL_IS_VOID, id="void-a-void"),
    pytest.param(_other_member, "C2", Reason.OTHER_MEMBER, id="other-member"),
    pytest.param(_other_provider, "C2", Reason.OTHER_PROVIDER, id="other-provider"),
]


@pytest.mark.parametrize("setup,claim_id,reason", STATEFUL)
def test_record_conflicting_with_chain_is_rejected(loaded, biller, setup, claim_id, reason):
    """A-3 / R-8 / R-9: a 7 or 8 whose original is unknown, already reversed, a void, or names
    another member or provider, and a claim id reused with other content, are rejected with
    ClaimRejected(claimId, reason); the chain is left as it was."""
    bad = setup(loaded, biller)
    records = {c: tuple(loaded.claim(cid(c))) for c in ("C1", "C2", "C3")}
    before = (accumulators(loaded, "M100"), account(loaded, NPI_IN), loaded.totalOutstanding())
    with brownie.reverts(rejected(claim_id, reason)):
        loaded.submitClaim(bad, originals_for(loaded, bad), {"from": biller})
    assert {c: tuple(loaded.claim(cid(c))) for c in ("C1", "C2", "C3")} == records
    assert (accumulators(loaded, "M100"), account(loaded, NPI_IN), loaded.totalOutstanding()) == before


def test_reused_id_keeps_the_first_record(loaded, biller):
    """A-3: the rejected reuse leaves the first claim's record and line untouched."""
    first = claim("C1")
    submit(loaded, biller, first)
    before = tuple(loaded.claim(cid("C1")))
    with brownie.reverts(rejected("C1", Reason.REUSED_CLAIM_ID)):
        loaded.submitClaim(claim("C1", received="2026-03-03"), b"", {"from": biller})
    assert tuple(loaded.claim(cid("C1"))) == before
    assert line_status(loaded, first) == Status.APPROVED


def test_submit_claims_reports_rejects_and_goes_on(loaded, biller):
    """A-3: in a batch, an invalid record emits ClaimRecordRejected(claimId, reason) and the
    next claims are adjudicated, in order."""
    tx = loaded.submitClaims(b"".join([
        claim("C1"),
        claim("C2", lines=[(DOS, "99213", 0, 120_00)]),
        replacement("C3", "C-NEVER"),
        claim("C4", lines=[(DOS, "71046", 1, 60_00)]),
    ]), b"", {"from": biller})
    flow = [(e.name, bytes(e["claimId"])) for e in tx.events]
    assert flow == [
        ("ClaimAccepted", cid("C1")),
        ("ClaimRecordRejected", cid("C2")),
        ("ClaimRecordRejected", cid("C3")),
        ("ClaimAccepted", cid("C4")),
    ]
    assert [e["reason"] for e in tx.events["ClaimRecordRejected"]] == [Reason.UNITS_NOT_POSITIVE,
                                                                      Reason.ORIGINAL_UNKNOWN]
    assert claim_state(loaded, "C2") == State.NONE and claim_state(loaded, "C3") == State.NONE
    assert claim_state(loaded, "C4") == State.ACTIVE


def test_rejected_claim_can_be_resubmitted_corrected(loaded, biller):
    """R-2: nothing of a rejected claim is recorded, so a corrected claim under the same id is
    processed as new."""
    tx = submit(loaded, biller, claim("C1", lines=[(DOS, "99213", 0, 120_00)]), claim("C0"))
    assert tx.events["ClaimRecordRejected"][0]["reason"] == Reason.UNITS_NOT_POSITIVE
    tx = loaded.submitClaim(claim("C1", lines=[(DOS, "99213", 1, 120_01)]), b"", {"from": biller})
    assert names(tx) == ["ClaimAccepted"]
    assert outcome(tx).paid == 67_00


# ------------------------------------------------------------------------------ batch size, encoding


def test_batch_of_max_batch_claims_is_accepted_and_one_more_is_too_large(loaded, biller):
    """IClaimIntake: submitClaims takes at most MAX_BATCH (100) claims; 101 revert the whole call
    with BatchTooLarge(101, 100) and record nothing."""
    assert loaded.MAX_BATCH() == 100
    batch = [claim(f"B{i}", member="M999") for i in range(101)]
    with brownie.reverts(err("BatchTooLarge", 101, 100)):
        loaded.submitClaims(b"".join(batch), b"", {"from": biller})
    assert claim_state(loaded, "B0") == State.NONE
    tx = loaded.submitClaims(b"".join(batch[:100]), b"", {"from": biller})
    assert names(tx) == ["ClaimAccepted"] * 100


def test_malformed_batch_reverts_at_the_offset_of_the_bad_claim(loaded, biller):
    """IClaimIntake: claims that do not parse (a claim cut short, bytes left over, less than a
    header) revert the whole batch with MalformedClaim(offset of the claim that does not parse);
    nothing before it is kept."""
    good, other = claim("C1"), claim("C2", lines=[(DOS, "99214", 1, 160_00)])
    for data, offset in (
        (good + other[:-1], len(good)),  # the second claim's last line is one byte short
        (good + b"\x00" * 20, len(good)),  # 20 bytes left over: not a header
        (good[:79], 0),  # less than the 80-byte header
        (good[:80], 0),  # a header announcing a diagnosis and a line that are missing
    ):
        with brownie.reverts(err("MalformedClaim", offset)):
            loaded.submitClaims(data, b"", {"from": biller})
    assert claim_state(loaded, "C1") == State.NONE
    assert names(loaded.submitClaims(b"", b"", {"from": biller})) == []  # an empty batch is no claims


def test_malformed_single_claim_reverts(loaded, biller):
    """IClaimIntake: submitClaim takes exactly one packed claim: one cut short is
    MalformedClaim(0), one with bytes after it MalformedClaim(its length)."""
    packed = claim("C1")
    with brownie.reverts(err("MalformedClaim", 0)):
        loaded.submitClaim(packed[:-1], b"", {"from": biller})
    with brownie.reverts(err("MalformedClaim", len(packed))):
        loaded.submitClaim(packed + b"\x00", b"", {"from": biller})
    with brownie.reverts(err("MalformedClaim", len(packed))):
        loaded.submitClaim(packed + claim("C2"), b"", {"from": biller})
    assert claim_state(loaded, "C1") == State.NONE


def test_malformed_originals_revert_when_a_correction_reads_them(loaded, biller):
    """IClaimIntake / R-17: a correction looks for its original among `originals`, which must
    parse as packed claims: MalformedClaim(offset in originals)."""
    first = claim("C1")
    submit(loaded, biller, first)
    with brownie.reverts(err("MalformedClaim", 0)):
        loaded.submitClaim(void("V1", "C1"), first[:-1], {"from": biller})
    with brownie.reverts(err("MalformedClaim", len(first))):
        loaded.submitClaims(void("V1", "C1"), claim("C9") + first[:50], {"from": biller})
    assert claim_state(loaded, "C1") == State.ACTIVE


# ------------------------------------------------------------------------------ idempotence


def _footprint(engine, packed):
    return (tuple(engine.claim(key_of(packed))), tuple(engine.lineOf(packed, 1)), accumulators(engine, "M100"),
            account(engine, NPI_IN), engine.totalOutstanding())


@pytest.mark.parametrize("batched", [False, True])
def test_same_claim_again_is_a_no_op(loaded, biller, batched):
    """A-3 idempotence: re-submitting the same id with the same content emits
    ClaimAlreadyRecorded and changes nothing: no second accrual, no accumulators."""
    first = claim("C1")
    submit(loaded, biller, first)
    assert account(loaded, NPI_IN) == (67_00 * 10_000, 0, 0)
    before = _footprint(loaded, first)
    tx = submit(loaded, biller, first, first) if batched else submit(loaded, biller, first)
    assert names(tx) == ["ClaimAlreadyRecorded"] * (2 if batched else 1)
    assert bytes(tx.events["ClaimAlreadyRecorded"][0]["claimId"]) == cid("C1")
    assert _footprint(loaded, first) == before


def test_same_claim_twice_in_one_batch_is_adjudicated_once(loaded, biller):
    """A-3 idempotence: within one batch the second copy is a no-op (one accrual)."""
    tx = submit(loaded, biller, claim("C1"), claim("C1"))
    assert names(tx) == ["ClaimAccepted", "ClaimAlreadyRecorded"]
    assert loaded.owed(NPI_IN) == 67_00 * 10_000


def test_resending_a_replaced_original_or_its_corrections_is_a_no_op(loaded, biller):
    """A-3 / R-8: a replayed original that has since been replaced, its replacement and the void
    of that are no-ops, even without the originals a first submission needed: nothing is
    reversed or recouped twice."""
    c1, r2 = claim("C1"), replacement("C2", "C1", lines=[(DOS, "99213", 1, 110_00)])
    v3 = void("C3", "C2")
    submit(loaded, biller, c1)
    submit(loaded, biller, r2)
    submit(loaded, biller, v3)
    before = _footprint(loaded, r2)
    tx = loaded.submitClaims(c1 + r2 + v3, b"", {"from": biller})
    assert names(tx) == ["ClaimAlreadyRecorded"] * 3
    assert _footprint(loaded, r2) == before
    assert [claim_state(loaded, c) for c in ("C1", "C2", "C3")] == [State.REVERSED, State.REVERSED, State.VOID]
    assert events(tx, "ClaimReversed") == []


def test_malformed_originals_revert_even_when_no_correction_reads_them(loaded, biller):
    """IClaimIntake: `claims` and `originals` parse as packed claims, else MalformedClaim."""
    first = claim("C1")
    with brownie.reverts(err("MalformedClaim", 0)):
        loaded.submitClaims(first, b"\x00" * 10, {"from": biller})


# ------------------------------------------------------------------------------ the enums the tests use


def test_the_tests_enums_are_the_contracts():
    """helpers.Reason, Status, State, Appeal and Lookup copy IClaimTypes' enums, member by
    member in order (read from the compiled interface), so every reason above is the contract's."""
    import json
    import re
    from pathlib import Path

    from tests.contracts.helpers import Appeal, Lookup, State

    ast = json.loads((Path(__file__).resolve().parents[2] / "build/interfaces/IClaimTypes.json").read_text())["ast"]
    (types,) = [n for n in ast["nodes"] if n.get("nodeType") == "ContractDefinition"]
    enums = {n["name"]: [m["name"] for m in n["members"]] for n in types["nodes"] if n["nodeType"] == "EnumDefinition"}

    def upper(name):
        return re.sub(r"(?<!^)(?=[A-Z])", "_", name).upper()

    for contract_enum, ours in (("RejectReason", Reason), ("LineStatus", Status), ("ClaimState", State),
                                ("AppealState", Appeal), ("Lookup", Lookup)):
        assert [upper(m) for m in enums[contract_enum]] == [m.name for m in ours], contract_enum
    assert len(Reason) == 22  # None and 21 reasons


def test_every_reject_reason_is_tested():
    """A-3: each RejectReason is met by a test: above, or (OriginalNotSupplied, R-17) in
    test_claims_engine_corrections.py, or (OtherPayerInvalid, R-40) in test_claims_engine_coordination.py."""
    tested = ({p.values[1] for p in STATELESS} | {p.values[2] for p in STATEFUL}
              | {Reason.ORIGINAL_NOT_SUPPLIED, Reason.OTHER_PAYER_INVALID})
    assert tested == set(Reason) - {Reason.NONE}
