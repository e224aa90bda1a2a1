"""Effective-dated plan versions (R-3, R-15): a revision prices the lines whose date of service
falls on or after its date, on chain exactly as in the reference, and each line records the
version that priced it."""
import csv
import shutil

from brownie import web3

from claimledger import chain
from claimledger.events import line_words
from claimledger.recorded import recorded_claims
from claimledger.pipeline import adjudicate_on_chain, adjudicate_reference
from claimledger.scenario import load_scenario

from tests.conftest import EXAMPLES

REVISION = """
revisions:
  - plan_id: GOLD-PPO-2026
    effective_from: 2026-03-01
    copays: {office_visit: 30.00}
    fee_schedule:
      "71046": {allowed: 40.00, category: imaging}
"""


def scenario_with_revision(tmp_path):
    scenario = tmp_path / "scenario"
    shutil.copytree(EXAMPLES / "basic", scenario)
    with open(scenario / "plans.yaml", "a") as fh:
        fh.write(REVISION)
    return scenario


def rows(path):
    with open(path, newline="") as fh:
        return {(r["claim_id"], r["line"], r["status"]): r for r in csv.DictReader(fh)}


def test_revision_prices_later_dates_of_service_on_chain_as_in_the_reference(tmp_path):
    scenario = scenario_with_revision(tmp_path)
    adjudicate_on_chain(scenario, tmp_path / "chain", rpc=web3.provider.endpoint_uri)
    adjudicate_reference(scenario, tmp_path / "ref")
    assert (tmp_path / "chain" / "results.csv").read_bytes() == (tmp_path / "ref" / "results.csv").read_bytes()
    got = rows(tmp_path / "chain" / "results.csv")
    assert got[("C0002", "1", "APPROVED")]["allowed"] == "38.00"  # DOS 2026-01-15: version 1
    assert got[("C0011", "1", "APPROVED")]["allowed"] == "40.00"  # DOS 2026-03-01: the revision
    assert got[("C0007", "1", "APPROVED")]["copay"] == "25.00"  # DOS 2026-02-19: version 1


def test_each_line_records_the_version_that_priced_it(tmp_path):
    scenario = scenario_with_revision(tmp_path)
    out = tmp_path / "chain"
    adjudicate_on_chain(scenario, out, rpc=web3.provider.endpoint_uri)
    dep = chain.Deployment.load(web3, out / "deployments.json")
    engine = plans = dep["ClaimsEngine"]

    def version_of(claim_id):  # as the line's event recorded it when it was adjudicated
        log, = engine.events.ClaimAccepted.get_logs(from_block=dep.from_block,
                                                    argument_filters={"claimId": dep.ids.claim(claim_id)})
        return line_words(log["args"])[0].plan_version

    assert version_of("C0002") == 1 and version_of("C0011") == 2  # both reversed since
    packed = recorded_claims(dep, [dep.ids.claim("C0007")])[dep.ids.claim("C0007")]
    assert engine.functions.lineOf(packed, 1).call()[7] == 1  # a line still standing, as the engine keeps it
    loaded = load_scenario(scenario)
    info = plans.functions.versionInfo(chain.to_id("GOLD-PPO-2026"), 2).call()
    assert info[1] is True and bytes(info[2]) == chain.plan_content_hash(loaded.revisions[0])


def test_a_revision_that_is_not_later_is_an_input_error(tmp_path):
    scenario = scenario_with_revision(tmp_path)
    with open(scenario / "plans.yaml", "a") as fh:
        fh.write("  - plan_id: GOLD-PPO-2026\n    effective_from: 2026-02-01\n"
                 "  - plan_id: NOPE\n    effective_from: 2026-05-01\n")
    loaded = load_scenario(scenario)
    assert [(e.record_id, e.field, e.reason) for e in loaded.input_errors] == [
        ("GOLD-PPO-2026", "effective_from", "revision 2 is not after the plan's previous version"),
        ("NOPE", "plan_id", "revision 3 names unknown plan 'NOPE'"),
    ]
    assert len(loaded.revisions) == 1
