"""R-25: what `claimledger load` publishes of a plan whose file changed, given the versions the
registry holds (claimledger.manifest.plan_changes), and which records it sends."""
from dataclasses import replace

from claimledger.manifest import ChainVersion, Manifest, plan_changes, record_changes, record_hash
from claimledger.money import parse_day
from claimledger.scenario import load_scenario

from tests.conftest import EXAMPLES

BASIC = load_scenario(EXAMPLES / "basic")
GOLD = BASIC.plans["GOLD-PPO-2026"]
TODAY = parse_day("2026-12-06")


def on_chain(*plans):
    """Registry versions sealed with these plans' contents (the test's stand-in for the hash)."""
    return [ChainVersion(p.effective_from, True, record_hash(p).encode()) for p in plans]


def same(plan, version):
    return record_hash(replace(plan, effective_from=version.effective_from)).encode() == version.content_hash


def dated(plan, day):
    return replace(plan, effective_from=parse_day(day))


def test_a_plan_the_chain_lacks_goes_with_all_its_versions():
    wanted = [GOLD, dated(GOLD, "2026-07-01")]
    assert plan_changes("G", [], wanted, TODAY, same) == (wanted, [], True)


def test_an_unchanged_plan_sends_nothing():
    assert plan_changes("G", on_chain(GOLD), [GOLD], TODAY, same) == ([], [], True)


def test_a_revision_after_the_chains_last_version_goes_as_it_is():
    later = replace(dated(GOLD, "2027-01-01"), coinsurance_bps=2_500)
    assert plan_changes("G", on_chain(GOLD), [GOLD, later], TODAY, same) == ([later], [], True)


def test_a_change_in_place_takes_effect_from_the_change_day_with_a_note():
    changed = replace(GOLD, copays={"office_visit": 3_000})
    publish, notes, settled = plan_changes("G", on_chain(GOLD), [changed], TODAY, same)
    assert publish == [replace(changed, effective_from=TODAY)] and settled
    assert [str(n) for n in notes] == ["plans.yaml G: effective_from: changed from 1970-01-01; the change applies "
                                       "from 2026-12-06 (R-25): earlier days keep the terms they were priced by"]


def test_a_change_to_the_past_that_is_already_superseded_sends_nothing():
    """The base plan changed, but from the change day on the file's version in force is the
    revision the chain has already: nothing to publish, and the note says why."""
    revision = replace(dated(GOLD, "2026-07-01"), coinsurance_bps=3_000)
    changed = replace(GOLD, copays={"office_visit": 3_000})
    publish, notes, settled = plan_changes("G", on_chain(GOLD, revision), [changed, revision], TODAY, same)
    assert (publish, len(notes), settled) == ([], 1, True)


def test_a_change_day_not_after_the_chains_last_version_is_refused_and_asked_again():
    future = replace(dated(GOLD, "2027-01-01"), coinsurance_bps=3_000)
    changed = replace(GOLD, copays={"office_visit": 3_000})
    publish, notes, settled = plan_changes("G", on_chain(GOLD, future), [changed, future], TODAY, same)
    assert (publish, settled) == ([], False)
    assert "the deployment has a version from 2027-01-01" in str(notes[0])


def test_records_are_sent_when_new_or_changed_and_a_family_change_is_refused():
    manifest = Manifest()
    first = record_changes(manifest, BASIC)
    assert (len(first.members), len(first.providers), len(first.authorizations)) == (4, 4, 3)
    manifest.record(first, BASIC, 1)
    assert record_changes(manifest, BASIC).empty
    moved = replace(BASIC.members["M101"], subscriber_id="S999")
    later = replace(BASIC.members["M100"], coverage_end=parse_day("2026-12-31"))
    scenario = replace(BASIC, members={**BASIC.members, "M101": moved, "M100": later})
    changes = record_changes(manifest, scenario)
    assert changes.members == [later]
    assert [str(n) for n in changes.notes] == [
        "members.csv M101: subscriber_id: the member is enrolled in family S100: a member keeps its family (R-14)"]
