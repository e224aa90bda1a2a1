"""Fixtures of the concurrency and fault tests (issue 18): real processes running the CLI
against a node of their own (never brownie's), a deployment that lives on it, and the reference
model's results to compare with.

Each test module gets its own key-lock directory (R-47), so that runs on one machine never see
each other's locks."""
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from claimledger import chain
from claimledger.chain import Deployment
from claimledger.money import CENT_UNITS
from claimledger.node import AnvilNode, connect, dev_private_keys
from claimledger.records import RESULT_COLUMNS, Claim
from claimledger.recorded import recorded_rows
from claimledger.scenario import iter_claims, load_scenario
from claimledger.sender import TxSender
from claimledger.synth import SynthConfig, generate

CLI = [sys.executable, "-m", "claimledger.cli"]
CLI_TIMEOUT_S = 300
SECOND_BILLER_ENV = "CLAIMLEDGER_TEST_SECOND_BILLER_KEY"
SECOND_BILLER_KEY = dev_private_keys(8)[7]  # not a role key of the deployment until granted BILLER


def run_cli(*args, check: bool = True, **popen) -> subprocess.CompletedProcess:
    """The CLI in a process of its own; with ``check``, a non-zero exit fails the test with its stderr."""
    done = subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, timeout=CLI_TIMEOUT_S, **popen)
    if check:
        assert done.returncode == 0, f"claimledger {' '.join(map(str, args))}: {done.stderr}"
    return done


