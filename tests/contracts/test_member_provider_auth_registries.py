"""MemberRegistry (A-2.2, A-6.6, A-7.1), ProviderRegistry (A-2.3, R-4) and
AuthorizationRegistry (A-2.4, A-4.9, A-4.10, R-5): validation of the reference data and the
engine-side writes, driven directly by an account holding ENGINE."""
import brownie
import pytest

from tests.contracts.helpers import (
    OPEN_ENDED, Lookup, authorization, cid, create_plan, day, enroll, err, member_record,
)

PLAN = "PLAN-A"


@pytest.fixture
def plan(plans, plan_manager):
    create_plan(plans, plan_manager, PLAN, seal=False)  # planExists is enough to enroll
    return PLAN


# ------------------------------------------------------------------------------ members


def test_enroll_records_member_and_emits(members, plan, plan_manager):
    """A-2.2: eligibility record with family (subscriber), plan and coverage; open-ended
    coverage is uint32 max."""
    tx = enroll(members, plan_manager, "M1", "S1", plan, "2026-01-01")
    ev = tx.events["MemberEnrolled"][0]
    assert (bytes(ev["memberId"]), bytes(ev["familyId"]), bytes(ev["planId"])) == (cid("M1"), cid("S1"), cid(PLAN))
    assert (ev["coverageStart"], ev["coverageEnd"]) == (day("2026-01-01"), OPEN_ENDED)
    enrolled, family, plan_id, start, end = members.member(cid("M1"))
    assert (enrolled, bytes(family), bytes(plan_id), start, end) == (
        True, cid("S1"), cid(PLAN), day("2026-01-01"), OPEN_ENDED)


def test_unknown_member_is_not_enrolled(members):
    """A-4.1: an unknown member reads back as not enrolled."""
    assert members.member(cid("NOBODY"))[0] is False


def test_re_enrollment_replaces_plan_and_coverage(members, plans, plan, plan_manager):
    """A-2.2: enrolling again replaces plan and coverage dates."""
    create_plan(plans, plan_manager, "PLAN-B", seal=False)
    enroll(members, plan_manager, "M1", "S1", plan, "2026-01-01")
    enroll(members, plan_manager, "M1", "S1", "PLAN-B", "2026-02-01", "2026-12-31")
    _, _, plan_id, start, end = members.member(cid("M1"))
    assert (bytes(plan_id), start, end) == (cid("PLAN-B"), day("2026-02-01"), day("2026-12-31"))


def test_coverage_must_not_end_before_it_starts(members, plan, plan_manager):
    """A-2.2: coverage_end >= coverage_start, else InvalidCoverage(member, start, end); a
    one-day coverage is valid."""
    with brownie.reverts(err("InvalidCoverage", cid("M1"), day("2026-02-01"), day("2026-01-31"))):
        enroll(members, plan_manager, "M1", "S1", plan, "2026-02-01", "2026-01-31")
    enroll(members, plan_manager, "M1", "S1", plan, "2026-02-01", "2026-02-01")
    assert members.member(cid("M1"))[0] is True


def test_enroll_needs_a_known_plan(members, plan, plan_manager):
    """A-3 / R-10: a member whose plan is unknown is refused with PlanUnknown(plan)."""
    with brownie.reverts(err("PlanUnknown", cid("NO-PLAN"))):
        enroll(members, plan_manager, "M1", "S1", "NO-PLAN")


def test_enroll_batch_is_all_or_nothing(members, plan, plan_manager):
    """A bad record refuses the whole enroll call: the good record before it is not kept."""
    ids = [cid("M1"), cid("M2")]
    records = [member_record("S1", plan, "2026-01-01"), member_record("S1", "NO-PLAN", "2026-01-01")]
    with brownie.reverts(err("PlanUnknown", cid("NO-PLAN"))):
        members.enroll(ids, records, {"from": plan_manager})
    assert members.member(cid("M1"))[0] is False
    with brownie.reverts(err("LengthMismatch", 2, 1)):
        members.enroll(ids, records[:1], {"from": plan_manager})


def _acc(members, member, family, year=2026):
    ind, fam = members.accumulators(cid(member), cid(family), year)
    return tuple(ind), tuple(fam)


