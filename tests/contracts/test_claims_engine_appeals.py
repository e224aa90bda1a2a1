"""R-13 appeals on the examples/basic reference data (`loaded`): the biller appeals a DENIED line
once with a document hash, supplying the claim as submitted; a reviewer upholds the denial or
overturns it, which re-runs the A-4 checks without the appealed one and, if no other fails,
approves and prices the line (A-6) without pending it. Amounts are written out by hand from
docs/ADJUDICATION.md (GOLD-PPO-2026: 99213 allowed 92.00 with a 25.00 office-visit copay;
deductible 500.00 / 1000.00)."""
import brownie
import pytest
from brownie import web3

from claimledger.codec import encode_claim, to_id
from claimledger.privacy.pseudonyms import Pseudonyms
from claimledger.events import EventDecoder, reversed_rows
from claimledger.money import parse_day
from claimledger.records import Claim, ClaimLine, Frequency, LineStatus
from claimledger.reference import ReferenceEngine

from tests.contracts.helpers import (
    CENT, NPI_IMAGING, NPI_IN, NPI_ORTHO, ZERO32, Appeal, Status, account, accumulators, assert_approved,
    assert_denied, auth_used, b8, carcs, cid, claim, err, line_record, line_status, names, only, outcome, pending,
    replacement, reversals, status_of, submit, unauthorized, void,
)

DOC = b"\x42" * 32  # hash of the off-chain appeal letter and records

# GOLD timely filing is 180 days: received 2026-09-01 is 184 days after a DOS of 2026-03-01
LATE = dict(received="2026-09-01")
VISIT = ("2026-03-01", "99213", 1, 120_00)


def _appeal(engine, account_, packed, number=1, document=DOC):
    return engine.appeal(packed, number, document, {"from": account_})


def _decide(engine, account_, packed, overturn, number=1):
    return engine.decideAppeal(packed, number, overturn, {"from": account_})


def _appeal_of(engine, claim_id="CX1", number=1):
    state, code, document = engine.appealOf(cid(claim_id), number)
    return state, bytes(code).rstrip(b"\0").decode(), bytes(document)


def _engine_events(tx) -> list[str]:
    return [n for n in names(tx) if n in ("LineAppealed", "AppealDecided", "LineAdjudicated", "ClaimReversed")]


def _denied_visit(loaded, biller, claim_id="CX1", **kw):
    """A 99213 visit filed late: DENIED CO-29; returns the packed claim."""
    c = claim(claim_id, lines=[VISIT], **{**LATE, **kw})
    assert_denied(submit(loaded, biller, c), claim_id, "29", 120_00)
    return c


# ------------------------------------------------------------------------------ appeal


def test_r13_appeal_of_a_denied_line_is_recorded(loaded, biller):
    """R-13: LineAppealed(claimId, line, biller, documentHash); the line stays DENIED."""
    c = claim("CX1", npi=NPI_ORTHO, lines=[("2026-03-01", "20610", 1, 150_00)])
    submit(loaded, biller, c)
    tx = _appeal(loaded, biller, c)
    ev = only(tx, "LineAppealed")
    assert (bytes(ev["claimId"]), ev["line"], ev["biller"], bytes(ev["documentHash"])) == (
        cid("CX1"), 1, biller.address, DOC)
    assert _engine_events(tx) == ["LineAppealed"]
    assert _appeal_of(loaded) == (Appeal.OPEN, "11", DOC)
    assert line_status(loaded, c) == Status.DENIED


def test_r13_a_reviewer_denial_can_be_appealed(loaded, biller, reviewer):
    """R-13: a line denied by a reviewer (R-6) is DENIED like any other."""
    c = claim("CX1", lines=[("2026-03-01", "99213", 1, 6000_00)])  # > pend_above
    submit(loaded, biller, c)
    loaded.denyPended(c, 1, b8("50"), {"from": reviewer})
    _appeal(loaded, biller, c)
    assert _appeal_of(loaded) == (Appeal.OPEN, "50", DOC)


def test_r13_unappealed_line_has_no_appeal(loaded):
    assert _appeal_of(loaded, "NOPE") == (Appeal.NONE, "", ZERO32)


