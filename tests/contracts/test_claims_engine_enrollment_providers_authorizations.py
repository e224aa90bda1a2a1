"""Reference data the plan manager loads into the engine: members (A-2.2, R-14), providers
(A-2.3, R-4) and prior authorizations (A-2.4, A-4.9, A-4.10, R-5), validated on the way in;
authorization units consumed by approved lines (A-6.6) and given back by reversals (A-7.1)."""
import brownie
import pytest

from tests.contracts.helpers import (
    NPI_IMAGING, NPI_IN, OPEN_ENDED, Lookup, Status, accumulators, authorization, b8, cid, claim, create_plan, day,
    enroll, err, member_record, outcome, status_of, submit, void,
)

PLAN = "PLAN-A"
NPI_A, NPI_B = 1234500001, 1234500002  # not in examples/basic: this module also loads it (`loaded`)


@pytest.fixture
def plan(engine, plan_manager):
    create_plan(engine, plan_manager, PLAN, seal=False)  # a known plan is enough to enroll
    return PLAN


# ------------------------------------------------------------------------------ members


def test_enroll_records_member_and_emits(engine, plan, plan_manager):
    """A-2.2: eligibility record with family (subscriber), plan and coverage; open-ended
    coverage is uint32 max."""
    tx = enroll(engine, plan_manager, "M1", "S1", plan, "2026-01-01")
    ev = tx.events["MemberEnrolled"][0]
    assert (bytes(ev["memberId"]), bytes(ev["familyId"]), bytes(ev["planId"])) == (cid("M1"), cid("S1"), cid(PLAN))
    assert (ev["coverageStart"], ev["coverageEnd"]) == (day("2026-01-01"), OPEN_ENDED)
    enrolled, family, plan_id, start, end = engine.member(cid("M1"))
    assert (enrolled, bytes(family), bytes(plan_id), start, end) == (
        True, cid("S1"), cid(PLAN), day("2026-01-01"), OPEN_ENDED)


def test_unknown_member_is_not_enrolled(engine):
    """A-4.1: an unknown member reads back as not enrolled, with nothing met."""
    enrolled, family, plan_id, start, end = engine.member(cid("NOBODY"))
    assert (enrolled, bytes(family), bytes(plan_id), start, end) == (False, b"\0" * 32, b"\0" * 32, 0, 0)
    assert accumulators(engine, "NOBODY") == ((0, 0), (0, 0))


def test_re_enrollment_replaces_plan_and_coverage(engine, plan, plan_manager):
    """A-2.2: enrolling again replaces plan and coverage dates."""
    create_plan(engine, plan_manager, "PLAN-B", seal=False)
    enroll(engine, plan_manager, "M1", "S1", plan, "2026-01-01")
    enroll(engine, plan_manager, "M1", "S1", "PLAN-B", "2026-02-01", "2026-12-31")
    _, _, plan_id, start, end = engine.member(cid("M1"))
    assert (bytes(plan_id), start, end) == (cid("PLAN-B"), day("2026-02-01"), day("2026-12-31"))


def test_r14_a_member_keeps_its_family(engine, plan, plan_manager):
    """R-14: re-enrolling a member under another family is FamilyChange(member, family, new);
    a new member may join an existing family."""
    enroll(engine, plan_manager, "M1", "S1", plan)
    with brownie.reverts(err("FamilyChange", cid("M1"), cid("S1"), cid("S2"))):
        enroll(engine, plan_manager, "M1", "S2", plan)
    enroll(engine, plan_manager, "M2", "S2", plan)
    with brownie.reverts(err("FamilyChange", cid("M1"), cid("S1"), cid("S2"))):
        enroll(engine, plan_manager, "M1", "S2", plan)
    enroll(engine, plan_manager, "M3", "S1", plan)
    assert bytes(engine.member(cid("M3"))[1]) == cid("S1")


def test_coverage_must_not_end_before_it_starts(engine, plan, plan_manager):
    """A-2.2: coverage_end >= coverage_start, else InvalidCoverage(member, start, end); a
    one-day coverage is valid."""
    with brownie.reverts(err("InvalidCoverage", cid("M1"), day("2026-02-01"), day("2026-01-31"))):
        enroll(engine, plan_manager, "M1", "S1", plan, "2026-02-01", "2026-01-31")
    enroll(engine, plan_manager, "M1", "S1", plan, "2026-02-01", "2026-02-01")
    assert engine.member(cid("M1"))[0] is True