def test_accumulators_apply_to_member_and_family(members, engine_account):
    """A-6.6: deductible met += deductible and OOP met += patient share, for the member and
    the family, per plan year."""
    tx = members.applyAccumulators(cid("M1"), cid("S1"), 2026, 100_00, 150_00, {"from": engine_account})
    ev = tx.events["AccumulatorsApplied"][0]
    assert (bytes(ev["memberId"]), bytes(ev["familyId"]), ev["year"], ev["deductible"], ev["oop"]) == (
        cid("M1"), cid("S1"), 2026, 100_00, 150_00)
    members.applyAccumulators(cid("M2"), cid("S1"), 2026, 50_00, 60_00, {"from": engine_account})
    assert _acc(members, "M1", "S1") == ((100_00, 150_00), (150_00, 210_00))
    assert _acc(members, "M2", "S1") == ((50_00, 60_00), (150_00, 210_00))
    assert _acc(members, "M1", "S1", 2027) == ((0, 0), (0, 0))  # per plan year


def test_accumulators_reverse_never_below_zero(members, engine_account):
    """A-7.1: a reversal takes the amounts back, clamped at zero, for member and family."""
    members.applyAccumulators(cid("M1"), cid("S1"), 2026, 100_00, 150_00, {"from": engine_account})
    members.applyAccumulators(cid("M2"), cid("S1"), 2026, 50_00, 60_00, {"from": engine_account})
    tx = members.reverseAccumulators(cid("M1"), cid("S1"), 2026, 40_00, 50_00, {"from": engine_account})
    ev = tx.events["AccumulatorsReversed"][0]
    assert (ev["year"], ev["deductible"], ev["oop"]) == (2026, 40_00, 50_00)
    assert _acc(members, "M1", "S1") == ((60_00, 100_00), (110_00, 160_00))
    # more than the member has met: the member goes to 0, the family only loses as much
    members.reverseAccumulators(cid("M1"), cid("S1"), 2026, 100_00, 150_00, {"from": engine_account})
    assert _acc(members, "M1", "S1") == ((0, 0), (10_00, 10_00))
    members.reverseAccumulators(cid("M2"), cid("S1"), 2026, 999_00, 999_00, {"from": engine_account})
    assert _acc(members, "M2", "S1") == ((0, 0), (0, 0))


# ------------------------------------------------------------------------------ providers


def test_register_provider_and_update_network(providers, plan_manager, accounts):
    """A-2.3: a provider's network status and payee; registering again updates them."""
    payee = accounts[6]
    tx = providers.register([1234567893], [(True, True, payee)], {"from": plan_manager})
    ev = tx.events["ProviderRegistered"][0]
    assert (ev["npi"], ev["inNetwork"], ev["payee"]) == (1234567893, True, payee)
    assert tuple(providers.provider(1234567893)) == (True, True, payee)
    providers.register([1234567893], [(True, False, accounts[7])], {"from": plan_manager})
    assert tuple(providers.provider(1234567893)) == (True, False, accounts[7])
    assert providers.provider(1098765432)[0] is False  # unknown NPI


@pytest.mark.parametrize("npi", [999_999_999, 10_000_000_000, 0])
def test_npi_must_have_ten_digits(providers, plan_manager, accounts, npi):
    """R-4: an NPI has 10 digits, else InvalidNpi(npi)."""
    with brownie.reverts(err("InvalidNpi", npi)):
        providers.register([npi], [(True, True, accounts[6])], {"from": plan_manager})


def test_ten_digit_bounds_are_valid(providers, plan_manager, accounts):
    """R-4: 1000000000 and 9999999999 are 10-digit NPIs."""
    providers.register([1_000_000_000, 9_999_999_999], [(True, True, accounts[6])] * 2, {"from": plan_manager})
    assert providers.provider(1_000_000_000)[0] and providers.provider(9_999_999_999)[0]


def test_payee_must_be_set(providers, plan_manager, accounts):
    """A-8: a provider must have an address to be paid: InvalidPayee(npi); the batch is refused."""
    with brownie.reverts(err("InvalidPayee", 1659478212)):
        providers.register([1234567893, 1659478212], [(True, True, accounts[6]), (True, True, "0x" + "00" * 20)],
                           {"from": plan_manager})
    assert providers.provider(1234567893)[0] is False
    with brownie.reverts(err("LengthMismatch", 1, 0)):
        providers.register([1234567893], [], {"from": plan_manager})


# ------------------------------------------------------------------------------ authorizations


