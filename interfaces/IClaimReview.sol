// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEngineErrors} from "./IEngineErrors.sol";
import {IEngineEvents} from "./IEngineEvents.sol";

/// @title IClaimReview
/// @notice What a reviewer calls: decisions on pended lines (A-5, R-6) and on appeals (R-13).
/// Each takes the claim as submitted, packed (see {IClaimIntake}), since the engine keeps only
/// a tag of its content (R-17).
interface IClaimReview is IEngineErrors, IEngineEvents {
    /// @notice Approves a pended line, priced against the accumulators of this moment (A-5) by
    /// the plan version it was checked against (R-15).
    /// Requirements: caller has REVIEWER; not paused; `claim` hashes to the recorded content,
    /// else reverts with {ClaimContentMismatch}; the line is pending, else {LineNotPending};
    /// A-4 checks 9-12 still pass, else reverts with {ApprovalBlocked} (R-6).
    function approvePended(bytes calldata claim, uint8 line) external;

    /// @notice Denies a pended line with the reviewer's CARC (A-5).
    /// Requirements: caller has REVIEWER; not paused; carc non-zero, else {DenialNeedsReason};
    /// `claim` hashes to the recorded content; the line is pending.
    function denyPended(bytes calldata claim, uint8 line, bytes8 carc) external;

    /// @notice Decides an open appeal (R-13). Upholding changes nothing but the appeal.
    /// Overturning re-runs the line's A-4 checks against this moment without the one the
    /// appealed CARC names: if none fails the line is approved and priced (A-6), never pended,
    /// else it stays denied with the CARC found ({LineAdjudicated} either way).
    /// Requirements: caller has REVIEWER; not paused; `claim` hashes to the recorded content;
    /// the appeal is open and the line still DENIED, else reverts with {AppealNotOpen}.
    function decideAppeal(bytes calldata claim, uint8 line, bool overturn) external;
}
