"""The generator's internal records: a claim as generated, a provider, a plan seen as
indices for fast drawing."""
from __future__ import annotations

from dataclasses import dataclass, field

from .tables import _PlanSpec


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
