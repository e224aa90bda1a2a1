"""Reading 837 files: envelopes, then each CLM with the hierarchy (2000A billing provider, 2000B
subscriber, 2000C patient) and the loops (2300 claim, 2400 lines) it sits in, then pyx12's
findings on the same file, tied to the claim they fall in.
"""
from __future__ import annotations

from pathlib import Path

from ..roster import Roster
from .map837 import ImportedClaim, _Draft, _Line, _Mapper
from .segments import NOTE, Issue, Segment, Transaction, VALIDATOR, tokenize, transactions
from .validate import errata_note, errata_versions, validate

PROFESSIONAL = ("X222", "X098")  # 837P 5010 / 4010
INSTITUTIONAL = ("X223", "X096")  # 837I 5010 / 4010
DENTAL = ("X224", "X097")
MAX_VALIDATOR_FINDINGS = 200  # per file
VALIDATOR_NAME = "pyx12"


def _kind(tx: Transaction) -> str:
    version = tx.version.upper()
    if any(v in version for v in PROFESSIONAL):
        return "837P"
    if any(v in version for v in INSTITUTIONAL):
        return "837I"
    if any(v in version for v in DENTAL):
        return "837D"
    ids = {s.id for s in tx.body}
    return "837I" if "SV2" in ids and "SV1" not in ids else "837P"


def _drafts(tx: Transaction, kind: str, file: str, issues: list[Issue]) -> list[_Draft]:
    drafts: list[_Draft] = []
    bht: Segment | None = None
    billing = subscriber = sbr = patient_hl = patient = subscriber_dmg = patient_dmg = None
    draft: _Draft | None = None
    for seg in tx.body:
        sid = seg.id
        if sid == "BHT":
            bht = seg
            continue
        if sid == "HL":
            draft = None
            code = seg.el(3)
            if code == "20":
                billing = subscriber = sbr = patient_hl = patient = subscriber_dmg = patient_dmg = None
            elif code == "22":
                subscriber = sbr = patient_hl = patient = subscriber_dmg = patient_dmg = None
            elif code == "23":
                patient_hl, patient, patient_dmg = seg, None, None
            else:
                issues.append(Issue(file, seg.index, "", "HL/HL03",
                                    f"hierarchical level code {code!r} is not 20, 22 or 23"))
            continue
        if sid == "CLM":
            draft = _Draft(seg, kind, billing, subscriber, sbr, patient_hl, patient, bht, last=seg.index,
                           subscriber_dmg=subscriber_dmg, patient_dmg=patient_dmg)
            drafts.append(draft)
            continue
        if draft is None:
            if sid == "NM1":
                qualifier = seg.el(1)
                if qualifier == "85":
                    billing = seg
                elif qualifier == "IL":
                    subscriber = seg
                elif qualifier == "QC":
                    patient = seg
            elif sid == "SBR":
                sbr = seg
            elif sid == "DMG" and patient_hl is not None:  # 2010CA
                patient_dmg = seg
            elif sid == "DMG":  # 2010BA
                subscriber_dmg = seg
            continue
        draft.last = seg.index
        if sid == "LX":
            draft.lines.append(_Line(len(draft.lines) + 1, seg))
            continue
        line = draft.lines[-1] if draft.lines else None
        if line is None:
            if sid in ("NM1", "SBR"):
                draft.sub = sid  # 2310x providers, 2320/2330x other payers: not this claim's own
            if sid == "SBR":
                draft.other_payers.append((seg, []))
            elif draft.sub == "SBR" and sid in ("AMT", "CAS"):
                draft.other_payers[-1][1].append(seg)  # 2320: what the other payer paid
            if draft.sub:
                continue
            if sid == "REF" and seg.el(1) == "F8":
                draft.f8 = seg
            elif sid == "REF" and seg.el(1) == "G1":
                draft.g1 = seg
            elif sid == "DTP" and seg.el(1) in ("050", "472", "434"):
                setattr(draft, f"dtp{seg.el(1)}", seg)
            elif sid == "HI":
                draft.his.append(seg)
        else:
            if sid in ("NM1", "LIN", "SVD"):
                line.sub = sid  # 2420x, 2410, 2430
            if sid == "SVD":
                line.adjudications.append((seg, []))  # 2430: a prior payer's adjudication
            elif line.sub == "SVD" and sid == "CAS":
                line.adjudications[-1][1].append(seg)
            if line.sub:
                continue
            if sid in ("SV1", "SV2"):
                if line.service is None:
                    line.service = seg
                else:
                    line.extra_service = seg
            elif sid == "DTP" and seg.el(1) == "472":
                line.dtp = seg
    if drafts and not tx.complete:
        drafts[-1].incomplete = True
    return drafts


# ---------------------------------------------------------------------------------------------
# files


def _read(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_837(path: Path, roster: Roster | None = None) -> tuple[list[ImportedClaim], list[Issue]]:
    """Claims and issues of one 837 file (nothing written); ``roster`` finds patients (A-10.3)."""
    name = path.name
    issues: list[Issue] = []
    text = _read(path)
    claims: list[ImportedClaim] = []
    for tx in transactions(tokenize(text, name, issues), name, issues):
        if tx.kind != "837":
            first = tx.st or (tx.body[0] if tx.body else None)
            issues.append(Issue(name, first.index if first else 0, "", "ST/ST01",
                                f"transaction set {tx.kind or '?'} ({tx.control}) is not an 837 claim; skipped"))
            continue
        for draft in _drafts(tx, _kind(tx), name, issues):
            mapper = _Mapper(draft, name, tx, roster)
            claims.append(mapper.run())
            issues.extend(mapper.issues)
    if text.strip():
        for version in errata_versions(text):
            issues.append(Issue(name, 0, "", "GS08", errata_note(version), NOTE))
        ok, findings = validate(text)
        _attach_findings(name, findings, claims, issues)
    return claims, issues


def _attach_findings(name: str, findings, claims: list[ImportedClaim], issues: list[Issue]) -> None:
    for number, finding in enumerate(findings):
        if number == MAX_VALIDATOR_FINDINGS:
            issues.append(Issue(name, 0, "", VALIDATOR_NAME, f"{len(findings) - number} more "
                                                             f"{VALIDATOR_NAME} findings not listed", VALIDATOR))
            break
        owner = next((c for c in claims if c.segment <= finding.segment <= c.last_segment), None)
        issues.append(Issue(name, finding.segment, owner.claim_id if owner else "",
                            finding.element or finding.seg_id or VALIDATOR_NAME, finding.message, VALIDATOR))
