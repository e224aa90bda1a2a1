"""R-13 appeals in the reference model: a denied line is appealed once by the biller with a
document hash; the reviewer upholds the denial or overturns it, which re-runs the A-4 checks
without the appealed one and approves and prices the line when none other fails."""
import pytest

from claimledger.records import Frequency, LineStatus
from claimledger.reference_review import AppealError, AppealState, ReviewError

from .builders import IN_NET, auth, claim, engine, line, rows

DOC = b"\x42" * 32  # hash of the off-chain appeal letter and records
LATE = "2026-09-01"  # received more than 180 days after a DOS of 2026-03-01: CO-29


def _row(result) -> str:
    return ",".join(result.row())


def _denied(eng, c, code):
    result = rows(eng, c)
    assert result[0].status == LineStatus.DENIED and result[0].adjustments[0].code == code, result
    return result[0]


# ------------------------------------------------------------------------------ appeal


def test_r13_appeal_of_a_denied_line_is_recorded_and_the_line_stays_denied():
    eng = engine()
    denied = _denied(eng, claim("C1", line(code="20610", billed=9000), dx=("J06.9",)), "11")
    appeal = eng.appeal("C1", 1, DOC)
    assert (appeal.state, appeal.carc, appeal.document_hash) == (AppealState.OPEN, "11", DOC)
    assert eng.appeals[("C1", 1)] is appeal
    assert eng.claims["C1"].lines[0].result == denied


def test_r13_a_reviewer_denial_can_be_appealed():
    eng = engine()
    rows(eng, claim("C1", line(code="27447", billed=3_000_000)))
    eng.decide("C1", 1, approve=False, carc="50")
    assert eng.appeal("C1", 1, DOC).carc == "50"


def test_r13_only_a_denied_line_can_be_appealed():
    eng = engine()
    rows(eng, claim("C1", line(), line(code="27447", billed=3_000_000)))  # approved, pended
    for number in (1, 2, 3):  # approved, pended, no such line
        with pytest.raises(AppealError, match="is not denied"):
            eng.appeal("C1", number, DOC)
    with pytest.raises(AppealError, match="is not denied"):
        eng.appeal("NOPE", 1, DOC)
    assert eng.appeals == {}


def test_r13_a_reversed_claims_denied_line_cannot_be_appealed():
    eng = engine()
    _denied(eng, claim("C1", line(code="99999")), "96")
    rows(eng, claim("V1", frequency=Frequency.VOID, original="C1"))
    with pytest.raises(AppealError, match="is not denied"):
        eng.appeal("C1", 1, DOC)


def test_r13_a_line_is_appealed_once_even_after_the_decision():
    eng = engine()
    _denied(eng, claim("C1", received=LATE), "29")
    eng.appeal("C1", 1, DOC)
    with pytest.raises(AppealError, match="already appealed"):
        eng.appeal("C1", 1, b"\x43" * 32)
    eng.decide_appeal("C1", 1, overturn=True)
    with pytest.raises(AppealError, match="already appealed"):
        eng.appeal("C1", 1, DOC)


def test_r13_an_appeal_needs_a_document_hash():
    eng = engine()
    _denied(eng, claim("C1", received=LATE), "29")
    with pytest.raises(AppealError, match="document hash"):
        eng.appeal("C1", 1, b"\0" * 32)
    assert eng.appeals == {}


def test_r13_appeal_errors_are_review_errors():
    assert issubclass(AppealError, ReviewError)


# ------------------------------------------------------------------------------ uphold


def test_r13_uphold_changes_nothing_but_the_appeal():
    eng = engine()
    denied = _denied(eng, claim("C1", received=LATE), "29")
    eng.appeal("C1", 1, DOC)
    assert eng.decide_appeal("C1", 1, overturn=False) == denied
    assert eng.appeals[("C1", 1)].state == AppealState.UPHELD
    assert eng.claims["C1"].lines[0].result == denied
    assert eng.accounts[IN_NET].accrued == 0
    with pytest.raises(AppealError, match="no open appeal"):
        eng.decide_appeal("C1", 1, overturn=True)


