"""Plans as data (A-2.1) in effective-dated versions (R-3, R-15) that price claims only once
sealed and never change afterwards; the R-16 limit counting that fee entries turn on. Run by
the engine's extension on the engine's storage, through the engine's address."""
import brownie
import pytest

from tests.contracts.helpers import (
    TERM_FIELDS, ZERO32, b8, b16, cid, create_plan, day, err, fee, terms,
)

PLAN = "PLAN-A"
PID = cid(PLAN)
HASH = b"\x42" * 32
MAX_AMOUNT = 2**40 - 1  # Plans.MAX_AMOUNT: amounts below 2^40 cents


@pytest.fixture
def opened(engine, plan_manager):
    """PLAN-A version 1 (effective 1970-01-01), open for editing."""
    engine.createPlanVersion(PID, PLAN, 0, terms(), {"from": plan_manager})
    return engine


def _seal(engine, manager, version=1, plan_id=PID):
    return engine.sealPlanVersion(plan_id, version, HASH, {"from": manager})


def _version_at(engine, when: str, plan_id=PID):
    found, version, _ = engine.planAt(plan_id, day(when))
    return version if found else None


def _fee_tuple(entry) -> tuple:
    listed, allowed, category, prior_auth, review, max_units, annual, dx = entry
    return (listed, allowed, bytes(category), prior_auth, review, max_units, annual, [bytes(d) for d in dx])


# ------------------------------------------------------------------------------ create / edit / seal


def test_create_version_emits_terms_and_opens_version_1(engine, plan_manager):
    """A-2.1 / R-3: the first version of a plan is number 1 and is created unsealed."""
    t = terms(hasPendThreshold=True, pendAbove=5000_00)
    assert engine.versionCount(PID) == 0
    assert engine.createPlanVersion.call(PID, PLAN, day("2026-01-01"), t, {"from": plan_manager}) == 1
    tx = engine.createPlanVersion(PID, PLAN, day("2026-01-01"), t, {"from": plan_manager})
    ev = tx.events["PlanVersionCreated"][0]
    assert (bytes(ev["planId"]), ev["version"], ev["effectiveFrom"], ev["name"]) == (PID, 1, day("2026-01-01"), PLAN)
    assert tuple(ev["terms"]) == t
    assert engine.versionCount(PID) == 1
    info = engine.versionInfo(PID, 1)
    assert (info[0], info[1], bytes(info[2])) == (day("2026-01-01"), False, ZERO32)
    assert tuple(engine.termsOf(PID, 1)) == t
    assert engine.versionCount(cid("OTHER")) == 0


def test_terms_read_back_at_their_widest(engine, plan_manager):
    """A-2.1: every term survives the engine's packing: amounts up to 2^40 - 1 cents, 100%
    rates, the longest filing window, both flags."""
    t = terms(deductibleIndividual=MAX_AMOUNT, deductibleFamily=MAX_AMOUNT, oopMaxIndividual=MAX_AMOUNT,
              oopMaxFamily=MAX_AMOUNT, coinsuranceBps=10_000, outOfNetworkCoinsuranceBps=10_000,
              outOfNetworkCovered=False, timelyFilingDays=65_535, hasPendThreshold=True, pendAbove=MAX_AMOUNT)
    engine.createPlanVersion(PID, PLAN, 0, t, {"from": plan_manager})
    assert tuple(engine.termsOf(PID, 1)) == t


def test_set_copays_emits_and_reads_back(opened, plan_manager):
    """A-2.1 copays by category (A-6.3); a category without one does not apply."""
    tx = opened.setCopays(PID, 1, [b16("office_visit"), b16("urgent_care")], [25_00, 75_00], {"from": plan_manager})
    got = [(bytes(e["planId"]), e["version"], bytes(e["category"]), e["copay"]) for e in tx.events["CopaySet"]]
    assert got == [(PID, 1, b16("office_visit"), 25_00), (PID, 1, b16("urgent_care"), 75_00)]
    assert tuple(opened.copay(PID, 1, b16("office_visit"))) == (True, 25_00)
    assert tuple(opened.copay(PID, 1, b16("lab"))) == (False, 0)
    # a zero copay is still a copay that applies
    opened.setCopays(PID, 1, [b16("lab")], [0], {"from": plan_manager})
    assert tuple(opened.copay(PID, 1, b16("lab"))) == (True, 0)
    assert tuple(opened.copay(cid("NOPE"), 1, b16("lab"))) == (False, 0)


