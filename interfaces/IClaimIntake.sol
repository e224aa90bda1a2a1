// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEngineErrors} from "./IEngineErrors.sol";
import {IEngineEvents} from "./IEngineEvents.sol";

/// @title IClaimIntake
/// @notice What a biller calls: claims in submission order (A-1.4), adjudicated as they arrive
/// (A-3 to A-7), and appeals of denied lines (R-13).
///
/// Claims travel packed, back to back, big-endian (docs/ENGINE.md, `claimledger/codec.py`):
/// `claimId` 32 bytes, `memberId` 32, `providerNpi` 8, `receivedDate` 4, `frequency` 1,
/// `flags` 1 (bit 0: an original claim id follows), diagnosis count 1, line count 1,
/// [`originalClaimId` 32], the diagnoses 8 bytes each, then each line: `serviceDate` 4,
/// `procedureCode` 8, `units` 2, `billed` 5. A claim's content hash is the keccak256 of its
/// bytes after the claim id.
interface IClaimIntake is IEngineErrors, IEngineEvents {
    /// @notice The largest number of claims {submitClaims} takes in one call.
    function MAX_BATCH() external view returns (uint256);

    /// @notice Submits up to {MAX_BATCH} packed claims in order, with the content of every
    /// claim their replacements and voids name, packed the same way (R-17); entries of
    /// `originals` that are not the recorded content of a named claim are ignored. An invalid
    /// record emits {ClaimRecordRejected} and the batch goes on (A-3); a claim id already
    /// recorded with the same content emits {ClaimAlreadyRecorded} and changes nothing.
    /// Requirements:
    /// - caller has BILLER; not paused;
    /// - at most {MAX_BATCH} claims, else reverts with {BatchTooLarge};
    /// - `claims` and `originals` parse as packed claims, else reverts with {MalformedClaim}.
    function submitClaims(bytes calldata claims, bytes calldata originals) external;

    /// @notice Submits one packed claim (see {submitClaims}).
    /// Requirements: as {submitClaims}; the record is valid (A-3), else reverts with {ClaimRejected}.
    function submitClaim(bytes calldata claim, bytes calldata originals) external;

    /// @notice Appeals a denied line of `claim` (the claim as submitted) once, with the hash of
    /// the off-chain appeal letter and records (R-13). The line stays denied while the appeal
    /// is open.
    /// Requirements:
    /// - caller has BILLER; not paused;
    /// - `documentHash` non-zero, else reverts with {AppealNeedsDocument};
    /// - `claim` hashes to the recorded content, else reverts with {ClaimContentMismatch};
    /// - the line was not appealed before, else reverts with {AlreadyAppealed};
    /// - the line is DENIED and its claim not reversed, else reverts with {LineNotDenied}.
    function appeal(bytes calldata claim, uint8 line, bytes32 documentHash) external;
}