def test_r13_only_an_open_appeal_can_be_decided():
    eng = engine()
    _denied(eng, claim("C1", received=LATE), "29")
    with pytest.raises(AppealError, match="no open appeal"):
        eng.decide_appeal("C1", 1, overturn=False)
    with pytest.raises(AppealError, match="no open appeal"):
        eng.decide_appeal("NOPE", 1, overturn=False)


def test_r13_an_open_appeal_of_a_reversed_claim_cannot_be_decided():
    eng = engine()
    _denied(eng, claim("C1", received=LATE), "29")
    eng.appeal("C1", 1, DOC)
    reversed_rows = rows(eng, claim("C2", line(billed=5500), frequency=Frequency.REPLACEMENT, original="C1"))
    assert [r.status for r in reversed_rows] == [LineStatus.REVERSED, LineStatus.APPROVED]
    with pytest.raises(AppealError, match="no open appeal"):
        eng.decide_appeal("C1", 1, overturn=True)


# ------------------------------------------------------------------------------ overturn


def test_r13_overturn_approves_and_prices_the_line_at_that_moment():
    eng = engine()
    _denied(eng, claim("C1", line(code="99213", billed=12000), received=LATE), "29")
    eng.appeal("C1", 1, DOC)
    rows(eng, claim("C2", line(code="71046", billed=3800)))  # 38.00 deductible met meanwhile
    result = eng.decide_appeal("C1", 1, overturn=True)
    assert _row(result) == "C1,1,APPROVED,92.00,0.00,25.00,0.00,67.00,25.00,CO-45:28.00;PR-3:25.00"
    assert eng.claims["C1"].lines[0].result == result
    assert eng.appeals[("C1", 1)].state == AppealState.OVERTURNED
    assert (eng.individual[("M1", 2026)].deductible, eng.individual[("M1", 2026)].oop) == (3800, 3800 + 2500)
    assert eng.family[("S1", 2026)].oop == 3800 + 2500
    assert eng.accounts[IN_NET].accrued == 6700
    eng.fund(10_000)
    assert eng.settle(IN_NET) == 6700


def test_r13_an_overturned_line_counts_for_the_daily_and_annual_limits():
    eng = engine()
    _denied(eng, claim("C1", line(code="97110", units=3, billed=9600), received=LATE), "29")
    eng.appeal("C1", 1, DOC)
    assert eng.decide_appeal("C1", 1, overturn=True).status == LineStatus.APPROVED
    assert eng.units_per_day[("M1", "97110", line().service_date)] == 3
    assert eng.lines_per_year[("M1", "97110", 2026)] == 1
    assert rows(eng, claim("C2", line(code="97110", units=2, billed=6400)))[0].adjustments[0].code == "151"


def test_r13_an_overturned_line_consumes_authorization_units():
    eng = engine(auths=[auth("A1", units=1)])
    _denied(eng, claim("C1", line(code="70553", billed=90000), received=LATE), "29")
    eng.appeal("C1", 1, DOC)
    assert eng.decide_appeal("C1", 1, overturn=True).status == LineStatus.APPROVED
    assert eng.auth_used["A1"] == 1 and eng.claims["C1"].lines[0].auth_id == "A1"
    assert rows(eng, claim("C2", line(code="70553", billed=80000)))[0].adjustments[0].code == "198"


def test_r13_overturned_co197_is_approved_without_an_authorization():
    eng = engine(auths=[auth("A1", units=1, start="2026-06-01")])
    _denied(eng, claim("C1", line(code="70553", billed=90000)), "197")
    eng.appeal("C1", 1, DOC)
    result = eng.decide_appeal("C1", 1, overturn=True)
    assert result.status == LineStatus.APPROVED and result.allowed == 42000
    assert eng.claims["C1"].lines[0].auth_id is None and eng.auth_used["A1"] == 0
    rows(eng, claim("V1", frequency=Frequency.VOID, original="C1"))  # nothing to restore
    assert eng.auth_used["A1"] == 0 and eng.individual[("M1", 2026)].deductible == 0


def test_r13_overturned_co198_is_approved_without_consuming_the_exhausted_authorization():
    eng = engine(auths=[auth("A1", units=1)])
    _denied(eng, claim("C1", line(code="70553", billed=90000, units=2)), "198")
    eng.appeal("C1", 1, DOC)
    assert eng.decide_appeal("C1", 1, overturn=True).status == LineStatus.APPROVED
    assert eng.auth_used["A1"] == 0


