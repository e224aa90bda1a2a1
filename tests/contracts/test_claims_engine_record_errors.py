"""A-3 record errors (R-2, R-8, R-9): a record that cannot be adjudicated is rejected with a
reason, changes nothing on chain and does not stop the records after it; a re-submission
with the same id and content is a no-op."""
import brownie
import pytest

from tests.contracts.helpers import (
    NPI_IMAGING, NPI_IN, Reason, State, Status, accumulators, cid, claim, claim_state, err, make_claim,
    names, originals_for, rejected, replacement, submit, void,
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
    pytest.param(lambda: make_claim("CX1", lines=[]), Reason.NO_LINES, id="no-lines"),
    pytest.param(lambda: claim("CX1", lines=_lines(51)), Reason.TOO_MANY_LINES, id="51-lines"),
    pytest.param(lambda: claim("CX1", diagnoses=[f"J0{i % 10}.{i}" for i in range(13)]),
                 Reason.TOO_MANY_DIAGNOSES, id="13-diagnoses"),
    pytest.param(lambda: claim("CX1", lines=[(DOS, "99213", 0, 120_00)]), Reason.UNITS_NOT_POSITIVE,
                 id="zero-units"),
    pytest.param(lambda: claim("CX1", lines=[(DOS, "99213", 1, 0)]), Reason.BILLED_NOT_POSITIVE,
                 id="zero-billed"),
    pytest.param(lambda: claim("CX1", received="2026-03-01", lines=[("2026-03-02", "99213", 1, 120_00)]),
                 Reason.SERVICE_AFTER_RECEIVED, id="dos-after-received"),
    pytest.param(lambda: claim("CX1", lines=[(DOS, "99213", 1, 120_00), (DOS, "80053", 0, 40_00)]),
                 Reason.UNITS_NOT_POSITIVE, id="bad-second-line-rejects-whole-claim"),
]


@pytest.mark.parametrize("build,reason", STATELESS)
def test_submit_claim_rejects_invalid_record(loaded, biller, build, reason):
    """A-3 / R-2 / R-9: submitClaim reverts with ClaimRejected(claimId, reason) and records
    nothing of the claim."""
    with brownie.reverts(rejected("CX1", reason)):
        loaded.submitClaim(build(), [], {"from": biller})
    assert claim_state(loaded, "CX1") == State.NONE


def test_boundaries_are_accepted(loaded, biller):
    """R-4: 50 lines and 12 diagnoses are within the X12 limits; DOS == received is valid."""
    tx = submit(loaded, biller,
                claim("CX1", lines=_lines(50, "71046")),
                claim("CX2", diagnoses=[f"J0{i % 10}.{i}" for i in range(12)]),
                claim("CX3", received=DOS, lines=[(DOS, "99213", 1, 120_00)]))
    assert names(tx).count("ClaimAccepted") == 3
    assert "ClaimRecordRejected" not in tx.events
    assert loaded.claim(cid("CX1"))[1] == 50


def test_claim_record_keeps_a_tag_of_the_content(loaded, biller):
    """A-3, R-17: the claim record is one slot: state, lines, frequency, NPI and a 160-bit tag of
    the content hash (its leading 20 bytes); ClaimAccepted has the member and the whole hash."""
    tx = submit(loaded, biller, claim("CX1"))
    accepted = tx.events["ClaimAccepted"][0]
    state, line_count, frequency, npi, content_tag = loaded.claim(cid("CX1"))
    assert (state, line_count, frequency, npi) == (State.ACTIVE, 1, 1, NPI_IN)
    assert bytes(content_tag) == bytes(accepted["contentHash"])[:20]
    assert bytes(accepted["memberId"]) == cid("M100")


# claims rejected because of what is already on chain
def _reused(engine, biller):
    submit(engine, biller, claim("C1"))
    return claim("C1", lines=[(DOS, "99213", 1, 121_00)])


def _original_unknown(engine, biller):
    return replacement("C2", "C-NEVER")


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


