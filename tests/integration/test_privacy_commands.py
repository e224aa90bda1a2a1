"""The privacy commands on a run of examples/basic (issue 14): the run's anchor and `verify`
(a row or file as anchored; one changed byte, reordered rows, a dropped row, an altered anchor
record, an export and an appeal letter), consent and `history`/`audit` (refused, granted,
revoked, expired, a delegate, the plan's PAYER), and `forget` (crypto-shredding, R-33)."""
import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from eth_account import Account
from eth_utils import keccak

from claimledger import chain
from claimledger.cli import main
from claimledger.node import dev_private_keys
from claimledger.privacy.pseudonyms import KEYSTORE_FILE, Pseudonyms

from tests.conftest import EXAMPLES

PARTY = "0x000000000000000000000000000000000000bEEF"
MEMBER_KEY = Account.from_key(b"\x31" * 32)
DELEGATE_KEY = Account.from_key(b"\x32" * 32)


@pytest.fixture(scope="module")
def uri():
    from brownie import web3

    return web3.provider.endpoint_uri


@pytest.fixture(scope="module")
def run(tmp_path_factory, uri):
    out = tmp_path_factory.mktemp("privacy") / "run"
    assert main(["adjudicate", str(EXAMPLES / "basic"), "--out", str(out), "--rpc", uri]) == 0
    return out


@pytest.fixture
def keys_env(monkeypatch):
    monkeypatch.setenv("MEMBER_KEY", MEMBER_KEY.key.hex())
    monkeypatch.setenv("DELEGATE_KEY", DELEGATE_KEY.key.hex())


def cli(capsys, *argv) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def anchor_of(run: Path) -> dict:
    return json.loads((run / "anchors.json").read_text())["anchors"][0]


# ------------------------------------------------------------------------------ anchoring


def test_the_ledger_is_deployed_beside_the_engine_with_a_role_for_each_job(run):
    from brownie import web3

    ledger = chain.Deployment.load(web3, run / "deployments.json")[chain.PRIVACY]
    accounts = dict(zip(("admin", "plan_manager", "biller", "reviewer", "treasurer", "records_officer"),
                        chain.Keys.from_list(dev_private_keys(6)).addresses()))
    for role, holder in (("MEMBER_SERVICES", "plan_manager"), ("RECORDS_OFFICER", "records_officer"),
                         ("PAYER", "reviewer")):
        assert [name for name, address in accounts.items()
                if ledger.functions.hasRole(chain.ROLES[role], address).call()] == [holder]
    assert ledger.functions.defaultAdmin().call() == accounts["admin"]


def test_a_run_anchors_its_inputs_and_rows_once(run, uri, capsys):
    anchor = anchor_of(run)
    where = f"anchored in block {anchor['block']} (root {anchor['root'][:18]}...)"
    # 5 input files, results.csv's 24 rows (header included) and the file, rejects.csv's 3 and the file
    assert anchor["leaves"] == 5 + 25 + 4
    assert json.loads((run / "summary.json").read_text())["anchor"]["root"] == anchor["root"]
    assert cli(capsys, "verify", run / "results.csv", "--rpc", uri) == (0, f"results.csv: 23 row(s) and header as {where}\n", "")
    code, out, _ = cli(capsys, "verify", run / "results.csv", "--row", 3, "--rpc", uri)
    assert (code, out) == (0, f"results.csv row 3: as {where}, proof of 6 hashes\n")
    assert cli(capsys, "verify", run / "rejects.csv", "--rpc", uri)[0] == 0
    assert cli(capsys, "verify", EXAMPLES / "basic" / "claims.csv", "--run", run, "--rpc", uri) == (
        0, f"claims.csv: as {where}\n", "")


def _swap(rows, a, b):
    rows[a], rows[b] = rows[b], rows[a]
    return rows


TAMPERING = [
    ("one byte", lambda rows: rows[:5] + [rows[5][:-1] + bytes([rows[5][-1] ^ 1])] + rows[6:],
     [(None, "results.csv: row 5 differs from the anchored row"),
      (5, "results.csv row 5: differs from the anchored row"), (6, None)]),
    ("reordered", lambda rows: _swap(rows, 3, 4),
     [(None, "results.csv: rows reordered: row 3 is anchored as row 4"),
      (3, "results.csv row 3: anchored as row 4, not 3 (rows moved)")]),
    ("dropped", lambda rows: rows[:7] + rows[8:],
     [(None, "results.csv: row 7 dropped"), (23, "results.csv row 23: missing (the file has 22 rows, 23 were anchored)")]),
    ("last dropped", lambda rows: rows[:-1], [(None, "results.csv: row 23 dropped")]),
    ("line ends", None, [(None, "results.csv: same rows as anchored, but other bytes between them (line ends) differ")]),
]