def test_r13_only_a_denied_line_can_be_appealed(loaded, biller):
    """R-13: approved, pended and missing lines -> LineNotDenied; a claim never recorded (or
    another content under its id) -> ClaimContentMismatch (R-17)."""
    c = claim("CX1", lines=[VISIT, ("2026-03-01", "99214", 1, 6000_00)])
    submit(loaded, biller, c)
    assert [line_status(loaded, c, n) for n in (1, 2)] == [Status.APPROVED, Status.PENDED]
    for number in (1, 2, 3, 0):
        with brownie.reverts(err("LineNotDenied", cid("CX1"), number)):
            _appeal(loaded, biller, c, number)
    with brownie.reverts(err("ClaimContentMismatch", cid("NOPE"))):
        _appeal(loaded, biller, claim("NOPE"))
    with brownie.reverts(err("ClaimContentMismatch", cid("CX1"))):
        _appeal(loaded, biller, claim("CX1", lines=[VISIT]))


def test_r13_a_reversed_claims_denied_line_cannot_be_appealed(loaded, biller):
    """R-13 / R-7: a void reverses the denied line; it can no longer be appealed, and the void
    has no lines of its own."""
    c = _denied_visit(loaded, biller)
    v = void("VX1", "CX1", **LATE)
    submit(loaded, biller, v)
    with brownie.reverts(err("LineNotDenied", cid("CX1"), 1)):
        _appeal(loaded, biller, c)
    with brownie.reverts(err("LineNotDenied", cid("VX1"), 1)):
        _appeal(loaded, biller, v)


def test_r13_a_line_is_appealed_once(loaded, biller, reviewer):
    """R-13: a second appeal -> AlreadyAppealed, before and after the decision."""
    c = _denied_visit(loaded, biller)
    _appeal(loaded, biller, c)
    with brownie.reverts(err("AlreadyAppealed", cid("CX1"), 1)):
        _appeal(loaded, biller, c, document=b"\x43" * 32)
    _decide(loaded, reviewer, c, False)
    with brownie.reverts(err("AlreadyAppealed", cid("CX1"), 1)):
        _appeal(loaded, biller, c)


def test_r13_an_appeal_needs_a_document_hash(loaded, biller):
    c = _denied_visit(loaded, biller)
    with brownie.reverts(err("AppealNeedsDocument", cid("CX1"), 1)):
        _appeal(loaded, biller, c, document=ZERO32)
    assert _appeal_of(loaded)[0] == Appeal.NONE


def test_r13_roles(loaded, biller, reviewer, outsider):
    """R-13: the biller appeals, the reviewer decides; nobody else."""
    c = _denied_visit(loaded, biller)
    for account_ in (outsider, reviewer):
        with brownie.reverts(unauthorized(account_, "BILLER")):
            _appeal(loaded, account_, c)
    _appeal(loaded, biller, c)
    for account_ in (outsider, biller):
        with brownie.reverts(unauthorized(account_, "REVIEWER")):
            _decide(loaded, account_, c, True)


def test_r13_pause_stops_appeals_and_decisions(loaded, admin, biller, reviewer):
    c = _denied_visit(loaded, biller)
    loaded.pause({"from": admin})
    with brownie.reverts(err("EnforcedPause")):
        _appeal(loaded, biller, c)
    loaded.unpause({"from": admin})
    _appeal(loaded, biller, c)
    loaded.pause({"from": admin})
    with brownie.reverts(err("EnforcedPause")):
        _decide(loaded, reviewer, c, True)


# ------------------------------------------------------------------------------ decision refused


def test_r13_only_an_open_appeal_can_be_decided(loaded, biller, reviewer):
    """R-13: no appeal, or one already decided -> AppealNotOpen."""
    c = _denied_visit(loaded, biller)
    with brownie.reverts(err("AppealNotOpen", cid("CX1"), 1)):
        _decide(loaded, reviewer, c, True)
    _appeal(loaded, biller, c)
    _decide(loaded, reviewer, c, False)
    with brownie.reverts(err("AppealNotOpen", cid("CX1"), 1)):
        _decide(loaded, reviewer, c, True)


