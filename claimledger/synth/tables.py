"""The generator's reference data, as data: procedure codes with their PPO rates and limits,
the three plan designs, clinical encounters (codes and ICD-10 diagnoses that fit together),
provider archetypes, claim kinds and the knobs of the claim stream. File names and columns are
:mod:`claimledger.scenario`'s, the reader's."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

RESERVOIR = 5_000
"""Recent claims kept to pick duplicates, resubmissions and correction targets from."""


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
    cob: str = "standard"  # coordination of benefits when the plan pays second
    incentives: tuple[tuple[str, int], ...] = ()  # member rewards for preventive care, cents


_PLANS: tuple[_PlanSpec, ...] = (
    _PlanSpec(
        "GOLD-PPO", 0.45, (75000, 150000), (350000, 700000), 20, True, 40,
        (("office_visit", 2500), ("specialist", 5000), ("urgent_care", 7500),
         ("emergency", 25000), ("preventive", 0)),
        180, 500000, 1.00,
        incentives=(("99395", 5000), ("99396", 5000), ("90686", 2000)),
    ),
    _PlanSpec(
        "SILVER-HMO", 0.35, (150000, 300000), (650000, 1300000), 30, False, 0,
        (("office_visit", 3000), ("specialist", 6000), ("urgent_care", 10000),
         ("emergency", 35000), ("preventive", 0)),
        90, 250000, 0.88,
        excluded=("99243", "99244", "J0585"),  # no consult codes; botox on the pharmacy benefit
        annual_limits=(("97110", 20), ("97140", 20), ("97530", 20)),
        cob="non_duplication",
        incentives=(("99393", 4000), ("99394", 4000), ("99395", 4000), ("99396", 4000)),
    ),
    _PlanSpec(
        "BRONZE-HDHP", 0.20, (330000, 660000), (750000, 1500000), 20, True, 50,
        (("preventive", 0),),  # HDHP: everything through the deductible except ACA preventive
        365, None, 0.96,
        annual_limits=(("97110", 30), ("97140", 30), ("97530", 30)),
        incentives=(("99395", 7500), ("99396", 7500), ("77067", 3000)),
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
