"""A deployment on a chain that is not a dev chain (chain id 8888), every role signing with an
encrypted keystore: anvil's public keys are refused there, the keystores deploy, load and
adjudicate, and no key shows in any output or file written."""
import json

from eth_account import Account

from claimledger.cli import main
from claimledger.keys import ROLES, keystore_env, write_keystore
from claimledger.node import AnvilNode, connect

from tests.conftest import EXAMPLES


def test_a_deployment_signed_with_keystores_on_a_non_dev_chain(tmp_path, monkeypatch, capsys):
    accounts = {role: Account.create() for role in ROLES}
    with AnvilNode(accounts=1, extra_args=("--chain-id", "8888")) as node:
        w3 = connect(node.url)
        deploy_dir = tmp_path / "deploy"
        assert main(["deploy", "--rpc", node.url, "--out", str(deploy_dir)]) == 1
        assert capsys.readouterr().err == ("claimledger: the admin would sign with anvil's public dev key on chain 8888: "
                                           "set CLAIMLEDGER_ADMIN_KEYSTORE (or CLAIMLEDGER_ADMIN_KEY)\n")
        for role, account in accounts.items():
            path = tmp_path / f"{role}.json"
            write_keystore(path, account.key.hex(), f"pw-{role}", iterations=2)
            monkeypatch.setenv(keystore_env(role), str(path))
            monkeypatch.setenv(f"CLAIMLEDGER_{role.upper()}_PASSWORD", f"pw-{role}")
            w3.provider.make_request("hardhat_setBalance", [account.address, hex(10**21)])
        run_dir = tmp_path / "run"
        for argv in (["deploy", "--rpc", node.url, "--out", str(deploy_dir)],
                     ["load", str(deploy_dir), str(EXAMPLES / "basic")],
                     ["adjudicate", str(EXAMPLES / "basic"), "--out", str(run_dir), "--deployment", str(deploy_dir)],
                     ["review", "list", str(run_dir)]):
            assert main(argv) == 0, argv
        output = capsys.readouterr()
        assert (run_dir / "results.csv").read_bytes() == (EXAMPLES / "basic" / "expected_results.csv").read_bytes()
        document = json.loads((deploy_dir / "deployments.json").read_text())
        assert document["chain_id"] == 8888
        assert document["roles"] == {role: account.address for role, account in accounts.items()}
        written = "".join(p.read_text() for d in (deploy_dir, run_dir) for p in d.iterdir() if p.suffix in (".json", ".csv"))
        for account in accounts.values():
            assert account.key.hex()[2:] not in output.out + output.err + written