def _grant(authorizations, manager, *items):
    """items: (auth_id, member, code, units, start, end)"""
    return authorizations.grant([cid(i[0]) for i in items], [authorization(*i[1:]) for i in items],
                                {"from": manager})


def _find(authorizations, member, code, when, units):
    lookup, auth_id = authorizations.find(cid(member), code.encode().ljust(8, b"\0"), day(when), units)
    return Lookup(lookup), bytes(auth_id)


def test_grant_records_and_emits(authorizations, plan_manager):
    """A-2.4: an authorization for member+code with units and a date range."""
    tx = _grant(authorizations, plan_manager, ("PA-1", "M1", "70553", 2, "2026-03-01", "2026-03-31"))
    ev = tx.events["AuthorizationGranted"][0]
    assert (bytes(ev["authId"]), bytes(ev["memberId"]), ev["start"], ev["end"], ev["units"]) == (
        cid("PA-1"), cid("M1"), day("2026-03-01"), day("2026-03-31"), 2)
    member, code, start, end, units, used = authorizations.authorization(cid("PA-1"))
    assert (bytes(member), bytes(code), start, end, units, used) == (
        cid("M1"), b"70553\0\0\0", day("2026-03-01"), day("2026-03-31"), 2, 0)


def test_grant_refuses_an_existing_id(authorizations, plan_manager):
    """A-2.4: authorization ids are unique: AuthorizationExists(id), also within one batch."""
    _grant(authorizations, plan_manager, ("PA-1", "M1", "70553", 1, "2026-03-01", "2026-03-31"))
    with brownie.reverts(err("AuthorizationExists", cid("PA-1"))):
        _grant(authorizations, plan_manager, ("PA-1", "M2", "70553", 5, "2026-04-01", "2026-04-30"))
    with brownie.reverts(err("AuthorizationExists", cid("PA-2"))):
        _grant(authorizations, plan_manager, ("PA-2", "M1", "70553", 1, "2026-03-01", "2026-03-31"),
               ("PA-2", "M1", "70553", 1, "2026-03-01", "2026-03-31"))
    assert authorizations.authorization(cid("PA-1"))[4] == 1


@pytest.mark.parametrize("item,field", [
    (("PA-1", "M1", "70553", 0, "2026-03-01", "2026-03-31"), "units"),
    (("PA-1", "M1", "70553", 1, "2026-03-31", "2026-03-30"), "end"),
])
def test_grant_validates_units_and_dates(authorizations, plan_manager, item, field):
    """A-2.4: units > 0 and end >= start, else InvalidAuthorization(id, field)."""
    with brownie.reverts(err("InvalidAuthorization", cid("PA-1"), field)):
        _grant(authorizations, plan_manager, item)


def test_grant_needs_a_member(authorizations, plan_manager):
    """A-2.4: an authorization names a member: InvalidAuthorization(id, "memberId")."""
    with brownie.reverts(err("InvalidAuthorization", cid("PA-1"), "memberId")):
        authorizations.grant([cid("PA-1")], [(b"\0" * 32, b"70553\0\0\0", 1, 2, 1, 0)], {"from": plan_manager})
    with brownie.reverts(err("LengthMismatch", 0, 1)):
        authorizations.grant([], [authorization("M1", "70553", 1, "2026-03-01", "2026-03-31")],
                             {"from": plan_manager})


def test_find_none_when_nothing_covers_the_day(authorizations, plan_manager):
    """A-4.9 / R-5: no authorization for member+code whose dates cover the DOS -> None
    (the CO-197 case); start and end days are covered."""
    _grant(authorizations, plan_manager, ("PA-1", "M1", "70553", 1, "2026-03-01", "2026-03-31"))
    assert _find(authorizations, "M1", "70553", "2026-02-28", 1)[0] == Lookup.NONE
    assert _find(authorizations, "M1", "70553", "2026-04-01", 1)[0] == Lookup.NONE
    assert _find(authorizations, "M2", "70553", "2026-03-10", 1)[0] == Lookup.NONE  # another member
    assert _find(authorizations, "M1", "27447", "2026-03-10", 1)[0] == Lookup.NONE  # another code
    assert _find(authorizations, "M1", "70553", "2026-03-01", 1) == (Lookup.FOUND, cid("PA-1"))
    assert _find(authorizations, "M1", "70553", "2026-03-31", 1) == (Lookup.FOUND, cid("PA-1"))


