"""Slither over claimledger's contracts, as `make lint` runs it.

    .venv-tools/bin/python tools/slither_check.py [--list]

brownie's framework mode cannot resolve the `@openzeppelin` remapping to `node_modules/`, so the
contracts are compiled through crytic-compile's standard-JSON mode with the project's settings
(brownie-config.yaml: Yul pipeline, optimizer runs, EVM version) and the solc-js that `make setup`
registers (`~/.solcx/solc-v<version>`). Fails (exit 1) on any finding of high or medium impact
that is not suppressed on its line (`// slither-disable-next-line <detector>` with the reason);
prints the counts by impact and, with --list, every finding. Low and informational findings are
reviewed in docs/SECURITY.md.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
FAILING = ("High", "Medium")


def solc_binary() -> Path:
    version = json.loads((ROOT / "package.json").read_text())["dependencies"]["solc"]
    home = Path(os.environ.get("SOLCX_BINARY_PATH") or Path.home() / ".solcx")
    path = home / f"solc-v{version}"
    if not path.exists():
        raise SystemExit(f"slither: {path} missing: run `make setup` first")
    return path


def compile_standard_json():
    from crytic_compile import CryticCompile
    from crytic_compile.platform.solc_standard_json import SolcStandardJson

    config = yaml.safe_load((ROOT / "brownie-config.yaml").read_text())["compiler"]
    standard = SolcStandardJson()
    for path in sorted((ROOT / "contracts").rglob("*.sol")) + sorted((ROOT / "interfaces").rglob("*.sol")):
        if not {"bench", "test"} & set(path.relative_to(ROOT).parts):  # instruments (gas floor probe, test harnesses), not claimledger
            standard.add_source_file(str(path.relative_to(ROOT)))
    standard.add_remapping("@openzeppelin=node_modules/@openzeppelin")
    settings = standard.to_dict()["settings"]
    settings["optimizer"] = {"enabled": True, "runs": config["solc"]["optimizer"]["runs"]}
    settings["evmVersion"] = config["evm_version"]
    settings["viaIR"] = bool(config["solc"].get("viaIR"))
    os.chdir(ROOT)
    return CryticCompile(standard, solc=str(solc_binary()), solc_working_dir=str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print every finding")
    args = parser.parse_args()
    from slither import Slither
    from slither.detectors import all_detectors
    from slither.detectors.abstract_detector import AbstractDetector

    slither = Slither(compile_standard_json(), exclude_dependencies=True)
    for detector in vars(all_detectors).values():
        if isinstance(detector, type) and issubclass(detector, AbstractDetector):
            slither.register_detector(detector)
    findings = [r for results in slither.run_detectors() for r in results
                if not any(e.get("source_mapping", {}).get("filename_relative", "").startswith("node_modules")
                           for e in r.get("elements", [])[:1])]
    counts = Counter(f["impact"] for f in findings)
    print("slither: " + ", ".join(f"{counts.get(k, 0)} {k.lower()}" for k in ("High", "Medium", "Low", "Informational", "Optimization")))
    for f in findings:
        if args.list or f["impact"] in FAILING:
            print(f"- [{f['impact']}] {f['check']}: {f['description'].strip().splitlines()[0]}")
    return 1 if any(f["impact"] in FAILING for f in findings) else 0


if __name__ == "__main__":
    sys.exit(main())
