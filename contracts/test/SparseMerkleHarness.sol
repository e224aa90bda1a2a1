// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SparseMerkle} from "../libraries/SparseMerkle.sol";

/// @title SparseMerkleHarness
/// @notice A test instrument, not part of claimledger: exposes {SparseMerkle} so that a test can
/// compare its roots with `claimledger/optimistic/smt.py` and measure what they cost.
contract SparseMerkleHarness {
    /// @notice See {SparseMerkle-computeRoot}.
    function computeRoot(bytes32[] calldata keys, bytes32[] calldata values, SparseMerkle.Proof[] calldata proofs)
        external
        pure
        returns (bytes32)
    {
        return SparseMerkle.computeRoot(keys, values, proofs);
    }

    /// @notice {SparseMerkle-computeRoot} and the gas it used, from its arguments in memory on.
    function measure(bytes32[] calldata keys, bytes32[] calldata values, SparseMerkle.Proof[] calldata proofs)
        external
        view
        returns (bytes32 root, uint256 gasUsed)
    {
        (bytes32[] memory k, bytes32[] memory v, SparseMerkle.Proof[] memory p) = (keys, values, proofs);
        uint256 before = gasleft();
        root = SparseMerkle.computeRoot(k, v, p);
        gasUsed = before - gasleft();
    }

    /// @notice See {SparseMerkle-leafHash}.
    function leafHash(bytes32 key, bytes32 value) external pure returns (bytes32) {
        return SparseMerkle.leafHash(key, value);
    }
}