@pytest.mark.parametrize("change,checks", [(t[1], t[2]) for t in TAMPERING], ids=[t[0] for t in TAMPERING])
def test_verify_says_what_differs(run, uri, capsys, change, checks):
    results = run / "results.csv"
    original = results.read_bytes()
    rows = original.split(b"\r\n")[:-1]
    try:
        results.write_bytes(original.replace(b"\r\n", b"\n") if change is None else b"".join(r + b"\r\n" for r in change(rows)))
        for row, expected in checks:
            code, out, err = cli(capsys, "verify", results, *(("--row", row) if row is not None else ()), "--rpc", uri)
            if expected is None:
                assert code == 0 and out.startswith(f"results.csv row {row}: as anchored")
            else:
                assert (code, out, err) == (1, "", f"claimledger: {expected}\n")
    finally:
        results.write_bytes(original)


def test_an_altered_anchor_record_is_refused(run, uri, capsys):
    digests = run / "anchors" / "1.digests"
    original = digests.read_bytes()
    try:
        digests.write_bytes(original[:40] + bytes([original[40] ^ 1]) + original[41:])
        assert cli(capsys, "verify", run / "results.csv", "--rpc", uri) == (
            1, "", "claimledger: anchors/1.digests: does not hash to the root anchored on chain: the record was altered\n")
    finally:
        digests.write_bytes(original)


def test_an_exported_835_is_anchored_as_a_batch(run, uri, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CLAIMLEDGER_RPC", uri)
    remittance = tmp_path / "r.835"
    code, out, _ = cli(capsys, "export", "--to", "x12-835", run, "--out", remittance)
    assert code == 0 and out.splitlines()[-1].startswith("anchored r.835 in block ")
    assert json.loads((run / "anchors.json").read_text())["anchors"][-1]["files"] == [
        {"name": "export/r.835", "first": 0, "rows": None}]
    assert cli(capsys, "verify", remittance, "--run", run)[0] == 0
    remittance.write_bytes(remittance.read_bytes().replace(b"CLP*", b"CLP*X", 1))
    code, _, err = cli(capsys, "verify", remittance, "--run", run)
    assert code == 1 and err.startswith("claimledger: r.835: differs from the anchored file (keccak 0x")


def test_an_appeal_letter_verifies_against_the_hash_the_engine_kept(run, uri, tmp_path, capsys):
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"%PDF appeal of C0006 with the records")
    assert cli(capsys, "appeal", run, "C0006", 1, "--document", letter, "--rpc", uri)[0] == 0
    assert cli(capsys, "verify", "--document", letter, "C0006", 1, "--run", run, "--rpc", uri) == (
        0, "letter.pdf: the document of the appeal of C0006 line 1\n", "")
    letter.write_bytes(b"%PDF appeal of C0006 with other records")
    code, _, err = cli(capsys, "verify", "--document", letter, "C0006", 1, "--run", run, "--rpc", uri)
    assert code == 1 and err.startswith("claimledger: letter.pdf: differs from the appeal document of C0006 line 1")
    assert cli(capsys, "verify", "--document", letter, "C0001", 1, "--run", run, "--rpc", uri) == (
        1, "", "claimledger: C0001 line 1: no appeal recorded on chain\n")


# ------------------------------------------------------------------------------ consent, history, audit


def rows_of(member: str) -> list[str]:
    with open(EXAMPLES / "basic" / "claims.csv", newline="") as fh:
        claims = {r["claim_id"] for r in csv.DictReader(fh) if r["member_id"] == member}
    with open(EXAMPLES / "basic" / "expected_results.csv", newline="") as fh:
        return [",".join(r) for r in csv.reader(fh) if r[0] in claims]


def history(capsys, run, uri, party=PARTY, purpose="treatment", member="M100"):
    return cli(capsys, "history", run, "--member", member, "--as", party, "--purpose", purpose, "--rpc", uri)


def consent(capsys, run, uri, action, *options, signer="MEMBER_KEY"):
    code, out, err = cli(capsys, "consent", action, run, "--member", "M100", *options, "--signer-key-env", signer,
                         "--rpc", uri)
    assert (code, err) == (0, ""), err
    return out


@pytest.fixture
def registered(run, uri, capsys, keys_env):
    assert cli(capsys, "consent", "register", run, "--member", "M100", "--key", MEMBER_KEY.address, "--rpc", uri) == (
        0, f"member M100: key {MEMBER_KEY.address} registered\n", "")
    return run


