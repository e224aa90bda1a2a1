"""Billing staff's side: submit a claims file to a running deployment, and read a provider's
remittance. Any format claimledger imports (X12 837, FHIR, scenario CSV) can be submitted."""
from __future__ import annotations

import csv
import sys
import tempfile
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import atomic_output
from .chain import Deployment
from .csv_safety import text_cell
from .events import ClaimOutcome
from .money import format_cents
from .records import Claim, Reject
from .replay import DEFAULT_BATCH_CLAIMS, replay
from .scenario import CLAIMS_FILE, ScenarioError, iter_claims, scenario_of_run


class SubmitFailed(RuntimeError):
    """Nothing could be submitted: one-line reason."""


def detect_format(path: Path) -> str:
    """x12-837, fhir or scenario, from the file's content."""
    if path.is_dir():
        return "scenario"
    head = path.read_bytes()[:200].lstrip()
    if head.startswith(b"ISA"):
        return "x12-837"
    if head.startswith(b"{"):
        return "fhir"
    if head.startswith(b"claim_id,"):
        return "scenario"
    raise SubmitFailed(f"{path}: not an X12 837, a FHIR JSON file or a claims.csv")


def claims_file(path: Path, workdir: Path, roster: Path | None = None) -> tuple[Path, object | None]:
    """A claims.csv (A-2.5) for ``path``, converting an 837 or FHIR file first; with the 837's
    import report (None otherwise). ``roster`` finds dependents (A-10.3)."""
    kind = detect_format(path)
    if kind == "scenario":
        return (path / CLAIMS_FILE if path.is_dir() else path), None
    if kind == "x12-837":
        from .x12.import837 import import_837

        report = import_837([path], workdir, roster=roster, answer=False)
    else:
        from .fhir import import_fhir

        report = import_fhir([path], workdir)
    converted = workdir / CLAIMS_FILE
    if not converted.exists():
        raise SubmitFailed(f"{path}: no claim could be converted ({report})")
    return converted, (report if kind == "x12-837" else None)


@dataclass
class SubmitSummary:
    counts: dict[str, int] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    claims: int = 0
    outcomes: list[ClaimOutcome] = field(default_factory=list)
    answers: list[Path] = field(default_factory=list)  # FILE.999 and FILE.277 of an 837
    occurrence: dict[int, int] = field(default_factory=dict)  # reject index -> which record of its id

    def add(self, outcome: ClaimOutcome) -> None:
        self.outcomes.append(outcome)
        if outcome.reject is not None:
            # a file may hold several records of one id (a resubmission): name which was rejected
            self.occurrence[len(self.rejects)] = sum(1 for o in self.outcomes if o.claim_id == outcome.claim_id)
            self.rejects.append(outcome.reject)
            self.counts["rejected"] = self.counts.get("rejected", 0) + 1
            return
        self.claims += 1
        if outcome.already_recorded:
            self.counts["already recorded"] = self.counts.get("already recorded", 0) + 1
        for row in outcome.rows:
            key = row.status.value.lower()
            self.counts[key] = self.counts.get(key, 0) + 1


def submit(dep: Deployment | None, biller_key: str, path: Path, on_progress=None, roster: Path | None = None,
           batch_claims: int = DEFAULT_BATCH_CLAIMS, deliver=None) -> SubmitSummary:
    """Submits every claim of ``path`` as the biller; returns what became of them. An 837 is
    answered with ``FILE.999`` and ``FILE.277`` beside it (A-10.5): the 277CA says, claim for
    claim, what the import and then the chain decided. ``deliver(source, items, on_outcome)``
    takes the records instead of the deployment (optimistic mode's adjudicator,
    :func:`claimledger.optimistic.submission.optimistic_delivery`)."""
    summary = SubmitSummary()
    with tempfile.TemporaryDirectory() as tmp:
        source, imported = claims_file(path, Path(tmp), roster)
        items = list(iter_claims(source))
        if not any(isinstance(i, Claim) for i in items):
            reasons = {f"{r.field}: {r.reason}" for r in items if isinstance(r, Reject)}
            raise SubmitFailed(f"{path}: nothing to submit ({'; '.join(sorted(reasons)) or 'no claims'})")
        if deliver is not None:
            deliver(source, items, summary.add)
        else:
            replay(dep, biller_key, items, summary.add, on_progress=on_progress, batch_claims=batch_claims)
    if imported is not None:
        from .x12.acks import write_answers

        accepted = [n for n, c in enumerate(imported.claims) if c.accepted]
        chain_rejects = {accepted[k]: o.reject for k, o in enumerate(summary.outcomes) if o.reject is not None}
        summary.answers = write_answers(path, imported.claims, imported.issues, path.parent, chain_rejects).written
    return summary


def remittance(run_dir: Path, npi: str) -> list[dict]:
    """The provider's lines of a run, with claim, service and amounts (a CSV remittance)."""
    scenario = scenario_of_run(run_dir)
    if scenario is None:
        raise ScenarioError(f"{run_dir}: deployments.json names no scenario")
    provider_of, lines_of = {}, {}
    for item in iter_claims(Path(scenario) / CLAIMS_FILE):
        if isinstance(item, Claim):
            provider_of.setdefault(item.claim_id, item.provider_npi)
            lines_of.setdefault(item.claim_id, item.lines)
    rows = []
    with open(run_dir / "results.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            if provider_of.get(row["claim_id"]) != npi:
                continue
            line = lines_of[row["claim_id"]][int(row["line"]) - 1]
            rows.append({"claim_id": row["claim_id"], "line": row["line"], "procedure_code": line.procedure_code,
                         "units": line.units, "billed": format_cents(line.billed), "status": row["status"],
                         "allowed": row["allowed"], "paid": row["paid"], "patient": row["patient"],
                         "adjustments": row["adjustments"]})
    return rows


REMITTANCE_COLUMNS = ["claim_id", "line", "procedure_code", "units", "billed", "status", "allowed", "paid", "patient",
                      "adjustments"]
REMITTANCE_TEXT = {"claim_id", "procedure_code", "status", "adjustments"}  # amounts stay as A-9 writes them


def write_remittance(run_dir: Path, npi: str, out: Path | None) -> int:
    """The provider's remittance (:func:`remittance`) as CSV to ``out``, whole or as it was
    (R-48), else to stdout; the number of lines."""
    rows = remittance(run_dir, npi)
    with (atomic_output(out, newline="", encoding="utf-8") if out else nullcontext(sys.stdout)) as fh:
        writer = csv.DictWriter(fh, fieldnames=REMITTANCE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: text_cell(v) if k in REMITTANCE_TEXT else v for k, v in row.items()} for row in rows)
    return len(rows)
