"""Billing staff's commands: submit files to a running deployment, remittances, exports."""
import pytest
from brownie import web3

from claimledger.cli import main

from tests.conftest import EXAMPLES


@pytest.fixture(scope="module")
def deployed_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("run")
    assert main(["adjudicate", str(EXAMPLES / "basic"), "--out", str(run), "--rpc", web3.provider.endpoint_uri]) == 0
    return run


def test_resubmitting_a_claims_file_is_idempotent(deployed_run, capsys):
    capsys.readouterr()
    code = main(["submit", str(EXAMPLES / "basic" / "claims.csv"), "--rpc", web3.provider.endpoint_uri,
                 "--deployment", str(deployed_run / "deployments.json")])
    out = capsys.readouterr().out
    assert code == 0
    # every claim is already on chain: nothing new is adjudicated or paid; C0018 (zero
    # units) and the reused C0003 are rejected again
    assert out.splitlines()[0] == "22 claim(s) submitted: 22 already recorded, 2 rejected"
    assert "rejected C0018: units: units must be positive" in out


def test_an_exported_837_submitted_again_is_already_recorded_claim_for_claim(deployed_run, tmp_path, capsys):
    """The round trip changes no claim: every record the first run recorded is already recorded;
    the one record it rejected, the second C0003 (950.00 where the first is 900.00, A-3), is
    rejected again for the same reason, and the output says which record of C0003 that is.
    The 837 is answered with a 999 and a 277CA beside it (A-10.5)."""
    from claimledger.x12 import validate

    x837 = tmp_path / "basic.837"
    assert main(["export", "--to", "x12-837", str(EXAMPLES / "basic"), "--out", str(x837)]) == 0
    capsys.readouterr()
    assert main(["submit", str(x837), "--rpc", web3.provider.endpoint_uri,
                 "--deployment", str(deployed_run / "deployments.json")]) == 0
    out = capsys.readouterr().out.splitlines()
    # 23 records: 21 claim ids (C0018 cannot be written as an 837), C0001 and C0003 sent twice
    assert out[0] == "22 claim(s) submitted: 22 already recorded, 1 rejected"
    assert out[1] == "  rejected C0003 (record 2 of that id in the file): claim_id: claim_id reused with different content"
    assert out[2] == f"answered with {x837}.999, {x837}.277"
    answer = (tmp_path / "basic.837.277").read_text()
    assert validate(answer) == (True, []) and validate((tmp_path / "basic.837.999").read_text()) == (True, [])
    statuses = [s for s in answer.split("~\n") if s.startswith("STC*A")]
    assert len(statuses) == 1 + 4 + 23  # receiver and 4 providers' totals, then one per claim
    assert [s.split("*")[1] for s in statuses].count("A2:20") == 22
    assert [s for s in statuses if s.startswith("STC*A7")] == [
        "STC*A7:21*20260112*U*950********CLAIM_ID CLAIM_ID REUSED WITH DIFFERENT CONTENT"]


def test_a_void_of_a_claim_submitted_elsewhere_reads_its_original_from_the_chain(deployed_run, tmp_path, capsys):
    """R-17: the file holds only the void; the content of C0001 (adjudicated by the run) is read
    back from the transaction that recorded it, and both its lines are taken back."""
    void = tmp_path / "claims.csv"
    void.write_text((EXAMPLES / "basic" / "claims.csv").read_text().splitlines()[0] + "\n"
                    "V0001,8,C0001,M100,1234567893,2026-02-01,2026-01-10,99213,1,120.00,J06.9\n")
    capsys.readouterr()
    assert main(["submit", str(void), "--rpc", web3.provider.endpoint_uri,
                 "--deployment", str(deployed_run / "deployments.json")]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "1 claim(s) submitted: 2 reversed"


def test_a_file_with_nothing_to_submit_fails_in_one_line(deployed_run, tmp_path, capsys):
    bad = tmp_path / "claims.csv"
    bad.write_text((EXAMPLES / "basic" / "claims.csv").read_text().splitlines()[0] + "\n"
                   "C1,1,,M100,1234567893,2026-01-12,2026-01-10,99213,0,120.00,J06.9\n")
    assert main(["submit", str(bad), "--rpc", web3.provider.endpoint_uri,
                 "--deployment", str(deployed_run / "deployments.json")]) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"claimledger: {bad}: nothing to submit (units: units must be positive)"


def test_remit_lists_a_providers_lines(deployed_run, capsys):
    capsys.readouterr()
    assert main(["remit", str(deployed_run), "--provider", "1098765432"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("claim_id,line,procedure_code")
    assert [l.split(",")[0] for l in lines[1:]] == ["C0011", "C0012", "C0020", "C0011"]


def test_exports_of_a_run(deployed_run, tmp_path):
    assert main(["export", "--to", "x12-835", str(deployed_run), "--out", str(tmp_path / "r.835")]) == 0
    assert (tmp_path / "r.835").read_text().startswith("ISA")
    assert main(["export", "--to", "fhir-eob", str(deployed_run), "--out", str(tmp_path / "eob.json")]) == 0
    assert '"resourceType": "Bundle"' in (tmp_path / "eob.json").read_text() or \
        '"resourceType":"Bundle"' in (tmp_path / "eob.json").read_text()
