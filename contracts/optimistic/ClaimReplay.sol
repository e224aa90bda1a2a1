// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {ClaimCodec} from "../libraries/ClaimCodec.sol";
import {ClaimsEngine} from "../ClaimsEngine.sol";

/// @title ClaimReplay
/// @notice The replay sandbox of optimistic settlement (docs/OPTIMISTIC.md): the claims
/// engine's own claim path ({ClaimsEngine-_submit}, the same compiled code), run on storage that
/// holds nothing but the slots a challenge proves. Deployed once as an implementation; each
/// replay runs in a fresh EIP-1167 clone of it ({Clones-cloneWithImmutableArgs}, its creator's
/// address as the clone's argument), whose storage is empty, so that a slot the caller did not
/// supply reads as zero.
/// @dev The clone inherits the engine's external functions too, but with empty storage no
/// account holds a role in it, and its extension is an address without code: only {replay}
/// does anything.
contract ClaimReplay is ClaimsEngine {
    /// @notice {replay} was called on the implementation, not on a clone.
    error NotAClone();
    /// @notice {replay} was called by `caller`, not by the clone's creator.
    error NotReplayCreator(address caller);
    /// @notice `keys` and `preValues` are not as many.
    error ReplayLengthMismatch(uint256 keys, uint256 preValues);

    /// @dev transient: the result hash of the ClaimAccepted event the replayed claim logs
    bytes32 private constant _RESULT_SLOT = keccak256("claimledger.ClaimReplay.result");
    /// @dev a codeless address as the engine's extension: the clone delegates nothing anywhere
    address private constant _NO_EXTENSION = address(uint160(uint256(keccak256("claimledger.ClaimReplay.none"))));

    address private immutable _self;

    constructor() ClaimsEngine(msg.sender, 0, IERC20(address(0)), _NO_EXTENSION) {
        _self = address(this);
    }

    /// @notice Runs claim `claim_` (one packed claim, with the `originals` a correction names)
    /// through the engine's claim path on a storage in which each of `keys` holds its
    /// `preValues` entry (raw storage slots) and every other slot zero, then reads `keys` back.
    /// No role or pause check runs: they are not rule state.
    /// @return rejectReason the claim's {IClaimTypes-RejectReason}, 0 if it was recorded (or
    /// already was, with this content)
    /// @return resultHash for a recorded claim keccak256(abi.encodePacked(claimId,
    /// bytes32(providerNpi), header, lines)) of the `ClaimAccepted` event it logs (its topics 1
    /// and 2, then its data's words without their ABI offset and length); otherwise
    /// keccak256(abi.encodePacked(claimId, uint256(rejectReason))), reason 0 for a claim
    /// already recorded (A-3 idempotence, which logs no `ClaimAccepted`)
    /// @return postValues what each of `keys` holds after the claim
    function replay(bytes32[] calldata keys, bytes32[] calldata preValues, bytes calldata claim_, bytes calldata originals)
        external
        returns (uint8 rejectReason, bytes32 resultHash, bytes32[] memory postValues)
    {
        if (address(this) == _self) revert NotAClone();
        if (msg.sender != abi.decode(Clones.fetchCloneArgs(address(this)), (address))) revert NotReplayCreator(msg.sender);
        uint256 n = keys.length;
        if (preValues.length != n) revert ReplayLengthMismatch(n, preValues.length);
        for (uint256 i; i < n; ++i) {
            (bytes32 slot, bytes32 value) = (keys[i], preValues[i]);
            assembly ("memory-safe") {
                sstore(slot, value)
            }
        }
        uint256 length = ClaimCodec.claimLength(claim_, 0);
        if (length == 0 || length != claim_.length) revert MalformedClaim(length);
        _requireParses(originals);
        bytes32 slotOfResult = _RESULT_SLOT;
        assembly ("memory-safe") {
            tstore(slotOfResult, 0)
        }
        // slither-disable-next-line uninitialized-local: a memory struct starts zeroed, as for submitClaims
        ClaimContext memory ctx;
        rejectReason = uint8(_submit(claim_, originals, ctx));
        assembly ("memory-safe") {
            resultHash := tload(slotOfResult)
        }
        if (resultHash == bytes32(0)) {
            resultHash = keccak256(abi.encodePacked(ClaimCodec.claimId(claim_), uint256(rejectReason)));
        }
        postValues = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            bytes32 slot = keys[i];
            bytes32 value;
            assembly ("memory-safe") {
                value := sload(slot)
            }
            postValues[i] = value;
        }
    }

    /// @dev keeps the result hash of the claim's `ClaimAccepted` (see {replay}), then logs as
    /// the engine does
    function _logLines(bytes32 topic0, bytes32 topic1, bytes32 topic2, bool withHead, uint256 head, uint256[] memory words)
        internal
        override
    {
        if (topic0 == ClaimAccepted.selector) {
            bytes32 result = keccak256(abi.encodePacked(topic1, topic2, head, words));
            bytes32 slotOfResult = _RESULT_SLOT;
            assembly ("memory-safe") {
                tstore(slotOfResult, result)
            }
        }
        super._logLines(topic0, topic1, topic2, withHead, head, words);
    }
}
