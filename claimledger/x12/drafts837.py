"""What the 837 reader gathers for one claim (:class:`_Draft`: the CLM and the segments of its
hierarchy and loops) and what the import reports of it (:class:`ImportedClaim`)."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from .segments import Segment


@dataclass
class ImportedClaim:
    """One CLM found in the input, accepted or not."""

    claim_id: str
    file: str
    segment: int  # ordinal of its CLM in the file
    transaction: str  # ST02
    kind: str  # 837P or 837I
    lines: int  # service lines (2400 loops) found
    accepted: bool = False
    rows: list[dict] = field(default_factory=list)  # claims.csv rows when accepted
    member_id: str = ""
    subscriber_id: str = ""
    group_number: str = ""  # SBR03
    provider_npi: str = ""
    provider_name: str = ""
    last_segment: int = 0
    charge: int = 0  # CLM02 in cents, 0 when unreadable (for the 277CA)
    first_day: _dt.date | None = None  # dates of service read, for the 277CA
    last_day: _dt.date | None = None


@dataclass
class _Line:
    number: int
    lx: Segment
    service: Segment | None = None
    dtp: Segment | None = None
    sub: str = ""  # inside 2410/2420x/2430: segments there are not the line's own
    extra_service: Segment | None = None
    # 2430 line adjudications by prior payers: each SVD with the CAS segments after it
    adjudications: list[tuple[Segment, list[Segment]]] = field(default_factory=list)


@dataclass
class _Draft:
    clm: Segment
    kind: str
    billing: Segment | None
    subscriber: Segment | None
    sbr: Segment | None
    patient_hl: Segment | None
    patient: Segment | None
    bht: Segment | None
    lines: list[_Line] = field(default_factory=list)
    his: list[Segment] = field(default_factory=list)
    f8: Segment | None = None
    g1: Segment | None = None
    dtp050: Segment | None = None
    dtp472: Segment | None = None
    dtp434: Segment | None = None
    sub: str = ""  # inside 2310x/2320/2330x
    last: int = 0
    incomplete: bool = False
    subscriber_dmg: Segment | None = None  # 2010BA DMG
    patient_dmg: Segment | None = None  # 2010CA DMG
    # 2320 other subscriber loops: each SBR with its AMT*D and CAS segments
    other_payers: list[tuple[Segment, list[Segment]]] = field(default_factory=list)