def test_set_fees_emits_and_reads_back(opened, plan_manager):
    """A-2.1 fee schedule entries, with every optional field (prior_auth, review, limits, dx)."""
    entry = fee(65_00, "procedure", prior_auth=True, review=True, max_units_per_day=4, annual_limit=3,
                dx=("M17", "M25"))
    tx = opened.setFees(PID, 1, [b8("20610"), b8("99213")], [entry, fee(92_00)], {"from": plan_manager})
    evs = tx.events["FeeEntrySet"]
    assert [(bytes(e["planId"]), e["version"], bytes(e["code"])) for e in evs] == [
        (PID, 1, b8("20610")), (PID, 1, b8("99213"))]
    assert _fee_tuple(evs[0]["entry"]) == entry
    assert _fee_tuple(opened.fee(PID, 1, b8("20610"))) == entry
    assert _fee_tuple(opened.fee(PID, 1, b8("99213"))) == fee(92_00)
    assert opened.fee(PID, 1, b8("12345"))[0] is False  # not listed
    assert opened.fee(PID, 2, b8("99213"))[0] is False  # no such version


def test_fee_entry_reads_back_at_its_widest(opened, plan_manager):
    """A-2.1: allowed up to 2^40 - 1 cents, a 16-byte category, 65,535-unit limits and 255 dx
    prefixes survive the packing."""
    entry = fee(MAX_AMOUNT, "x" * 16, max_units_per_day=65_535, annual_limit=65_535,
                dx=[f"D{i:03d}" for i in range(255)])
    opened.setFees(PID, 1, [b8("ABCDEFGH")], [entry], {"from": plan_manager})
    assert _fee_tuple(opened.fee(PID, 1, b8("ABCDEFGH"))) == entry


def test_set_fees_overwrites_an_entry_of_an_open_version(opened, plan_manager):
    """A-2.1: while unsealed, a version's fee entry can be corrected (dx prefixes replaced)."""
    opened.setFees(PID, 1, [b8("20610")], [fee(65_00, "procedure", dx=("M17", "M25"))], {"from": plan_manager})
    opened.setFees(PID, 1, [b8("20610")], [fee(70_00, "procedure", dx=("M16",))], {"from": plan_manager})
    assert _fee_tuple(opened.fee(PID, 1, b8("20610"))) == fee(70_00, "procedure", dx=("M16",))


def test_seal_version_emits_and_records_content_hash(opened, plan_manager):
    """A-2.1 / R-3: sealing anchors the off-chain document's hash; the version now prices."""
    assert opened.planAt(PID, day("2026-01-01"))[0] is False
    tx = _seal(opened, plan_manager)
    ev = tx.events["PlanVersionSealedWith"][0]
    assert (bytes(ev["planId"]), ev["version"], bytes(ev["contentHash"])) == (PID, 1, HASH)
    info = opened.versionInfo(PID, 1)
    assert (info[0], info[1], bytes(info[2])) == (0, True, HASH)
    assert _version_at(opened, "2026-01-01") == 1


@pytest.mark.parametrize("edit", ["setCopays", "setFees", "sealPlanVersion"])
def test_sealed_version_cannot_be_edited(opened, plan_manager, edit):
    """R-3: a sealed version is immutable: PlanVersionSealed(planId, version)."""
    opened.setFees(PID, 1, [b8("99213")], [fee(92_00)], {"from": plan_manager})
    _seal(opened, plan_manager)
    args = {
        "setCopays": (PID, 1, [b16("office_visit")], [10_00]),
        "setFees": (PID, 1, [b8("99213")], [fee(1_00)]),
        "sealPlanVersion": (PID, 1, b"\x43" * 32),
    }[edit]
    with brownie.reverts(err("PlanVersionSealed", PID, 1)):
        getattr(opened, edit)(*args, {"from": plan_manager})
    assert _fee_tuple(opened.fee(PID, 1, b8("99213"))) == fee(92_00)
    assert bytes(opened.versionInfo(PID, 1)[2]) == HASH


