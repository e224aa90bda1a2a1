// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {SparseMerkle} from "../libraries/SparseMerkle.sol";
import {ClaimReplay} from "../optimistic/ClaimReplay.sol";

/// @title ReplayHarness
/// @notice A test instrument, not part of claimledger: what a challenge will do with one claim,
/// so that a test can compare it with the adjudicator's run (claimledger/optimistic/shadow.py)
/// and measure it. Proves the pre-values against the pre-state root, replays the claim in a
/// fresh clone of {ClaimReplay} (created here, so only this contract may call it), and gives the
/// root after it.
contract ReplayHarness {
    /// @notice The pre-values and proofs give `proven`, not the posted pre-state root.
    error PreStateMismatch(bytes32 preRoot, bytes32 proven);

    /// @notice One replay: the claim's reject reason and result hash, the root after it.
    event Replayed(address clone, uint8 rejectReason, bytes32 resultHash, bytes32 postRoot);

    address public immutable implementation;

    constructor(address implementation_) {
        implementation = implementation_;
    }

    /// @notice Proves `preValues` of `keys` against `preRoot` with `proofs`, replays `claim_` on
    /// them in a new clone and returns what it gives, with the root of its post-values (same
    /// proofs).
    function check(
        bytes32 preRoot,
        bytes32[] calldata keys,
        bytes32[] calldata preValues,
        SparseMerkle.Proof[] calldata proofs,
        bytes calldata claim_,
        bytes calldata originals
    ) external returns (uint8 rejectReason, bytes32 resultHash, bytes32 postRoot) {
        SparseMerkle.Proof[] memory p = proofs;
        bytes32 proven = SparseMerkle.computeRoot(keys, preValues, p);
        if (proven != preRoot) revert PreStateMismatch(preRoot, proven);
        address clone = Clones.cloneWithImmutableArgs(implementation, abi.encode(address(this)));
        bytes32[] memory postValues;
        (rejectReason, resultHash, postValues) = ClaimReplay(clone).replay(keys, preValues, claim_, originals);
        postRoot = SparseMerkle.computeRoot(keys, postValues, p);
        emit Replayed(clone, rejectReason, resultHash, postRoot);
    }

    /// @notice {ClaimReplay-replay} in a new clone, without proofs: what the claim gives on
    /// exactly these slots.
    function replayOnly(bytes32[] calldata keys, bytes32[] calldata preValues, bytes calldata claim_, bytes calldata originals)
        external
        returns (uint8, bytes32, bytes32[] memory)
    {
        address clone = Clones.cloneWithImmutableArgs(implementation, abi.encode(address(this)));
        return ClaimReplay(clone).replay(keys, preValues, claim_, originals);
    }

    /// @notice A clone created here, for a test of who may call it.
    function newClone() external returns (address clone) {
        clone = Clones.cloneWithImmutableArgs(implementation, abi.encode(address(this)));
    }
}