def test_r13_overturned_reviewer_denial_is_approved_not_pended_again():
    eng = engine()
    rows(eng, claim("C1", line(code="27447", billed=3_000_000)))
    eng.decide("C1", 1, approve=False, carc="50")
    eng.appeal("C1", 1, DOC)
    result = eng.decide_appeal("C1", 1, overturn=True)
    assert result.status == LineStatus.APPROVED and result.allowed == 185000
    assert eng.pending_lines() == []


def test_r13_overturned_duplicate_counts_as_approved_for_later_duplicates():
    eng = engine()
    rows(eng, claim("C1"))
    _denied(eng, claim("C2"), "18")
    eng.appeal("C2", 1, DOC)
    assert eng.decide_appeal("C2", 1, overturn=True).status == LineStatus.APPROVED
    key = ("M1", IN_NET, line().service_date, "71046", 1, 6000)
    assert eng.duplicates[key] == 2
    _denied(eng, claim("C3"), "18")


def test_r13_the_claims_own_lines_never_make_an_overturned_line_a_duplicate():
    eng = engine()
    same = line(code="71046", billed=6000)
    assert [r.adjustments[0].code for r in rows(eng, claim("C1", same, same, received=LATE))] == ["29", "29"]
    for number in (1, 2):
        eng.appeal("C1", number, DOC)
        assert eng.decide_appeal("C1", number, overturn=True).status == LineStatus.APPROVED
    _denied(eng, claim("C2", same), "18")


def test_r13_overturn_denies_again_when_another_check_fails():
    eng = engine(auths=[auth("A1", units=1, start="2026-06-01")])
    _denied(eng, claim("C1", line(code="70553", billed=90000), received=LATE), "29")  # and no auth on the DOS
    eng.appeal("C1", 1, DOC)
    result = eng.decide_appeal("C1", 1, overturn=True)
    assert _row(result) == "C1,1,DENIED,0.00,0.00,0.00,0.00,0.00,0.00,CO-197:900.00"
    assert eng.appeals[("C1", 1)].state == AppealState.OVERTURNED
    assert eng.accounts[IN_NET].accrued == 0
    with pytest.raises(AppealError, match="already appealed"):
        eng.appeal("C1", 1, DOC)


def test_r13_overturn_sees_limits_used_while_the_appeal_was_open():
    eng = engine()
    _denied(eng, claim("C1", line(code="97110", billed=3200), received=LATE), "29")
    eng.appeal("C1", 1, DOC)
    for i, dos in enumerate(("2026-03-02", "2026-03-03")):  # annual limit 2 reached meanwhile
        rows(eng, claim(f"C{i + 2}", line(code="97110", billed=3200, dos=dos)))
    assert eng.decide_appeal("C1", 1, overturn=True).adjustments[0].code == "119"


@pytest.mark.parametrize("build,code", [
    (lambda: claim("C1", member="NOPE"), "31"),
    (lambda: claim("C1", npi="5555555555"), "B7"),
    (lambda: claim("C1", line(code="99999")), "96"),
])
def test_r13_member_provider_and_fee_checks_always_run(build, code):
    """R-13: the line is priced by what checks 1, 3 and 5 find, so an overturn cannot skip them."""
    eng = engine()
    _denied(eng, build(), code)
    eng.appeal("C1", 1, DOC)
    assert eng.decide_appeal("C1", 1, overturn=True).adjustments[0].code == code


def test_r13_a_void_reverses_an_overturned_line_as_usual():
    eng = engine()
    _denied(eng, claim("C1", line(code="99213", billed=12000), received=LATE), "29")
    eng.appeal("C1", 1, DOC)
    approved = eng.decide_appeal("C1", 1, overturn=True)
    reversed_rows = rows(eng, claim("V1", frequency=Frequency.VOID, original="C1"))
    assert reversed_rows == [approved.negated()]
    assert eng.accounts[IN_NET].balance == 0 and eng.individual[("M1", 2026)].oop == 0
