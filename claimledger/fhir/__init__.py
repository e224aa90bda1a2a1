"""FHIR R4 claims in and out: Claim resources -> a scenario (A-2), a run (A-9) ->
ExplanationOfBenefit resources, and a scenario's claims -> Claim resources.

Validation uses ``fhir.resources`` (pinned in requirements.txt), subpackage ``R4B``: FHIR
4.3.0, the release of that library line that works with pydantic 2 (which eth-brownie pins).
The elements of Claim and ExplanationOfBenefit used here are the same in R4 (4.0.1) and R4B.

Everything the mapping does, and every gap it reports, is tabled in ``docs/FORMATS-FHIR.md``.
In short:

* :func:`import_fhir` reads JSON files (a resource or a Bundle each; directories are read
  for ``*.json`` in name order), validates **every** resource on its own, resolves references
  across all files of one import (``Type/id``, ``urn:uuid:`` full URLs, absolute URLs,
  ``#contained``, logical ``Reference.identifier``), maps each Claim to ``claims.csv`` rows
  and reports issues as (source, record, FHIR path, severity, message). A claim with an
  ``error`` issue is not written; a ``warning`` is an assumption that was made and said.
* :func:`export_eob` writes one ExplanationOfBenefit per adjudicated claim of a run, plus
  one ``outcome: error`` EOB per claim that was rejected, into one Bundle (``collection``).
* :func:`export_fhir_claims` writes a scenario's claims as a Bundle of Claim resources with
  the Patient, Coverage and Organization resources they reference (pseudonymous ids only).
"""
from __future__ import annotations

from pathlib import Path

from .claims_export import ExportReport, export_fhir_claims
from .common import (
    C4BB_DISCRIMINATOR, CARC_SYSTEM, CPT_SYSTEM, FHIR_RELEASE, ICD10CM_SYSTEM, NPI_SYSTEM, ClaimImport,
    ImportReport, Issue, validate_resource, validation_errors,
)
from .eob import export_eob, read_bundle
from .importer import import_fhir
from .mapping import claim_rows

__all__ = [
    "FHIR_RELEASE", "Issue", "ClaimImport", "ImportReport", "ExportReport", "import_fhir",
    "export_eob", "export_fhir_claims", "validation_errors", "validate_resource", "claim_rows",
    "read_bundle", "run_import_fhir", "run_export_eob", "run_export_fhir_claims",
    "C4BB_DISCRIMINATOR", "CARC_SYSTEM", "CPT_SYSTEM", "ICD10CM_SYSTEM", "NPI_SYSTEM",
]


# ---------------------------------------------------------------------------------------------
# CLI glue (wired into claimledger/cli.py by the CLI's owner)


def run_import_fhir(paths, out, plans_from=None, roster=None) -> int:
    report = import_fhir(paths, Path(out), Path(plans_from) if plans_from else None, roster)
    print(report.summary())
    return 0


def run_export_eob(run_dir, out, scenario_dir=None) -> int:
    report = export_eob(Path(run_dir), Path(out), scenario_dir)
    outcomes = ", ".join(f"{v} {k}" for k, v in sorted(report.counts.items()))
    print(f"{report.summary('ExplanationOfBenefit resources')}" + (f" [{outcomes}]" if outcomes else ""))
    return 0


def run_export_fhir_claims(scenario_dir, out) -> int:
    report = export_fhir_claims(Path(scenario_dir), Path(out))
    print(report.summary("Claim resources"))
    return 0
