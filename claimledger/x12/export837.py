"""A scenario's claims (A-2.5) -> one 837P file (005010X222A1), validated with pyx12.

Claims keep their order (A-1.4). A claim's received date is the date of the transaction that
carries it (BHT04), so a new transaction set starts whenever the received date changes; within
one, consecutive claims of one billing provider share its 2000A level and consecutive claims
of one member share a 2000B level. Every member is sent as the subscriber (2000B, SBR02 18):
under 5010 a patient with a member id of their own is the subscriber, and the 2000C patient
loop has no id. Claims the loader rejects (A-3) cannot be written as a valid 837 and are left
out, with the loader's reason.
"""
from __future__ import annotations

import datetime as _dt
from itertools import groupby
from pathlib import Path

from ..codesets import CodeSet, code_set_of, undotted
from ..money import format_day
from ..records import Claim, Frequency, Reject
from ..roster import RosterEntry
from ..scenario import iter_claims, load_scenario
from .cob837 import line_adjudication, other_subscriber
from .common import DEFAULT_PARTIES, ExportReport, Parties, check_and_write
from .segments import FormatError
from .writer import Writer, clean, x12_amount

VERSION_837P = "005010X222A1"
MAX_CLM01 = 38  # CLM01 is AN 1/38
MAX_REF02 = 50
MAX_CLAIMS_PER_SUBSCRIBER = 100  # 2300 repeats at most 100 times per 2000B


def _day(day: int) -> str:
    return format_day(day).replace("-", "")


def export_837(scenario_dir, out_path, when: _dt.datetime | None = None,
               parties: Parties = DEFAULT_PARTIES) -> ExportReport:
    """Write the claims of ``scenario_dir`` as an 837P to ``out_path``."""
    scenario = load_scenario(scenario_dir)
    report = ExportReport("x12-837", Path(out_path))
    claims: list[Claim] = []
    for item in iter_claims(scenario.claims_path):
        if isinstance(item, Reject):
            report.skipped.append((item.claim_id, f"{item.field}: {item.reason} (A-3; not expressible as a valid 837)"))
        elif len(item.claim_id) > MAX_CLM01:
            report.skipped.append((item.claim_id, f"claim_id longer than {MAX_CLM01} characters (CLM01)"))
        elif len(item.original_claim_id) > MAX_REF02:
            report.skipped.append((item.claim_id, f"original_claim_id longer than {MAX_REF02} characters (REF02)"))
        else:
            claims.append(item)
    if not claims:
        raise FormatError(f"{scenario_dir}: no claim that an 837 can carry")
    when = when or _dt.datetime.combine(
        _dt.date(1970, 1, 1) + _dt.timedelta(days=max(c.received_date for c in claims)), _dt.time())
    roster = {e.member_id: e for e in scenario.roster.entries} if scenario.roster else {}
    w = Writer(parties.sender_id, parties.payer_id, when)
    w.open_interchange()
    w.open_group("HC", VERSION_837P)
    for received, day_claims in groupby(claims, key=lambda c: c.received_date):
        day_claims = list(day_claims)
        control = w.open_transaction("837", VERSION_837P)
        w.seg("BHT", "0019", "00", f"{control}{_day(received)}", _day(received), "0000", "CH")
        w.seg("NM1", "41", "2", parties.submitter_name, "", "", "", "", "46",
              parties.sender_id)
        w.seg("PER", "IC", parties.contact_name, "TE", parties.contact_phone)
        w.seg("NM1", "40", "2", parties.payer_name, "", "", "", "", "46", parties.payer_id)
        hl = 0
        for npi, provider_claims in groupby(day_claims, key=lambda c: c.provider_npi):
            hl += 1
            provider_hl = hl
            provider = scenario.providers.get(npi)
            name = clean(provider.name, 60) if provider and provider.name else f"PROVIDER {npi}"
            w.seg("HL", provider_hl, "", "20", "1")
            w.seg("NM1", "85", "2", name, "", "", "", "", "XX", npi)
            w.seg("N3", parties.address)
            w.seg("N4", parties.city)
            w.seg("REF", "EI", parties.provider_tax_id)
            # a subscriber's claims this plan pays second go in a 2000B of their own (SBR01 S, A-11)
            runs = [list(g) for _, g in groupby(provider_claims, key=lambda c: (c.member_id, c.secondary))]
            for member_claims in runs:
                for start in range(0, len(member_claims), MAX_CLAIMS_PER_SUBSCRIBER):
                    hl += 1
                    member_id = member_claims[0].member_id
                    member = scenario.members.get(member_id)
                    entry = roster.get(member_id)
                    dependent = entry is not None and entry.subscriber_id != member_id
                    w.seg("HL", hl, provider_hl, "22", "1" if dependent else "0")
                    w.seg("SBR", "S" if member_claims[0].secondary else "P", "" if dependent else "18",
                          member.plan_id if member else "", "", "", "", "", "", parties.claim_filing)
                    if entry is None:
                        w.seg("NM1", "IL", "1", parties.member_last_name, "", "", "", "", "MI", member_id)
                    elif not dependent:  # the roster finds the subscriber by name and birth date
                        _person(w, "IL", entry, entry.subscriber_id, parties)
                    else:
                        w.seg("NM1", "IL", "1", parties.member_last_name, "SUBSCRIBER", "", "", "", "MI",
                              entry.subscriber_id)
                    w.seg("NM1", "PR", "2", parties.payer_name, "", "", "", "", "PI", parties.payer_id)
                    if dependent:  # 2000C: the roster finds the patient (relationship not kept: G8)
                        hl += 1
                        w.seg("HL", hl, hl - 1, "23", "0")
                        w.seg("PAT", "G8")
                        _person(w, "QC", entry, "", parties)
                    for claim in member_claims[start:start + MAX_CLAIMS_PER_SUBSCRIBER]:
                        _claim(w, claim, parties)
                        report.claims += 1
                        report.lines += len(claim.lines)
        w.close_transaction()
        report.transactions += 1
    w.close_group()
    w.close_interchange()
    report.validator = check_and_write(w.text(), report.out_path, "the 837P")
    return report


