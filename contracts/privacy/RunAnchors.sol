// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IRunAnchors} from "../../interfaces/IRunAnchors.sol";
import {PrivacyBase} from "./PrivacyBase.sol";

/// @title RunAnchors
/// @notice One Merkle root per run or batch, written once (two slots).
abstract contract RunAnchors is IRunAnchors, PrivacyBase {
    mapping(bytes32 => Anchor) private _anchors;

    /// @inheritdoc IRunAnchors
    function anchor(bytes32 anchorId, bytes32 root, uint32 leaves) external onlyRole(RECORDS_OFFICER) {
        if (_anchors[anchorId].root != bytes32(0)) revert AnchorExists(anchorId);
        if (root == bytes32(0) || leaves == 0) revert EmptyAnchor(anchorId);
        _anchors[anchorId] = Anchor(root, leaves, _now(), uint64(block.number));
        emit RunAnchored(anchorId, root, leaves);
    }

    /// @inheritdoc IRunAnchors
    function anchorOf(bytes32 anchorId) external view returns (Anchor memory) {
        return _anchors[anchorId];
    }

    /// @inheritdoc IRunAnchors
    function verifyLeaf(bytes32 anchorId, bytes32 leaf, bytes32[] calldata proof) external view returns (bool) {
        bytes32 root = _anchors[anchorId].root;
        return root != bytes32(0) && MerkleProof.verifyCalldata(proof, root, leaf);
    }
}