def test_find_exhausted_when_covering_ones_lack_units(authorizations, plan_manager, engine_account):
    """A-4.10 / R-5: some cover the DOS but none has enough units left -> Exhausted (CO-198)."""
    _grant(authorizations, plan_manager, ("PA-1", "M1", "70553", 2, "2026-03-01", "2026-03-31"),
           ("PA-2", "M1", "70553", 1, "2026-03-15", "2026-04-15"))
    assert _find(authorizations, "M1", "70553", "2026-03-20", 3) == (Lookup.EXHAUSTED, b"\0" * 32)
    authorizations.consume(cid("PA-1"), 2, {"from": engine_account})
    authorizations.consume(cid("PA-2"), 1, {"from": engine_account})
    assert _find(authorizations, "M1", "70553", "2026-03-20", 1) == (Lookup.EXHAUSTED, b"\0" * 32)
    # a covering-but-exhausted one does not turn a non-covered day into Exhausted
    assert _find(authorizations, "M1", "70553", "2026-04-20", 1)[0] == Lookup.NONE


def test_find_takes_first_in_grant_order_with_enough_units(authorizations, plan_manager, engine_account):
    """R-5: among the covering authorizations, the first in grant order with enough units
    left is used; one that does not cover the day is skipped even if granted first."""
    _grant(authorizations, plan_manager,
           ("PA-0", "M1", "70553", 9, "2026-01-01", "2026-01-31"),  # does not cover March
           ("PA-1", "M1", "70553", 2, "2026-03-01", "2026-03-31"),
           ("PA-2", "M1", "70553", 5, "2026-02-01", "2026-04-30"))
    assert _find(authorizations, "M1", "70553", "2026-03-10", 1) == (Lookup.FOUND, cid("PA-1"))
    assert _find(authorizations, "M1", "70553", "2026-03-10", 2) == (Lookup.FOUND, cid("PA-1"))
    assert _find(authorizations, "M1", "70553", "2026-03-10", 3) == (Lookup.FOUND, cid("PA-2"))
    authorizations.consume(cid("PA-1"), 2, {"from": engine_account})
    assert _find(authorizations, "M1", "70553", "2026-03-10", 1) == (Lookup.FOUND, cid("PA-2"))
    authorizations.restore(cid("PA-1"), 1, {"from": engine_account})
    assert _find(authorizations, "M1", "70553", "2026-03-10", 1) == (Lookup.FOUND, cid("PA-1"))


def test_consume_and_restore(authorizations, plan_manager, engine_account):
    """A-6.6 / A-7.1: approved lines consume units; reversals give them back, never below 0."""
    _grant(authorizations, plan_manager, ("PA-1", "M1", "70553", 3, "2026-03-01", "2026-03-31"))
    tx = authorizations.consume(cid("PA-1"), 2, {"from": engine_account})
    ev = tx.events["AuthorizationConsumed"][0]
    assert (bytes(ev["authId"]), ev["units"], ev["used"]) == (cid("PA-1"), 2, 2)
    with brownie.reverts(err("InsufficientUnits", cid("PA-1"), 1, 2)):
        authorizations.consume(cid("PA-1"), 2, {"from": engine_account})
    authorizations.consume(cid("PA-1"), 1, {"from": engine_account})
    assert authorizations.authorization(cid("PA-1"))[5] == 3
    with brownie.reverts(err("InsufficientUnits", cid("PA-1"), 0, 1)):
        authorizations.consume(cid("PA-1"), 1, {"from": engine_account})

    tx = authorizations.restore(cid("PA-1"), 1, {"from": engine_account})
    ev = tx.events["AuthorizationRestored"][0]
    assert (bytes(ev["authId"]), ev["units"], ev["used"]) == (cid("PA-1"), 1, 2)
    authorizations.restore(cid("PA-1"), 5, {"from": engine_account})
    assert authorizations.authorization(cid("PA-1"))[5] == 0


def test_consume_and_restore_need_a_known_authorization(authorizations, engine_account):
    """An unknown authorization id: AuthorizationUnknown(id)."""
    for fn in (authorizations.consume, authorizations.restore):
        with brownie.reverts(err("AuthorizationUnknown", cid("PA-X"))):
            fn(cid("PA-X"), 1, {"from": engine_account})
