"""CLI glue (wired into claimledger/cli.py by its owner): parse nothing, call, print one line.

Unusable input raises :class:`~claimledger.x12.segments.FormatError` with a one-line message
(the CLI prints it and exits 1); claims that cannot be mapped are reported, not raised.
"""
from __future__ import annotations

from pathlib import Path

from .export835 import _scenario_of, export_835
from .export837 import export_837
from .import837 import import_837
from .segments import FormatError

EXPORT_KINDS = ("x12-835", "x12-837")


def run_import_x12(paths: list[Path], out: Path, plans_from: Path | None, plan: str | None,
                   roster: Path | None = None) -> int:
    """``claimledger import x12 FILE... --out DIR [--plans-from SCENARIO] [--plan PLAN_ID]
    [--roster ROSTER]``."""
    report = import_837([Path(p) for p in paths], Path(out),
                        plans_from=Path(plans_from) if plans_from else None, plan=plan, roster=roster)
    print(report.summary())
    return 0


def run_export(kind: str, run_dir: Path, out: Path) -> int:
    """``claimledger export x12-835 RUN_DIR --out FILE`` (a run's remittance advice) or
    ``claimledger export x12-837 SCENARIO_OR_RUN_DIR --out FILE`` (a scenario's claims)."""
    source = Path(run_dir)
    if kind == "x12-835":
        report = export_835(source, Path(out))
    elif kind == "x12-837":
        scenario = source if (source / "claims.csv").is_file() else _scenario_of(source, None)
        report = export_837(scenario, Path(out))
    else:
        raise FormatError(f"unknown export kind {kind!r}: expected one of {', '.join(EXPORT_KINDS)}")
    print(report.summary())
    return 0
