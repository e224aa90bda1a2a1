"""X12 claim formats: 837P/837I in (to a scenario directory, A-2), 835 and 837P out.

* :func:`import_837` reads 837 files into a scenario directory, reporting every mapping gap
  and rejected claim with its loop/element path (``import_issues.csv``).
* :func:`export_835` writes a run's results (A-9) as 835 remittance advice, one per payee.
* :func:`export_837` writes a scenario's claims as an 837P (round trips).
* :func:`read_835` reads an 835 back (payments, adjustments, PLB) for reconciliation.

Every file written is validated with pyx12 (its 005010X221A1 / X222A1 maps) first; the same
validator's findings on imported files are reported too. Mapping tables and decisions:
docs/FORMATS-X12.md.
"""
from .cli import run_export, run_import_x12
from .common import DEFAULT_PARTIES, ExportReport, Parties
from .export835 import Remittance, RemitClaim, RemitLine, export_835, read_835
from .export837 import export_837
from .import837 import ISSUES_FILE, ImportedClaim, ImportReport, import_837, read_837
from .segments import FormatError, Issue
from .validate import validate

__all__ = [
    "import_837", "read_837", "export_835", "export_837", "read_835", "validate",
    "ImportReport", "ImportedClaim", "ExportReport", "Issue", "FormatError", "Parties",
    "DEFAULT_PARTIES", "Remittance", "RemitClaim", "RemitLine", "ISSUES_FILE",
    "run_import_x12", "run_export",
]
