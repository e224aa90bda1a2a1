"""What the exports share: the parties a scenario does not name, the export report, and the
check with pyx12 before anything is written."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..atomic import write_text_atomically
from .segments import FormatError
from .validate import library_version, validate


@dataclass(frozen=True)
class Parties:
    """Who sends and receives, and the X12-required details a scenario does not have.

    A scenario (A-2) names no payer, no addresses, no tax ids and no person's name (no PHI is
    kept anywhere). The 837 and 835 require some of them; these fixed placeholders fill them,
    are listed in docs/FORMATS-X12.md, and are never read back by the importer.
    """

    sender_id: str = "CLAIMLEDGER"  # ISA06/GS02 (ZZ) of our own files
    submitter_name: str = "CLAIMLEDGER BILLING"  # 837 1000A (the scenario is the submitter)
    payer_name: str = "CLAIMLEDGER HEALTH PLAN"
    payer_id: str = "CLAIMLEDGER"  # 837 1000B/2010BB NM109 (46/PI)
    payer_tin: str = "1000000000"  # 835 TRN03: "1" + the payer's 9-digit TIN (placeholder)
    contact_name: str = "CLAIMLEDGER EDI"
    contact_phone: str = "8005550100"
    address: str = "ADDRESS NOT IN SCENARIO"
    city: str = "NOT IN SCENARIO"
    provider_tax_id: str = "000000000"  # 837 2010AA REF*EI (placeholder)
    member_last_name: str = "MEMBER"  # 837 2010BA NM103 is required; names are never kept
    place_of_service: str = "11"  # 837P CLM05-1 (office); A-2 has no place of service
    claim_filing: str = "CI"  # 837 SBR09: commercial insurance
    other_payer_name: str = "PRIOR PAYER"  # 837 2330B of a claim paid second: a scenario
    other_payer_id: str = "PRIORPAYER"  # names no prior payer (placeholders; SVD01 = this id)
    claim_filing_835: str = "ZZ"  # 835 CLP06 (mutually defined): 5010's 835 list has no CI and
    # a scenario has no plan type (PPO/HMO/...) to pick another code from


DEFAULT_PARTIES = Parties()


@dataclass
class ExportReport:
    kind: str  # x12-835 or x12-837
    out_path: Path
    transactions: int = 0
    claims: int = 0
    lines: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (claim_id, why)
    notes: list[str] = field(default_factory=list)
    validator: str = ""
    totals: dict = field(default_factory=dict)

    def summary(self) -> str:
        unit = "payee(s)" if self.kind == "x12-835" else "transaction set(s)"
        skipped = ""
        if self.skipped:
            shown = "; ".join(f"{c}: {why}" for c, why in self.skipped[:3])
            more = f"; {len(self.skipped) - 3} more" if len(self.skipped) > 3 else ""
            skipped = f", {len(self.skipped)} claim(s) left out ({shown}{more})"
        notes = "".join(f", {n}" for n in self.notes)
        return (f"wrote {self.out_path}: {self.kind.upper()} with {self.transactions} {unit}, "
                f"{self.claims} claim(s), {self.lines} line(s){skipped}{notes}; valid per {self.validator}")


def check_and_write(text: str, out_path: Path, what: str) -> str:
    """Validate ``text`` with pyx12; write it only when valid (else a FormatError naming the
    first findings: that would be a bug of the writer, never a file to hand on)."""
    ok, findings = validate(text)
    if not ok or findings:
        shown = "; ".join(str(f) for f in findings[:3]) or "rejected"
        raise FormatError(f"{what} failed {library_version()} validation, not written: {shown}")
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(out_path, text, encoding="ascii")
    return library_version()
