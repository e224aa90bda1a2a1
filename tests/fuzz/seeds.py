"""The real sample files the reader fuzz tests start from (examples/ and tests/formats/samples)."""
from __future__ import annotations

import csv
import io
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "tests" / "formats" / "samples"
SCENARIOS = [ROOT / "examples" / "basic", ROOT / "examples" / "cob-incentives", SAMPLES / "scenario-a10"]
ROSTER = SAMPLES / "x12" / "roster.csv"
X12_837 = sorted((SAMPLES / "x12").glob("X222-*.edi")) + [SAMPLES / "x12" / "dependents-X222A2.837"]
X12_OTHER = sorted((SAMPLES / "x12").glob("X221-*.edi"))  # 835s: read as "not an 837", never a crash
X12_834 = sorted((SAMPLES / "x12-834").glob("*.834"))
FHIR = sorted((SAMPLES / "fhir").glob("*.json")) + [SAMPLES / "fhir-a10" / "family-bundle.json"]
SYNTHEA = SAMPLES / "synthea"
SYNTHEA_FILES = sorted(p.name for p in SYNTHEA.glob("*.csv"))


@contextmanager
def scratch():
    """A temporary directory (hypothesis runs many inputs per test: no function fixture)."""
    with tempfile.TemporaryDirectory(prefix="fuzz-") as name:
        yield Path(name)


def copy_dir(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.md", "expected_*"))
    return target


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8", "surrogatepass")


def rows_by_claim(out) -> dict[str, list[dict]]:
    """An import's claims.csv rows, grouped by claim id, in file order."""
    rows: dict[str, list[dict]] = {}
    with open(out / "claims.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            rows.setdefault(row["claim_id"], []).append(row)
    return rows