def _names_itself(engine, biller):
    return replacement("C2", "C2")


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
def test_submit_claim_rejects_record_conflicting_with_chain(loaded, members, biller, setup, claim_id, reason):
    """A-3 / R-8 / R-9: a 7 or 8 whose original is unknown, already reversed, a void, or names
    another member or provider, and a claim id reused with other content, are rejected with
    ClaimRejected(claimId, reason); the chain is left as it was."""
    bad = setup(loaded, biller)
    states = {c: claim_state(loaded, c) for c in ("C1", "C2", "C3")}
    acc = accumulators(members, "M100")
    with brownie.reverts(rejected(claim_id, reason)):
        loaded.submitClaim(bad, originals_for(loaded, bad), {"from": biller})
    assert {c: claim_state(loaded, c) for c in ("C1", "C2", "C3")} == states
    assert accumulators(members, "M100") == acc


def test_reused_id_keeps_the_first_record(loaded, biller):
    """A-3: the rejected reuse leaves the first claim's content and lines untouched."""
    submit(loaded, biller, claim("C1"))
    before = loaded.claim(cid("C1"))
    with brownie.reverts(rejected("C1", Reason.REUSED_CLAIM_ID)):
        loaded.submitClaim(claim("C1", received="2026-03-03"), [], {"from": biller})
    assert loaded.claim(cid("C1")) == before
    assert loaded.line(cid("C1"), 1)[0] == Status.APPROVED


def test_submit_claims_reports_rejects_and_goes_on(loaded, biller):
    """A-3: in a batch, an invalid record emits ClaimRecordRejected(claimId, reason) and the
    next claims are adjudicated."""
    tx = loaded.submitClaims([
        claim("C1"),
        claim("C2", lines=[(DOS, "99213", 0, 120_00)]),
        replacement("C3", "C-NEVER"),
        claim("C4", lines=[(DOS, "71046", 1, 60_00)]),
    ], [], {"from": biller})
    flow = [(e.name, bytes(e["claimId"])) for e in tx.events
            if e.name in ("ClaimAccepted", "ClaimRecordRejected", "LineAdjudicated")]
    assert flow == [
        ("ClaimAccepted", cid("C1")), ("LineAdjudicated", cid("C1")),
        ("ClaimRecordRejected", cid("C2")),
        ("ClaimRecordRejected", cid("C3")),
        ("ClaimAccepted", cid("C4")), ("LineAdjudicated", cid("C4")),
    ]
    reasons = [e["reason"] for e in tx.events["ClaimRecordRejected"]]
    assert reasons == [Reason.UNITS_NOT_POSITIVE, Reason.ORIGINAL_UNKNOWN]
    assert claim_state(loaded, "C2") == State.NONE and claim_state(loaded, "C3") == State.NONE
    assert claim_state(loaded, "C4") == State.ACTIVE


def test_rejected_claim_can_be_resubmitted_corrected(loaded, biller):
    """R-2: nothing of a rejected claim is recorded, so a corrected claim under the same id is
    processed as new."""
    tx = submit(loaded, biller, claim("C1", lines=[(DOS, "99213", 0, 120_00)]), claim("C0"))
    assert tx.events["ClaimRecordRejected"][0]["reason"] == Reason.UNITS_NOT_POSITIVE
    tx = loaded.submitClaim(claim("C1", lines=[(DOS, "99213", 1, 120_01)]), [], {"from": biller})
    assert "ClaimAccepted" in tx.events
    assert tx.events["LineAdjudicated"][0]["status"] == Status.APPROVED


def test_batch_too_large(loaded, biller):
    """A-3 / MAX_BATCH: submitClaims takes at most 100 claims: BatchTooLarge(size, 100)."""
    assert loaded.MAX_BATCH() == 100
    batch = [claim(f"B{i}") for i in range(101)]
    with brownie.reverts(err("BatchTooLarge", 101, 100)):
        loaded.submitClaims(batch, [], {"from": biller})
    assert claim_state(loaded, "B0") == State.NONE


# ------------------------------------------------------------------------------ idempotence


def _footprint(engine, members, escrow, claim_id="C1"):
    return (engine.claim(cid(claim_id)), engine.line(cid(claim_id), 1), accumulators(members, "M100"),
            tuple(escrow.account(NPI_IN)), escrow.totalOutstanding())


