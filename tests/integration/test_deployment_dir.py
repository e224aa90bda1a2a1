"""A deployment that lives (issue 16): `deploy` once into a directory, `load` a scenario into it
(only what changed, R-25), then `adjudicate`, `submit`, `review` against it with
`--deployment`; every command refuses a node of another chain."""
import json
import shutil

import pytest
from brownie import web3

from claimledger import chain
from claimledger.cli import main
from claimledger.manifest import MANIFEST_FILE
from claimledger.money import parse_day

from tests.conftest import EXAMPLES


def run(capsys, *argv):
    capsys.readouterr()
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def deployed(tmp_path, capsys):
    out = tmp_path / "deploy"
    code, stdout, _ = run(capsys, "deploy", "--rpc", web3.provider.endpoint_uri, "--out", out)
    assert code == 0 and stdout.splitlines()[-1] == f"wrote {out / 'deployments.json'} (chain {web3.eth.chain_id})"
    return out


def versions(deploy_dir, plan_id):
    document = json.loads((deploy_dir / "deployments.json").read_text())
    registry = web3.eth.contract(address=document["contracts"]["ClaimsEngine"], abi=chain.artifact("IClaimsEngine")["abi"])
    key = chain.to_id(plan_id)
    return [registry.functions.versionInfo(key, n).call()[0] for n in range(1, registry.functions.versionCount(key).call() + 1)]


def test_deploy_load_twice_then_adjudicate_on_the_deployment(deployed, tmp_path, capsys):
    document = json.loads((deployed / "deployments.json").read_text())
    assert document["chain_id"] == web3.eth.chain_id and document["rpc"] == web3.provider.endpoint_uri
    assert document["block"] >= document["from_block"] and document["client"].startswith("anvil")
    assert set(document["contracts"]) == {"SettlementToken", "ClaimsEngineRewards", "ClaimsEngineExtension", "ClaimsEngine",
                                          "PrivacyLedger"}
    code, out, _ = run(capsys, "load", deployed, EXAMPLES / "basic")
    assert code == 0 and out.splitlines()[0] == "loaded 2 plan versions, 4 members, 4 providers, 3 authorizations"
    block = web3.eth.block_number
    code, out, _ = run(capsys, "load", deployed, EXAMPLES / "basic")
    assert code == 0 and out.splitlines() == ["nothing changed: nothing sent"]
    assert web3.eth.block_number == block  # idempotent: not one transaction
    runs = tmp_path / "run"
    assert main(["adjudicate", str(EXAMPLES / "basic"), "--out", str(runs), "--deployment", str(deployed)]) == 0
    assert (runs / "results.csv").read_bytes() == (EXAMPLES / "basic" / "expected_results.csv").read_bytes()
    assert (runs / "rejects.csv").read_bytes() == (EXAMPLES / "basic" / "expected_rejects.csv").read_bytes()
    assert json.loads((runs / "deployments.json").read_text())["deployment"] == str(deployed.resolve())
    code, out, _ = run(capsys, "review", "list", runs)  # the run names its deployment: no --rpc needed
    assert code == 0 and out.splitlines()[0] == "1 line(s) pending review"
    code, out, _ = run(capsys, "submit", EXAMPLES / "basic" / "claims.csv", "--deployment", deployed)
    assert code == 0 and out.splitlines()[0] == "22 claim(s) submitted: 22 already recorded, 2 rejected"


def test_adjudicate_on_a_deployment_without_the_scenario_loaded_is_refused(deployed, tmp_path, capsys):
    code, _, err = run(capsys, "adjudicate", EXAMPLES / "basic", "--out", tmp_path / "run", "--deployment", deployed)
    assert code == 1
    assert err.strip() == (f"claimledger: {deployed}: lacks 2 plans, 4 members, 4 providers, 3 authorizations of "
                           f"{EXAMPLES / 'basic'}: run `claimledger load {deployed} {EXAMPLES / 'basic'}` first")


def test_every_command_refuses_a_node_of_another_chain(deployed, tmp_path, capsys):
    path = deployed / "deployments.json"
    document = json.loads(path.read_text())
    path.write_text(json.dumps({**document, "chain_id": 8453}))
    expected = (f"claimledger: {deployed}: deployed on chain 8453, but the node at {web3.provider.endpoint_uri} "
                f"is chain {web3.eth.chain_id}: refusing to send\n")
    block = web3.eth.block_number
    for argv in (["load", deployed, EXAMPLES / "basic"],
                 ["adjudicate", EXAMPLES / "basic", "--out", tmp_path / "run", "--deployment", deployed],
                 ["submit", EXAMPLES / "basic" / "claims.csv", "--deployment", deployed],
                 ["review", "list", tmp_path, "--deployment", deployed]):
        code, _, err = run(capsys, *argv)
        assert (code, err) == (1, expected), argv
    assert web3.eth.block_number == block


def test_a_second_deploy_into_the_same_directory_is_refused(deployed, capsys):
    code, _, err = run(capsys, "deploy", "--rpc", web3.provider.endpoint_uri, "--out", deployed)
    document = json.loads((deployed / "deployments.json").read_text())
    assert code == 1 and err == (f"claimledger: {deployed}: holds a deployment already (chain {document['chain_id']}, "
                                 f"block {document['from_block']}); deploy into a new directory\n")


