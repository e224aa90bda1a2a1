"""Import and export outputs are whole or absent (R-48): each file an importer (X12 837/834,
FHIR, Synthea) or an export (835, 837, FHIR EOB and Claim Bundles, CSV remittance) writes goes
to ``NAME.tmp`` and is renamed over the file when complete. A disk that fills half-way through
one of them ends the command in one line naming the file; the file is as it was before and no
temporary file is left. Plain pytest, no chain."""
import json

import pytest

from claimledger import atomic
from claimledger.cli import main
from claimledger.pipeline import adjudicate_reference

from tests.conftest import EXAMPLES
from tests.full_disk import filling_open

SAMPLES = EXAMPLES.parent / "tests" / "formats" / "samples"
BASIC = EXAMPLES / "basic"
PREVIOUS = "what the previous command wrote\n"
X12 = SAMPLES / "x12" / "X222-commercial-health-insurance.edi"

IMPORTS = [
    ("x12-837", [X12], "claims.csv"),
    ("x12-837", [X12], "X222-commercial-health-insurance.edi.999"),  # the answer, validated, then written
    ("x12-834", [SAMPLES / "x12-834" / "enroll-2016-01.834"], "roster.csv"),
    ("fhir", [SAMPLES / "fhir" / "claim-example-professional.json"], "members.csv"),
    ("synthea", [SAMPLES / "synthea"], "claims.csv"),
    ("synthea", [SAMPLES / "synthea"], "import_issues.csv"),
]


def fails_in_one_line(capsys, command: list[str], path, monkeypatch) -> None:
    """``command`` run on a disk that fills 16 bytes into ``path``'s temporary file: exit 1 and
    R-48's one line naming ``path``."""
    with monkeypatch.context() as patch:
        patch.setattr(atomic, "open", filling_open(path.name + atomic.TMP_SUFFIX, 16), raising=False)
        capsys.readouterr()
        assert main(command) == 1
    captured = capsys.readouterr()
    assert captured.err == (f"claimledger: {path}: cannot write (no space left on device); the file is as it was "
                            f"before: free space and run the command again\n")


@pytest.mark.parametrize("source,inputs,name", IMPORTS, ids=[f"{s}-{n}" for s, _, n in IMPORTS])
def test_an_import_that_finds_the_disk_full_leaves_the_file_as_it_was(tmp_path, capsys, monkeypatch,
                                                                      source, inputs, name):
    out = tmp_path / "out"
    out.mkdir()
    (out / name).write_text(PREVIOUS)
    command = ["import", "--from", source, *map(str, inputs), "--out", str(out)]
    fails_in_one_line(capsys, command, out / name, monkeypatch)
    assert (out / name).read_text() == PREVIOUS
    assert not list(out.glob("*.tmp"))
    assert main(command) == 0  # with room: the file is replaced whole
    assert (out / name).read_text() != PREVIOUS and not list(out.glob("*.tmp"))


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A reference run of the basic example, naming its scenario as a chain run does."""
    run = tmp_path_factory.mktemp("run")
    adjudicate_reference(BASIC, run)
    (run / "deployments.json").write_text(json.dumps({"scenario": str(BASIC)}))
    return run


EXPORTS = [
    ("x12-835", "run", "remit.835", []),
    ("fhir-eob", "run", "eob.json", []),  # a Bundle streamed resource by resource
    ("csv", "run", "remit.csv", ["--provider", "1234567893"]),
    ("x12-837", "scenario", "claims.837", []),
    ("fhir-claims", "scenario", "claims.json", []),
]


@pytest.mark.parametrize("to,source,name,extra", EXPORTS, ids=[e[0] for e in EXPORTS])
def test_an_export_that_finds_the_disk_full_leaves_the_file_as_it_was(tmp_path, capsys, monkeypatch, run,
                                                                     to, source, name, extra):
    out = tmp_path / name
    out.write_text(PREVIOUS)
    command = ["export", "--to", to, str(run if source == "run" else BASIC), "--out", str(out), *extra]
    fails_in_one_line(capsys, command, out, monkeypatch)
    assert out.read_text() == PREVIOUS
    assert not list(tmp_path.glob("*.tmp"))
    assert main(command) == 0
    assert out.read_text() != PREVIOUS and not list(tmp_path.glob("*.tmp"))


def test_the_remittance_to_stdout_is_unchanged(run, capsys):
    """``remit`` without --out prints the CSV (nothing to write atomically)."""
    assert main(["remit", str(run), "--provider", "1234567893"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("claim_id,line,procedure_code") and len(lines) > 1
