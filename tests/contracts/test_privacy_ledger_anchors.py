"""Run anchors (R-36, IRunAnchors): the records officer anchors a run's Merkle root once under
its id; anyone checks a leaf with its proof (OpenZeppelin's MerkleProof, sorted pairs) against
it: the leaves and proofs claimledger.privacy.merkle builds verify, a changed leaf or a proof
of another place does not."""
import brownie

from claimledger.privacy import merkle
from tests.contracts.helpers import err, unauthorized
from tests.contracts.privacy_helpers import ZERO32, plain, values

RUN = b"\xa1" * 32
LEAVES = [merkle.leaf("results.csv", i, bytes([i]) * 32) for i in range(5)]  # an odd level on the way up


def test_a_run_is_anchored_once(ledger, records_officer):
    root = merkle.root(LEAVES)
    tx = ledger.anchor(RUN, root, len(LEAVES), {"from": records_officer})
    assert values(tx.events["RunAnchored"]) == ("0x" + RUN.hex(), "0x" + root.hex(), 5)
    assert plain(ledger.anchorOf(RUN)) == ("0x" + root.hex(), 5, tx.timestamp, tx.block_number)
    with brownie.reverts(err("AnchorExists", RUN)):
        ledger.anchor(RUN, root, len(LEAVES), {"from": records_officer})


def test_an_empty_anchor_is_refused(ledger, records_officer):
    with brownie.reverts(err("EmptyAnchor", RUN)):
        ledger.anchor(RUN, ZERO32, 1, {"from": records_officer})
    with brownie.reverts(err("EmptyAnchor", RUN)):
        ledger.anchor(RUN, b"\x01" * 32, 0, {"from": records_officer})


def test_only_the_records_officer_anchors(ledger, outsider):
    with brownie.reverts(unauthorized(outsider, "RECORDS_OFFICER")):
        ledger.anchor(RUN, b"\x01" * 32, 1, {"from": outsider})


def test_every_leaf_verifies_with_its_proof_and_nothing_else_does(ledger, records_officer):
    tree = merkle.levels(LEAVES)
    ledger.anchor(RUN, tree[-1][0], len(LEAVES), {"from": records_officer})
    for index, leaf in enumerate(LEAVES):
        assert ledger.verifyLeaf(RUN, leaf, merkle.proof(tree, index))
        assert merkle.process(leaf, merkle.proof(tree, index)) == tree[-1][0]
    changed = merkle.leaf("results.csv", 1, b"\x09" * 32)
    assert not ledger.verifyLeaf(RUN, changed, merkle.proof(tree, 1))
    assert not ledger.verifyLeaf(RUN, LEAVES[1], merkle.proof(tree, 2))
    assert not ledger.verifyLeaf(b"\xa2" * 32, LEAVES[1], merkle.proof(tree, 1))  # no such anchor