def test_history_is_refused_without_consent_and_shown_with_it(registered, uri, capsys):
    run = registered
    code, out, err = history(capsys, run, uri)
    assert (code, out) == (1, "") and err.startswith(
        f"claimledger: {PARTY} may not read member M100's claims for treatment: refused, and recorded as access #0")
    consent(capsys, run, uri, "grant", "--party", PARTY, "--purpose", "treatment", "--until", "2099-12-31")
    code, out, _ = history(capsys, run, uri)
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith(f"member M100: 15 line(s) for {PARTY} (treatment); access #1 recorded")
    assert lines[1:] == rows_of("M100")
    assert history(capsys, run, uri, purpose="research")[0] == 1  # a consent is for its purpose
    code, out, _ = cli(capsys, "audit", run, "--member", "M100", "--rpc", uri)
    audit = out.splitlines()
    assert code == 0 and audit[0] == "member M100: 3 access(es) recorded on chain"
    shown = "0x" + keccak(text="".join(r + "\n" for r in rows_of("M100"))).hex()
    assert [line.split()[2:] for line in audit[1:]] == [
        [PARTY, "treatment", "refused", "nothing", "shown"], [PARTY, "treatment", "granted", "shown", shown],
        [PARTY, "research", "refused", "nothing", "shown"]]


def test_a_revoked_or_expired_consent_shows_nothing(registered, uri, capsys):
    from brownie import chain as bchain

    run = registered
    consent(capsys, run, uri, "grant", "--party", PARTY, "--purpose", "treatment", "--until", "2099-12-31")
    consent(capsys, run, uri, "revoke", "--party", PARTY, "--purpose", "treatment")
    assert history(capsys, run, uri)[0] == 1
    today = dt.datetime.fromtimestamp(bchain[-1].timestamp, dt.timezone.utc)
    consent(capsys, run, uri, "grant", "--party", PARTY, "--purpose", "treatment", "--until", today.date().isoformat())
    assert history(capsys, run, uri)[0] == 0  # through the end of today
    bchain.sleep(2 * 86_400)
    bchain.mine()
    assert history(capsys, run, uri)[0] == 1


def test_a_delegate_grants_for_the_member_and_the_payer_needs_no_consent(registered, uri, capsys):
    run = registered
    consent(capsys, run, uri, "delegate", "--delegate", DELEGATE_KEY.address, "--until", "2099-12-31")
    consent(capsys, run, uri, "grant", "--party", PARTY, "--purpose", "operations", "--until", "2099-12-31",
            signer="DELEGATE_KEY")
    assert history(capsys, run, uri, purpose="operations")[0] == 0
    reviewer = chain.Keys.from_list(dev_private_keys(6)).addresses()[3]
    assert history(capsys, run, uri, party=reviewer, purpose="payment")[0] == 0  # PAYER, 45 CFR 164.506
    assert history(capsys, run, uri, party=reviewer, purpose="research")[0] == 1
    consent(capsys, run, uri, "grant", "--party", PARTY, "--purpose", "research", "--until", "2099-12-31",
            signer="DELEGATE_KEY")
    consent(capsys, run, uri, "delegate", "--delegate", DELEGATE_KEY.address, "--remove")
    code, _, err = cli(capsys, "consent", "revoke", run, "--member", "M100", "--party", PARTY, "--purpose", "research",
                       "--signer-key-env", "DELEGATE_KEY", "--rpc", uri)
    assert (code, err) == (1, "claimledger: refused by the contract: NotMemberOrDelegate\n")


# ------------------------------------------------------------------------------ erasure


def test_forget_unlinks_a_member_and_changes_nothing_else(run, uri, tmp_path, capsys):
    """R-33: after `forget`, nothing off chain computes the member's pseudonym from their id:
    their records are still on chain but cannot be found from the id; totals and the other
    members' records are as they were."""
    from brownie import web3

    copy = tmp_path / "run"
    shutil.copytree(run, copy)
    dep = chain.Deployment.load(web3, copy / "deployments.json")
    engine = dep["ClaimsEngine"]
    gone, kept = dep.ids.find_member("M101"), dep.ids.find_member("M100")
    before = (engine.functions.totalOutstanding().call(), engine.functions.member(gone).call(),
              engine.functions.accumulators(kept, 2026).call(), engine.functions.member(kept).call())
    assert before[1][0] is True  # enrolled
    code, out, _ = cli(capsys, "forget", copy, "--member", "M101")
    assert code == 0 and out.splitlines()[0] == (f"member M101: member salt destroyed in {copy / KEYSTORE_FILE}; its "
                                                 "on-chain records can no longer be found from its id")
    store = Pseudonyms.open(copy / KEYSTORE_FILE)
    assert store.find_member("M101") is None and store.find_member("M100") == kept
    assert (engine.functions.totalOutstanding().call(), engine.functions.member(gone).call(),
            engine.functions.accumulators(kept, 2026).call(), engine.functions.member(kept).call()) == before
    code, _, err = history(capsys, copy, uri, member="M101")
    assert (code, err) == (1, "claimledger: member M101: no pseudonym in this deployment's key store (erased by "
                              "`forget`, or never enrolled)\n")
    assert cli(capsys, "forget", copy, "--member", "M101") == (
        1, "", f"claimledger: member M101: no salt in {copy / KEYSTORE_FILE} (never seen, or forgotten already)\n")
    assert engine.functions.member(store.member("M101")).call()[0] is False  # a new salt finds nothing
