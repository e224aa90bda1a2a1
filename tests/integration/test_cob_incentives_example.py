"""examples/cob-incentives (A-11, A-12): the reference model and the contracts reproduce its
expected results, rejects and incentives byte for byte; the member registers a payee by its own
signature and the treasurer pays it from the incentive pool, its PAID row appended."""
import pytest
from brownie import web3

from claimledger.cli_rewards import run_members
from claimledger.pipeline import adjudicate_on_chain, adjudicate_reference
from claimledger.results import read_results
from claimledger.rewards import append_incentives, demo_member_key, member_rewards, pay, register_payee

from tests.conftest import EXAMPLES, dev_keys

EXAMPLE = EXAMPLES / "cob-incentives"
FILES = {"results.csv": "expected_results.csv", "rejects.csv": "expected_rejects.csv",
         "incentives.csv": "expected_incentives.csv"}
PAYEE = "0x00000000000000000000000000000000000000E1"  # as people type it; the chain reports its EIP-55 form
PAYEE_EIP55 = "0x00000000000000000000000000000000000000e1"


def assert_reproduces_the_example(run_dir):
    for produced, expected in FILES.items():
        assert (run_dir / produced).read_bytes() == (EXAMPLE / expected).read_bytes(), produced


def test_reference_reproduces_the_example_exactly(tmp_path):
    adjudicate_reference(EXAMPLE, tmp_path)
    assert_reproduces_the_example(tmp_path)


@pytest.fixture(scope="module")
def chain_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cob-chain")
    result = adjudicate_on_chain(EXAMPLE, out, rpc=web3.provider.endpoint_uri)
    return out, result


def test_chain_reproduces_the_example_exactly(chain_run):
    out, result = chain_run
    assert_reproduces_the_example(out)
    # providers are paid what the lines paid net of reversals, from the escrow alone
    assert result.settlement["outstanding_cents"] == 0
    assert result.settlement["paid_cents"] == read_results(out)["paid"].sum() == 730_00


def test_a_registered_member_is_paid_its_reward_and_the_others_wait(chain_run):
    """A-12.3: M1 signs its payee registration with its own key (R-43); the treasurer funds the
    pool with what registered members are owed and pays: M1 50.00; M2 (70.00) and M3 (75.00)
    have no payee and wait."""
    from claimledger.chain import Deployment, Keys

    out, _ = chain_run
    dep = Deployment.load(web3, out / "deployments.json")
    keys = Keys.from_list(dev_keys())
    register_payee(dep, keys, demo_member_key("M1"), "M1", PAYEE)
    rows = pay(dep, keys, run_members(out), fund=True)
    append_incentives(out, rows)
    assert [r.row() for r in rows] == [["M1", "", "", "", "50.00", "PAID"]]
    assert (out / "incentives.csv").read_bytes().endswith(b"M1,,,,50.00,PAID\r\n")
    owed = {m.member_id: (m.owed, m.payee) for m in member_rewards(dep, run_members(out))}
    assert owed == {"M1": (0, PAYEE_EIP55), "M2": (70_00, None), "M3": (75_00, None)}
    assert pay(dep, keys, run_members(out)) == []  # never paid twice


def test_the_rewards_commands(chain_run, monkeypatch, capsys):
    """`claimledger rewards register|list|pay` on the run: M3 registers with its own key (an
    environment variable), the list shows it, and pay --fund pays it its 75.00."""
    from claimledger.cli import main

    out, _ = chain_run
    url = web3.provider.endpoint_uri
    monkeypatch.setenv("M3_KEY", demo_member_key("M3"))
    assert main(["rewards", "register", str(out), "M3", "--payee", PAYEE, "--member-key-env", "M3_KEY",
                 "--rpc", url]) == 0
    assert main(["rewards", "list", str(out), "--rpc", url]) == 0
    listed = capsys.readouterr().out
    assert "M3" in listed and PAYEE in listed and "75.00" in listed
    assert main(["rewards", "pay", str(out), "--fund", "--rpc", url]) == 0
    assert "M3,,,,75.00,PAID" in (out / "incentives.csv").read_text()
    monkeypatch.setenv("M2_KEY", demo_member_key("M1"))  # another member's key: refused
    assert main(["rewards", "register", str(out), "M2", "--payee", PAYEE, "--member-key-env", "M2_KEY",
                 "--rpc", url]) == 1
    assert "RewardSignatureInvalid" in capsys.readouterr().err
