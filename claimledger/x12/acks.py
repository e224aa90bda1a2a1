"""Answering a received 837 as clearinghouses do (A-10.5): ``FILE.999`` (syntax, per
transaction set) and ``FILE.277`` (each claim accepted or rejected with its field and reason),
each validated with pyx12's map (999.5010X231.A1, 277.5010.X214) before it is written.

``import --from x12-837`` answers with what the import decided; ``submit`` also with what the
chain decided (A-3 record errors such as a reused claim id), claim for claim.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

from ..records import Reject
from .ack277 import ClaimStatus, build_277, field_of
from .ack999 import build_999
from .common import check_and_write
from .map837 import ImportedClaim
from .segments import ERROR, Issue, parse_date, tokenize, transactions
from .validate import walk


@dataclass
class Answers:
    """The answer files written for one 837, and what could not be answered."""

    written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _header(text: str) -> tuple[_dt.date | None, str, str]:
    """(BHT04 received date, BHT03 batch reference, 1000A submitter id) of the file's first
    transaction."""
    for tx in transactions(tokenize(text, "", []), "", []):
        bht = next((s for s in tx.body if s.id == "BHT"), None)
        submitter = next((s for s in tx.body if s.id == "NM1" and s.el(1) == "41"), None)
        try:
            received = parse_date(bht.el(4)) if bht is not None else None
        except ValueError:
            received = None
        return received, bht.el(3) if bht is not None else "", submitter.el(9) if submitter is not None else ""
    return None, "", ""


def statuses(claims: list[ImportedClaim], issues: list[Issue],
             chain_rejects: dict[int, Reject] | None = None) -> list[ClaimStatus]:
    """Each claim of one file as the 277CA reports it: the import's first error, else the
    chain's record error (``chain_rejects``: by the claim's index in ``claims``), else accepted."""
    out = []
    previous_end = 0  # a claim's errors lie after the claim before it (its subscriber loop too)
    for n, claim in enumerate(claims):
        end = max(claim.last_segment, claim.segment)
        error = next((i for i in issues if i.severity == ERROR and i.file == claim.file
                      and previous_end < i.segment <= end and i.claim_id == claim.claim_id), None)
        previous_end = end
        reject = (chain_rejects or {}).get(n)
        if error is not None:
            where, why = field_of(error.path), f"{error.message} ({error.path})"
        elif reject is not None:
            where, why = reject.field, reject.reason
        else:
            where, why = "", ""
        out.append(ClaimStatus(claim.claim_id, claim.provider_npi, claim.provider_name, claim.member_id
                               or claim.subscriber_id, claim.charge, claim.first_day, claim.last_day, where, why))
    return out


def write_answers(source: Path, claims: list[ImportedClaim], issues: list[Issue], out_dir: Path,
                  chain_rejects: dict[int, Reject] | None = None) -> Answers:
    """Write ``OUT/<file name>.999`` and ``.277`` answering the 837 ``source``."""
    text = source.read_bytes().decode("utf-8", errors="replace")
    answers = Answers()
    built = build_999(text, walk(text))
    if built is None:
        answers.notes.append(f"{source.name}: no 999, pyx12 could not read an interchange in it")
    else:
        path = Path(out_dir) / f"{source.name}.999"
        check_and_write(built[0], path, "the 999")
        answers.written.append(path)
    received, reference, submitter = _header(text)
    if not claims or received is None:
        answers.notes.append(f"{source.name}: no 277CA, no claim or no transaction date (BHT04) to answer")
        return answers
    path = Path(out_dir) / f"{source.name}.277"
    check_and_write(build_277(statuses(claims, issues, chain_rejects), received, submitter, reference),
                    path, "the 277CA")
    answers.written.append(path)
    return answers