def test_a_changed_scenario_loads_only_what_changed_and_a_changed_plan_is_a_new_version(deployed, tmp_path, capsys):
    """R-25: GOLD's copay changes in place (no date): a new version from --effective-from; a
    revision added later in the file goes as it is; one member's coverage changes; a granted
    authorization cannot change and is reported, not sent."""
    scenario = tmp_path / "scenario"
    shutil.copytree(EXAMPLES / "basic", scenario)
    assert run(capsys, "load", deployed, scenario)[0] == 0
    plans = (scenario / "plans.yaml").read_text().replace("office_visit: 25.00", "office_visit: 30.00")
    plans += "revisions:\n  - plan_id: GOLD-PPO-2026\n    effective_from: 2027-01-01\n    coinsurance_pct: 25\n"
    (scenario / "plans.yaml").write_text(plans)
    members = (scenario / "members.csv").read_text().replace("M300,S300,BRONZE-HMO-2026,2026-03-01,",
                                                              "M300,S300,BRONZE-HMO-2026,2026-03-01,2026-12-31")
    (scenario / "members.csv").write_text(members)
    auths = (scenario / "authorizations.csv").read_text().replace("PA-0003,M100,70553,1,", "PA-0003,M100,70553,2,")
    (scenario / "authorizations.csv").write_text(auths)
    code, out, _ = run(capsys, "load", deployed, scenario, "--effective-from", "2026-06-01")
    assert code == 0
    assert out.splitlines() == [
        "loaded 2 plan versions, 1 members, 0 providers, 0 authorizations",
        "  not applied: authorizations.csv PA-0003: auth_id: granted already with other terms: an authorization "
        "cannot change; grant a new auth_id",
        "  not applied: plans.yaml GOLD-PPO-2026: effective_from: changed from 1970-01-01; the change applies from "
        "2026-06-01 (R-25): earlier days keep the terms they were priced by",
    ]
    assert versions(deployed, "GOLD-PPO-2026") == [0, parse_day("2026-06-01"), parse_day("2027-01-01")]
    assert versions(deployed, "BRONZE-HMO-2026") == [0]
    manifest = json.loads((deployed / MANIFEST_FILE).read_text())
    assert manifest["members"]["M300"][1] == "S300" and len(manifest["members"]) == 4
    code, out, _ = run(capsys, "load", deployed, scenario, "--effective-from", "2026-06-01")
    assert out.splitlines()[0] == "nothing changed: nothing sent"


def test_a_change_dated_before_the_last_version_is_not_applied_and_asked_again(deployed, tmp_path, capsys):
    scenario = tmp_path / "scenario"
    shutil.copytree(EXAMPLES / "basic", scenario)
    assert run(capsys, "load", deployed, scenario)[0] == 0
    plans = (scenario / "plans.yaml").read_text().replace("office_visit: 25.00", "office_visit: 30.00")
    (scenario / "plans.yaml").write_text(plans)
    code, out, _ = run(capsys, "load", deployed, scenario, "--effective-from", "1970-01-01")
    assert code == 0 and out.splitlines() == [
        "nothing changed: nothing sent",
        "  not applied: plans.yaml GOLD-PPO-2026: effective_from: changed from 1970-01-01, but the deployment has a "
        "version from 1970-01-01: a change takes effect after it (--effective-from, R-25)",
    ]
    code, _, err = run(capsys, "adjudicate", scenario, "--out", tmp_path / "run", "--deployment", deployed)
    assert code == 1 and "lacks 1 plans" in err


def test_the_brownie_script_deploys_on_the_active_network_and_loads_only_once(tmp_path, capsys):
    from scripts.deploy import main as brownie_deploy

    out = tmp_path / "deployments" / "development"
    assert brownie_deploy(str(EXAMPLES / "basic"), str(out)) == out
    first = capsys.readouterr().out.splitlines()
    assert f"wrote {out / 'deployments.json'} (chain {web3.eth.chain_id})" in first
    assert first[-1] == "loaded 2 plan versions, 4 members, 4 providers, 3 authorizations"
    brownie_deploy(str(EXAMPLES / "basic"), str(out))
    assert capsys.readouterr().out.splitlines() == ["nothing changed: nothing sent"]


def test_the_confirmations_recorded_at_deploy_are_those_later_commands_wait_for(tmp_path, capsys, monkeypatch):
    from claimledger import sender

    monkeypatch.setattr(sender, "_settings", sender.SendSettings())
    out = tmp_path / "deploy"
    assert run(capsys, "deploy", "--rpc", web3.provider.endpoint_uri, "--out", out, "--confirmations", "2")[0] == 0
    assert json.loads((out / "deployments.json").read_text())["confirmations"] == 2
    assert run(capsys, "load", out, EXAMPLES / "basic")[0] == 0
    assert sender._settings.confirmations == 2
    assert run(capsys, "load", out, EXAMPLES / "basic", "--confirmations", "1")[0] == 0
    assert sender._settings.confirmations == 1
