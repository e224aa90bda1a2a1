"""Generates a 4-validator Besu QBFT network for a claimledger consortium (docs/NETWORK.md).

    python deploy/besu-qbft/generate.py --out NET_DIR --account ADDRESS [--account ADDRESS ...]

writes NET_DIR/genesis.json (chain 20261, cancun from genesis, zero base fee, 30M gas every
2 s, the validators in QBFT's extraData), NET_DIR/validatorN/key (each validator's node key,
mode 0600) and key.pub, and NET_DIR/permissions_config.toml (the validators' enodes and the
consortium's accounts: pass the role addresses `claimledger keys list` prints). The compose
file beside this script runs the four validators from NET_DIR. Not run against Besu here.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
from pathlib import Path

import rlp
from eth_keys import keys
from eth_utils import to_checksum_address

HERE = Path(__file__).resolve().parent
VALIDATORS = 4
P2P_PORT = 30303
# addresses of the validators on the compose file's network (docker-compose.yml: besu-qbft)
VALIDATOR_IPS = [f"172.16.239.{11 + i}" for i in range(VALIDATORS)]


def qbft_extra_data(validators: list[bytes]) -> str:
    """RLP([32-byte vanity, validators, no vote, round 0, no seals]), as `besu rlp encode
    --type=QBFT_EXTRA_DATA` writes it."""
    return "0x" + rlp.encode([b"\0" * 32, validators, [], b"", []]).hex()


def generate(out: Path, accounts: list[str]) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    nodes = []
    for i in range(VALIDATORS):
        key = keys.PrivateKey(secrets.token_bytes(32))
        directory = out / f"validator{i + 1}"
        directory.mkdir(exist_ok=True)
        fd = os.open(directory / "key", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write("0x" + key.to_bytes().hex())
        (directory / "key.pub").write_text("0x" + key.public_key.to_bytes().hex())
        nodes.append(key.public_key)
    genesis = json.loads((HERE / "genesis.template.json").read_text())
    genesis["extraData"] = qbft_extra_data([bytes.fromhex(p.to_address()[2:]) for p in nodes])
    (out / "genesis.json").write_text(json.dumps(genesis, indent=2) + "\n")
    enodes = [f"enode://{p.to_bytes().hex()}@{ip}:{P2P_PORT}" for p, ip in zip(nodes, VALIDATOR_IPS)]
    allowed = [to_checksum_address(a) for a in accounts]
    (out / "permissions_config.toml").write_text(
        "# Besu local permissioning: the validators, and the consortium's accounts (claimledger's roles)\n"
        f"nodes-allowlist={json.dumps(enodes)}\naccounts-allowlist={json.dumps(allowed)}\n")
    (out / "static-nodes.json").write_text(json.dumps(enodes, indent=2) + "\n")
    return {"validators": [p.to_checksum_address() for p in nodes], "enodes": enodes, "accounts": allowed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--account", action="append", default=[], help="an address allowed to send (repeat)")
    args = parser.parse_args()
    result = generate(args.out, args.account)
    for address in result["validators"]:
        print(f"validator {address}")
    print(f"wrote {args.out}/genesis.json, permissions_config.toml, static-nodes.json and {VALIDATORS} node keys")


if __name__ == "__main__":
    main()