def test_r13_an_open_appeal_of_a_reversed_claim_cannot_be_decided(loaded, biller, reviewer):
    """R-13: a replacement reverses the appealed line (R-7); its appeal can no longer be decided,
    and the replacement's own line can be appealed on its own."""
    c = _denied_visit(loaded, biller)
    _appeal(loaded, biller, c)
    r = replacement("CX2", "CX1", lines=[("2026-03-01", "99213", 1, 110_00)], **LATE)
    submit(loaded, biller, r)
    assert line_status(loaded, c) == Status.REVERSED
    with brownie.reverts(err("AppealNotOpen", cid("CX1"), 1)):
        _decide(loaded, reviewer, c, True)
    assert _appeal_of(loaded) == (Appeal.OPEN, "29", DOC)
    _appeal(loaded, biller, r)
    assert _appeal_of(loaded, "CX2") == (Appeal.OPEN, "29", DOC)


@pytest.mark.parametrize("change", [
    dict(diagnoses=("J06.8",)),
    dict(received="2026-08-31"),
    dict(lines=[("2026-03-01", "99213", 1, 120_01)]),
], ids=["diagnoses", "received", "billed"])
def test_r13_decision_needs_the_claim_as_submitted(loaded, biller, reviewer, change):
    """R-13 / R-17: the re-supplied claim must hash to the recorded content -> else
    ClaimContentMismatch; the appeal stays open."""
    c = _denied_visit(loaded, biller)
    _appeal(loaded, biller, c)
    with brownie.reverts(err("ClaimContentMismatch", cid("CX1"))):
        _decide(loaded, reviewer, claim("CX1", **{"lines": [VISIT], **LATE, **change}), True)
    assert _appeal_of(loaded)[0] == Appeal.OPEN


# ------------------------------------------------------------------------------ uphold


def test_r13_uphold_changes_nothing_but_the_appeal(loaded, biller, reviewer):
    c = _denied_visit(loaded, biller)
    _appeal(loaded, biller, c)
    tx = _decide(loaded, reviewer, c, False)
    ev = only(tx, "AppealDecided")
    assert (bytes(ev["claimId"]), ev["line"], ev["reviewer"], ev["overturned"]) == (
        cid("CX1"), 1, reviewer.address, False)
    assert _engine_events(tx) == ["AppealDecided"]
    assert _appeal_of(loaded) == (Appeal.UPHELD, "29", DOC)
    status, _, code = line_record(loaded, c)[:3]
    assert (status, bytes(code)) == (Status.DENIED, b8("29"))
    assert accumulators(loaded, "M100") == ((0, 0), (0, 0)) and loaded.owed(NPI_IN) == 0


# ------------------------------------------------------------------------------ overturn


def test_r13_overturn_approves_and_prices_the_line_at_that_moment(loaded, biller, reviewer):
    """R-13: overturned CO-29 -> APPROVED, priced by A-6 against the accumulators of the moment,
    accrued to the provider; the line keeps no CARC, the appeal keeps the one appealed."""
    c = _denied_visit(loaded, biller)
    _appeal(loaded, biller, c)
    # meanwhile 38.00 of deductible is met (71046 has no copay), paid 0
    submit(loaded, biller, claim("CX2", npi=NPI_IMAGING, lines=[("2026-03-02", "71046", 1, 38_00)]))
    tx = _decide(loaded, reviewer, c, True)
    assert _engine_events(tx) == ["AppealDecided", "LineAdjudicated"]
    assert only(tx, "AppealDecided")["overturned"] is True
    assert_approved(tx, "CX1", billed=120_00, allowed=92_00, copay=25_00, paid=67_00)
    assert outcome(tx).plan_version == 1
    assert account(loaded, NPI_IN) == (67_00 * CENT, 0, 0)
    assert accumulators(loaded, "M100") == ((38_00, 63_00), (38_00, 63_00))
    status, _, code, allowed = line_record(loaded, c)[:4]
    assert (status, bytes(code), allowed) == (Status.APPROVED, b"\0" * 8, 92_00)
    assert _appeal_of(loaded) == (Appeal.OVERTURNED, "29", DOC)