def test_new_version_is_editable_after_previous_is_sealed(opened, plan_manager):
    """R-3: a change of terms is a new version; the sealed one stays as it was."""
    opened.setFees(PID, 1, [b8("99213")], [fee(92_00)], {"from": plan_manager})
    _seal(opened, plan_manager)
    opened.createPlanVersion(PID, PLAN, day("2026-07-01"), terms(coinsuranceBps=3000), {"from": plan_manager})
    opened.setFees(PID, 2, [b8("99213")], [fee(99_00)], {"from": plan_manager})
    assert opened.fee(PID, 1, b8("99213"))[1] == 92_00
    assert opened.fee(PID, 2, b8("99213"))[1] == 99_00
    assert opened.termsOf(PID, 1)[4] == 2000 and opened.termsOf(PID, 2)[4] == 3000


@pytest.mark.parametrize("edit", ["setCopays", "setFees", "sealPlanVersion"])
def test_edit_of_unknown_plan_or_version_reverts(opened, plan_manager, edit):
    """A-2.1: edits name an existing plan (PlanUnknown) and version (PlanVersionUnknown)."""
    def call(plan_id, version):
        args = {"setCopays": ([], []), "setFees": ([], []), "sealPlanVersion": (HASH,)}[edit]
        return getattr(opened, edit)(plan_id, version, *args, {"from": plan_manager})

    with brownie.reverts(err("PlanUnknown", cid("NOPE"))):
        call(cid("NOPE"), 1)
    for version in (0, 2):
        with brownie.reverts(err("PlanVersionUnknown", PID, version)):
            call(PID, version)


def test_views_of_unknown_version_revert(opened):
    """termsOf / versionInfo name an existing version."""
    for plan_id, version in ((PID, 0), (PID, 2), (cid("NOPE"), 1)):
        with brownie.reverts(err("PlanVersionUnknown", plan_id, version)):
            opened.termsOf(plan_id, version)
        with brownie.reverts(err("PlanVersionUnknown", plan_id, version)):
            opened.versionInfo(plan_id, version)


@pytest.mark.parametrize("edit", ["setCopays", "setFees"])
def test_length_mismatch(opened, plan_manager, edit):
    """Batch edits pair every key with a value."""
    if edit == "setCopays":
        args, lengths = ([b16("a"), b16("b")], [1]), (2, 1)
    else:
        args, lengths = ([b8("99213")], []), (1, 0)
    with brownie.reverts(err("LengthMismatch", *lengths)):
        getattr(opened, edit)(PID, 1, *args, {"from": plan_manager})


# ------------------------------------------------------------------------------ effective dates


@pytest.mark.parametrize("effective", ["2026-01-01", "2025-12-31"])
def test_versions_need_increasing_effective_from(engine, plan_manager, effective):
    """R-3: a new version takes effect strictly after the previous one."""
    engine.createPlanVersion(PID, PLAN, day("2026-01-01"), terms(), {"from": plan_manager})
    with brownie.reverts(err("PlanVersionNotAfterPrevious", PID, day(effective), day("2026-01-01"))):
        engine.createPlanVersion(PID, PLAN, day(effective), terms(), {"from": plan_manager})
    engine.createPlanVersion(PID, PLAN, day("2026-01-02"), terms(), {"from": plan_manager})
    assert engine.versionCount(PID) == 2


def test_effective_dates_are_per_plan(engine, plan_manager):
    """R-3: another plan's versions do not constrain this one's."""
    engine.createPlanVersion(PID, PLAN, day("2026-01-01"), terms(), {"from": plan_manager})
    engine.createPlanVersion(cid("PLAN-B"), "PLAN-B", 0, terms(), {"from": plan_manager})
    assert engine.versionCount(cid("PLAN-B")) == 1


