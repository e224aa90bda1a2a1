// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IRunAnchors
/// @notice Integrity anchoring (Guardtime KSI's idea): a run, or a later batch of its exports,
/// anchors one Merkle root over its inputs and outputs (each input file, each results and
/// rejects row, each exported file), never one per claim. Anyone can then prove a row or file
/// unchanged with the leaf and its proof (OpenZeppelin's MerkleProof: sorted pairs; leaves are
/// double-hashed and name their file and row, so rows cannot be moved or swapped).
interface IRunAnchors {
    /// @notice An anchored root.
    struct Anchor {
        bytes32 root;
        uint32 leaves;
        uint64 at; // block timestamp
        uint64 blockNumber;
    }

    error AnchorExists(bytes32 anchorId);
    error EmptyAnchor(bytes32 anchorId);

    event RunAnchored(bytes32 indexed anchorId, bytes32 root, uint32 leaves);

    /// @notice Anchors `root` over `leaves` leaves under `anchorId` (the hash of a run's or a
    /// batch's name), once. Emits {RunAnchored}.
    /// Requirements: caller has RECORDS_OFFICER; no anchor of that id, else {AnchorExists};
    /// a non-zero root and at least one leaf, else {EmptyAnchor}.
    function anchor(bytes32 anchorId, bytes32 root, uint32 leaves) external;

    /// @notice The anchor of `anchorId` (root zero when none).
    function anchorOf(bytes32 anchorId) external view returns (Anchor memory);

    /// @notice Whether `leaf` with `proof` hashes to the root anchored under `anchorId`.
    function verifyLeaf(bytes32 anchorId, bytes32 leaf, bytes32[] calldata proof) external view returns (bool);
}