def test_r13_an_overturned_line_counts_for_the_daily_limit(loaded, biller, reviewer):
    """R-13 / A-4.11: the approved units of an overturned line count for later lines."""
    c = claim("CX1", npi=NPI_ORTHO, lines=[("2026-03-01", "97110", 3, 96_00)], **LATE)
    assert_denied(submit(loaded, biller, c), "CX1", "29", 96_00)
    _appeal(loaded, biller, c)
    assert status_of(outcome(_decide(loaded, reviewer, c, True))) == Status.APPROVED
    tx = submit(loaded, biller, claim("CX2", npi=NPI_ORTHO, lines=[("2026-03-01", "97110", 2, 64_00)]))
    assert_denied(tx, "CX2", "151", 64_00)


def test_r13_an_overturned_line_consumes_authorization_units(loaded, biller, reviewer):
    """R-13 / A-6.6: PA-0003 (M100, 70553, March, 1 unit) is consumed by the overturned line."""
    c = claim("CX1", npi=NPI_IMAGING, received="2026-09-10", lines=[("2026-03-10", "70553", 1, 900_00)])
    assert_denied(submit(loaded, biller, c), "CX1", "29", 900_00)
    _appeal(loaded, biller, c)
    assert status_of(outcome(_decide(loaded, reviewer, c, True))) == Status.APPROVED
    assert auth_used(loaded, "PA-0003") == 1
    assert bytes(line_record(loaded, c)[9]) == cid("PA-0003")


def test_r13_overturned_co197_is_approved_without_an_authorization(loaded, biller, reviewer):
    """R-13: an overturned CO-197 uses no authorization; a void then restores none (R-7)."""
    c = claim("CX1", npi=NPI_IMAGING, received="2026-04-02", lines=[("2026-04-01", "70553", 1, 900_00)])
    assert_denied(submit(loaded, biller, c), "CX1", "197", 900_00)
    _appeal(loaded, biller, c)
    tx = _decide(loaded, reviewer, c, True)
    assert_approved(tx, "CX1", billed=900_00, allowed=420_00, deductible=420_00, paid=0)
    assert "AuthorizationConsumed" not in tx.events
    assert bytes(line_record(loaded, c)[9]) == ZERO32
    tx = submit(loaded, biller, void("VX1", "CX1", npi=NPI_IMAGING, received="2026-04-03"))
    assert [status_of(o) for o in reversals(tx)] == [Status.APPROVED]
    assert "AuthorizationRestored" not in tx.events
    assert auth_used(loaded, "PA-0003") == 0


def test_r13_overturned_reviewer_denial_is_approved_not_pended_again(loaded, biller, reviewer):
    """R-13: a reviewer's CARC (50) skips no check; the line is not pended again."""
    c = claim("CX1", lines=[("2026-03-01", "99213", 1, 6000_00)])
    submit(loaded, biller, c)
    loaded.denyPended(c, 1, b8("50"), {"from": reviewer})
    _appeal(loaded, biller, c)
    tx = _decide(loaded, reviewer, c, True)
    assert_approved(tx, "CX1", billed=6000_00, allowed=92_00, copay=25_00, paid=67_00)
    assert pending(loaded) == set()


def test_r13_overturned_duplicate_counts_for_later_duplicates(loaded, biller, reviewer):
    """R-13 / A-4.8: the overturned CO-18 line is approved and counts as a duplicate itself."""
    submit(loaded, biller, claim("CX1"))
    c = claim("CX2")
    assert_denied(submit(loaded, biller, c), "CX2", "18", 120_00)
    _appeal(loaded, biller, c)
    assert status_of(outcome(_decide(loaded, reviewer, c, True))) == Status.APPROVED
    assert_denied(submit(loaded, biller, claim("CX3")), "CX3", "18", 120_00)
    submit(loaded, biller, void("VX1", "CX1"))
    assert_denied(submit(loaded, biller, claim("CX4")), "CX4", "18", 120_00)  # CX2 still counts


