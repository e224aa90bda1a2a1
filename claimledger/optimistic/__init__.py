"""Optimistic settlement (issue 19): the sparse Merkle tree over the engine's storage slots
(:mod:`.smt`) and the adjudicator's off-chain run of the engine (:mod:`.shadow`)."""