def start_cli(*args, **popen) -> subprocess.Popen:
    return subprocess.Popen([*CLI, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def one_line_error(stderr: str) -> str:
    """The CLI's error: exactly one line starting ``claimledger: `` (no traceback)."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("claimledger: "), stderr
    return lines[0]


@pytest.fixture(scope="module", autouse=True)
def lock_dir(tmp_path_factory):
    """R-47's locks of this module's processes (in-process senders and the CLIs it starts)."""
    with pytest.MonkeyPatch.context() as patch:
        path = tmp_path_factory.mktemp("locks")
        patch.setenv("CLAIMLEDGER_LOCK_DIR", str(path))
        patch.delenv("CLAIMLEDGER_RPC", raising=False)
        yield path


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    """200 claims with corrections, resubmissions, duplicates and two pended lines."""
    out = tmp_path_factory.mktemp("scenario")
    generate(out, SynthConfig(claims=200, seed=3))
    return out


@pytest.fixture(scope="module")
def node():
    """An anvil of the module's own (automine), on a free port."""
    with AnvilNode() as running:
        yield running


@pytest.fixture(scope="module")
def deployment(node, scenario, tmp_path_factory):
    """``claimledger deploy`` and ``load`` of the scenario on the module's node, and a second
    biller (dev key 7, in ``SECOND_BILLER_ENV``) granted BILLER by the admin."""
    out = tmp_path_factory.mktemp("deployment") / "deploy"
    run_cli("deploy", "--rpc", node.url, "--out", out)
    run_cli("load", out, scenario, "--effective-from", "2026-01-01")
    w3 = connect(node.url)
    dep = Deployment.load(w3, out / "deployments.json")
    admin = TxSender(w3, dev_private_keys(1)[0])
    second = TxSender(w3, SECOND_BILLER_KEY).address
    admin.transact(dep[chain.ENGINE].address, dep[chain.ENGINE].encode_abi("grantRole", args=[chain.ROLES["BILLER"], second]),
                   200_000)
    return out


def claims_csv_of(scenario: Path, keep) -> str:
    """The claims.csv rows of ``scenario`` whose claim record ``keep(claim_id, member_id)`` takes, in order."""
    text = (scenario / "claims.csv").read_text()
    header, *rows = text.splitlines(keepends=True)
    return header + "".join(row for row in rows if keep(*_ids(row)))


def overlapping_claim_files(scenario: Path, out: Path) -> tuple[Path, Path, set[str]]:
    """Two claims files of ``scenario`` cut along families: a third of the families only in
    ``a.csv``, a third only in ``b.csv``, the rest in both (a family's claims in the file's
    order), so that whatever the interleaving of two senders, each claim has the reference's
    outcome; returns the two files and the claim ids in both."""
    family = families(scenario)
    subscribers = sorted(set(family.values()))
    only_a, only_b = set(subscribers[0::3]), set(subscribers[1::3])
    file_a, file_b = out / "a.csv", out / "b.csv"
    file_a.write_text(claims_csv_of(scenario, lambda _claim, member: family.get(member) not in only_b))
    file_b.write_text(claims_csv_of(scenario, lambda _claim, member: family.get(member) not in only_a))
    both = {row[0] for row in csv.reader(file_a.open())} & {row[0] for row in csv.reader(file_b.open())}
    return file_a, file_b, both - {"claim_id"}


def _ids(row: str) -> tuple[str, str]:
    fields = next(csv.reader([row]))
    return fields[0], fields[3]


def families(scenario: Path) -> dict[str, str]:
    """member_id -> subscriber_id (the family whose accumulators its lines move)."""
    with open(scenario / "members.csv", newline="") as fh:
        return {row["member_id"]: row["subscriber_id"] for row in csv.DictReader(fh)}


def results_on_chain(dep: Deployment, scenario: Path) -> bytes:
    """results.csv as the chain has it: the rows each claim of the scenario produced when the
    engine accepted it (read back from its transaction's events), in the file's order, each
    claim id once. Equal to the reference's only if every claim was accepted once, in an order
    that gave every family's claims the outcomes of the file's order."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(RESULT_COLUMNS)
    seen = set()
    for item in iter_claims(scenario / "claims.csv"):
        if isinstance(item, Claim) and item.claim_id not in seen:
            seen.add(item.claim_id)
            found = recorded_rows(dep, item, (0, -1))
            for row in (found[0] if found else []):
                writer.writerow(row.row())
    return out.getvalue().encode()


def accepted_counts(dep: Deployment) -> dict[bytes, int]:
    """claim key -> how many ClaimAccepted events the engine emitted for it."""
    counts: dict[bytes, int] = {}
    for log in dep[chain.ENGINE].events.ClaimAccepted.get_logs(from_block=dep.from_block):
        key = bytes(log["args"]["claimId"])
        counts[key] = counts.get(key, 0) + 1
    return counts


def accrued_on_chain(dep: Deployment, scenario: Path) -> dict[str, int]:
    """What the escrow has come to owe each provider, in cents, payments aside (accrued - recouped)."""
    engine = dep[chain.ENGINE]
    out = {}
    for npi in load_scenario(scenario).providers:
        accrued, recouped = engine.functions.account(int(npi)).call()[:2]
        out[npi] = (accrued - recouped) // CENT_UNITS
    return out


def reference_engine(scenario: Path, decisions=()):
    """The reference model after the scenario's claims and then ``decisions`` (claim_id, line, approve)."""
    from claimledger.reference import ReferenceEngine

    engine = ReferenceEngine.from_scenario(load_scenario(scenario))
    for item in iter_claims(scenario / "claims.csv"):
        if isinstance(item, Claim):
            engine.submit(item)
    for claim_id, line, approve in decisions:
        engine.decide(claim_id, line, approve)
    return engine


def reference_accrued(scenario: Path, decisions=()) -> dict[str, int]:
    """What the reference model comes to owe each provider (cents, accrued - recouped) after
    the scenario and ``decisions``."""
    engine = reference_engine(scenario, decisions)
    return {npi: engine.accounts[npi].accrued - engine.accounts[npi].recouped for npi in load_scenario(scenario).providers}


def assert_each_claim_accepted_once(dep: Deployment, scenario: Path) -> int:
    """Every claim the reference model accepts was accepted on chain exactly once, and no other;
    returns how many."""
    counts = accepted_counts(dep)
    expected = {dep.ids.claim(claim_id) for claim_id in reference_engine(scenario).claims}
    assert set(counts) == expected
    assert set(counts.values()) == {1}
    return len(counts)


def assert_resumed_to_the_reference(run_dir: Path, reference: Path, dep: Deployment, scenario: Path) -> None:
    """A run that failed and was resumed ended as one that never failed: results.csv and
    rejects.csv byte-identical to the reference model's, no partial or temporary file left,
    every claim accepted once (none missing), nothing outstanding, and the escrow paid out
    exactly the net paid of the results (nothing paid twice)."""
    assert (run_dir / "results.csv").read_bytes() == (reference / "results.csv").read_bytes()
    assert (run_dir / "rejects.csv").read_bytes() == (reference / "rejects.csv").read_bytes()
    assert not list(run_dir.glob("*.partial")) and not list(run_dir.glob("*.tmp"))
    assert_each_claim_accepted_once(dep, scenario)
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["settlement"]["outstanding_cents"] == 0
    engine = dep[chain.ENGINE]
    paid_out = sum(engine.functions.account(int(npi)).call()[2] for npi in load_scenario(scenario).providers)
    assert paid_out == round(summary["outcomes"]["amounts"]["paid"] * 100) * CENT_UNITS


def scenario_part(scenario: Path, out: Path, keep) -> Path:
    """A copy of ``scenario`` whose claims.csv holds only the records ``keep(claim_id, member_id)`` takes."""
    import shutil

    shutil.copytree(scenario, out)
    (out / "claims.csv").write_text(claims_csv_of(scenario, keep))
    return out


def senders_in_block_order(w3, dep, addresses) -> list[str]:
    """The sender of every transaction of ``addresses`` since the deployment, in chain order."""
    order = []
    for number in range(dep.from_block, w3.eth.block_number + 1):
        for tx in w3.eth.get_block(number, full_transactions=True)["transactions"]:
            if tx["from"] in addresses:
                order.append(tx["from"])
    return order