def test_r13_the_claims_own_lines_never_make_an_overturned_line_a_duplicate(loaded, biller, reviewer):
    """R-13 / A-4.8 "of another claim": overturning the second of two identical late lines, after
    the first was approved on appeal, does not find it a duplicate."""
    twice = [("2026-03-01", "71046", 1, 60_00)] * 2
    c = claim("CX1", npi=NPI_IMAGING, lines=twice, **LATE)
    submit(loaded, biller, c)
    for number in (1, 2):
        _appeal(loaded, biller, c, number=number)
        assert status_of(outcome(_decide(loaded, reviewer, c, True, number=number))) == Status.APPROVED
    assert carcs(submit(loaded, biller, claim("CX2", npi=NPI_IMAGING, lines=twice))) == ["18", "18"]


def test_r13_overturn_denies_again_when_another_check_fails(loaded, biller, reviewer):
    """R-13: without CO-29, A-4.9 fails (PA-0003 covers March only) -> DENIED CO-197."""
    c = claim("CX1", npi=NPI_IMAGING, received="2026-11-01", lines=[("2026-05-01", "70553", 1, 900_00)])
    assert_denied(submit(loaded, biller, c), "CX1", "29", 900_00)
    _appeal(loaded, biller, c)
    tx = _decide(loaded, reviewer, c, True)
    assert _engine_events(tx) == ["AppealDecided", "LineAdjudicated"]
    assert_denied(tx, "CX1", "197", 900_00)
    assert loaded.owed(NPI_IMAGING) == 0
    assert _appeal_of(loaded) == (Appeal.OVERTURNED, "29", DOC)
    status, _, code = line_record(loaded, c)[:3]
    assert (status, bytes(code)) == (Status.DENIED, b8("197"))


def test_r13_overturn_sees_limits_used_while_the_appeal_was_open(loaded, biller, reviewer):
    """R-13 / A-4.12: 97110's annual limit (3) is reached while the appeal is open -> CO-119."""
    c = claim("CX1", npi=NPI_ORTHO, lines=[("2026-03-01", "97110", 1, 32_00)], **LATE)
    submit(loaded, biller, c)
    _appeal(loaded, biller, c)
    for i, dos in enumerate(("2026-03-02", "2026-03-03", "2026-03-04")):
        submit(loaded, biller, claim(f"CX{i + 2}", npi=NPI_ORTHO, received="2026-03-05",
                                     lines=[(dos, "97110", 1, 32_00)]))
    assert_denied(_decide(loaded, reviewer, c, True), "CX1", "119", 32_00)


@pytest.mark.parametrize("kw,code,billed", [
    (dict(member="M999"), "31", 120_00),
    (dict(npi=1111111111), "B7", 120_00),
    (dict(member="M300", lines=[("2026-04-05", "80053", 1, 40_00)], received="2026-04-06"), "96", 40_00),
], ids=["31", "B7", "96"])
def test_r13_member_provider_and_fee_checks_always_run(loaded, biller, reviewer, kw, code, billed):
    """R-13: the line is priced by what checks 1, 3 and 5 find; an overturn cannot skip them."""
    c = claim("CX1", **kw)
    submit(loaded, biller, c)
    _appeal(loaded, biller, c)
    assert_denied(_decide(loaded, reviewer, c, True), "CX1", code, billed)


def test_r13_a_void_reverses_an_overturned_line_as_usual(loaded, biller, reviewer):
    """R-13 / R-7: the overturned, approved line is reversed and its payment recouped."""
    c = _denied_visit(loaded, biller)
    _appeal(loaded, biller, c)
    _decide(loaded, reviewer, c, True)
    tx = submit(loaded, biller, void("VX1", "CX1", **LATE))
    (reversed_line,) = reversals(tx)
    assert_approved(reversed_line, "CX1", billed=120_00, allowed=92_00, copay=25_00, paid=67_00)
    assert account(loaded, NPI_IN) == (67_00 * CENT, 67_00 * CENT, 0)
    assert loaded.owed(NPI_IN) == 0 and accumulators(loaded, "M100") == ((0, 0), (0, 0))