def test_plan_at_picks_sealed_version_in_effect(engine, plan_manager):
    """R-3: planAt(day) is the newest sealed version with effectiveFrom <= day; unsealed
    versions are ignored; a day before the first version finds nothing."""
    create_plan(engine, plan_manager, PLAN, effective_from=day("2026-01-01"), plan_terms=terms(coinsuranceBps=1000))
    create_plan(engine, plan_manager, PLAN, effective_from=day("2026-07-01"), plan_terms=terms(coinsuranceBps=2000))
    create_plan(engine, plan_manager, PLAN, effective_from=day("2027-01-01"), plan_terms=terms(coinsuranceBps=3000),
                seal=False)

    assert _version_at(engine, "2025-12-31") is None
    assert _version_at(engine, "2026-01-01") == 1
    assert _version_at(engine, "2026-06-30") == 1
    assert _version_at(engine, "2026-07-01") == 2
    assert _version_at(engine, "2027-03-01") == 2  # version 3 not sealed yet
    found, version, view_terms = engine.planAt(PID, day("2026-08-01"))
    assert (found, version, view_terms[4]) == (True, 2, 2000)

    _seal(engine, plan_manager, version=3)
    assert _version_at(engine, "2027-03-01") == 3
    assert _version_at(engine, "2026-12-31") == 2


def test_plan_at_skips_an_unsealed_middle_version(engine, plan_manager):
    """R-3: an unsealed version between two sealed ones never prices: the earlier sealed one
    stays in effect until the later sealed one starts."""
    create_plan(engine, plan_manager, PLAN, effective_from=0)
    create_plan(engine, plan_manager, PLAN, effective_from=day("2026-04-01"), seal=False)
    create_plan(engine, plan_manager, PLAN, effective_from=day("2026-07-01"))
    assert _version_at(engine, "2026-05-01") == 1
    assert _version_at(engine, "2026-07-01") == 3


def test_plan_at_finds_nothing_for_unsealed_or_unknown_plan(engine, plan_manager):
    """R-3: a plan with no sealed version (or no plan at all) is not in effect on any day."""
    create_plan(engine, plan_manager, PLAN, seal=False)
    assert _version_at(engine, "2026-03-01") is None
    assert _version_at(engine, "2026-03-01", plan_id=cid("NOPE")) is None


# ------------------------------------------------------------------------------ validation


@pytest.mark.parametrize("field,bad", [
    ("deductibleFamily", dict(deductibleIndividual=500_00, deductibleFamily=499_99)),
    ("oopMaxFamily", dict(oopMaxIndividual=2000_00, oopMaxFamily=1999_99)),
    ("deductibleFamily", dict(deductibleFamily=MAX_AMOUNT + 1)),
    ("oopMaxFamily", dict(oopMaxFamily=MAX_AMOUNT + 1)),
    ("pendAbove", dict(hasPendThreshold=True, pendAbove=MAX_AMOUNT + 1)),
    ("coinsuranceBps", dict(coinsuranceBps=10_001)),
    ("outOfNetworkCoinsuranceBps", dict(outOfNetworkCoinsuranceBps=10_001)),
    ("timelyFilingDays", dict(timelyFilingDays=0)),
], ids=["deductible-family-below", "oop-family-below", "deductible-2^40", "oop-2^40", "pend-above-2^40",
        "coinsurance-over-100", "oon-coinsurance-over-100", "no-filing-window"])
def test_invalid_terms_name_the_field(engine, plan_manager, field, bad):
    """A-2.1 / A-1.2: family >= individual, amounts below 2^40 cents, rates <= 100%, a filing
    window > 0, else InvalidPlanTerms(planId, field); nothing is created."""
    assert field in TERM_FIELDS
    with brownie.reverts(err("InvalidPlanTerms", PID, field)):
        engine.createPlanVersion(PID, PLAN, 0, terms(**bad), {"from": plan_manager})
    assert engine.versionCount(PID) == 0


def test_boundary_terms_are_valid(engine, plan_manager):
    """A-1.2: 100% is a valid rate; family == individual is consistent; one filing day suffices."""
    engine.createPlanVersion(PID, PLAN, 0, terms(deductibleFamily=500_00, oopMaxFamily=2000_00, coinsuranceBps=10_000,
                                                 outOfNetworkCoinsuranceBps=10_000, timelyFilingDays=1),
                             {"from": plan_manager})
    assert engine.versionCount(PID) == 1


