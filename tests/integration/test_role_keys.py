"""Role keys from the environment (CLAIMLEDGER_<ROLE>_KEY): a run deployed, loaded, submitted
and settled with keys that are not anvil's dev keys, and a later review signed the same way."""
import json

from eth_account import Account
from web3 import Web3

from claimledger import chain
from claimledger.chain import role_key_env
from claimledger.cli import main
from claimledger.node import run_chain

from tests.conftest import EXAMPLES

ROLES = ("admin", "plan_manager", "biller", "reviewer", "treasurer")


def test_a_run_signs_every_role_with_the_environment_keys(tmp_path, monkeypatch, capsys):
    keys = {role: Account.create() for role in ROLES}
    for role, account in keys.items():
        monkeypatch.setenv(role_key_env(role), account.key.hex())
    assert main(["adjudicate", str(EXAMPLES / "basic"), "--out", str(tmp_path)]) == 0
    assert (tmp_path / "results.csv").read_bytes() == (EXAMPLES / "basic" / "expected_results.csv").read_bytes()
    addresses = json.loads((tmp_path / "deployments.json").read_text())["contracts"]
    with run_chain(tmp_path) as w3:
        engine = w3.eth.contract(address=addresses["ClaimsEngine"], abi=chain.artifact("ClaimsEngine")["abi"])
        assert engine.functions.defaultAdmin().call() == keys["admin"].address
        biller = Web3.keccak(text="BILLER")
        assert engine.functions.hasRole(biller, keys["biller"].address).call()
    capsys.readouterr()
    assert main(["review", "approve", str(tmp_path), "C0016", "1"]) == 0  # as CLAIMLEDGER_REVIEWER_KEY
    assert capsys.readouterr().out.startswith("C0016,1,APPROVED,")


def test_a_malformed_environment_key_is_one_line_naming_the_variable(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(role_key_env("treasurer"), "0x1234")
    assert main(["adjudicate", str(EXAMPLES / "basic"), "--out", str(tmp_path)]) == 1
    assert capsys.readouterr().err.strip() == \
        "claimledger: environment variable CLAIMLEDGER_TREASURER_KEY does not hold a private key (64 hex digits)"
