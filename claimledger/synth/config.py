"""What the synthetic generator is asked for (:class:`SynthConfig`) and what it wrote
(:class:`SynthSummary`)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping


@dataclass(frozen=True)
class SynthConfig:
    """What to generate. Rates are fractions of the ``claims`` claim records."""

    claims: int  # number of claim records (not lines); resubmissions count
    seed: int = 0
    year: int = 2026
    families: int | None = None  # default: max(3, round(claims / 8))
    providers: int | None = None  # default: max(6, round(1.5 * sqrt(claims)))
    denial_mix: float = 0.08  # one deliberate denial each, see DENIAL_KINDS (late filing excluded)
    duplicate_rate: float = 0.02  # same lines, new claim_id -> CARC 18
    resubmit_rate: float = 0.01  # same claim_id, same content -> idempotent no-op
    late_rate: float = 0.02  # received more than timely_filing_days after the DOS -> CARC 29
    correction_rate: float = 0.02  # frequency 7 replacements and 8 voids of earlier claims
    reject_rate: float = 0.002  # malformed records -> rejects.csv
    # claims this plan pays second: their lines carry a prior payer's result; drawn from a
    # random stream of their own, so that every other file and column is what it was without
    secondary_rate: float = 0.10


@dataclass(frozen=True)
class SynthSummary:
    """What :func:`generate` wrote."""

    out_dir: Path
    claims: int  # claim records written (resubmissions included)
    lines: int  # rows of claims.csv
    members: int
    families: int
    providers: int
    authorizations: int
    plans: int
    kinds: Mapping[str, int]  # claim records by kind, e.g. "original", "denial:dx_mismatch"
    paths: Mapping[str, Path]  # file name -> path

    def __str__(self) -> str:
        return (f"{self.claims:,} claims ({self.lines:,} lines), {self.members:,} members in "
                f"{self.families:,} families, {self.providers:,} providers, "
                f"{self.authorizations:,} authorizations, {self.plans} plans")