def _person(w: Writer, qualifier: str, entry: RosterEntry, member_id: str, parties: Parties) -> None:
    """NM1 (and N3/N4, DMG) of a roster member: name and birth date, as the TR3 has them."""
    last = clean(entry.last_name, 60) or parties.member_last_name
    w.seg("NM1", qualifier, "1", last, clean(entry.first_name, 35), "", "", "",
          "MI" if member_id else "", member_id)
    w.seg("N3", parties.address)
    w.seg("N4", parties.city)
    w.seg("DMG", "D8", _day(entry.birth_date), "U")


def _claim(w: Writer, claim: Claim, parties: Parties) -> None:
    total = sum(line.billed for line in claim.lines)
    w.seg("CLM", claim.claim_id, x12_amount(total), "", "",
          (parties.place_of_service, "B", str(int(claim.frequency))), "Y", "A", "Y", "I")
    if claim.frequency != Frequency.ORIGINAL:
        w.seg("REF", "F8", claim.original_claim_id)
    codes = [undotted(d) for d in claim.diagnoses]
    if code_set_of(claim.diagnoses[0]) == CodeSet.ICD9:  # one code set per claim
        qualifiers = ("BK", "BF")
    else:
        qualifiers = ("ABK", "ABF")
    w.seg("HI", *[(qualifiers[0] if n == 0 else qualifiers[1], code) for n, code in enumerate(codes)])
    if claim.secondary:
        other_subscriber(w, claim, parties)
    pointers = tuple(str(n) for n in range(1, min(4, len(codes)) + 1))
    for number, line in enumerate(claim.lines, start=1):
        w.seg("LX", number)
        w.seg("SV1", ("HC", line.procedure_code), x12_amount(line.billed), "UN", line.units, "", "",
              pointers)
        if line.service_date_end is None:
            w.seg("DTP", "472", "D8", _day(line.service_date))
        else:
            w.seg("DTP", "472", "RD8", f"{_day(line.service_date)}-{_day(line.service_date_end)}")
        w.seg("REF", "6R", number)
        if line.secondary:
            line_adjudication(w, claim, line, parties)
