"""Typed records of a scenario (A-2) and of its outcome (A-9).

Amounts are integer cents, percentages basis points, dates days since 1970-01-01.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field

from .csv_safety import single_line
from .money import format_cents


class Frequency(enum.IntEnum):
    """X12 claim frequency codes (A-2.5)."""

    ORIGINAL = 1
    REPLACEMENT = 7
    VOID = 8


COB_STANDARD = "standard"
COB_NON_DUPLICATION = "non_duplication"
COB_MODES = (COB_STANDARD, COB_NON_DUPLICATION)
# fields added after records were first hashed (manifests, sealed plan versions): left out of a
# record's canonical form while they hold these defaults, so that its hash stays what it was
_LATER_FIELDS = {"cob": COB_STANDARD, "incentives": {}, "reward_signer": None}


def canonical_fields(fields: dict) -> dict:
    """A record's fields (``asdict``/``vars``) as they are hashed: the later fields only when set."""
    return {k: v for k, v in fields.items() if k not in _LATER_FIELDS or v != _LATER_FIELDS[k]}


class LineStatus(str, enum.Enum):
    APPROVED = "APPROVED"
    DENIED = "DENIED"
    PENDED = "PENDED"
    REVERSED = "REVERSED"


@dataclass(frozen=True)
class FeeEntry:
    """One procedure code of a plan's fee schedule (A-2.1)."""

    allowed: int
    category: str
    prior_auth: bool = False
    review: bool = False
    max_units_per_day: int | None = None
    annual_limit: int | None = None
    dx_prefixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    plan_id: str
    deductible_individual: int
    deductible_family: int
    oop_max_individual: int
    oop_max_family: int
    coinsurance_bps: int
    out_of_network_covered: bool
    out_of_network_coinsurance_bps: int
    copays: dict[str, int]
    timely_filing_days: int
    pend_above: int | None
    fee_schedule: dict[str, FeeEntry]
    effective_from: int = 0  # days since 1970-01-01; 0: from the start
    cob: str = COB_STANDARD  # how a line this plan pays second pays
    incentives: dict[str, int] = field(default_factory=dict)  # code -> cents


@dataclass(frozen=True)
class Member:
    member_id: str
    subscriber_id: str
    plan_id: str
    coverage_start: int
    coverage_end: int | None  # None: open-ended
    reward_signer: str | None = None  # the address of the key that signs for its rewards


@dataclass(frozen=True)
class Provider:
    npi: str
    name: str
    in_network: bool


@dataclass(frozen=True)
class Authorization:
    auth_id: str
    member_id: str
    procedure_code: str
    units: int
    start: int
    end: int


@dataclass(frozen=True)
class ClaimLine:
    service_date: int  # the date of service; a range's first day
    procedure_code: str
    units: int
    billed: int
    # the last day of a range, None for one day: checked at intake and carried to the
    # exports, but not adjudicated, not on chain and so not part of the content
    service_date_end: int | None = field(default=None, compare=False)
    # the prior payer's result, cents; both None when the line carries none
    other_payer_allowed: int | None = None
    other_payer_paid: int | None = None

    @property
    def secondary(self) -> bool:
        """Whether this plan pays the line second (A-11)."""
        return self.other_payer_paid is not None


@dataclass(frozen=True)
class Claim:
    """A claim: its claim-level fields and its service lines in order (A-2.5)."""

    claim_id: str
    frequency: Frequency
    original_claim_id: str
    member_id: str
    provider_npi: str
    received_date: int
    diagnoses: tuple[str, ...]
    lines: tuple[ClaimLine, ...]

    @property
    def secondary(self) -> bool:
        """Whether some line carries a prior payer's result (A-11): this plan pays second."""
        return any(line.secondary for line in self.lines)

    def content(self) -> tuple:
        """What makes two submissions of one claim_id the same claim (A-3 idempotence)."""
        return (
            self.frequency,
            self.original_claim_id,
            self.member_id,
            self.provider_npi,
            self.received_date,
            self.diagnoses,
            self.lines,
        )


