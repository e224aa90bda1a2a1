#!/usr/bin/env python3
"""Make sure brownie's `development` network launches anvil (run with the venv python).

brownie keeps network definitions in ~/.brownie/network-config.yaml (written on first
import from brownie's bundled default, where `development` is `cmd: anvil`). A
~/.brownie left behind by an older brownie may still say ganache-cli; this fixes it via
`brownie networks modify`. Fast no-op when already right.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

WANT = {"cmd": "anvil", "host": "http://127.0.0.1"}


def config_path() -> Path:
    # brownie 1.22: DATA_FOLDER = Path.home() / ".brownie" (no env override)
    return Path.home() / ".brownie" / "network-config.yaml"


def main() -> int:
    path = config_path()
    if not path.exists():
        import brownie  # noqa: F401  (first import writes ~/.brownie)
    data = yaml.safe_load(path.read_text())
    dev = next((n for n in data.get("development", []) if n.get("id") == "development"), None)
    if dev is None:
        print(f"ensure_dev_network: no `development` network in {path}", file=sys.stderr)
        return 1
    wrong = {k: v for k, v in WANT.items() if dev.get(k) != v}
    if not wrong:
        return 0
    args = [f"{k}={v}" for k, v in WANT.items()]
    print(f"ensure_dev_network: fixing development network in {path}: {' '.join(args)}")
    brownie = Path(sys.executable).with_name("brownie")
    subprocess.run([str(brownie), "networks", "modify", "development", *args], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