def test_enroll_needs_a_known_plan(engine, plan, plan_manager):
    """A-3 / R-10: a member whose plan is unknown is refused with PlanUnknown(plan)."""
    with brownie.reverts(err("PlanUnknown", cid("NO-PLAN"))):
        enroll(engine, plan_manager, "M1", "S1", "NO-PLAN")


def test_enroll_batch_is_all_or_nothing(engine, plan, plan_manager):
    """A bad record refuses the whole enroll call: the good record before it is not kept."""
    ids = [cid("M1"), cid("M2")]
    records = [member_record("S1", plan, "2026-01-01"), member_record("S1", "NO-PLAN", "2026-01-01")]
    with brownie.reverts(err("PlanUnknown", cid("NO-PLAN"))):
        engine.enroll(ids, records, {"from": plan_manager})
    assert engine.member(cid("M1"))[0] is False
    with brownie.reverts(err("LengthMismatch", 2, 1)):
        engine.enroll(ids, records[:1], {"from": plan_manager})


def test_coverage_change_applies_to_later_claims(loaded, plan_manager, biller):
    """A-2.2 / A-4.2: coverage ended by re-enrollment denies later lines past its end (CO-27)."""
    enroll(loaded, plan_manager, "M100", "S100", "GOLD-PPO-2026", "2026-01-01", "2026-02-28")
    assert outcome(submit(loaded, biller, claim("CX1"))).carc == "27"


# ------------------------------------------------------------------------------ providers


def test_register_provider_and_update_network(engine, plan_manager, accounts):
    """A-2.3: a provider's network status and payee; registering again updates them."""
    payee = accounts[6]
    tx = engine.registerProviders([NPI_A], [(True, True, payee)], {"from": plan_manager})
    ev = tx.events["ProviderRegistered"][0]
    assert (ev["npi"], ev["inNetwork"], ev["payee"]) == (NPI_A, True, payee)
    assert tuple(engine.provider(NPI_A)) == (True, True, payee)
    engine.registerProviders([NPI_A], [(True, False, accounts[7])], {"from": plan_manager})
    assert tuple(engine.provider(NPI_A)) == (True, False, accounts[7])
    assert engine.provider(NPI_B)[0] is False  # unknown NPI


def test_network_change_applies_to_later_claims(loaded, plan_manager, biller, accounts):
    """A-2.3 / A-6.3: once NPI_IN is out of network its 99213 has no copay: allowed 92.00 all
    deductible."""
    loaded.registerProviders([NPI_IN], [(True, False, accounts[6])], {"from": plan_manager})
    o = outcome(submit(loaded, biller, claim("CX1")))
    assert (o.allowed, o.deductible, o.copay, o.paid) == (92_00, 92_00, 0, 0)


@pytest.mark.parametrize("npi", [999_999_999, 10_000_000_000, 0])
def test_npi_must_have_ten_digits(engine, plan_manager, accounts, npi):
    """R-4: an NPI has 10 digits, else InvalidNpi(npi)."""
    with brownie.reverts(err("InvalidNpi", npi)):
        engine.registerProviders([npi], [(True, True, accounts[6])], {"from": plan_manager})


def test_ten_digit_bounds_are_valid(engine, plan_manager, accounts):
    """R-4: 1000000000 and 9999999999 are 10-digit NPIs."""
    engine.registerProviders([1_000_000_000, 9_999_999_999], [(True, True, accounts[6])] * 2, {"from": plan_manager})
    assert engine.provider(1_000_000_000)[0] and engine.provider(9_999_999_999)[0]


def test_payee_must_be_set(engine, plan_manager, accounts):
    """A-8: a provider must have an address to be paid: InvalidPayee(npi); the batch is refused."""
    with brownie.reverts(err("InvalidPayee", NPI_B)):
        engine.registerProviders([NPI_A, NPI_B], [(True, True, accounts[6]), (True, True, "0x" + "00" * 20)],
                                 {"from": plan_manager})
    assert engine.provider(NPI_A)[0] is False
    with brownie.reverts(err("LengthMismatch", 1, 0)):
        engine.registerProviders([NPI_A], [], {"from": plan_manager})


# ------------------------------------------------------------------------------ authorizations


def _grant(engine, manager, *items):
    """items: (auth_id, member, code, units, start, end)"""
    return engine.grantAuthorizations([cid(i[0]) for i in items], [authorization(*i[1:]) for i in items],
                                      {"from": manager})