def test_copay_above_2_40_cents_is_refused(opened, plan_manager):
    """A-2.1: a copay is an amount below 2^40 cents: InvalidPlanTerms(planId, "copay")."""
    with brownie.reverts(err("InvalidPlanTerms", PID, "copay")):
        opened.setCopays(PID, 1, [b16("lab"), b16("office_visit")], [1, MAX_AMOUNT + 1], {"from": plan_manager})
    assert tuple(opened.copay(PID, 1, b16("lab"))) == (False, 0)


@pytest.mark.parametrize("code,entry,field", [
    ("", fee(92_00), "code"),
    ("99213", fee(0), "allowed"),
    ("99213", fee(MAX_AMOUNT + 1), "allowed"),
    ("99213", fee(92_00, category=b"\0" * 16), "category"),
    ("99213", fee(92_00, dx=[f"D{i:03d}" for i in range(256)]), "dxPrefixes"),
], ids=["no-code", "zero-allowed", "allowed-2^40", "no-category", "256-prefixes"])
def test_invalid_fee_entry_names_code_and_field(opened, plan_manager, code, entry, field):
    """A-2.1: a fee entry has a code, an allowed amount (0 < allowed < 2^40 cents), a category
    and at most 255 dx prefixes, else InvalidFeeEntry(planId, code, field); the whole batch is
    refused."""
    with brownie.reverts(err("InvalidFeeEntry", PID, b8(code), field)):
        opened.setFees(PID, 1, [b8("71046"), b8(code)], [fee(38_00, "imaging"), entry], {"from": plan_manager})
    assert opened.fee(PID, 1, b8("71046"))[0] is False


# ------------------------------------------------------------------------------


def test_r16_limit_counting_starts_with_the_first_entry_that_limits_a_code(opened, plan_manager):
    """R-16: the engine keeps A-4.11/A-4.12 counters only for codes some version limits; the
    first fee entry that sets a limit turns counting on (LimitCountingStarted), for good."""
    assert tuple(opened.limitsCounted(b8("97110"))) == (False, False)
    tx = opened.setFees(PID, 1, [b8("97110"), b8("99213")], [fee(32_00, "therapy", max_units_per_day=4), fee(92_00)],
                        {"from": plan_manager})
    assert [(bytes(e["code"]), e["unitsPerDay"], e["linesPerYear"]) for e in tx.events["LimitCountingStarted"]] == [
        (b8("97110"), True, False)]
    tx = opened.setFees(PID, 1, [b8("97110")], [fee(32_00, "therapy", annual_limit=3)], {"from": plan_manager})
    assert [(e["unitsPerDay"], e["linesPerYear"]) for e in tx.events["LimitCountingStarted"]] == [(True, True)]
    # an entry without limits (or the same limits again) changes nothing
    tx = opened.setFees(PID, 1, [b8("97110")], [fee(32_00, "therapy")], {"from": plan_manager})
    assert "LimitCountingStarted" not in tx.events
    assert tuple(opened.limitsCounted(b8("97110"))) == (True, True)
    assert tuple(opened.limitsCounted(b8("99213"))) == (False, False)


def test_r16_counting_is_per_code_across_plans(engine, plan_manager):
    """R-16: a limit in any plan turns counting on for the code, whatever plan later lines are
    priced by."""
    create_plan(engine, plan_manager, PLAN, fees={"80053": fee(14_50, "lab")})
    assert tuple(engine.limitsCounted(b8("80053"))) == (False, False)
    create_plan(engine, plan_manager, "PLAN-B", fees={"80053": fee(14_50, "lab", max_units_per_day=1)}, seal=False)
    assert tuple(engine.limitsCounted(b8("80053"))) == (True, False)


def test_a_fee_entry_sent_unlisted_is_not_listed(opened, plan_manager):
    """A-2.1 / A-8 (events an auditor replays): the engine records a fee entry as its event
    reports it."""
    from brownie.exceptions import VirtualMachineError

    try:
        tx = opened.setFees(PID, 1, [b8("99213")], [fee(92_00, listed=False)], {"from": plan_manager})
    except VirtualMachineError as refused:
        assert refused.revert_msg == err("InvalidFeeEntry", PID, b8("99213"), "listed")
        return
    assert tx.events["FeeEntrySet"][0]["entry"][0] is False
    assert opened.fee(PID, 1, b8("99213"))[0] is False
