"""deploy/besu-qbft: what can be checked without Besu (docs/NETWORK.md): the generator runs, the
genesis names the contracts' fork and the free-gas, 2-second, 30M-gas QBFT chain with the
generated validators, and the compose file and permissions parse and agree with it."""
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import rlp
import yaml
from eth_keys import keys

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "deploy" / "besu-qbft"
ACCOUNT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def test_the_generated_network_is_a_free_gas_cancun_qbft_chain_of_four_validators(tmp_path):
    done = subprocess.run([sys.executable, str(HERE / "generate.py"), "--out", str(tmp_path), "--account", ACCOUNT],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    genesis = json.loads((tmp_path / "genesis.json").read_text())
    config = genesis["config"]
    evm_version = yaml.safe_load((ROOT / "brownie-config.yaml").read_text())["compiler"]["evm_version"]
    assert evm_version == "cancun" and config["cancunTime"] == 0  # the fork the contracts are compiled for
    assert config["zeroBaseFee"] is True and config["qbft"]["blockperiodseconds"] == 2
    assert int(genesis["gasLimit"], 16) == 30_000_000 and config["chainId"] == 20261
    vanity, validators, vote, round_, seals = rlp.decode(bytes.fromhex(genesis["extraData"][2:]))
    keys_by_dir = {}
    for n in range(1, 5):
        key = keys.PrivateKey(bytes.fromhex((tmp_path / f"validator{n}" / "key").read_text()[2:]))
        assert (tmp_path / f"validator{n}" / "key").stat().st_mode & 0o077 == 0
        keys_by_dir[n] = key.public_key
    assert (vanity, vote, round_, seals) == (b"\0" * 32, [], b"", [])
    assert [bytes(v) for v in validators] == [bytes.fromhex(keys_by_dir[n].to_address()[2:]) for n in range(1, 5)]
    assert done.stdout.splitlines()[:4] == [f"validator {keys_by_dir[n].to_checksum_address()}" for n in range(1, 5)]

    permissions = tomllib.loads((tmp_path / "permissions_config.toml").read_text())
    assert permissions["accounts-allowlist"] == [ACCOUNT]
    assert permissions["nodes-allowlist"] == json.loads((tmp_path / "static-nodes.json").read_text())
    compose = yaml.safe_load((HERE / "docker-compose.yml").read_text())
    assert sorted(compose["services"]) == [f"validator{n}" for n in range(1, 5)]
    for n in range(1, 5):
        service = compose["services"][f"validator{n}"]
        assert service["command"] == [f"--node-private-key-file=/network/validator{n}/key"]
        assert {"--genesis-file=/network/genesis.json", "--min-gas-price=0"} <= set(service["entrypoint"])
        ip = service["networks"]["besu-qbft"]["ipv4_address"]
        assert permissions["nodes-allowlist"][n - 1] == f"enode://{keys_by_dir[n].to_bytes().hex()}@{ip}:30303"
