"""Validation against the X12 implementation guides with pyx12 (its 835/837 maps).

pyx12 (BSD, https://github.com/azoner/pyx12) reads a whole file, walks it against the map of
its implementation guide (837P 005010X222A1, 837I 005010X223A2, 835 005010X221A1, ...) and
reports syntax, usage, code-list and count errors the way a 999 would. Its findings are
returned here as :class:`Finding` items tied to the segment's ordinal in the file (pyx12
counts segments, not text lines, so this is the same numbering as :mod:`.segments`).
"""
from __future__ import annotations

import contextlib
import functools
import io
import json
import logging
import re
from dataclasses import dataclass

VALIDATOR = "pyx12"
# errata versions pyx12 has no map for -> the version whose map (the A1 implementation
# guide's) pyx12 has; pyx12 files 837I's A1 map under 005010X223A2
ERRATA = {
    "005010X222A2": "005010X222A1",
    "005010X223A1": "005010X223A2",
    "005010X223A3": "005010X223A2",
}
MAP_FILES = {"005010X222A1": "837.5010.X222.A1", "005010X223A2": "837Q3.I.5010.X223.A1"}
_VERSION_TOKEN = re.compile(r"(?<![A-Za-z0-9])(005010X22[23]A[123])(?![A-Za-z0-9])")


def errata_versions(text: str) -> list[str]:
    """The errata versions (GS08/ST03) of ``text`` that are validated with another map."""
    return sorted({v for v in _VERSION_TOKEN.findall(text) if v in ERRATA})


def errata_note(version: str) -> str:
    """What the import report says of an errata version (A-10.4)."""
    mapped = ERRATA[version]
    return (f"{version} is read as {mapped} and validated with {VALIDATOR}'s {MAP_FILES[mapped]} map "
            f"(the A1 implementation guide's; {VALIDATOR} has no map of its own for {version}) (A-10.4)")


def as_mapped(text: str) -> str:
    """``text`` with each errata version replaced by the one pyx12 maps: same length, so
    segment ordinals and positions stay those of the file."""
    return _VERSION_TOKEN.sub(lambda m: ERRATA.get(m.group(1), m.group(1)), text)


@dataclass(frozen=True)
class Finding:
    segment: int  # 1-based ordinal of the segment in the file; 0 when pyx12 names none
    seg_id: str
    element: str  # e.g. SV104, or "" for a segment- or envelope-level finding
    message: str

    def __str__(self) -> str:
        where = f"segment {self.segment} {self.seg_id}" if self.segment else (self.seg_id or "file")
        return f"{where}{' ' + self.element if self.element else ''}: {self.message}"


@contextlib.contextmanager
def _quiet():
    """pyx12 logs every finding at ERROR level; they are returned instead."""
    logger = logging.getLogger("pyx12")
    handler = logging.NullHandler()
    old = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = old


def library_version() -> str:
    try:
        from importlib.metadata import version

        return f"{VALIDATOR} {version('pyx12')}"
    except Exception:  # noqa: BLE001 - only for a message
        return VALIDATOR


@dataclass
class Walk:
    """pyx12's walk of a file: valid or not, its error document (interchanges > groups >
    transactions > segments > elements, each with pyx12's X12 error codes), or why pyx12 could
    not walk the file at all."""

    ok: bool
    document: str = ""
    failure: str = ""

    def tree(self) -> dict:
        try:
            return json.loads(self.document) if self.document.strip() else {}
        except ValueError:
            return {}


@functools.lru_cache(maxsize=2)  # an import validates a file, then answers it with a 999
def walk(text: str) -> Walk:
    """Walk X12 ``text`` with pyx12 (errata versions as their A1 map's version, A-10.4)."""
    import pyx12.params
    import pyx12.x12n_document

    out = io.StringIO()
    try:
        with _quiet():
            ok = pyx12.x12n_document.x12n_document(
                param=pyx12.params.params(), src_file=io.StringIO(as_mapped(text)), fd_997=None, fd_html=None,
                fd_json=out)
    except Exception as exc:  # noqa: BLE001 - pyx12 raises EngineError/X12Error/... on odd input
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        return Walk(False, failure=f"{VALIDATOR} could not walk the file: {message}")
    return Walk(bool(ok), out.getvalue())


def validate(text: str) -> tuple[bool, list[Finding]]:
    """Validate X12 ``text`` with pyx12. Returns (valid, findings). A file pyx12 cannot walk
    at all (no map for its version, not X12) is invalid with one finding saying why."""
    result = walk(text)
    if result.failure:
        return False, [Finding(0, "", "", result.failure)]
    findings = _findings(result.document)
    if not result.ok and not findings:
        findings.append(Finding(0, "", "", f"{VALIDATOR} rejected the file (not X12, or no map for it)"))
    return result.ok, findings


def _findings(document: str) -> list[Finding]:
    if not document.strip():
        return []
    try:
        doc = json.loads(document)
    except ValueError:
        return [Finding(0, "", "", f"{VALIDATOR} wrote an unreadable error report")]
    found: list[Finding] = []

    def envelope(node: dict, seg_id: str) -> None:
        for err in node.get("errors") or []:
            found.append(Finding(int(node.get("cur_line") or 0), seg_id, "", err.get("err_str", "")))

    for isa in doc.get("interchanges", []):
        envelope(isa, "ISA")
        for gs in isa.get("groups", []):
            envelope(gs, "GS")
            for st in gs.get("transactions", []):
                envelope(st, "ST")
                for seg in st.get("segments", []):
                    line = int(seg.get("cur_line") or 0)
                    sid = seg.get("seg_id") or ""
                    for err in seg.get("errors") or []:
                        found.append(Finding(line, sid, "", err.get("err_str", "")))
                    for ele in seg.get("elements") or []:
                        ref = f"{sid}{int(ele.get('ele_pos') or 0):02d}"
                        if ele.get("subele_pos"):
                            ref += f"-{ele['subele_pos']}"
                        for err in ele.get("errors") or []:
                            found.append(Finding(line, sid, ref, err.get("err_str", "")))
    return found
