"""Reading FHIR input: JSON files and Bundles, and the index that resolves references across the files of one import."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Iterable

from ..scenario import ScenarioError
from .common import ImportReport, Issue, validation_errors


# ---------------------------------------------------------------------------------------------
# reading input


@dataclass
class _Entry:
    """One resource of the input, validated. Issue paths are rooted at the resource
    (``Claim.item[1].quantity``); the issue's source names the file and the Bundle entry."""

    source: str
    resource: dict
    full_url: str
    valid: bool


def _json_files(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            files.extend(sorted(x for x in p.iterdir() if x.suffix.lower() == ".json" and x.is_file()))
        elif p.is_file():
            files.append(p)
        else:
            raise ScenarioError(f"{p}: no such file or directory")
    if not files:
        raise ScenarioError("no FHIR JSON files given")
    return files


def _read_entries(path: Path, report: ImportReport) -> list[_Entry]:
    source = path.name
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"), parse_float=Decimal)  # a BOM is allowed
    except UnicodeDecodeError:
        report.issues.append(Issue(source, "", "$", "error", "not UTF-8 text"))
        return []
    except json.JSONDecodeError as exc:
        report.issues.append(Issue(source, "", "$", "error",
                                   f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"))
        return []
    except ValueError as exc:  # a number past Python's 4,300-digit limit for int()
        report.issues.append(Issue(source, "", "$", "error", f"not usable JSON: {str(exc).split(';')[0]}"))
        return []
    except RecursionError:
        report.issues.append(Issue(source, "", "$", "error", "not usable JSON: nested too deeply"))
        return []
    if not isinstance(document, dict):
        report.issues.append(Issue(source, "", "$", "error", "expected a JSON object (a FHIR resource)"))
        return []
    if document.get("resourceType") != "Bundle":
        errors = validation_errors(document)
        record = _record_label(document)
        for p, m in errors:
            report.issues.append(Issue(source, record, p, "error", f"invalid FHIR: {m}"))
        report.resources += 1
        return [_Entry(source, document, "", not errors)]
    shell = {k: v for k, v in document.items() if k != "entry"}
    for p, m in validation_errors(shell, "Bundle"):
        report.issues.append(Issue(source, "Bundle", p, "error", f"invalid FHIR: {m}"))
    entries = document.get("entry") or []
    if not isinstance(entries, list):
        report.issues.append(Issue(source, "Bundle", "Bundle.entry", "error", "entry must be a list"))
        return []
    out = []
    for i, entry in enumerate(entries):
        where = f"{source}#entry[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
            report.issues.append(Issue(where, "", f"Bundle.entry[{i}].resource", "error", "entry has no resource"))
            continue
        resource = entry["resource"]
        report.resources += 1
        errors = validation_errors({k: v for k, v in entry.items() if k != "resource"}, f"Bundle.entry[{i}]",
                                   "BundleEntry")
        errors += validation_errors(resource)
        record = _record_label(resource)
        for p, m in errors:
            report.issues.append(Issue(where, record, p, "error", f"invalid FHIR: {m}"))
        out.append(_Entry(where, resource, str(entry.get("fullUrl") or ""), not errors))
    return out


def _record_label(resource: dict) -> str:
    if not isinstance(resource, dict):
        return ""
    rtype = resource.get("resourceType") or "resource"
    if rtype == "Claim":
        cid = _claim_identifier(resource)
        if cid:
            return cid
    rid = resource.get("id")
    return f"{rtype}/{rid}" if rid else str(rtype)


def _claim_identifier(resource: dict) -> str:
    identifiers = resource.get("identifier")
    if isinstance(identifiers, list) and identifiers and isinstance(identifiers[0], dict):
        value = identifiers[0].get("value")
        if isinstance(value, str) and value.strip():
            return value.strip()
    rid = resource.get("id")
    return rid.strip() if isinstance(rid, str) else ""


class _Index:
    """Every valid resource of one import by ``Type/id`` and by full URL."""

    def __init__(self, entries: list[_Entry]):
        self.by_key: dict[str, _Entry] = {}
        self.invalid: set[str] = set()
        for e in entries:
            r = e.resource
            key = f"{r.get('resourceType')}/{r.get('id')}" if r.get("id") else ""
            if not e.valid:
                self.invalid.update(k for k in (key, e.full_url) if k)
                continue
            for k in (key, e.full_url):
                if k and k not in self.by_key:
                    self.by_key[k] = e

    def resolve(self, reference: str, claim: dict) -> tuple[dict | None, str]:
        """(resource or None, the literal id the reference names)."""
        if reference.startswith("#"):
            for c in claim.get("contained") or []:
                if isinstance(c, dict) and c.get("id") == reference[1:]:
                    return c, reference[1:]
            return None, reference[1:]
        if reference in self.by_key:
            return self.by_key[reference].resource, reference.rsplit("/", 1)[-1].removeprefix("urn:uuid:")
        match = re.search(r"([A-Za-z]+)/([A-Za-z0-9\-.]{1,64})(?:/_history/[^/]+)?$", reference)
        if match:
            key = f"{match.group(1)}/{match.group(2)}"
            found = self.by_key.get(key)
            return (found.resource if found else None), match.group(2)
        return None, reference.removeprefix("urn:uuid:").removeprefix("urn:oid:")

    def is_invalid(self, reference: str) -> bool:
        if reference in self.invalid:
            return True
        match = re.search(r"([A-Za-z]+)/([A-Za-z0-9\-.]{1,64})$", reference)
        return bool(match and f"{match.group(1)}/{match.group(2)}" in self.invalid)
