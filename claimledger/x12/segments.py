"""X12 segments: reading (delimiters from ISA, tokens, envelopes); writing is in :mod:`.writer`.

The reader is deliberately forgiving about layout and strict about content: any delimiters an
ISA declares (element separator = ISA character 4, repetition separator ISA11, component
separator ISA16, segment terminator = the character after ISA16), newlines or CRLF after
terminators, any number of interchanges, groups and transactions in one file. Everything
that is wrong is reported as an :class:`Issue` naming the file, the segment's position (its
1-based ordinal in the file, as pyx12 counts) and a path such as ``SE/SE01``; nothing is
fixed silently.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from ..csv_safety import single_line
from ..money import FormatError as _MoneyFormatError

SEGMENT_ID = re.compile(r"^[A-Z][A-Z0-9]{1,2}$")
_AMOUNT = re.compile(r"^(-?)(\d*)(?:\.(\d*))?$")
ERROR, GAP, VALIDATOR, NOTE = "error", "gap", "validator", "note"  # NOTE: how a file was read
MAX_BAD_SEGMENTS = 20  # per file: past that, one summary issue


class FormatError(_MoneyFormatError):
    """An X12 input or run directory that cannot be used at all: one-line reason."""


@dataclass(frozen=True)
class Issue:
    """One finding, tied to a place in a file.

    ``severity``: ``error`` (the claim, or the envelope part named, is wrong: a claim with an
    error is rejected), ``gap`` (mapped, but something in the X12 has no place in A-2 or
    something A-2 needs is not in the X12), ``validator`` (pyx12's own finding).
    """

    file: str
    segment: int  # 1-based ordinal of the segment in the file; 0 for the file as a whole
    claim_id: str  # "" when unknown or not about a claim
    path: str  # loop/element, e.g. 2300/CLM05-3, 2400/SV104, SE/SE01
    message: str
    severity: str = ERROR
    line: int = 0  # service line (2400 loop) within the claim, 1-based; 0: claim level

    def __post_init__(self) -> None:  # one line each, however the input quoted reads
        for name, limit in (("file", 200), ("claim_id", 100), ("path", 100), ("message", 400)):
            object.__setattr__(self, name, single_line(getattr(self, name), limit))

    def __str__(self) -> str:
        where = f"{self.file}" + (f" segment {self.segment}" if self.segment else "")
        claim = f" claim {self.claim_id}" if self.claim_id else ""
        line = f" line {self.line}" if self.line else ""
        return f"{where}{claim} {self.path}{line}: {self.message}"

    def row(self) -> list[str]:
        return [self.file, str(self.segment), self.claim_id, str(self.line or ""), self.path,
                self.severity, self.message]


ISSUE_COLUMNS = ["file", "segment", "claim_id", "line", "path", "severity", "message"]


@dataclass(frozen=True)
class Delimiters:
    element: str = "*"
    repetition: str = "^"
    component: str = ":"
    segment: str = "~"


@dataclass
class Segment:
    id: str
    elements: list[str]  # elements[0] is the segment id, elements[n] is element n
    index: int  # 1-based ordinal in the file
    delimiters: Delimiters
    terminated: bool = True

    def el(self, n: int) -> str:
        return self.elements[n].strip() if n < len(self.elements) else ""

    def comp(self, n: int, k: int) -> str:
        """Component ``k`` (1-based) of element ``n``."""
        parts = self.el(n).split(self.delimiters.component)
        return parts[k - 1].strip() if k - 1 < len(parts) else ""

    def comps(self, n: int) -> list[str]:
        value = self.el(n)
        return [p.strip() for p in value.split(self.delimiters.component)] if value else []

    def text(self) -> str:
        return self.delimiters.element.join(self.elements)


# ---------------------------------------------------------------------------------------------
# reading


def _read_isa(text: str, pos: int) -> tuple[Delimiters, int] | str:
    """Delimiters declared by the ISA starting at ``pos`` and the position after its
    terminator, or the reason they cannot be read."""
    if len(text) < pos + 4:
        return "file ends inside the ISA segment"
    sep = text[pos + 3]
    if sep.isalnum() or sep.isspace():
        return f"ISA element separator (ISA character 4) is {sep!r}: must be a punctuation character"
    cursor = pos
    for _ in range(16):
        cursor = text.find(sep, cursor + 1)
        if cursor < 0:
            return "ISA segment is truncated: fewer than 16 elements"
    elements = text[pos:cursor].split(sep)  # ISA, ISA01 .. ISA15
    fixed = {9: r"\d{6}", 10: r"\d{4}", 12: r"\d{5}", 13: r"\d{9}", 14: r"[01]", 15: r"[A-Z]"}
    for number, form in fixed.items():
        if not re.fullmatch(form, elements[number].strip()):
            return (f"ISA is malformed: ISA{number:02d} is {elements[number]!r} (the ISA has fixed-length "
                    f"elements; the element separator declared by ISA character 4 is {sep!r})")
    if cursor + 1 >= len(text):
        return "ISA segment is truncated: no component separator (ISA16)"
    component = text[cursor + 1]
    if cursor + 2 >= len(text):
        return "ISA segment is truncated: no segment terminator after ISA16"
    terminator = text[cursor + 2]
    version = elements[12].strip()
    repetition = elements[11] if version >= "00402" else ""
    chosen = [sep, component, terminator] + ([repetition] if repetition else [])
    if len(set(chosen)) != len(chosen):
        return (f"ISA delimiters are not distinct: element {sep!r}, component {component!r}, "
                f"segment {terminator!r}" + (f", repetition {repetition!r}" if repetition else ""))
    for name, ch in (("component separator (ISA16)", component), ("segment terminator", terminator)):
        if ch.isalnum() or ch == " ":
            return f"ISA {name} is {ch!r}: must be a punctuation or control character"
    if repetition and (len(repetition) != 1 or repetition.isalnum() or repetition == " "):
        return f"ISA11 repetition separator {repetition!r} must be one punctuation character"
    return Delimiters(sep, repetition or "^", component, terminator), cursor + 3


def tokenize(text: str, file: str, issues: list[Issue]) -> Iterator[Segment]:
    """Split ``text`` into segments; delimiters come from each ISA. Problems go to ``issues``."""
    text = text.lstrip("\ufeff")
    n = len(text)
    pos = 0
    index = 0
    delims: Delimiters | None = None
    bad = 0
    while True:
        while pos < n and text[pos] in " \t\r\n":
            pos += 1
        if pos >= n:
            return
        if text.startswith("ISA", pos):
            read = _read_isa(text, pos)
            if isinstance(read, str):
                issues.append(Issue(file, index + 1, "", "ISA", read))
                return
            delims, end = read
            index += 1
            raw = text[pos:end - 1]
            yield Segment("ISA", raw.split(delims.element), index, delims)
            pos = end
            continue
        if delims is None:
            issues.append(Issue(file, 0, "", "ISA", "file does not start with an ISA segment: "
                                                    "not X12, or the interchange header is missing "
                                                    "(the delimiters are only known from ISA)"))
            return
        end = text.find(delims.segment, pos)
        terminated = end >= 0
        raw = text[pos:end] if terminated else text[pos:]
        pos = end + 1 if terminated else n
        raw = raw.strip("\r\n")
        if not raw.strip():
            continue
        index += 1
        elements = raw.split(delims.element)
        seg = Segment(elements[0].strip(), elements, index, delims, terminated)
        if not SEGMENT_ID.match(seg.id):
            bad += 1
            if bad <= MAX_BAD_SEGMENTS:
                shown = raw[:40] + ("..." if len(raw) > 40 else "")
                issues.append(Issue(file, index, "", "segment",
                                    f"no valid segment id in {shown!r}: elements must be separated by "
                                    f"{delims.element!r} and segments end with {delims.segment!r} as "
                                    f"the ISA declares"))
            elif bad == MAX_BAD_SEGMENTS + 1:
                issues.append(Issue(file, index, "", "segment",
                                    "more segments without a valid id follow; not listed"))
            continue
        if not terminated:
            issues.append(Issue(file, index, "", seg.id,
                                f"file ends inside segment {seg.id} (no segment terminator "
                                f"{delims.segment!r}): the file is truncated"))
        yield seg


@dataclass
class Transaction:
    """One ST..SE transaction set and the envelope around it."""

    file: str
    isa: Segment | None
    gs: Segment | None
    st: Segment | None
    body: list[Segment] = field(default_factory=list)  # between ST and SE
    se: Segment | None = None
    closed_by: str = ""  # SE, GE, IEA, ISA, GS, ST or EOF

    @property
    def control(self) -> str:
        return self.st.el(2) if self.st else "?"

    @property
    def kind(self) -> str:
        """Transaction set id (ST01), e.g. 837 or 835."""
        if self.st is not None:
            return self.st.el(1)
        ids = {s.id for s in self.body}
        return "837" if ("CLM" in ids or "BHT" in ids) else ("835" if "CLP" in ids or "BPR" in ids else "")

    @property
    def version(self) -> str:
        """Implementation guide, e.g. 005010X222A1 (GS08, else ST03)."""
        if self.gs is not None and self.gs.el(8):
            return self.gs.el(8)
        return self.st.el(3) if self.st is not None else ""

    @property
    def complete(self) -> bool:
        """False when the file ended inside this transaction (truncated)."""
        return self.closed_by != "EOF" and all(s.terminated for s in self.body)


def transactions(segments: Iterable[Segment], file: str, issues: list[Issue]) -> Iterator[Transaction]:
    """Walk the envelopes (ISA/GS/ST ... SE/GE/IEA), check their counts and control numbers, and
    yield each transaction. A missing envelope segment is reported; the transactions inside
    are still yielded (their own content decides what is imported)."""
    isa: Segment | None = None
    gs: Segment | None = None
    tx: Transaction | None = None
    groups = 0
    sets = 0

    def add(seg: Segment | None, path: str, message: str) -> None:
        issues.append(Issue(file, seg.index if seg else 0, "", path, message))

    def trailer(seg: Segment, header: Segment | None, control: int, count: int, what: str, of: str,
                note: str = "") -> None:
        """Checks a trailer (IEA, GE, SE): element 01 counts ``what`` in ``of``; element 02
        repeats the header's control number (its element ``control``)."""
        tid = seg.id
        if seg.el(1) != str(count):
            add(seg, f"{tid}/{tid}01", f"{tid}01 says {seg.el(1) or 'nothing'} {what}, {of} has {count}{note}")
        if header is not None and seg.el(2) != header.el(control):
            add(seg, f"{tid}/{tid}02", f"{tid}02 {seg.el(2)!r} does not match {header.id}{control:02d} "
                                       f"{header.el(control)!r}")

    def close(by: str, seg: Segment | None) -> Transaction | None:
        nonlocal tx
        done = tx
        if done is None:
            return None
        done.closed_by = by
        if by != "SE":
            where = "the end of the file" if seg is None else f"{seg.id} (segment {seg.index})"
            add(seg if seg is not None else (done.body[-1] if done.body else done.st), "SE",
                f"transaction {done.control} has no SE trailer before {where}"
                + ("; the file is truncated" if by == "EOF" else ""))
        tx = None
        return done

    for seg in segments:
        sid = seg.id
        if sid in ("ISA", "IEA", "GS", "GE", "ST"):
            done = close(sid, seg)
            if done is not None:
                yield done
        if sid == "ISA":
            if gs is not None:
                add(seg, "GE", f"group {gs.el(6)} has no GE trailer before the next ISA")
            if isa is not None:
                add(seg, "IEA", f"interchange {isa.el(13)} has no IEA trailer before the next ISA")
            isa, gs, groups = seg, None, 0
        elif sid == "IEA":
            if gs is not None:
                add(seg, "GE", f"group {gs.el(6)} has no GE trailer before IEA")
                gs = None
            if isa is None:
                add(seg, "IEA", "IEA without an ISA")
            else:
                trailer(seg, isa, 13, groups, "functional groups", "the interchange")
            isa = None
        elif sid == "GS":
            if gs is not None:
                add(seg, "GE", f"group {gs.el(6)} has no GE trailer before the next GS")
            if isa is None:
                add(seg, "ISA", "GS outside an interchange (no ISA before it)")
            gs, sets = seg, 0
            groups += 1
        elif sid == "GE":
            if gs is None:
                add(seg, "GS", "GE without a GS: the functional group header is missing")
            else:
                trailer(seg, gs, 6, sets, "transaction sets", "the group")
            gs = None
        elif sid == "ST":
            if gs is None:
                add(seg, "GS", "ST outside a functional group: the GS header is missing")
            tx = Transaction(file, isa, gs, seg)
            sets += 1
        elif sid == "SE":
            if tx is None:
                add(seg, "ST", "SE without an ST: the transaction set header is missing")
                continue
            tx.se = seg
            counted = len(tx.body) + (2 if tx.st is not None else 1)
            trailer(seg, tx.st, 2, counted, "segments", f"transaction {tx.control}", " (ST to SE)")
            yield close("SE", seg)
        else:
            if tx is None:
                if sid in ("BHT", "BPR"):
                    add(seg, "ST", f"{sid} outside a transaction: the ST header is missing")
                    tx = Transaction(file, isa, gs, None)
                    sets += 1
                else:
                    add(seg, sid, f"segment {sid} outside a transaction set; ignored")
                    continue
            tx.body.append(seg)
    done = close("EOF", None)
    if done is not None:
        yield done
    if gs is not None:
        add(None, "GE", f"group {gs.el(6)} has no GE trailer: the file is truncated")
    if isa is not None:
        add(None, "IEA", f"interchange {isa.el(13)} has no IEA trailer: the file is truncated")


# ---------------------------------------------------------------------------------------------
# values


def parse_amount(text: str) -> int:
    """An X12 decimal (R) amount -> cents; at most two decimals (A-1.1)."""
    match = _AMOUNT.match(text.strip())
    if not text.strip() or not match or not (match.group(2) or match.group(3)):
        raise ValueError(f"{text!r} is not a decimal amount")
    sign, whole, frac = match.groups()
    if len(whole) > 30:
        raise ValueError(f"{text[:20]!r}... has {len(whole)} digits before the point")
    frac = (frac or "").rstrip("0")
    if len(frac) > 2:
        raise ValueError(f"{text!r} has more than two decimals")
    cents = int(whole or "0") * 100 + int(frac.ljust(2, "0"))
    return -cents if sign else cents


def parse_date(text: str) -> _dt.date:
    """CCYYMMDD -> date."""
    if not re.fullmatch(r"\d{8}", text.strip()):
        raise ValueError(f"{text!r} is not a date CCYYMMDD")
    try:
        return _dt.datetime.strptime(text.strip(), "%Y%m%d").date()
    except ValueError:
        raise ValueError(f"{text!r} is not a calendar date") from None
