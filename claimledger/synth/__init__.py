"""Synthetic scenario generator: a realistic year of claims in the A-2 input format.

:func:`generate` writes ``plans.yaml``, ``members.csv``, ``providers.csv``,
``authorizations.csv`` and ``claims.csv`` into a directory, in exactly the format of
``examples/basic`` (spec A-2), and returns a :class:`SynthSummary`. The CLI is a thin layer
over :func:`generate`; this module has no ``main``.

How it works
------------
* Everything comes from one ``random.Random(config.seed)``: the same config gives
  byte-identical files. No global random state, no clock, no iteration over sets.
* Reference data is small and built in memory first: three plans (a PPO that covers out of
  network, an HMO that does not, an HDHP with a high deductible and no copays except a 0.00
  preventive one, so that ACA preventive care is paid in full), families of a subscriber and
  0-5 dependents, and providers of sixteen kinds (family medicine, urgent care, imaging, a
  hospital, ...), about 15% of them out of network.
* Claims are **generated in received-date order**, as a clearinghouse submits them. Services
  are spread evenly over the plan year and each reaches the payer after a billing lag of 0-60
  days (45% within 2 days, 95% within 30), so receipts ramp up in January and run out in
  February of the next year. Claim ``i`` of ``N`` is received on the day where the cumulative
  share of receipts reaches ``(i + 0.5) / N``, and its DOS is drawn from the lag given that
  day. ``received_date`` therefore never decreases down the file, with two deliberate
  exceptions: an idempotent resubmission repeats an earlier claim's rows byte for byte (its old
  ``received_date`` included), and a malformed "DOS after received" record. A late claim is
  received in order, for a service long before.
* ``claims.csv`` and ``authorizations.csv`` are written row by row while claims are generated.
  Memory does not grow with the number of claims: the generator keeps a ring of the last
  :data:`RESERVOIR` claims (to pick duplicates, resubmissions and correction targets from),
  the authorizations still active near the current date (pruned as the date moves on), a
  fixed-size table of member+day+code already billed, and counters of annual-limited codes per
  member. Only the population (members x a few ints, providers) grows with ``families``.
* Each claim is an *encounter* (a URI office visit with a strep test, a knee MRI, a total knee
  replacement, physical therapy, ...): its codes, units and ICD-10 diagnoses fit together, and
  every code with ``dx_prefixes`` only appears with a matching diagnosis. Codes come from the
  member's plan's fee schedule only; the one exception is the deliberate "not in schedule"
  denial, which uses one of :data:`NOT_COVERED_CODES` (real codes that are in no plan).
* Billed amounts follow each provider's chargemaster: a per-provider markup (1.35x-2.75x of the
  PPO allowed amount) times a fixed per-provider-and-code factor (0.9-1.1), whole dollars above
  $50, so the same provider bills the same code the same price, as real providers do.

Coordination of benefits and incentives
---------------------------------------
About ``secondary_rate`` of the claims (10% by default, as in US commercial insurance) are paid
second (A-11): their lines carry the prior payer's allowed amount (45-85% of billed) and paid
amount (0-90% of that), a few lines none; these amounts come from a random stream keyed by seed
and claim id, so that the rest of the files is what it would be without them. The PPO and HDHP
coordinate by the standard rule, the HMO by non-duplication, and each plan rewards some
preventive codes (``incentives:``, A-12).

Claim kinds and the config rates
--------------------------------
Each of the ``claims`` claim records (a resubmission counts as a record) draws one kind:
``reject_rate`` malformed record, ``resubmit_rate`` resubmission, ``duplicate_rate`` exact
duplicate under a new claim_id (CARC 18), ``correction_rate`` replacement (70%) or void (30%),
``late_rate`` late filing (CARC 29), ``denial_mix`` one deliberate denial of
:data:`DENIAL_KINDS`, the rest ordinary claims. ``late_rate`` and ``denial_mix`` are
independent: late filing is *not* part of ``denial_mix``. A kind that cannot be produced yet
(nothing to correct in the first claims; no filing limit can have passed in the first 90 days
of the year) is owed and produced at a later ordinary slot, so totals match the rates closely;
as a consequence late claims have early-year dates of service.

Ordinary claims are meant to be approved or pended, and are in practice (checked against the
reference model): the generator books prior-auth units, annual limits and member+day+code as
it goes, never bills the same member, day and code twice (no accidental CARC 18 or 151), and
writes an authorization for each prior-auth line that needs one (plus a few that are never
used). Duplicates, resubmissions and corrections pick an earlier claim about 20 days back
(exponentially, within the ring); duplicates and corrections only target one that is expected
approved or pended, is not reversed, and whose services are still within the plan's timely
filing. A resubmission never directly follows its original (the two copies would read as one
claim). No member name or birth date exists anywhere; ids are sequential pseudonyms.
"""
from __future__ import annotations

