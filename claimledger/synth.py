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

import bisect
import csv
import math
import random
from array import array
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Iterator, Mapping

import yaml

from .money import format_cents

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

# ---------------------------------------------------------------------------------------------
# Public API


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


CLAIM_COLUMNS = (
    "claim_id", "frequency", "original_claim_id", "member_id", "provider_npi",
    "received_date", "service_date", "procedure_code", "units", "billed", "diagnoses",
)
MEMBER_COLUMNS = ("member_id", "subscriber_id", "plan_id", "coverage_start", "coverage_end")
PROVIDER_COLUMNS = ("npi", "name", "in_network")
AUTHORIZATION_COLUMNS = ("auth_id", "member_id", "procedure_code", "units", "start", "end")

FILES = ("plans.yaml", "members.csv", "providers.csv", "authorizations.csv", "claims.csv")

RESERVOIR = 5_000
"""Recent claims kept to pick duplicates, resubmissions and correction targets from."""

# ---------------------------------------------------------------------------------------------
# NPI


def npi_check_digit(base9: str) -> int:
    """Luhn check digit of a 9-digit NPI base, computed over the ``80840`` card prefix."""
    if len(base9) != 9 or not base9.isdigit():
        raise ValueError(f"NPI base must be 9 digits: {base9!r}")
    total = 0
    # The check digit will be the rightmost digit, so doubling starts at the rightmost payload digit.
    for position, char in enumerate(reversed("80840" + base9)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def is_valid_npi(npi: str) -> bool:
    """10 digits, first 1 or 2, Luhn-valid with the 80840 prefix."""
    return (
        len(npi) == 10 and npi.isdigit() and npi[0] in "12"
        and npi_check_digit(npi[:9]) == int(npi[9])
    )


# ---------------------------------------------------------------------------------------------
# Clinical reference tables (rules are data)


@dataclass(frozen=True)
class _Code:
    code: str
    allowed: int  # cents, PPO base rate per unit
    category: str
    units: tuple[int, ...] = (1,)  # units drawn uniformly from this tuple (repeats = weight)
    prior_auth: bool = False
    review: bool = False
    max_units: int | None = None
    annual_limit: int | None = None
    dx_prefixes: tuple[str, ...] = ()


_CODES: tuple[_Code, ...] = (
    # evaluation and management, office
    _Code("99203", 11500, "office_visit"),
    _Code("99204", 17200, "office_visit"),
    _Code("99212", 5800, "office_visit"),
    _Code("99213", 9200, "office_visit"),
    _Code("99214", 13100, "office_visit"),
    _Code("99215", 18500, "office_visit"),
    # specialist consultations and eye exams
    _Code("99243", 16500, "specialist"),
    _Code("99244", 24000, "specialist"),
    _Code("92004", 16000, "specialist"),
    _Code("92014", 11500, "specialist"),
    # emergency department and urgent care
    _Code("99283", 12000, "emergency"),
    _Code("99284", 21000, "emergency"),
    _Code("99285", 31000, "emergency"),
    _Code("S9083", 13500, "urgent_care"),
    # laboratory
    _Code("80053", 1450, "lab", max_units=1),
    _Code("80061", 1800, "lab", max_units=1),
    _Code("85025", 1050, "lab", max_units=1),
    _Code("83036", 1300, "lab", max_units=1, dx_prefixes=("E10", "E11", "E13", "R73", "Z13")),
    _Code("84443", 2300, "lab", max_units=1),
    _Code("81001", 450, "lab", max_units=1),
    _Code("87880", 1650, "lab", max_units=2),
    _Code("36415", 300, "lab", max_units=1),
    # imaging
    _Code("71046", 3800, "imaging"),
    _Code("70553", 42000, "imaging", prior_auth=True),
    _Code("72148", 26500, "imaging", prior_auth=True, dx_prefixes=("M47", "M48", "M51", "M54")),
    _Code("73721", 25500, "imaging", prior_auth=True, max_units=2),
    _Code("73562", 4200, "imaging"),
    _Code("74177", 33500, "imaging", prior_auth=True),
    _Code("76856", 11500, "imaging"),
    # physical therapy (timed codes in 15-minute units)
    _Code("97110", 3200, "therapy", units=(1, 2, 2, 3, 3, 3, 4), max_units=4, annual_limit=40),
    _Code("97140", 3000, "therapy", units=(1, 1, 2, 2, 3), max_units=4, annual_limit=40),
    _Code("97530", 3600, "therapy", units=(1, 2, 2, 3), max_units=4, annual_limit=40),
    _Code("97161", 9800, "therapy", max_units=1, annual_limit=2),
    # office procedures
    _Code("20610", 6500, "procedure", max_units=2,
          dx_prefixes=("M16", "M17", "M19", "M25", "M75")),
    _Code("45378", 39500, "procedure",
          dx_prefixes=("D12", "K57", "K63", "K92", "R19", "Z12", "Z86")),
    _Code("69210", 5200, "procedure", max_units=1),
    _Code("11102", 9800, "procedure"),
    _Code("12001", 12500, "procedure"),
    _Code("93000", 2200, "procedure", max_units=1),
    _Code("96372", 2600, "procedure", max_units=4),
    # surgery
    _Code("29881", 98000, "surgery", prior_auth=True, dx_prefixes=("M23", "S83")),
    _Code("27447", 185000, "surgery", prior_auth=True, review=True, dx_prefixes=("M17",)),
    _Code("29827", 145000, "surgery", prior_auth=True, dx_prefixes=("M75", "S46")),
    _Code("66984", 79000, "surgery", dx_prefixes=("H25", "H26")),
    _Code("47562", 112000, "surgery", dx_prefixes=("K80", "K81")),
    _Code("49505", 82000, "surgery", dx_prefixes=("K40",)),
    # preventive (ACA: no cost sharing in network)
    _Code("99393", 15000, "preventive", annual_limit=1),
    _Code("99394", 16000, "preventive", annual_limit=1),
    _Code("99395", 16500, "preventive", annual_limit=1),
    _Code("99396", 17800, "preventive", annual_limit=1),
    _Code("90686", 2200, "preventive", max_units=1, annual_limit=1),
    _Code("90471", 2500, "preventive", max_units=1),
    _Code("77067", 14500, "preventive", annual_limit=1, dx_prefixes=("Z12",)),
    # drugs, priced per HCPCS unit
    _Code("J1100", 60, "drug", units=(4, 6, 8, 10), max_units=20),
    _Code("J3301", 240, "drug", units=(2, 4, 4), max_units=8),
    _Code("J1885", 110, "drug", units=(1, 2, 2), max_units=4),
    _Code("J0696", 210, "drug", units=(1, 4, 4), max_units=8),
    _Code("J2405", 45, "drug", units=(4, 4, 8), max_units=16),
    _Code("J1030", 650, "drug", units=(1, 1, 2), max_units=3),
    _Code("J0585", 720, "drug", units=(100, 155, 155, 200), prior_auth=True, max_units=400,
          dx_prefixes=("G43",)),
)

NOT_COVERED_CODES: Mapping[str, int] = {
    # code -> typical charge in cents. Real codes that no generated plan covers (CARC 96).
    "97810": 9500,  # acupuncture
    "15823": 135000,  # blepharoplasty (cosmetic)
    "0232T": 65000,  # platelet-rich plasma injection (experimental)
    "99499": 12000,  # unlisted evaluation and management service
    "S8990": 6500,  # maintenance manipulation
}

_CODE_STR: tuple[str, ...] = tuple(c.code for c in _CODES) + tuple(NOT_COVERED_CODES)
_CODE_INDEX = {code: i for i, code in enumerate(_CODE_STR)}
_NC = len(_CODES)
_BASE_PRICE = tuple(c.allowed for c in _CODES) + tuple(NOT_COVERED_CODES.values())


@dataclass(frozen=True)
class _PlanSpec:
    prefix: str
    share: float  # of families
    deductible: tuple[int, int]  # individual, family (cents)
    oop_max: tuple[int, int]
    coinsurance_pct: int
    oon_covered: bool
    oon_coinsurance_pct: int
    copays: tuple[tuple[str, int], ...]
    timely_filing_days: int
    pend_above: int | None
    fee_factor: float  # negotiated rates relative to the PPO
    excluded: tuple[str, ...] = ()
    annual_limits: tuple[tuple[str, int], ...] = ()  # overrides of _Code.annual_limit


_PLANS: tuple[_PlanSpec, ...] = (
    _PlanSpec(
        "GOLD-PPO", 0.45, (75000, 150000), (350000, 700000), 20, True, 40,
        (("office_visit", 2500), ("specialist", 5000), ("urgent_care", 7500),
         ("emergency", 25000), ("preventive", 0)),
        180, 500000, 1.00,
    ),
    _PlanSpec(
        "SILVER-HMO", 0.35, (150000, 300000), (650000, 1300000), 30, False, 0,
        (("office_visit", 3000), ("specialist", 6000), ("urgent_care", 10000),
         ("emergency", 35000), ("preventive", 0)),
        90, 250000, 0.88,
        excluded=("99243", "99244", "J0585"),  # no consult codes; botox on the pharmacy benefit
        annual_limits=(("97110", 20), ("97140", 20), ("97530", 20)),
    ),
    _PlanSpec(
        "BRONZE-HDHP", 0.20, (330000, 660000), (750000, 1500000), 20, True, 50,
        (("preventive", 0),),  # HDHP: everything through the deductible except ACA preventive
        365, None, 0.96,
        annual_limits=(("97110", 30), ("97140", 30), ("97530", 30)),
    ),
)


@dataclass(frozen=True)
class _Encounter:
    name: str
    weight: float
    roles: tuple[str, ...]  # provider roles that bill it
    dx: tuple[str, ...]  # ICD-10 codes, each valid for every code below
    primary: tuple[tuple[str, float], ...]  # first line: (code, weight)
    extras: tuple[str, ...] = ()  # possible further lines
    audience: str = "any"  # "adult", "child" or "any"


_EM = (("99203", 1.5), ("99204", 0.8), ("99212", 3.0), ("99213", 10.0), ("99214", 7.0),
       ("99215", 1.5))
_CONSULT = (("99243", 1.0), ("99244", 1.0), ("99203", 1.0), ("99204", 1.0), ("99213", 1.5),
            ("99214", 1.5))
_ER = (("99283", 1.0), ("99284", 3.0), ("99285", 2.0))
_PT = (("97110", 4.0), ("97140", 2.0), ("97530", 1.5), ("97161", 1.0))
_PT_EXTRAS = ("97110", "97140", "97530")
_OP_DRUGS = ("J2405", "J1100")

_ENCOUNTERS: tuple[_Encounter, ...] = (
    _Encounter("uri", 9, ("primary",), ("J06.9", "J02.9", "J01.90", "R05.9", "J20.9", "H66.90"),
               _EM, ("87880", "85025")),
    _Encounter("diabetes", 5, ("primary",), ("E11.9", "E11.65", "E11.22", "R73.03"),
               _EM, ("83036", "80053", "80061", "36415", "81001")),
    _Encounter("hypertension", 5, ("primary",), ("I10", "E78.5", "I11.9", "E78.00"),
               _EM, ("80061", "80053", "36415", "93000")),
    _Encounter("back_pain", 4, ("primary",), ("M54.50", "M54.2", "M54.16", "M54.6"),
               _EM, ("96372", "J1885", "J1030")),
    _Encounter("fatigue", 2, ("primary",), ("E03.9", "E05.90", "R53.83", "D64.9"),
               _EM, ("84443", "85025", "80053", "36415")),
    _Encounter("uti", 2.5, ("primary",), ("N39.0", "R30.0", "R35.0"), _EM, ("81001",)),
    _Encounter("mental_health", 2.5, ("primary",), ("F41.1", "F32.A", "F43.23", "G47.00"), _EM),
    _Encounter("cerumen", 0.8, ("primary",), ("H61.21", "H61.22", "H61.23"), _EM, ("69210",)),
    _Encounter("preventive_adult", 5, ("primary",), ("Z00.00", "Z00.01"),
               (("99395", 1.0), ("99396", 1.0)),
               ("90686", "90471", "80061", "85025", "80053", "36415"), "adult"),
    _Encounter("preventive_child", 2, ("primary",), ("Z00.129", "Z00.121"),
               (("99393", 1.0), ("99394", 1.0)), ("90686", "90471"), "child"),
    _Encounter("urgent_uri", 3, ("urgent",), ("J06.9", "J02.9", "J20.9", "R50.9"),
               (("S9083", 1.0),), ("87880", "71046")),
    _Encounter("urgent_injury", 2, ("urgent",),
               ("S93.401A", "S61.411A", "S60.221A", "S13.4XXA", "S39.012A"),
               (("S9083", 1.0),), ("12001", "96372", "J1885")),
    _Encounter("urgent_uti", 1, ("urgent",), ("N39.0", "R30.0"), (("S9083", 1.0),), ("81001",)),
    _Encounter("er_chest_pain", 1.5, ("emergency",), ("R07.9", "R07.89", "I20.9", "R00.2"),
               _ER, ("93000", "71046", "80053", "85025")),
    _Encounter("er_abdominal", 1.5, ("emergency",), ("R10.9", "R10.31", "N20.0", "R11.2"),
               _ER, ("80053", "85025", "81001", "96372", "J2405")),
    _Encounter("er_injury", 1.5, ("emergency",), ("S06.0X0A", "S09.90XA", "S61.411A", "S52.501A"),
               (("99283", 3.0), ("99284", 2.0)), ("12001", "J1885", "96372")),
    _Encounter("er_respiratory", 1, ("emergency",), ("J18.9", "J45.901", "R06.02", "J44.1"),
               _ER, ("71046", "85025", "80053", "J1100", "J0696", "96372")),
    _Encounter("mri_brain", 0.8, ("imaging",), ("G43.909", "G43.709", "R51.9", "G35", "R42"),
               (("70553", 1.0),)),
    _Encounter("mri_lumbar", 0.8, ("imaging",), ("M54.16", "M51.26", "M48.061", "M54.50"),
               (("72148", 1.0),)),
    _Encounter("mri_knee", 0.7, ("imaging", "ortho"), ("M23.221", "M25.561", "S83.511A", "M17.11"),
               (("73721", 1.0),)),
    _Encounter("ct_abdomen", 0.6, ("imaging",), ("R10.9", "K57.32", "R19.00", "R10.31"),
               (("74177", 1.0),)),
    _Encounter("xray_chest", 1.5, ("imaging",), ("R05.9", "J18.9", "R06.02"), (("71046", 1.0),)),
    _Encounter("xray_knee", 1, ("imaging", "ortho"), ("M17.11", "M17.12", "M25.561"),
               (("73562", 1.0),)),
    _Encounter("us_pelvis", 0.6, ("imaging",), ("N83.20", "R10.2", "N94.6"), (("76856", 1.0),)),
    _Encounter("mammogram", 1.5, ("imaging",), ("Z12.31",), (("77067", 1.0),), (), "adult"),
    _Encounter("lab_diabetes", 2, ("lab",), ("E11.9", "E11.65", "R73.03"),
               (("83036", 2.0), ("80053", 1.0)), ("80061", "36415", "81001")),
    _Encounter("lab_lipids", 2, ("lab",), ("E78.5", "E78.2", "I10"),
               (("80061", 2.0), ("80053", 1.0)), ("85025", "36415")),
    _Encounter("lab_blood", 2, ("lab",), ("D64.9", "R53.83", "E03.9"),
               (("85025", 1.0), ("84443", 1.0)), ("80053", "36415")),
    _Encounter("lab_urine", 1, ("lab",), ("N39.0", "R30.0"), (("81001", 1.0),)),
    _Encounter("pt_back", 3, ("therapy",), ("M54.50", "M54.16", "M51.26"), _PT, _PT_EXTRAS),
    _Encounter("pt_knee", 3, ("therapy",), ("M25.561", "M17.11", "M23.221", "Z96.651", "Z47.1"),
               _PT, _PT_EXTRAS),
    _Encounter("pt_shoulder", 2, ("therapy",), ("M75.101", "M25.511", "M75.121", "S46.011D"),
               _PT, _PT_EXTRAS),
    _Encounter("ortho_knee", 2, ("ortho",), ("M17.11", "M17.12", "M25.561", "M17.0"),
               _CONSULT, ("73562", "20610", "J3301")),
    _Encounter("ortho_shoulder", 1, ("ortho",), ("M75.101", "M75.121", "M25.511"),
               _CONSULT, ("20610", "J3301")),
    _Encounter("eye_exam", 2, ("eye",), ("H25.11", "H25.12", "H26.9", "H40.9", "H52.4"),
               (("92004", 1.0), ("92014", 2.0))),
    _Encounter("cardiology", 1.5, ("cardio",), ("I25.10", "I48.91", "R07.9", "I10", "R00.2"),
               _CONSULT, ("93000", "80061")),
    _Encounter("gi_consult", 1, ("gi",), ("K21.9", "K57.30", "K58.9", "R19.7"), _CONSULT),
    _Encounter("colonoscopy", 1, ("gi",), ("Z12.11", "K57.30", "K63.5", "Z86.010", "R19.5"),
               (("45378", 1.0),)),
    _Encounter("dermatology", 1.5, ("derm", "primary"), ("L82.1", "D48.5", "L57.0", "D22.5"),
               (("99203", 1.0), ("99213", 2.0), ("99214", 1.0)), ("11102",)),
    _Encounter("knee_arthroscopy", 0.3, ("ortho", "surgery"),
               ("M23.221", "M23.211", "S83.241A", "S83.511A"), (("29881", 1.0),), _OP_DRUGS),
    _Encounter("knee_replacement", 0.2, ("ortho", "surgery"), ("M17.11", "M17.12"),
               (("27447", 1.0),), _OP_DRUGS),
    _Encounter("rotator_cuff", 0.2, ("ortho", "surgery"), ("M75.121", "M75.101", "S46.011A"),
               (("29827", 1.0),), _OP_DRUGS),
    _Encounter("cataract", 0.3, ("eye", "surgery"), ("H25.11", "H25.12", "H26.9"),
               (("66984", 1.0),)),
    _Encounter("cholecystectomy", 0.2, ("surgery",), ("K80.20", "K81.0", "K80.10"),
               (("47562", 1.0),), ("J2405", "J0696")),
    _Encounter("hernia_repair", 0.2, ("surgery",), ("K40.90", "K40.91"), (("49505", 1.0),),
               ("J2405",)),
    _Encounter("migraine_botox", 0.2, ("drug",), ("G43.709", "G43.719", "G43.909"),
               (("J0585", 1.0),)),
    _Encounter("injection", 1, ("drug", "primary"), ("M54.50", "L30.9", "J45.909", "M79.10"),
               (("J1030", 1.0), ("J1100", 1.0), ("J1885", 1.0)), ("96372",)),
)

_COMORBID = ("I10", "E78.5", "E11.9", "E66.9", "Z79.899", "F17.210", "J45.909", "K21.9")
_MISMATCH_DX = ("J06.9", "I10", "R05.9", "K21.9", "F41.1", "E78.5", "N39.0", "L30.9")


@dataclass(frozen=True)
class _Archetype:
    suffix: str
    roles: tuple[str, ...]
    weight: float


_ARCHETYPES: tuple[_Archetype, ...] = (
    _Archetype("Regional Medical Center",
               ("emergency", "imaging", "lab", "therapy", "surgery", "drug", "cardio"), 1.0),
    _Archetype("Family Medicine", ("primary",), 4.0),
    _Archetype("Urgent Care", ("urgent",), 1.5),
    _Archetype("Multispecialty Clinic",
               ("primary", "cardio", "gi", "derm", "eye", "ortho", "lab", "drug"), 1.0),
    _Archetype("Orthopedics", ("ortho",), 1.2),
    _Archetype("Imaging Center", ("imaging",), 1.0),
    _Archetype("Internal Medicine Associates", ("primary", "lab"), 2.0),
    _Archetype("Pediatrics", ("primary",), 1.5),
    _Archetype("Clinical Laboratory", ("lab",), 0.8),
    _Archetype("Physical Therapy", ("therapy",), 1.5),
    _Archetype("Eye Associates", ("eye",), 0.8),
    _Archetype("Cardiology Group", ("cardio",), 0.7),
    _Archetype("Gastroenterology", ("gi",), 0.6),
    _Archetype("Dermatology", ("derm",), 0.7),
    _Archetype("Surgery Center", ("surgery",), 0.6),
    _Archetype("Infusion Center", ("drug",), 0.4),
)
_CORE_ARCHETYPES = 6  # the first six cover every role: a network of six can serve everyone

_PLACES = (
    "Riverside", "Lakeview", "Summit", "Cedar Ridge", "Maple Grove", "Harbor", "Northgate",
    "Willow Creek", "Oak Hollow", "Pinecrest", "Bayside", "Stonebridge", "Clearwater",
    "Fairview", "Highland", "Meadowbrook", "Silver Lake", "Brookside", "Eastside", "Westfield",
    "Hillcrest", "Sunnyvale", "Prairie", "Red Rock", "Granite Falls", "Aspen", "Valley",
    "Lakeshore", "Parkside", "Greenway", "Kingsbridge", "Mill Creek", "Sandpoint", "Blue Ridge",
    "Elmwood", "Foxborough", "Heritage", "Ironwood", "Juniper", "Laurel", "Magnolia",
    "Northshore", "Old Town", "Pleasant Hill", "Quarry", "Rosewood", "Southpoint", "Tamarack",
    "Union", "Vista", "Waterford", "Yorktown", "Ashford", "Birchwood", "Crescent", "Driftwood",
    "Evergreen", "Glenview", "Hawthorne", "Kestrel",
)

DENIAL_KINDS: tuple[tuple[str, float], ...] = (
    # kind, relative weight within denial_mix. Expected CARC in the comment.
    ("unknown_member", 1.0),  # 31
    ("coverage_gap", 1.0),  # 26 or 27
    ("unknown_provider", 0.8),  # B7
    ("not_in_schedule", 1.2),  # 96 (one line)
    ("oon_not_covered", 0.8),  # 242
    ("dx_mismatch", 1.2),  # 11
    ("missing_prior_auth", 1.2),  # 197
    ("auth_units_exceeded", 0.6),  # 198
    ("units_over_max", 1.0),  # 151
)
REJECT_KINDS = ("zero_units", "negative_billed", "dos_after_received")

_VOID_SHARE = 0.3  # of corrections; the rest are replacements
_OON_SHARE = 0.08  # visits out of network where the plan covers it
_PCP_SHARE = 0.75  # primary-care visits at the family's own practice
_HEAVY_SHARE = 0.2  # members who ...
_HEAVY_CLAIMS = 0.6  # ... account for this share of claims
_LINES_CUM = (0.50, 0.77, 0.90, 0.96, 1.0)  # target lines per claim 1..5 (capped by encounter)
_SHIFT_SHARE = 0.06  # later lines on a following day
# Billing lag (received - DOS) of an ordinary claim: (lowest, highest day, probability).
_LAG = ((0, 2, 0.45), (3, 10, 0.30), (11, 30, 0.20), (31, 60, 0.05))
_MAX_LAG = 60
_LATE_BY = 120  # a late claim is received up to this many days after its filing limit
_FOLLOW_UP_DAYS = 20  # mean delay of a duplicate, resubmission or correction (ring permitting)
_CATCH_UP = 0.1  # chance that an ordinary slot produces a kind owed from earlier
_PRUNE_MARGIN = 100  # active authorizations ending this many days before "now" are dropped
_PRUNE_EVERY = 2048
_OPEN = 10**6  # coverage_end of an open-ended member
_ATTEMPTS = 24
_SEEN_BITS = 22  # the member+day+code table holds at most 4M entries (16 MB)


def _check_tables() -> None:
    """Every encounter's diagnoses satisfy every dx-restricted code it can bill."""
    codes = {c.code: c for c in _CODES}
    for enc in _ENCOUNTERS:
        for code in [c for c, _ in enc.primary] + list(enc.extras):
            spec = codes[code]
            for dx in enc.dx:
                if spec.dx_prefixes and not dx.startswith(spec.dx_prefixes):
                    raise AssertionError(f"{enc.name}: {dx} does not fit {code}")
    for code in NOT_COVERED_CODES:
        if code in codes:
            raise AssertionError(f"{code} is both covered and not covered")


_check_tables()

# ---------------------------------------------------------------------------------------------
# Internal records


class _Claim:
    """One claim record as generated; lines are (dos_day, code_index, units, billed_cents)."""

    __slots__ = ("claim_id", "freq", "orig", "member", "member_id", "prov", "npi", "received",
                 "dx", "lines", "enc", "clean", "reversed", "kind")

    def __init__(self, claim_id, freq, orig, member, member_id, prov, npi, received, dx, lines,
                 enc, clean, kind):
        self.claim_id = claim_id
        self.freq = freq
        self.orig = orig
        self.member = member  # member index, -1 if unknown
        self.member_id = member_id
        self.prov = prov  # provider index, -1 if unknown
        self.npi = npi
        self.received = received  # day of year, 0 = Jan 1
        self.dx = dx
        self.lines = lines
        self.enc = enc  # encounter index or -1
        self.clean = clean  # expected approved/pended: may be duplicated or corrected
        self.reversed = False
        self.kind = kind


@dataclass
class _Provider:
    npi: str
    name: str
    in_network: bool
    roles: tuple[str, ...]
    markup: float


@dataclass
class _PlanView:
    """A plan's codes and encounters, as indices, for fast drawing."""

    plan_id: str
    spec: _PlanSpec
    covered: list[bool]  # by code index
    annual_limit: list[int]  # by code index, 0 = none
    enc_ids: list[int] = field(default_factory=list)
    enc_cum: list[float] = field(default_factory=list)
    enc_primary: dict[int, tuple[list[int], list[float]]] = field(default_factory=dict)
    enc_extras: dict[int, list[int]] = field(default_factory=dict)
    pa_encounters: list[int] = field(default_factory=list)
    dx_codes: list[int] = field(default_factory=list)  # dx-restricted, no prior auth
    max_codes: list[int] = field(default_factory=list)  # max_units_per_day, no prior auth
    members: list[int] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# The generator


class _Generator:
    def __init__(self, config: SynthConfig):
        self.cfg = config
        self.rng = random.Random(config.seed)
        jan1 = date(config.year, 1, 1)
        self.last_day = (date(config.year, 12, 31) - jan1).days
        self.day_str = [(jan1 + timedelta(days=d)).isoformat()
                        for d in range(self.last_day + _MAX_LAG + 120)]
        self.pending_auths: list[list[str]] = []
        self.auth_count = 0
        self.kinds: dict[str, int] = {}
        self._build_plans()
        self._build_providers()
        self._build_members()
        self._index_encounters()

    # --- reference data ----------------------------------------------------------------------

    def _build_plans(self) -> None:
        year = self.cfg.year
        self.plans: list[_PlanView] = []
        for spec in _PLANS:
            covered = [c.code not in spec.excluded for c in _CODES]
            overrides = dict(spec.annual_limits)
            limits = [overrides.get(c.code, c.annual_limit or 0) for c in _CODES]
            self.plans.append(_PlanView(f"{spec.prefix}-{year}", spec, covered, limits))
        self.plan_allowed = [
            [max(1, round(c.allowed * p.spec.fee_factor)) for c in _CODES] for p in self.plans
        ]

    def plans_document(self) -> dict:
        plans = {}
        for view, allowed in zip(self.plans, self.plan_allowed):
            spec = view.spec
            fees = {}
            for i, c in enumerate(_CODES):
                if not view.covered[i]:
                    continue
                entry: dict = {"allowed": allowed[i] / 100, "category": c.category}
                if c.prior_auth:
                    entry["prior_auth"] = True
                if c.review:
                    entry["review"] = True
                if c.max_units:
                    entry["max_units_per_day"] = c.max_units
                if view.annual_limit[i]:
                    entry["annual_limit"] = view.annual_limit[i]
                if c.dx_prefixes:
                    entry["dx_prefixes"] = list(c.dx_prefixes)
                fees[c.code] = entry
            plan: dict = {
                "deductible": {"individual": spec.deductible[0] / 100,
                               "family": spec.deductible[1] / 100},
                "oop_max": {"individual": spec.oop_max[0] / 100, "family": spec.oop_max[1] / 100},
                "coinsurance_pct": spec.coinsurance_pct,
                "out_of_network": {"covered": spec.oon_covered,
                                   "coinsurance_pct": spec.oon_coinsurance_pct},
                "copays": {k: v / 100 for k, v in spec.copays},
                "timely_filing_days": spec.timely_filing_days,
            }
            if spec.pend_above is not None:
                plan["pend_above"] = spec.pend_above / 100
            plan["fee_schedule"] = fees
            plans[view.plan_id] = plan
        return {"plans": plans}

    def _new_npi(self, taken: set[str]) -> str:
        rng = self.rng
        while True:
            base = str(rng.randrange(100_000_000, 300_000_000))
            npi = base + str(npi_check_digit(base))
            if npi not in taken:
                taken.add(npi)
                return npi

    def _build_providers(self) -> None:
        rng, cfg = self.rng, self.cfg
        n = cfg.providers if cfg.providers is not None else max(6, round(1.5 * math.sqrt(cfg.claims)))
        n_oon = round(n * 0.15) if n >= 3 else 0
        n_in = n - n_oon
        weights = [a.weight for a in _ARCHETYPES]
        kinds = []
        for i in range(n):
            if i < min(n_in, _CORE_ARCHETYPES):
                kinds.append(_ARCHETYPES[i])
            else:
                kinds.append(rng.choices(_ARCHETYPES, weights)[0])
        roles = [list(a.roles) for a in kinds]
        for j in range(n_in, _CORE_ARCHETYPES):  # fewer in-network providers than core kinds
            for role in _ARCHETYPES[j].roles:
                if role not in roles[j % n_in]:
                    roles[j % n_in].append(role)
        taken: set[str] = set()
        names: set[str] = set()
        self.providers: list[_Provider] = []
        for i, arche in enumerate(kinds):
            name = ""
            for attempt in range(40):  # unique names; the plainer forms first
                place = rng.choice(_PLACES)
                if attempt < 10:
                    name = f"{place} {arche.suffix}"
                elif attempt < 20:
                    name = f"{arche.suffix} of {place}"
                else:
                    name = f"{place} {arche.suffix} at {rng.choice(_PLACES)}"
                    if attempt >= 35:
                        name = f"{name} {i + 1}"
                if name not in names:
                    break
            names.add(name)
            self.providers.append(_Provider(
                self._new_npi(taken), name, i < n_in, tuple(roles[i]), rng.uniform(1.35, 2.75)))
        # Valid NPIs of practices that are not enrolled with the plan (CARC B7).
        self.unknown_npis = [self._new_npi(taken) for _ in range(32)]
        self.primary_in = [i for i, p in enumerate(self.providers)
                           if p.in_network and "primary" in p.roles]
        self.price_cache: dict[int, int] = {}

    def _month_start(self, month: int) -> int:
        return (date(self.cfg.year, month, 1) - date(self.cfg.year, 1, 1)).days

    def _month_end(self, month: int) -> int:
        if month == 12:
            return self.last_day
        return self._month_start(month + 1) - 1

    def _build_members(self) -> None:
        rng, cfg = self.rng, self.cfg
        n_fam = cfg.families if cfg.families is not None else max(3, round(cfg.claims / 8))
        plan_cum = []
        acc = 0.0
        for spec in _PLANS:
            acc += spec.share
            plan_cum.append(acc)
        # Members and subscribers are numbered 1..n; room is left for unknown member ids.
        est = n_fam * 6
        self.id_width = max(6, len(str(2 * est + 100)))
        self.member_ids: list[str] = []
        self.member_family: list[int] = []
        self.member_plan: list[int] = []
        self.member_start: list[int] = []
        self.member_end: list[int] = []
        self.member_child = bytearray()
        self.family_subscriber: list[str] = []
        self.family_pcp: list[int] = []
        heavy: list[int] = []
        partial: list[int] = []
        full: list[int] = []
        w = self.id_width
        for f in range(n_fam):
            if f < len(_PLANS):  # every plan has at least one full-year family
                plan, start, end = f, 0, _OPEN
            else:
                plan = bisect.bisect_left(plan_cum, rng.random() * acc)
                start, end = self._family_coverage()
            n_dep = bisect.bisect_left((0.35, 0.60, 0.75, 0.90, 0.97, 1.0), rng.random())
            self.family_subscriber.append(f"S{f + 1:0{w}d}")
            self.family_pcp.append(rng.choice(self.primary_in))
            spouse = n_dep > 0 and rng.random() < 0.7
            for k in range(n_dep + 1):
                m = len(self.member_ids)
                child = k > (1 if spouse else 0)
                m_start, m_end = start, end
                u = rng.random()
                if child and u < 0.03:  # a newborn or adopted child joins mid-year
                    m_start = max(start, rng.randint(30, self.last_day - 30))
                elif k and u < 0.05:  # a dependent leaves (age 26, divorce) at a month end
                    first_month = date.fromordinal(date(self.cfg.year, 1, 1).toordinal()
                                                   + m_start).month
                    if first_month < 11:
                        m_end = min(end, self._month_end(rng.randint(first_month + 1, 11)))
                if m_start > m_end:
                    m_start = start
                self.member_ids.append(f"M{m + 1:0{w}d}")
                self.member_family.append(f)
                self.member_plan.append(plan)
                self.member_start.append(m_start)
                self.member_end.append(m_end)
                self.member_child.append(1 if child else 0)
                self.plans[plan].members.append(m)
                if rng.random() < _HEAVY_SHARE:
                    heavy.append(m)
                if m_start > 0 or m_end < self.last_day:
                    partial.append(m)
                else:
                    full.append(m)
        self.heavy = heavy or list(range(len(self.member_ids)))
        self.partial = partial
        self.full_year = full
        n_members = len(self.member_ids)
        self.unknown_lo = n_members + 1
        self.unknown_hi = 10 ** w - 1

    def _family_coverage(self) -> tuple[int, int]:
        rng = self.rng
        u = rng.random()
        if u < 0.80:
            return 0, _OPEN
        if u < 0.89:  # joined the plan later in the year
            return self._month_start(rng.randint(2, 11)), _OPEN
        if u < 0.97:  # left the plan mid-year
            return 0, self._month_end(rng.randint(1, 11))
        start_month = rng.randint(2, 6)
        return self._month_start(start_month), self._month_end(rng.randint(start_month + 1, 11))

    def _index_encounters(self) -> None:
        roles_of = [p.roles for p in self.providers]
        self.enc_in: list[list[int]] = []
        self.enc_oon: list[list[int]] = []
        self.enc_pcp: list[bool] = []
        for enc in _ENCOUNTERS:
            serving = [i for i, r in enumerate(roles_of) if any(role in r for role in enc.roles)]
            self.enc_in.append([i for i in serving if self.providers[i].in_network])
            self.enc_oon.append([i for i in serving if not self.providers[i].in_network])
            self.enc_pcp.append("primary" in enc.roles)
        # the encounter that supplies role and diagnoses for a code billed on its own
        self.code_enc: dict[int, int] = {}
        for pass_extras in (False, True):
            for e, enc in enumerate(_ENCOUNTERS):
                codes = enc.extras if pass_extras else [c for c, _ in enc.primary]
                for code in codes:
                    self.code_enc.setdefault(_CODE_INDEX[code], e)
        for view in self.plans:
            acc = 0.0
            for e, enc in enumerate(_ENCOUNTERS):
                prim = [(_CODE_INDEX[c], w) for c, w in enc.primary
                        if view.covered[_CODE_INDEX[c]]]
                if not prim:
                    continue
                cum, run = [], 0.0
                for _, w in prim:
                    run += w
                    cum.append(run)
                view.enc_primary[e] = ([ci for ci, _ in prim], cum)
                view.enc_extras[e] = [_CODE_INDEX[c] for c in enc.extras
                                      if view.covered[_CODE_INDEX[c]]]
                acc += enc.weight
                view.enc_ids.append(e)
                view.enc_cum.append(acc)
                if any(_CODES[ci].prior_auth for ci, _ in prim):
                    view.pa_encounters.append(e)
            for ci, c in enumerate(_CODES):
                if not view.covered[ci] or c.prior_auth:
                    continue
                if c.dx_prefixes:
                    view.dx_codes.append(ci)
                if c.max_units:
                    view.max_codes.append(ci)

    # --- helpers -----------------------------------------------------------------------------

    def _price(self, p: int, ci: int) -> int:
        """Provider p's chargemaster price of one unit of code ci, in cents."""
        key = p * 256 + ci
        price = self.price_cache.get(key)
        if price is None:
            jitter = 0.9 + 0.2 * (((p + 1) * 2654435761 + (ci + 1) * 40503) % 10007) / 10007
            cents = _BASE_PRICE[ci] * self.providers[p].markup * jitter
            price = round(cents / 100) * 100 if cents >= 5000 else max(1, round(cents))
            self.price_cache[key] = price
        return price

    def _covered(self, m: int, lo: int, hi: int) -> bool:
        return self.member_start[m] <= lo and hi <= self.member_end[m]

    def _pick_member(self, dos: int) -> int:
        rng = self.rng
        n = len(self.member_ids)
        for _ in range(_ATTEMPTS):
            if rng.random() < _HEAVY_CLAIMS:
                m = self.heavy[rng.randrange(len(self.heavy))]
            else:
                m = rng.randrange(n)
            if self.member_start[m] <= dos <= self.member_end[m]:
                return m
        return self.full_year[rng.randrange(len(self.full_year))] if self.full_year else 0

    def _pick_encounter(self, m: int) -> int:
        rng = self.rng
        view = self.plans[self.member_plan[m]]
        child = self.member_child[m]
        for _ in range(6):
            e = view.enc_ids[bisect.bisect_left(view.enc_cum, rng.random() * view.enc_cum[-1])]
            audience = _ENCOUNTERS[e].audience
            if audience == "any" or (audience == "child") == bool(child):
                return e
        return view.enc_ids[0]

    def _pick_provider(self, m: int, e: int) -> int:
        rng = self.rng
        spec = self.plans[self.member_plan[m]].spec
        oon = self.enc_oon[e]
        if spec.oon_covered and oon and rng.random() < _OON_SHARE:
            return oon[rng.randrange(len(oon))]
        if self.enc_pcp[e] and rng.random() < _PCP_SHARE:
            return self.family_pcp[self.member_family[m]]
        ins = self.enc_in[e]
        return ins[rng.randrange(len(ins))]

    def _received_schedule(self) -> list[float]:
        """Cumulative share of claims received by the end of each day.

        Services are spread evenly over the year and each is received after the billing lag,
        so receipts ramp up over January and run out in the new year: a day's share is the
        probability that the lag lands the service inside the plan year.
        """
        pmf = [0.0] * (_MAX_LAG + 1)
        for lo, hi, prob in _LAG:
            for lag in range(lo, hi + 1):
                pmf[lag] = prob / (hi - lo + 1)
        cum, total = [], 0.0
        for r in range(self.last_day + _MAX_LAG + 1):
            total += sum(pmf[max(0, r - self.last_day):min(_MAX_LAG, r) + 1])
            cum.append(total)
        return [x / total for x in cum]

    def _dos_for(self, r: int) -> int:
        """A date of service in the plan year for a claim received on day r."""
        rng = self.rng
        for _ in range(64):  # the lag given r: draw from _LAG until the DOS is in the year
            u = rng.random()
            for lo, hi, prob in _LAG:
                if u < prob:
                    break
                u -= prob
            d = r - rng.randint(lo, hi)
            if 0 <= d <= self.last_day:
                return d
        return min(max(0, r), self.last_day)

    def _dx(self, e: int) -> str:
        rng = self.rng
        pool = _ENCOUNTERS[e].dx
        first = pool[rng.randrange(len(pool))]
        u = rng.random()
        if u < 0.6:
            return first
        codes = [first]
        for _ in range(1 if u < 0.9 else 2):
            cand = rng.choice(pool) if rng.random() < 0.5 else rng.choice(_COMORBID)
            if cand not in codes:
                codes.append(cand)
        return ";".join(codes)

    def _mismatch_dx(self, ci: int) -> str:
        prefixes = _CODES[ci].dx_prefixes
        pool = [d for d in _MISMATCH_DX if not d.startswith(prefixes)]
        k = 1 if self.rng.random() < 0.7 else 2
        return ";".join(self.rng.sample(pool, k))

    def _timely(self, m: int) -> int:
        return self.plans[self.member_plan[m]].spec.timely_filing_days

    def _count(self, kind: str) -> None:
        self.kinds[kind] = self.kinds.get(kind, 0) + 1

    # --- authorizations ----------------------------------------------------------------------

    def _write_auth(self, m: int, ci: int, units: int, start: int, end: int) -> None:
        self.auth_count += 1
        aid = f"PA-{self.auth_count:0{self.id_width}d}"
        self.pending_auths.append([aid, self.member_ids[m], _CODE_STR[ci], str(units),
                                   self.day_str[start], self.day_str[end]])
        # active entry: [start, end, remaining units, authorized units]
        self.active[m * 256 + ci] = [start, end, units, units]

    def _new_auth_window(self, m: int, ci: int, dos: int) -> tuple[int, int] | None:
        """A window covering dos that overlaps no other authorization of member+code."""
        old = self.active.get(m * 256 + ci)
        rng = self.rng
        start = max(0, dos - rng.randint(0, 21))
        if old is not None:
            if old[1] >= dos:  # covers dos, or starts after it: no second, overlapping auth
                return None
            start = max(start, old[1] + 1)
        return start, start + rng.choice((30, 60, 90)) - 1

    def _authorize(self, m: int, ci: int, dos: int, units: int) -> bool:
        """Book units of an ordinary prior-auth line: use the active auth or create one."""
        entry = self.active.get(m * 256 + ci)
        if entry is not None and entry[0] <= dos <= entry[1]:
            if entry[2] >= units:
                entry[2] -= units
                return True
            return False
        window = self._new_auth_window(m, ci, dos)
        if window is None:
            return False
        granted = max(units, 200) if _CODE_STR[ci] == "J0585" else units
        self._write_auth(m, ci, granted, *window)
        self.active[m * 256 + ci][2] = granted - units
        if self.rng.random() < 0.05:
            self._orphan_auth(dos)
        return True

    def _orphan_auth(self, dos: int) -> None:
        """An authorization that is never used (the member did not have the service)."""
        rng = self.rng
        view = self.plans[rng.randrange(len(self.plans))]
        if not view.members or not view.pa_encounters:
            return
        m = view.members[rng.randrange(len(view.members))]
        e = rng.choice(view.pa_encounters)
        ci = view.enc_primary[e][0][0]
        d = min(self.last_day, dos + rng.randint(0, 30))
        if self.member_start[m] <= d <= self.member_end[m]:
            window = self._new_auth_window(m, ci, d)
            if window is not None:
                self._write_auth(m, ci, rng.choice(_CODES[ci].units), *window)

    def _prune(self, r: int) -> None:
        cutoff = r - _PRUNE_MARGIN
        stale = [k for k, v in self.active.items() if v[1] < cutoff]
        for k in stale:
            del self.active[k]

    # --- claim builders ----------------------------------------------------------------------

    def _new_id(self) -> str:
        self.claim_seq += 1
        return f"C{self.claim_seq:0{self.claim_width}d}"

    def _build(self, m: int, e: int, dos: int, r: int, *, book: bool, prov: int | None = None,
               shift: bool = True, kind: str = "original") -> _Claim | None:
        """An encounter e of member m on dos, received r. ``book`` books auths and limits."""
        rng = self.rng
        view = self.plans[self.member_plan[m]]
        prim_codes, prim_cum = view.enc_primary[e]
        prim = prim_codes[bisect.bisect_left(prim_cum, rng.random() * prim_cum[-1])]
        n = bisect.bisect_left(_LINES_CUM, rng.random()) + 1
        codes = [prim]
        if n > 1:
            extras = [ci for ci in view.enc_extras[e] if ci != prim]
            if extras:
                codes += rng.sample(extras, min(n - 1, len(extras)))
        p = self._pick_provider(m, e) if prov is None else prov
        cap = min(r, self.last_day, self.member_end[m])
        lines = []
        for j, ci in enumerate(codes):
            spec = _CODES[ci]
            d = dos
            if shift and j and rng.random() < _SHIFT_SHARE:
                d2 = dos + rng.randint(1, 2)
                if d2 <= cap:
                    d = d2
            units = spec.units[rng.randrange(len(spec.units))] if len(spec.units) > 1 else 1
            # one line per member, code and day: no CARC 18 or 151 by accident
            slot, mark = self._seen_slot(m, d, ci)
            if book:
                if mark in self.seen[slot:slot + 4]:
                    if j == 0:
                        return None
                    continue
                limit = view.annual_limit[ci]
                key = m * 256 + ci
                if limit and self.annual.get(key, 0) >= limit:
                    if j == 0:
                        return None
                    continue
                if spec.prior_auth and not self._authorize(m, ci, d, units):
                    if j == 0:
                        return None
                    continue
                if limit:
                    self.annual[key] = self.annual.get(key, 0) + 1
            self._remember(slot, mark)  # also for denied claims: their other lines may be approved
            lines.append((d, ci, units, self._price(p, ci) * units))
        return _Claim(self._new_id(), "1", "", m, self.member_ids[m], p, self.providers[p].npi, r,
                      self._dx(e), lines, e, book, kind)

    def _seen_slot(self, m: int, d: int, ci: int) -> tuple[int, int]:
        """Bucket (4 slots) and 32-bit fingerprint of member+day+code in the ``seen`` table."""
        key = (m * 1024 + d) * 256 + ci
        slot = ((key * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF) >> self.seen_shift << 2
        mark = ((key * 0xC2B2AE3D27D4EB4F) & 0xFFFFFFFFFFFFFFFF) >> 32 | 1
        return slot, mark

    def _remember(self, slot: int, mark: int) -> None:
        bucket = self.seen[slot:slot + 4]
        if mark in bucket:
            return
        # a free slot, else one picked by the fingerprint: a lost entry is merely forgotten
        self.seen[slot + (bucket.index(0) if 0 in bucket else mark >> 3 & 3)] = mark

    def _unbook(self, c: _Claim, lines: list) -> None:
        """A void gives back what the reversed lines had booked (A-7.1)."""
        m = c.member
        view = self.plans[self.member_plan[m]]
        for d, ci, units, _ in lines:
            if ci >= _NC:
                continue
            key = m * 256 + ci
            if view.annual_limit[ci] and self.annual.get(key, 0) > 0:
                self.annual[key] -= 1
            entry = self.active.get(key) if _CODES[ci].prior_auth else None
            if entry is not None and entry[0] <= d <= entry[1]:
                entry[2] = min(entry[3], entry[2] + units)

    def _original(self, r: int) -> _Claim:
        rng = self.rng
        for _ in range(_ATTEMPTS):
            dos = self._dos_for(r)
            m = self._pick_member(dos)
            c = self._build(m, self._pick_encounter(m), dos, r, book=True)
            if c is not None:
                return c
        # an office visit for a cold (no limits, no prior auth) of a member covered all year
        dos = min(r, self.last_day)
        for book in (True, False):  # the second pass, never needed in practice, cannot fail
            for _ in range(_ATTEMPTS):
                m = self.full_year[rng.randrange(len(self.full_year))] if self.full_year else 0
                c = self._build(m, self.plans[self.member_plan[m]].enc_ids[0], dos, r, book=book)
                if c is not None:
                    return c
        raise AssertionError("unreachable: a build without booking always succeeds")

    def _pick_recent(self, r: int, want_clean: bool) -> _Claim | None:
        rng = self.rng
        filled = min(self.ring_pos, RESERVOIR)
        if not filled:
            return None
        for _ in range(8):
            # how many claims back: exponential, about _FOLLOW_UP_DAYS worth of claims on average
            back = min(filled - 1, int(rng.expovariate(1.0 / self.follow_up_mean)))
            c = self.ring[(self.ring_pos - 1 - back) % RESERVOIR]
            if not want_clean:
                return c
            if c.clean and not c.reversed and \
                    r - min(line[0] for line in c.lines) <= self._timely(c.member):
                return c
        return None

    def _resubmit(self, r: int) -> _Claim | None:
        o = self._pick_recent(r, want_clean=False)
        # right after itself, the parser would read the two copies as one claim of twice the lines
        return None if o is None or o.claim_id == self.last_claim_id else o

    def _duplicate(self, r: int) -> _Claim | None:
        o = self._pick_recent(r, want_clean=True)
        if o is None:
            return None
        return _Claim(self._new_id(), "1", "", o.member, o.member_id, o.prov, o.npi, r, o.dx,
                      list(o.lines), o.enc, False, "duplicate")

    def _correction(self, r: int) -> _Claim | None:
        rng = self.rng
        o = self._pick_recent(r, want_clean=True)
        if o is None:
            return None
        o.reversed = True
        if rng.random() < _VOID_SHARE:
            self._unbook(o, o.lines)
            return _Claim(self._new_id(), "8", o.claim_id, o.member, o.member_id, o.prov, o.npi, r,
                          o.dx, list(o.lines), o.enc, False, "void")
        lines = list(o.lines)
        dx = o.dx
        droppable = [j for j in range(1, len(lines)) if not _CODES[lines[j][1]].prior_auth]
        adjustable = [j for j, ln in enumerate(lines)
                      if not _CODES[ln[1]].prior_auth and (_CODES[ln[1]].max_units or 1) > 1]
        ops = ["billed", "billed", "dx"] + ["drop"] * bool(droppable) + ["units"] * 2 * bool(adjustable)
        op = rng.choice(ops)
        if op == "billed":  # corrected charge
            j = rng.randrange(len(lines))
            d, ci, units, billed = lines[j]
            new = max(units, round(billed * rng.uniform(0.85, 1.15)))
            lines[j] = (d, ci, units, new if new != billed else billed + 100)
        elif op == "dx":  # corrected or added diagnosis
            dx = self._dx(o.enc)
            if dx == o.dx:
                dx = o.dx.split(";")[0] if ";" in o.dx else f"{o.dx};{rng.choice(_COMORBID)}"
        elif op == "drop":  # a line billed in error
            j = rng.choice(droppable)
            self._unbook(o, [lines[j]])
            del lines[j]
        else:  # corrected units
            j = rng.choice(adjustable)
            d, ci, units, billed = lines[j]
            top = _CODES[ci].max_units or 1
            new_units = rng.choice([u for u in range(1, top + 1) if u != units])
            lines[j] = (d, ci, new_units, billed // units * new_units)
        return _Claim(self._new_id(), "7", o.claim_id, o.member, o.member_id, o.prov, o.npi, r,
                      dx, lines, o.enc, True, "replacement")

    def _late(self, r: int) -> _Claim | None:
        rng = self.rng
        feasible = [v for v in self.plans if v.members and r - v.spec.timely_filing_days - 1 >= 0]
        if not feasible:
            return None
        view = rng.choice(feasible)
        limit = view.spec.timely_filing_days
        for _ in range(_ATTEMPTS):
            # 1-120 days past the limit; early in the year that is often before Jan 1: try later
            dos = r - limit - rng.randint(1, _LATE_BY)
            if dos < 0:
                return None
            m = view.members[rng.randrange(len(view.members))]
            if self.member_start[m] <= dos <= min(self.member_end[m], self.last_day):
                return self._build(m, self._pick_encounter(m), dos, r, book=False, shift=False,
                                   kind="late")
        return None

    def _reject(self, r: int) -> _Claim:
        rng = self.rng
        dos = self._dos_for(r)
        m = self._pick_member(dos)
        c = self._build(m, self._pick_encounter(m), dos, r, book=False, shift=False)
        d, ci, units, billed = c.lines[0]
        kind = REJECT_KINDS[rng.randrange(len(REJECT_KINDS))]
        if kind == "zero_units":
            c.lines = [(d, ci, 0, billed)]
        elif kind == "negative_billed":
            c.lines = [(d, ci, units, -billed)]
        else:
            c.lines = [(r + rng.randint(1, 5), ci, units, billed)]
        c.clean = False
        c.kind = f"reject:{kind}"
        return c

    # deliberate denials: each returns None when it cannot be produced right now

    def _denial(self, kind: str, r: int) -> _Claim | None:
        rng = self.rng
        dos = self._dos_for(r)
        c: _Claim | None = None
        if kind == "coverage_gap":
            if not self.partial:
                return None
            for _ in range(_ATTEMPTS):
                m = self.partial[rng.randrange(len(self.partial))]
                if dos < self.member_start[m] or dos > self.member_end[m]:
                    c = self._build(m, self._pick_encounter(m), dos, r, book=False, shift=False)
                    break
        elif kind == "oon_not_covered":
            views = [v for v in self.plans if not v.spec.oon_covered and v.members]
            if not views:
                return None
            view = rng.choice(views)
            for _ in range(_ATTEMPTS):
                m = view.members[rng.randrange(len(view.members))]
                e = self._pick_encounter(m)
                if self._covered(m, dos, dos) and self.enc_oon[e]:
                    c = self._build(m, e, dos, r, book=False, prov=rng.choice(self.enc_oon[e]))
                    break
        elif kind in ("missing_prior_auth", "auth_units_exceeded"):
            for _ in range(_ATTEMPTS):
                m = self._pick_member(dos)
                view = self.plans[self.member_plan[m]]
                if not view.pa_encounters:
                    continue
                e = rng.choice(view.pa_encounters)
                ci = view.enc_primary[e][0][0]
                if kind == "missing_prior_auth":
                    old = self.active.get(m * 256 + ci)
                    if old is not None and old[1] >= dos:
                        continue  # an authorization covers (or may later cover) this date
                    c = self._build(m, e, dos, r, book=False, shift=False)
                    # a zero-unit placeholder keeps later authorizations clear of this date
                    self.active[m * 256 + ci] = [dos, dos, 0, 0]
                else:
                    window = self._new_auth_window(m, ci, dos)
                    if window is None:
                        continue
                    c = self._build(m, e, dos, r, book=False, shift=False)
                    d, ci0, units, billed = c.lines[0]
                    if units > 1:  # e.g. 155 units of botox against an auth for 100
                        granted = max(1, units - rng.choice((5, 15, 55)))
                    else:  # billed bilateral (2 units), authorized 1
                        granted, units, billed = 1, 2, billed * 2
                    c.lines[0] = (d, ci0, units, billed)
                    self._write_auth(m, ci0, granted, *window)
                break
        elif kind == "dx_mismatch":
            for _ in range(_ATTEMPTS):
                m = self._pick_member(dos)
                view = self.plans[self.member_plan[m]]
                if not view.dx_codes:
                    continue
                ci = rng.choice(view.dx_codes)
                e = self.code_enc[ci]
                c = self._single(m, e, ci, dos, r, None, self._mismatch_dx(ci))
                break
        elif kind == "units_over_max":
            for _ in range(_ATTEMPTS):
                m = self._pick_member(dos)
                view = self.plans[self.member_plan[m]]
                if not view.max_codes:
                    continue
                ci = rng.choice(view.max_codes)
                units = (_CODES[ci].max_units or 1) + rng.randint(1, 3)
                c = self._single(m, self.code_enc[ci], ci, dos, r, units, None)
                break
        else:  # unknown_member, unknown_provider, not_in_schedule: mutate an ordinary claim
            book = kind == "not_in_schedule"
            for _ in range(_ATTEMPTS):
                m = self._pick_member(dos)
                c = self._build(m, self._pick_encounter(m), dos, r, book=book, shift=book)
                if c is not None:
                    break
            if c is None:
                return None
            if kind == "unknown_member":
                c.member = -1
                c.member_id = f"M{rng.randint(self.unknown_lo, self.unknown_hi):0{self.id_width}d}"
            elif kind == "unknown_provider":
                c.prov = -1
                c.npi = rng.choice(self.unknown_npis)
            else:
                j = rng.randrange(len(c.lines))
                ci = _NC + rng.randrange(len(NOT_COVERED_CODES))
                c.lines[j] = (c.lines[j][0], ci, 1, self._price(c.prov, ci))
        if c is None:
            return None
        c.clean = False
        c.kind = f"denial:{kind}"
        return c

    def _single(self, m: int, e: int, ci: int, dos: int, r: int, units: int | None,
                dx: str | None) -> _Claim:
        """A one-line claim for code ci (used by deliberate denials)."""
        rng = self.rng
        spec = _CODES[ci]
        if units is None:
            units = spec.units[rng.randrange(len(spec.units))]
        p = self._pick_provider(m, e)
        # an out-of-network provider of an HMO member would deny 242 first
        if not self.providers[p].in_network and not self.plans[self.member_plan[m]].spec.oon_covered:
            p = rng.choice(self.enc_in[e])
        return _Claim(self._new_id(), "1", "", m, self.member_ids[m], p, self.providers[p].npi, r,
                      dx if dx is not None else self._dx(e),
                      [(dos, ci, units, self._price(p, ci) * units)], e, False, "denial")

    # --- the stream --------------------------------------------------------------------------

    def claims(self) -> Iterator[_Claim]:
        """Yield claim records in submission order; authorization rows collect alongside."""
        cfg, rng = self.cfg, self.rng
        n = cfg.claims
        self.claim_seq = 0
        self.claim_width = max(7, len(str(n)))
        self.ring: list[_Claim | None] = [None] * RESERVOIR
        self.ring_pos = 0
        self.last_claim_id = ""
        self.follow_up_mean = max(1.0, _FOLLOW_UP_DAYS * n / (self.last_day + 1))
        self.active: dict[int, list[int]] = {}
        self.annual: dict[int, int] = {}
        # Lines billed so far, by member+day+code, in a fixed-size table of 4-slot buckets (a full
        # bucket forgets an entry; a false match only makes the generator pick another line).
        bits = max(12, min(_SEEN_BITS, (16 * n).bit_length()))
        self.seen = array("I", bytes(4 << bits))
        self.seen_shift = 64 - (bits - 2)
        thresholds = []
        acc = 0.0
        for name, rate in (("reject", cfg.reject_rate), ("resubmit", cfg.resubmit_rate),
                           ("duplicate", cfg.duplicate_rate), ("correction", cfg.correction_rate),
                           ("late", cfg.late_rate), ("denial", cfg.denial_mix)):
            acc += rate
            thresholds.append((acc, name))
        denial_names = [k for k, _ in DENIAL_KINDS]
        denial_cum = []
        run = 0.0
        for _, w in DENIAL_KINDS:
            run += w
            denial_cum.append(run)
        owed: dict[str, int] = {}
        schedule = self._received_schedule()
        for i in range(n):
            r = bisect.bisect_left(schedule, (i + 0.5) / n)
            if i % _PRUNE_EVERY == 0:
                self._prune(r)
            u = rng.random()
            kind = "original"
            for limit, name in thresholds:
                if u < limit:
                    kind = name
                    break
            if kind == "original" and owed and rng.random() < _CATCH_UP:
                kind = next(iter(owed))  # catch up on a kind that could not be produced before
                owed[kind] -= 1
                if not owed[kind]:
                    del owed[kind]
            c = self._make(kind, r, denial_names, denial_cum)
            if c is None:
                owed[kind] = owed.get(kind, 0) + 1
                c = self._original(r)
            self._count(c.kind)
            self.last_claim_id = c.claim_id
            yield c
            if c.kind == "resubmit" or c.kind.startswith("reject:"):
                continue
            self.ring[self.ring_pos % RESERVOIR] = c
            self.ring_pos += 1

    def _make(self, kind: str, r: int, denial_names: list[str],
              denial_cum: list[float]) -> _Claim | None:
        rng = self.rng
        if kind == "original":
            return self._original(r)
        if kind == "reject":
            return self._reject(r)
        if kind == "resubmit":
            o = self._resubmit(r)
            if o is None:
                return None
            # same rows again; a lightweight view so the ring keeps the original's own kind
            return _Claim(o.claim_id, o.freq, o.orig, o.member, o.member_id, o.prov, o.npi,
                          o.received, o.dx, o.lines, o.enc, False, "resubmit")
        if kind == "duplicate":
            return self._duplicate(r)
        if kind == "correction":
            return self._correction(r)
        if kind == "late":
            return self._late(r)
        first = bisect.bisect_left(denial_cum, rng.random() * denial_cum[-1])
        for k in range(len(denial_names)):  # fall back to the next kind when one is impossible
            c = self._denial(denial_names[(first + k) % len(denial_names)], r)
            if c is not None:
                return c
        return None

    def rows(self, c: _Claim) -> list[list[str]]:
        ds = self.day_str
        received = ds[c.received]
        return [[c.claim_id, c.freq, c.orig, c.member_id, c.npi, received, ds[d], _CODE_STR[ci],
                 str(units), format_cents(billed), c.dx] for d, ci, units, billed in c.lines]

    def member_rows(self) -> Iterator[list[str]]:
        ds = self.day_str
        for m, member_id in enumerate(self.member_ids):
            end = self.member_end[m]
            yield [member_id, self.family_subscriber[self.member_family[m]],
                   self.plans[self.member_plan[m]].plan_id, ds[self.member_start[m]],
                   "" if end == _OPEN else ds[end]]

    def provider_rows(self) -> Iterator[list[str]]:
        for p in self.providers:
            yield [p.npi, p.name, "true" if p.in_network else "false"]


# ---------------------------------------------------------------------------------------------
# Writing


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

    with open(paths["plans.yaml"], "w", encoding="utf-8", newline="\n") as fh:
        fh.write(f"# Synthetic benefit plans (claimledger.synth, seed {config.seed}).\n")
        yaml.safe_dump(gen.plans_document(), fh, sort_keys=False, default_flow_style=None,
                       width=1000, allow_unicode=False)

    def write_csv(name: str, header, rows) -> None:
        with open(paths[name], "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)

    write_csv("members.csv", MEMBER_COLUMNS, gen.member_rows())
    write_csv("providers.csv", PROVIDER_COLUMNS, gen.provider_rows())

    n_claims = n_lines = 0
    with open(paths["claims.csv"], "w", encoding="utf-8", newline="") as cf, \
            open(paths["authorizations.csv"], "w", encoding="utf-8", newline="") as af:
        claims_out = csv.writer(cf, lineterminator="\n")
        auths_out = csv.writer(af, lineterminator="\n")
        claims_out.writerow(CLAIM_COLUMNS)
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
