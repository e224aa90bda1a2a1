"""The 277CA claim acknowledgment (005010X214) of a received 837 (A-10.5): each claim accepted
for adjudication or rejected with the field and reason of its record error (A-3, A-10).

One 277 transaction per 837 file: the payer (2000A), the submitter (2000B) with the file's
totals, each billing provider (2000C) with its totals, and each claim (2000D patient level,
2200D claim) with its status: ``A2:20`` (accepted for processing, STC03 WQ) or ``A7:<code>``
(rejected, STC03 U) with STC12 saying ``field: reason``. The claim status codes are the usual
ones for the field (docs/FORMATS-X12.md); the text is what names the place exactly. Names are
not kept anywhere, so the patient is ``MEMBER`` with the member id (or the subscriber id the
claim gave when no member could be found), as the 837 export does.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from itertools import groupby

from .common import DEFAULT_PARTIES, Parties
from .writer import Writer, clean, x12_amount

VERSION_277CA = "005010X214"
MAX_STC12 = 264  # STC12 is AN 1/264
GENERIC_STATUS = "21"  # missing or invalid information
# claims.csv field -> claim status code (code source 507) of a rejected claim
STATUS_OF_FIELD = {
    "member_id": "33",  # subscriber and subscriber id not found
    "provider_npi": "562",  # entity's National Provider Identifier (NPI)
    "service_date": "187",  # date(s) of service
    "procedure_code": "454",  # procedure code for services rendered
    "billed": "178",  # submitted charges
    "diagnoses": "255",  # diagnosis code
}


@dataclass(frozen=True)
class ClaimStatus:
    """One claim of the file as the 277CA reports it."""

    claim_id: str
    provider_npi: str
    provider_name: str
    member_id: str
    charge: int  # CLM02 in cents (0 when unreadable)
    first_day: _dt.date | None
    last_day: _dt.date | None
    field: str = ""  # empty: accepted
    reason: str = ""

    @property
    def accepted(self) -> bool:
        return not self.field


def field_of(path: str) -> str:
    """The claims.csv field an 837 path (``2400/SV104``, ``2010CA/NM1``, ...) carries."""
    rules = (
        (("2010BA", "2010CA", "2300/SBR", "2000B"), "member_id"), (("2010AA",), "provider_npi"),
        (("BHT", "2300/DTP*050"), "received_date"), (("2400/DTP", "2300/DTP"), "service_date"),
        (("2300/HI",), "diagnoses"), (("2300/CLM05",), "frequency"), (("2300/REF*F8",), "original_claim_id"),
        (("2400/SV103", "2400/SV104", "2400/SV204", "2400/SV205"), "units"),
        (("2400/SV102", "2400/SV203", "2300/CLM02"), "billed"),
        (("2400/SV101", "2400/SV202", "2400/SV1", "2400/SV2"), "procedure_code"),
    )
    for prefixes, name in rules:
        if path.startswith(prefixes):
            return name
    return "claim_id"


def build_277(statuses: list[ClaimStatus], received: _dt.date, submitter_id: str, reference: str,
              parties: Parties = DEFAULT_PARTIES) -> str:
    """The 277CA for the claims of one file, received on ``received`` (BHT04 of the 837) under
    the submitter's batch ``reference`` (BHT03)."""
    when = _dt.datetime.combine(received, _dt.time())
    w = Writer(parties.payer_id, submitter_id or "SUBMITTER", when)
    w.open_interchange()
    w.open_group("HN", VERSION_277CA)
    day = received.strftime("%Y%m%d")
    control = w.open_transaction("277", VERSION_277CA)
    w.seg("BHT", "0085", "08", clean(f"{reference or control}", 50), day, "0000", "TH")
    w.seg("HL", 1, "", "20", "1")
    w.seg("NM1", "PR", "2", parties.payer_name, "", "", "", "", "PI", parties.payer_id)
    w.seg("TRN", "1", clean(f"{reference or control}", 50))
    w.seg("DTP", "050", "D8", day)
    w.seg("DTP", "009", "D8", day)
    w.seg("HL", 2, 1, "21", "1")
    w.seg("NM1", "41", "2", parties.submitter_name, "", "", "", "", "46", submitter_id or parties.sender_id)
    w.seg("TRN", "2", clean(reference or control, 50))
    _totals(w, statuses, day, "PR", ("90", "AA"))
    hl = 2
    ordered = sorted(statuses, key=lambda s: [x.provider_npi for x in statuses].index(s.provider_npi))
    for npi, claims in groupby(ordered, key=lambda s: s.provider_npi):
        claims = list(claims)
        hl += 1
        provider_hl = hl
        w.seg("HL", provider_hl, 2, "19", "1")
        name = clean(claims[0].provider_name, 60) or f"PROVIDER {npi or 'UNKNOWN'}"
        w.seg("NM1", "85", "2", name, "", "", "", "", "XX", npi or "UNKNOWN")
        w.seg("TRN", "1", npi or "UNKNOWN")
        _totals(w, claims, day, "85", ("QA", "QC"))
        for claim in claims:
            hl += 1
            w.seg("HL", hl, provider_hl, "PT")
            w.seg("NM1", "QC", "1", parties.member_last_name, "", "", "", "", "MI", claim.member_id or "UNKNOWN")
            _claim(w, claim, day)
    w.close_transaction()
    w.close_group()
    w.close_interchange()
    return w.text()


def _totals(w: Writer, statuses: list[ClaimStatus], day: str, entity: str, quantities: tuple[str, str]) -> None:
    accepted = [s for s in statuses if s.accepted]
    rejected = [s for s in statuses if not s.accepted]
    total = sum(s.charge for s in statuses)
    # the 2200C (provider) STC has no STC02 effective date; the 2200B (receiver) one has
    w.seg("STC", ("A1", "19", entity), day if entity == "PR" else "", "WQ", x12_amount(total))
    if accepted:
        w.seg("QTY", quantities[0], len(accepted))
    if rejected:
        w.seg("QTY", quantities[1], len(rejected))
    if accepted:
        w.seg("AMT", "YU", x12_amount(sum(s.charge for s in accepted)))
    if rejected:
        w.seg("AMT", "YY", x12_amount(sum(s.charge for s in rejected)))


def _claim(w: Writer, claim: ClaimStatus, day: str) -> None:
    w.seg("TRN", "2", claim.claim_id or "UNKNOWN")
    charge = x12_amount(claim.charge)
    if claim.accepted:
        w.seg("STC", ("A2", "20"), day, "WQ", charge)
    else:
        code = STATUS_OF_FIELD.get(claim.field, GENERIC_STATUS)
        text = clean(f"{claim.field}: {claim.reason}", MAX_STC12)
        w.seg("STC", ("A7", code), day, "U", charge, "", "", "", "", "", "", "", text)
    first = claim.first_day
    last = claim.last_day or first
    if first is None:
        w.seg("DTP", "472", "D8", day)  # no date of service could be read: the day received
    elif last == first:
        w.seg("DTP", "472", "D8", first.strftime("%Y%m%d"))
    else:
        w.seg("DTP", "472", "RD8", f"{first:%Y%m%d}-{last:%Y%m%d}")