import csv
from pathlib import Path

import yaml

from ..atomic import atomic_output
from ..claims_csv import OTHER_PAYER_COLUMNS
from ..scenario import (
    AUTHORIZATION_COLUMNS, AUTHORIZATIONS_FILE, CLAIM_COLUMNS, CLAIMS_FILE, MEMBER_COLUMNS, MEMBERS_FILE,
    PLANS_FILE, PROVIDER_COLUMNS, PROVIDERS_FILE,
)
from .config import SynthConfig, SynthSummary
from .generator import _Generator
from .npi import is_valid_npi, npi_check_digit
from .tables import DENIAL_KINDS, NOT_COVERED_CODES

FILES = (PLANS_FILE, MEMBERS_FILE, PROVIDERS_FILE, AUTHORIZATIONS_FILE, CLAIMS_FILE)  # as spec A-2 names them

__all__ = [
    "SynthConfig",
    "SynthSummary",
    "generate",
    "npi_check_digit",
    "is_valid_npi",
    "NOT_COVERED_CODES",
    "DENIAL_KINDS",
    "CLAIM_COLUMNS",
    "MEMBER_COLUMNS",
    "PROVIDER_COLUMNS",
    "AUTHORIZATION_COLUMNS",
]


def _validate(config: SynthConfig) -> None:
    if config.claims < 1:
        raise ValueError("claims must be at least 1")
    if not 1900 <= config.year <= 9998:
        raise ValueError("year out of range")
    if config.families is not None and config.families < 1:
        raise ValueError("families must be at least 1")
    if config.providers is not None and config.providers < 1:
        raise ValueError("providers must be at least 1")
    rates = {
        "denial_mix": config.denial_mix, "duplicate_rate": config.duplicate_rate,
        "resubmit_rate": config.resubmit_rate, "late_rate": config.late_rate,
        "correction_rate": config.correction_rate, "reject_rate": config.reject_rate,
    }
    for name, rate in rates.items():
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"{name} must be between 0 and 1")
    if sum(rates.values()) > 1.0:
        raise ValueError("the rates add up to more than 1")
    if not 0.0 <= config.secondary_rate <= 1.0:  # not a kind: any claim may be paid second
        raise ValueError("secondary_rate must be between 0 and 1")


def generate(out_dir: str | Path, config: SynthConfig) -> SynthSummary:
    """Write a synthetic scenario (spec A-2) into out_dir and summarize it.

    The same config always produces byte-identical files. Existing files of the same names
    are overwritten. Memory does not grow with ``config.claims`` beyond the members.
    """
    _validate(config)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    gen = _Generator(config)
    paths = {name: out / name for name in FILES}

    # each file whole or as it was
    with atomic_output(paths[PLANS_FILE], encoding="utf-8", newline="\n") as fh:
        fh.write(f"# Synthetic benefit plans (claimledger.synth, seed {config.seed}).\n")
        yaml.safe_dump(gen.plans_document(), fh, sort_keys=False, default_flow_style=None,
                       width=1000, allow_unicode=False)

    def write_csv(name: str, header, rows) -> None:
        with atomic_output(paths[name], encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)

    write_csv(MEMBERS_FILE, MEMBER_COLUMNS, gen.member_rows())
    write_csv(PROVIDERS_FILE, PROVIDER_COLUMNS, gen.provider_rows())

    n_claims = n_lines = 0
    with atomic_output(paths[CLAIMS_FILE], encoding="utf-8", newline="") as cf, \
            atomic_output(paths[AUTHORIZATIONS_FILE], encoding="utf-8", newline="") as af:
        claims_out = csv.writer(cf, lineterminator="\n")
        auths_out = csv.writer(af, lineterminator="\n")
        claims_out.writerow(CLAIM_COLUMNS + (OTHER_PAYER_COLUMNS if config.secondary_rate > 0 else []))
        auths_out.writerow(AUTHORIZATION_COLUMNS)
        for claim in gen.claims():
            rows = gen.rows(claim)
            claims_out.writerows(rows)
            n_claims += 1
            n_lines += len(rows)
            if gen.pending_auths:
                auths_out.writerows(gen.pending_auths)
                gen.pending_auths.clear()
        if gen.pending_auths:
            auths_out.writerows(gen.pending_auths)
            gen.pending_auths.clear()

    return SynthSummary(
        out_dir=out,
        claims=n_claims,
        lines=n_lines,
        members=len(gen.member_ids),
        families=len(gen.family_subscriber),
        providers=len(gen.providers),
        authorizations=gen.auth_count,
        plans=len(gen.plans),
        kinds=dict(sorted(gen.kinds.items())),
        paths=paths,
    )