class RejectReason(str, enum.Enum):
    """Record errors found with state (A-3), as the reference model and the chain word them;
    the field-level ones come from the loader."""

    REUSED_ID = "claim_id reused with different content"
    ORIGINAL_UNKNOWN = "original claim unknown"
    ORIGINAL_REVERSED = "original claim already reversed"
    ORIGINAL_IS_VOID = "original claim is a void"
    OTHER_MEMBER = "original claim names another member"
    OTHER_PROVIDER = "original claim names another provider"
    ORIGINAL_NOT_SUPPLIED = "the recorded content of the original claim was not supplied (R-17)"

    def field_and_reason(self) -> tuple[str, str]:
        """The rejects.csv field and reason of this error."""
        return _REJECT_FIELDS[self.name], self.value


_REJECT_FIELDS = {
    "REUSED_ID": "claim_id",
    "ORIGINAL_UNKNOWN": "original_claim_id",
    "ORIGINAL_REVERSED": "original_claim_id",
    "ORIGINAL_IS_VOID": "original_claim_id",
    "OTHER_MEMBER": "member_id",
    "OTHER_PROVIDER": "provider_npi",
    "ORIGINAL_NOT_SUPPLIED": "original_claim_id",
}


@dataclass(frozen=True)
class Reject:
    """A record error (A-3): the record changed nothing."""

    claim_id: str
    field: str
    reason: str

    def __post_init__(self) -> None:  # one line each, however the input quoted reads
        object.__setattr__(self, "claim_id", single_line(self.claim_id, 100))
        object.__setattr__(self, "reason", single_line(self.reason))

    def row(self) -> list[str]:
        return [self.claim_id, self.field, self.reason]


@dataclass(frozen=True)
class Adjustment:
    group: str  # CO, OA or PR
    code: str  # CARC
    amount: int

    def __str__(self) -> str:
        return f"{self.group}-{self.code}:{format_cents(self.amount)}"


@dataclass(frozen=True)
class LineResult:
    """One row of ``results.csv`` (A-9)."""

    claim_id: str
    line: int
    status: LineStatus
    allowed: int = 0
    deductible: int = 0
    copay: int = 0
    coinsurance: int = 0
    paid: int = 0
    patient: int = 0
    adjustments: tuple[Adjustment, ...] = field(default=())

    def negated(self) -> "LineResult":
        """The REVERSED row that takes this line back (A-7.1)."""
        return LineResult(
            claim_id=self.claim_id,
            line=self.line,
            status=LineStatus.REVERSED,
            allowed=-self.allowed,
            deductible=-self.deductible,
            copay=-self.copay,
            coinsurance=-self.coinsurance,
            paid=-self.paid,
            patient=-self.patient,
            adjustments=tuple(Adjustment(a.group, a.code, -a.amount) for a in self.adjustments),
        )

    def row(self) -> list[str]:
        return [
            self.claim_id,
            str(self.line),
            self.status.value,
            *(format_cents(v) for v in (
                self.allowed, self.deductible, self.copay, self.coinsurance, self.paid, self.patient
            )),
            ";".join(str(a) for a in self.adjustments),
        ]


class RewardStatus(str, enum.Enum):
    """A row of ``incentives.csv`` (A-12.3)."""

    EARNED = "EARNED"
    REVERSED = "REVERSED"
    PAID = "PAID"


@dataclass(frozen=True)
class RewardRow:
    """One row of ``incentives.csv`` (A-12.3, R-44): a reward earned by a line, taken back with
    it (negated), or a payment to the member (no claim, line or code)."""

    member_id: str
    claim_id: str
    line: int | None
    code: str
    amount: int
    status: RewardStatus

    def row(self) -> list[str]:
        return [self.member_id, self.claim_id, "" if self.line is None else str(self.line), self.code,
                format_cents(self.amount), self.status.value]


REWARD_COLUMNS = ["member_id", "claim_id", "line", "code", "amount", "status"]

RESULT_COLUMNS = [
    "claim_id", "line", "status", "allowed", "deductible", "copay", "coinsurance",
    "paid", "patient", "adjustments",
]
REJECT_COLUMNS = ["claim_id", "field", "reason"]