@pytest.mark.parametrize("batched", [False, True])
def test_same_claim_again_is_a_no_op(loaded, members, escrow, biller, batched):
    """A-3 idempotence: re-submitting the same id with the same content emits
    ClaimAlreadyRecorded and changes nothing: no second accrual, no accumulators."""
    first = submit(loaded, biller, claim("C1"))
    assert first.events["Accrued"][0]["amount"] == 67_00 * 10_000
    before = _footprint(loaded, members, escrow)
    tx = submit(loaded, biller, claim("C1"), claim("C1")) if batched else submit(loaded, biller, claim("C1"))
    assert names(tx) == ["ClaimAlreadyRecorded"] * (2 if batched else 1)
    assert bytes(tx.events["ClaimAlreadyRecorded"][0]["claimId"]) == cid("C1")
    assert _footprint(loaded, members, escrow) == before


def test_same_claim_twice_in_one_batch_is_adjudicated_once(loaded, members, escrow, biller):
    """A-3 idempotence: within one batch the second copy is a no-op (one accrual)."""
    tx = submit(loaded, biller, claim("C1"), claim("C1"))
    assert names(tx).count("ClaimAccepted") == 1 and names(tx).count("ClaimAlreadyRecorded") == 1
    assert len(tx.events["Accrued"]) == 1
    assert escrow.owed(NPI_IN) == 67_00 * 10_000


def test_resending_a_replaced_original_or_its_void_is_a_no_op(loaded, members, escrow, biller):
    """A-3 / R-8: a replayed original that has since been replaced, and a replayed void, are
    no-ops: nothing is reversed or recouped twice."""
    submit(loaded, biller, claim("C1"))
    submit(loaded, biller, replacement("C2", "C1", lines=[(DOS, "99213", 1, 110_00)]))
    submit(loaded, biller, void("C3", "C2"))
    before = _footprint(loaded, members, escrow, "C2")
    tx = submit(loaded, biller, claim("C1"), replacement("C2", "C1", lines=[(DOS, "99213", 1, 110_00)]),
                void("C3", "C2"))
    assert names(tx) == ["ClaimAlreadyRecorded"] * 3
    assert _footprint(loaded, members, escrow, "C2") == before
    assert [claim_state(loaded, c) for c in ("C1", "C2", "C3")] == [State.REVERSED, State.REVERSED, State.VOID]


# ------------------------------------------------------------------------------ R-4 limits on chain


def test_r4_claim_without_diagnoses_is_a_record_error(loaded, biller):
    """R-4 / A-3 (missing field): a claim needs at least one diagnosis."""
    tx = loaded.submitClaims([claim("CX1", diagnoses=())], [], {"from": biller})
    assert "ClaimAccepted" not in tx.events and "ClaimRecordRejected" in tx.events
    with brownie.reverts(rejected("CX1", Reason.NO_DIAGNOSES)):
        loaded.submitClaim(claim("CX1", diagnoses=()), [], {"from": biller})


def test_r4_units_above_9999_is_a_record_error(loaded, biller):
    """R-4 / A-3: units are a whole number 1..9,999."""
    tx = loaded.submitClaims([claim("CX1", lines=[(DOS, "71046", 10_000, 4000_00)])], [], {"from": biller})
    assert "ClaimAccepted" not in tx.events and "ClaimRecordRejected" in tx.events
    with brownie.reverts(rejected("CX1", Reason.TOO_MANY_UNITS)):
        loaded.submitClaim(claim("CX1", lines=[(DOS, "71046", 10_000, 4000_00)]), [], {"from": biller})


def test_r4_billed_above_ten_billion_dollars_is_a_record_error(loaded, biller):
    """R-4 / A-3: billed is at most 10^12 cents (which also keeps stored amounts in 48 bits)."""
    with brownie.reverts(rejected("CX1", Reason.BILLED_TOO_LARGE)):
        loaded.submitClaim(claim("CX1", lines=[(DOS, "71046", 1, 10**12 + 1)]), [], {"from": biller})
    tx = loaded.submitClaims([claim("CX2", lines=[(DOS, "71046", 1, 10**12)])], [], {"from": biller})
    assert "ClaimAccepted" in tx.events
