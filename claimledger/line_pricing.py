"""The arithmetic of one approved line (A-6.1 to A-6.5, A-6.7) and of a line paid second
(A-11.3, A-11.4), and the reason codes the rules use: pure functions the reference model
(``claimledger/reference.py``) applies."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import NamedTuple

from .money import share
from .records import Adjustment


class Carc(str, enum.Enum):
    """Claim adjustment reason codes used by the rules."""

    DEDUCTIBLE = "1"
    COINSURANCE = "2"
    COPAY = "3"
    DX_MISMATCH = "11"
    DUPLICATE = "18"
    PRIOR_PAYER = "23"  # the impact of prior payer(s) adjudication
    BEFORE_COVERAGE = "26"
    AFTER_COVERAGE = "27"
    LATE_FILING = "29"
    MEMBER_UNKNOWN = "31"
    OVER_FEE_SCHEDULE = "45"
    NOT_COVERED = "96"
    ANNUAL_LIMIT = "119"
    UNITS_PER_DAY = "151"
    NO_AUTHORIZATION = "197"
    AUTH_EXCEEDED = "198"
    OUT_OF_NETWORK = "242"
    PROVIDER_UNKNOWN = "B7"



@dataclass
class Pricing:
    allowed: int
    deductible: int
    copay: int
    coinsurance: int

    @property
    def patient(self) -> int:
        return self.deductible + self.copay + self.coinsurance

    @property
    def paid(self) -> int:
        return self.allowed - self.patient


def price_line(
    billed: int,
    fee_allowed: int,
    units: int,
    copay: int | None,
    coinsurance_bps: int,
    deductible_left: int,
    oop_left: int,
) -> Pricing:
    """A-6.1 to A-6.5 for one approved line; ``copay`` is None when A-6.3 does not apply."""
    allowed = min(billed, fee_allowed * units)
    if copay is not None:
        return Pricing(allowed, 0, min(copay, allowed, oop_left), 0)
    deductible = min(allowed, deductible_left, oop_left)
    coinsurance = min(share(allowed - deductible, coinsurance_bps), oop_left - deductible)
    return Pricing(allowed, deductible, 0, coinsurance)


class Coordinated(NamedTuple):
    """What a line reports (A-6.5; A-11.3 when this plan pays second): the prior payer's amount
    (OA-23), the paid amount, and the patient share as PR-1, PR-3, PR-2."""

    prior: int
    paid: int
    deductible: int
    copay: int
    coinsurance: int


def coordinate(pricing: Pricing, other_payer_paid: int | None, non_duplication: bool) -> Coordinated:
    """A-11.3: the line priced as if this plan paid first, paid second; unchanged without a
    prior payer's result."""
    if other_payer_paid is None:
        return Coordinated(0, pricing.paid, pricing.deductible, pricing.copay, pricing.coinsurance)
    prior = min(other_payer_paid, pricing.allowed)
    if non_duplication:
        paid = max(0, pricing.paid - prior)
    else:
        paid = min(pricing.paid, pricing.allowed - prior)
    patient = pricing.allowed - prior - paid
    split = []
    for normal in (pricing.deductible, pricing.copay, pricing.coinsurance):  # PR-1, PR-3, PR-2
        part = min(normal, patient)
        split.append(part)
        patient -= part
    return Coordinated(prior, paid, *split)


def adjustments_for(billed: int, allowed: int, line: Coordinated) -> tuple[Adjustment, ...]:
    """A-6.7 and A-11.4: CO-45, OA-23, PR-1, PR-3, PR-2, each only when > 0."""
    items = (
        ("CO", Carc.OVER_FEE_SCHEDULE, billed - allowed),
        ("OA", Carc.PRIOR_PAYER, line.prior),
        ("PR", Carc.DEDUCTIBLE, line.deductible),
        ("PR", Carc.COPAY, line.copay),
        ("PR", Carc.COINSURANCE, line.coinsurance),
    )
    return tuple(Adjustment(group, carc.value, amount) for group, carc, amount in items if amount > 0)

