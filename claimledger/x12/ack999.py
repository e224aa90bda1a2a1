"""The 999 implementation acknowledgment (005010X231A1) of a received 837 (A-10.5): syntax
accepted or rejected, per functional group and transaction set, built from pyx12's walk of the
file (its X12 error codes: IK304 segment, IK403 element, IK5/AK9 acknowledgment codes).

One 999 transaction per functional group received (AK1), one AK2/IK5 per transaction set, an
IK3 per segment in error (IK302: its position in the transaction set, ST = 1) and an IK4 per
element in error. The 999 is dated as the interchange it answers (deterministic output) and
goes back from the receiver to the sender (ISA06/ISA08 and GS02/GS03 swapped).
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

from .segments import Segment, tokenize, transactions
from .validate import Walk
from .writer import Writer, clean

VERSION_999 = "005010X231A1"
SEGMENT_HAS_ELEMENT_ERRORS = "8"  # IK304
SEGMENTS_IN_ERROR = "5"  # IK502: one or more segments in error
MAX_BAD_VALUE = 99  # IK404 is AN 1/99
UNEXPECTED_SEGMENT = "2"  # IK304 for pyx12's own segment codes (HL1, ...) that a 999 has no code for
PATTERN_FAILURE = "I12"  # IK403 likewise for an element
# the code lists of the 999 TR3 (pyx12's map): other pyx12 codes are pyx12's own
IK304_CODES = {"1", "2", "3", "4", "5", "6", "7", "8", "I4", "I6", "I7", "I8", "I9"}
IK403_CODES = {str(n) for n in range(1, 14)} | {"I10", "I11", "I12", "I13", "I6", "I9"}
IK502_CODES = {str(n) for n in (*range(1, 14), 15, 16, 17, 18, 19, 23, 24, 25, 26, 27)} | {"I5", "I6"}
AK905_CODES = {str(n) for n in (1, 2, 3, 4, 5, 6, *range(10, 20), 23, 24, 25, 26)}


@dataclass
class Acknowledged:
    """What a 999 says of one file: per group, per transaction set, A (accepted), E (accepted
    with errors) or R (rejected)."""

    groups: list[tuple[str, str]] = field(default_factory=list)  # (GS06, AK901)
    sets: dict[str, str] = field(default_factory=dict)  # ST02 -> IK501

    def rejected(self, st_control: str) -> bool:
        return self.sets.get(st_control) == "R"


def _when(isa: Segment | None) -> _dt.datetime:
    try:
        return _dt.datetime.strptime(isa.el(9) + isa.el(10), "%y%m%d%H%M")
    except (AttributeError, ValueError):
        return _dt.datetime(1970, 1, 1)


def _versions(text: str) -> tuple[Segment | None, dict[str, str], dict[str, str]]:
    """The file's first ISA, its GS08 per GS06 and its ST03 per ST02: the 999 names the
    versions as the file wrote them (an errata version too, A-10.4)."""
    isa, gs_versions, st_versions = None, {}, {}
    for tx in transactions(tokenize(text, "", []), "", []):
        isa = isa or tx.isa
        if tx.gs is not None:
            gs_versions[tx.gs.el(6)] = tx.gs.el(8)
        if tx.st is not None:
            st_versions[tx.st.el(2)] = tx.st.el(3)
    return isa, gs_versions, st_versions


def build_999(text: str, walked: Walk) -> tuple[str, Acknowledged] | None:
    """The 999 answering ``text``, or None when pyx12 could not walk the file at all (no
    interchange to answer: the report says why)."""
    tree = walked.tree()
    interchanges = tree.get("interchanges") or []
    groups = [g for isa in interchanges for g in isa.get("groups") or []]
    if walked.failure or not groups:
        return None
    isa, gs_versions, st_versions = _versions(text)
    sender = isa.el(8) if isa is not None else "CLAIMLEDGER"
    receiver = isa.el(6) if isa is not None else "SUBMITTER"
    w = Writer(sender or "CLAIMLEDGER", receiver or "SUBMITTER", _when(isa))
    w.open_interchange()
    w.open_group("FA", VERSION_999)
    ack = Acknowledged()
    for group in groups:
        gs_control = str(group.get("gs_control_num") or "")
        w.open_transaction("999", VERSION_999)
        w.seg("AK1", group.get("fic") or "HC", gs_control, gs_versions.get(gs_control) or group.get("vriic"))
        accepted = 0
        for tx in group.get("transactions") or []:
            control = str(tx.get("trn_set_control_num") or "")
            code = tx.get("ack_code") or "R"
            ack.sets[control] = code
            accepted += code in ("A", "E")
            w.seg("AK2", tx.get("trn_set_id") or "837", control, st_versions.get(control) or tx.get("vriic"))
            _segment_errors(w, tx)
            reasons = [e["err_cde"] for e in tx.get("errors") or [] if e.get("err_cde") in IK502_CODES][:5]
            if code != "A" and not reasons:
                reasons = [SEGMENTS_IN_ERROR]
            w.seg("IK5", code, *reasons)
        group_code = group.get("ack_code") or ("A" if accepted == len(group.get("transactions") or []) else "P")
        if accepted == 0:
            group_code = "R"
        ack.groups.append((gs_control, group_code))
        codes = [e["err_cde"] for e in group.get("errors") or [] if e.get("err_cde") in AK905_CODES][:5]
        w.seg("AK9", group_code, group.get("st_count_orig") or 0, group.get("st_count_recv") or 0, accepted, *codes)
        w.close_transaction()
    w.close_group()
    w.close_interchange()
    return w.text(), ack


def _segment_errors(w: Writer, tx: dict) -> None:
    for seg in tx.get("segments") or []:
        own = [e["err_cde"] for e in seg.get("errors") or [] if e.get("err_cde")]
        elements = [(ele, e) for ele in seg.get("elements") or [] for e in ele.get("errors") or []]
        if not own and not elements:
            continue
        # IK301 is the segment id as received: a garbled segment gives its leading id characters
        seg_id = (re.match(r"[A-Z0-9]{2,3}", str(seg.get("seg_id") or "").upper()) or re.match("", "")).group(0)
        if own:
            code = own[0] if own[0] in IK304_CODES else UNEXPECTED_SEGMENT
        else:
            code = SEGMENT_HAS_ELEMENT_ERRORS
        w.seg("IK3", seg_id or "UNK", seg.get("seg_count") or 1, "", code)
        for ele, error in elements:
            position = [str(ele.get("ele_pos") or 1)]
            if ele.get("subele_pos"):
                position.append(str(ele["subele_pos"]))
            bad = clean(str(error.get("err_val") or ""), MAX_BAD_VALUE)
            code = error.get("err_cde") if error.get("err_cde") in IK403_CODES else PATTERN_FAILURE
            w.seg("IK4", tuple(position), ele.get("ele_ref_num") or "", code, bad)
