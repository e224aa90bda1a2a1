"""Issue 18, concurrency: a replay runs while a reviewer approves pended lines, each a process
of its own on one deployment. The replay's families are not those of the pended lines (their
claims and accumulators are independent, so the interleaving cannot change an outcome); the
results, the review decisions and what the escrow owes and pays must be the reference model's,
each claim accepted once (the billers' case: test_concurrent_billers.py)."""
import csv
import time

from eth_account import Account


from claimledger.chain import Deployment
from claimledger.node import connect, dev_private_keys
from claimledger.pipeline import PROGRESS_FILE, adjudicate_reference
from claimledger.money import CENT_UNITS
from claimledger.records import RESULT_COLUMNS

from tests.faults.conftest import (reference_engine, senders_in_block_order, assert_each_claim_accepted_once, families,
                                   accrued_on_chain, reference_accrued, run_cli, scenario_part, start_cli)
from tests.faults.rpc_proxy import RpcProxy

BILLER_KEY = dev_private_keys(3)[2]  # the deployment's biller (anvil's dev key 2)


def test_a_replay_while_a_reviewer_approves_pended_lines(node, deployment, scenario, tmp_path):
    """Run 1 (the families of the pended lines and every other one) is adjudicated; then run 2
    (the other families) is replayed, through a proxy that holds each transaction 200 ms so that
    it lasts (~8 s), while the reviewer approves run 1's pended lines in processes of its own."""
    with open(scenario / "claims.csv", newline="") as fh:
        member_of = {row["claim_id"]: row["member_id"] for row in csv.DictReader(fh)}
    reference_all = tmp_path / "reference-all"
    adjudicate_reference(scenario, reference_all)
    with open(reference_all / "results.csv", newline="") as fh:
        pended = [(row["claim_id"], int(row["line"])) for row in csv.DictReader(fh) if row["status"] == "PENDED"]
    assert pended
    family = families(scenario)
    subscribers = sorted(set(family.values()))
    first_families = {family[member_of[claim]] for claim, _ in pended} | set(subscribers[0::2])
    part1 = scenario_part(scenario, tmp_path / "part1", lambda _c, member: family.get(member) in first_families)
    part2 = scenario_part(scenario, tmp_path / "part2", lambda _c, member: family.get(member) not in first_families)
    run1, run2 = tmp_path / "run1", tmp_path / "run2"
    run_cli("adjudicate", part1, "--out", run1, "--deployment", deployment)
    with RpcProxy(node.url, delay_methods={"eth_sendRawTransaction": 0.2}) as proxy:
        replay = start_cli("adjudicate", part2, "--out", run2, "--deployment", deployment, "--rpc", proxy.url,
                           "--batch", "1")
        deadline = time.monotonic() + 120
        while not (run2 / PROGRESS_FILE).exists() and time.monotonic() < deadline and replay.poll() is None:
            time.sleep(0.02)
        started = time.monotonic()
        for claim_id, line in pended:
            run_cli("review", "approve", run1, claim_id, line)
        print(f"approvals took {time.monotonic() - started:.1f} s; replay running: {replay.poll() is None}")
        out, err = replay.communicate(timeout=300)
        print(f"replay ended {time.monotonic() - started:.1f} s after the approvals started; {proxy.requests} requests")
    assert replay.returncode == 0, err
    for part, run in ((part1, run1), (part2, run2)):
        expected = tmp_path / f"reference-{part.name}"
        adjudicate_reference(part, expected)
        assert (run / "results.csv").read_bytes() == (expected / "results.csv").read_bytes()
    engine = reference_engine(part1)
    expected_rows = [engine.decide(claim, line, True).row() for claim, line in pended]
    with open(run1 / "review_results.csv", newline="") as fh:
        decided = list(csv.reader(fh))
    assert decided == [list(RESULT_COLUMNS), *expected_rows] and {row[2] for row in decided[1:]} == {"APPROVED"}
    w3 = connect(node.url)
    dep = Deployment.load(w3, deployment / "deployments.json")
    assert_each_claim_accepted_once(dep, scenario)
    reviewer = Account.from_key(dev_private_keys(4)[3]).address
    order = senders_in_block_order(w3, dep, {reviewer, Account.from_key(BILLER_KEY).address})
    last_approval = max(n for n, sender in enumerate(order) if sender == reviewer)
    replayed_after = len(order) - 1 - last_approval
    print(f"replay and review: {len(pended)} approvals, {replayed_after} replay transactions mined after the last")
    assert replayed_after > 0  # the replay went on after the approvals (it had started before them)
    decisions = [(claim, line, True) for claim, line in pended]
    accrued = accrued_on_chain(dep, scenario)
    assert accrued == reference_accrued(scenario, decisions)
    # paid once: run 2's settlement, after the approvals, paid each provider what it had come to be owed
    engine = dep["ClaimsEngine"]
    assert engine.functions.totalOutstanding().call() == 0
    paid = {npi: engine.functions.account(int(npi)).call()[2] // CENT_UNITS for npi in accrued}
    assert paid == {npi: max(0, cents) for npi, cents in accrued.items()}