def _find(engine, member, code, when, units):
    lookup, auth_id = engine.findAuthorization(cid(member), b8(code), day(when), units)
    return Lookup(lookup), bytes(auth_id)


def test_grant_records_and_emits(engine, plan_manager):
    """A-2.4: an authorization for member+code with units and a date range."""
    tx = _grant(engine, plan_manager, ("PA-1", "M1", "70553", 2, "2026-03-01", "2026-03-31"))
    ev = tx.events["AuthorizationGranted"][0]
    assert (bytes(ev["authId"]), bytes(ev["memberId"]), bytes(ev["procedureCode"]), ev["start"], ev["end"],
            ev["units"]) == (cid("PA-1"), cid("M1"), b8("70553"), day("2026-03-01"), day("2026-03-31"), 2)
    member, code, start, end, units, used = engine.authorization(cid("PA-1"))
    assert (bytes(member), bytes(code), start, end, units, used) == (
        cid("M1"), b8("70553"), day("2026-03-01"), day("2026-03-31"), 2, 0)
    assert engine.authorization(cid("PA-X"))[4] == 0  # unknown: units 0


def test_grant_refuses_an_existing_id(engine, plan_manager):
    """A-2.4: authorization ids are unique: AuthorizationExists(id), also within one batch."""
    _grant(engine, plan_manager, ("PA-1", "M1", "70553", 1, "2026-03-01", "2026-03-31"))
    with brownie.reverts(err("AuthorizationExists", cid("PA-1"))):
        _grant(engine, plan_manager, ("PA-1", "M2", "70553", 5, "2026-04-01", "2026-04-30"))
    with brownie.reverts(err("AuthorizationExists", cid("PA-2"))):
        _grant(engine, plan_manager, ("PA-2", "M1", "70553", 1, "2026-03-01", "2026-03-31"),
               ("PA-2", "M1", "70553", 1, "2026-03-01", "2026-03-31"))
    assert engine.authorization(cid("PA-1"))[4] == 1
    assert engine.authorization(cid("PA-2"))[4] == 0


@pytest.mark.parametrize("item,field", [
    (("PA-1", "M1", "70553", 0, "2026-03-01", "2026-03-31"), "units"),
    (("PA-1", "M1", "70553", 1, "2026-03-31", "2026-03-30"), "end"),
])
def test_grant_validates_units_and_dates(engine, plan_manager, item, field):
    """A-2.4: units > 0 and end >= start, else InvalidAuthorization(id, field); a one-day
    authorization is valid."""
    with brownie.reverts(err("InvalidAuthorization", cid("PA-1"), field)):
        _grant(engine, plan_manager, item)
    _grant(engine, plan_manager, ("PA-1", "M1", "70553", 1, "2026-03-31", "2026-03-31"))


def test_grant_needs_a_member(engine, plan_manager):
    """A-2.4: an authorization names a member: InvalidAuthorization(id, "memberId")."""
    with brownie.reverts(err("InvalidAuthorization", cid("PA-1"), "memberId")):
        engine.grantAuthorizations([cid("PA-1")], [(b"\0" * 32, b8("70553"), 1, 2, 1, 0)], {"from": plan_manager})
    with brownie.reverts(err("LengthMismatch", 0, 1)):
        engine.grantAuthorizations([], [authorization("M1", "70553", 1, "2026-03-01", "2026-03-31")],
                                   {"from": plan_manager})


def test_find_none_when_nothing_covers_the_day(engine, plan_manager):
    """A-4.9 / R-5: no authorization for member+code whose dates cover the DOS -> None
    (the CO-197 case); start and end days are covered."""
    _grant(engine, plan_manager, ("PA-1", "M1", "70553", 1, "2026-03-01", "2026-03-31"))
    assert _find(engine, "M1", "70553", "2026-02-28", 1)[0] == Lookup.NONE
    assert _find(engine, "M1", "70553", "2026-04-01", 1)[0] == Lookup.NONE
    assert _find(engine, "M2", "70553", "2026-03-10", 1)[0] == Lookup.NONE  # another member
    assert _find(engine, "M1", "27447", "2026-03-10", 1)[0] == Lookup.NONE  # another code
    assert _find(engine, "M1", "70553", "2026-03-01", 1) == (Lookup.FOUND, cid("PA-1"))
    assert _find(engine, "M1", "70553", "2026-03-31", 1) == (Lookup.FOUND, cid("PA-1"))