# ------------------------------------------------------------------------------ chain == reference


def _claim(claim_id, *lines_, member="M100", npi=str(NPI_IN), received="2026-03-05", dx=("J06.9",),
           frequency=Frequency.ORIGINAL, original=""):
    return Claim(claim_id, frequency, original, member, npi, parse_day(received), tuple(dx),
                 tuple(ClaimLine(parse_day(d), code, units, billed) for d, code, units, billed in lines_))


def _rows(decoder, tx, names_by_id):
    """results.csv rows (A-9) of a transaction's line-carrying events, decoded by claimledger."""
    rows = []
    for name, values in decoder.decode(web3.eth.get_transaction_receipt(tx.txid)):
        if name == "ClaimReversed":
            rows += reversed_rows(values, names_by_id)
        elif name == "ClaimAccepted":
            rows += [words.result(names_by_id[values["claimId"]]) for words in values["words"]]
        elif name == "LineAdjudicated":
            rows.append(values["words"].result(names_by_id[values["claimId"]]))
    return rows


def test_r13_chain_equals_reference_on_an_appeal_sequence(loaded, biller, reviewer, basic_scenario):
    """R-13: the same submissions, reviews, appeals and decisions give the same results.csv rows
    on chain and in the reference model, step by step."""
    ref = ReferenceEngine.from_scenario(basic_scenario)
    decoder = EventDecoder(loaded)
    claims = {
        # 99213 filed 184 days after its DOS (29), 20610 without an M17/M25 diagnosis (11), 71046
        "E1": _claim("E1", ("2026-01-02", "99213", 1, 120_00), ("2026-07-01", "20610", 1, 150_00),
                     ("2026-07-01", "71046", 1, 60_00), received="2026-07-05"),
        # 70553 late, and no authorization on its DOS once CO-29 is overturned (197)
        "E2": _claim("E2", ("2026-05-01", "70553", 1, 900_00), npi=str(NPI_IMAGING), received="2026-11-01"),
        # pended above pend_above, then denied by the reviewer (50)
        "E3": _claim("E3", ("2026-03-02", "99214", 1, 6000_00), member="M101"),
        # replaces E1 after its appeals
        "E4": _claim("E4", ("2026-03-01", "99213", 1, 110_00), received="2026-03-05",
                     frequency=Frequency.REPLACEMENT, original="E1"),
    }
    packed = {name: encode_claim(c, Pseudonyms.unkeyed()) for name, c in claims.items()}
    names_by_id = {to_id(name): name for name in claims}

    def submitted(name):
        reference_rows, reject = ref.submit(claims[name])
        assert reject is None
        original = claims[name].original_claim_id
        tx = loaded.submitClaim(packed[name], packed[original] if original else b"", {"from": biller})
        return _rows(decoder, tx, names_by_id), reference_rows

    def appealed(name, number, overturn):
        ref.appeal(name, number, DOC)
        loaded.appeal(packed[name], number, DOC, {"from": biller})
        tx = loaded.decideAppeal(packed[name], number, overturn, {"from": reviewer})
        reference_row = ref.decide_appeal(name, number, overturn)
        return _rows(decoder, tx, names_by_id), [reference_row] if overturn else []

    steps = [submitted("E1"), submitted("E2"), submitted("E3")]
    tx = loaded.denyPended(packed["E3"], 1, b8("50"), {"from": reviewer})
    steps.append((_rows(decoder, tx, names_by_id), [ref.decide("E3", 1, approve=False, carc="50")]))
    steps += [appealed("E1", 1, True), appealed("E1", 2, False), appealed("E2", 1, True), appealed("E3", 1, True),
              submitted("E4")]
    for on_chain, reference in steps:
        assert on_chain == reference
    statuses = [[r.status for r in on_chain] for on_chain, _ in steps]
    assert statuses[4:] == [[LineStatus.APPROVED], [], [LineStatus.DENIED], [LineStatus.APPROVED],
                            [LineStatus.REVERSED] * 3 + [LineStatus.APPROVED]]
    assert [str(r.adjustments[0]) for r in steps[6][0]] == ["CO-197:900.00"]