@pytest.fixture
def mri_member(loaded, plan_manager):
    """MA, a GOLD member without authorizations yet (70553: prior_auth, 420.00)."""
    enroll(loaded, plan_manager, "MA", "SA", "GOLD-PPO-2026")
    return "MA"


def _mri(claim_id, dos, units=1, member="MA"):
    return claim(claim_id, member=member, npi=NPI_IMAGING, diagnoses=("G43.909",), received="2026-04-30",
                 lines=[(dos, "70553", units, 900_00 * units)])


def test_find_exhausted_when_covering_ones_lack_units(loaded, plan_manager, biller, mri_member):
    """A-4.10 / R-5: some cover the DOS but none has enough units left -> Exhausted (CO-198);
    approved lines consume units (AuthorizationConsumed(id, units, used))."""
    _grant(loaded, plan_manager, ("PA-1", "MA", "70553", 2, "2026-03-01", "2026-03-31"),
           ("PA-2", "MA", "70553", 1, "2026-03-15", "2026-04-15"))
    assert _find(loaded, "MA", "70553", "2026-03-20", 3) == (Lookup.EXHAUSTED, b"\0" * 32)
    tx = submit(loaded, biller, _mri("CX1", "2026-03-20", units=2), _mri("CX2", "2026-03-21"))
    assert [(bytes(e["authId"]), e["units"], e["used"]) for e in tx.events["AuthorizationConsumed"]] == [
        (cid("PA-1"), 2, 2), (cid("PA-2"), 1, 1)]
    assert _find(loaded, "MA", "70553", "2026-03-20", 1) == (Lookup.EXHAUSTED, b"\0" * 32)
    assert outcome(submit(loaded, biller, _mri("CX3", "2026-03-22"))).carc == "198"
    # a covering-but-exhausted one does not turn a non-covered day into Exhausted
    assert _find(loaded, "MA", "70553", "2026-04-20", 1)[0] == Lookup.NONE
    assert outcome(submit(loaded, biller, _mri("CX4", "2026-04-20"))).carc == "197"


def test_find_takes_first_in_grant_order_with_enough_units(loaded, plan_manager, biller, mri_member):
    """R-5: among the covering authorizations, the first in grant order with enough units
    left is used; one that does not cover the day is skipped even if granted first; a reversal
    gives the units back to the authorization the line used."""
    _grant(loaded, plan_manager,
           ("PA-0", "MA", "70553", 9, "2026-01-01", "2026-01-31"),  # does not cover March
           ("PA-1", "MA", "70553", 2, "2026-03-01", "2026-03-31"),
           ("PA-2", "MA", "70553", 5, "2026-02-01", "2026-04-30"))
    assert _find(loaded, "MA", "70553", "2026-03-10", 1) == (Lookup.FOUND, cid("PA-1"))
    assert _find(loaded, "MA", "70553", "2026-03-10", 2) == (Lookup.FOUND, cid("PA-1"))
    assert _find(loaded, "MA", "70553", "2026-03-10", 3) == (Lookup.FOUND, cid("PA-2"))
    first = _mri("CX1", "2026-03-10", units=2)
    assert status_of(outcome(submit(loaded, biller, first))) == Status.APPROVED
    assert bytes(loaded.lineOf(first, 1)[9]) == cid("PA-1")
    assert _find(loaded, "MA", "70553", "2026-03-10", 1) == (Lookup.FOUND, cid("PA-2"))
    tx = submit(loaded, biller, void("V1", "CX1", member="MA", npi=NPI_IMAGING))
    assert [(bytes(e["authId"]), e["units"], e["used"]) for e in tx.events["AuthorizationRestored"]] == [
        (cid("PA-1"), 2, 0)]
    assert _find(loaded, "MA", "70553", "2026-03-10", 1) == (Lookup.FOUND, cid("PA-1"))
    assert [tuple(loaded.authorization(cid(a)))[5] for a in ("PA-0", "PA-1", "PA-2")] == [0, 0, 0]


def test_a_code_without_prior_auth_needs_no_authorization(loaded, biller, mri_member):
    """A-4.9: only a fee entry with prior_auth asks for one: 71046 is approved without, and
    its line records none."""
    imaging = claim("CX1", member="MA", npi=NPI_IMAGING, lines=[("2026-03-01", "71046", 1, 60_00)])
    assert status_of(outcome(submit(loaded, biller, imaging))) == Status.APPROVED
    assert bytes(loaded.lineOf(imaging, 1)[9]) == b"\0" * 32
