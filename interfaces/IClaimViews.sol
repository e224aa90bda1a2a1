// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEngineErrors} from "./IEngineErrors.sol";

/// @title IClaimViews
/// @notice What anyone may read of the engine's state.
interface IClaimViews is IEngineErrors {
    /// @notice A claim's record; state None when unknown.
    function claim(bytes32 claimId) external view returns (ClaimRecord memory);

    /// @notice Line `line` (1-based) of `claim_`, the claim as submitted, packed: the engine
    /// finds a line's outcome from its content (R-26). A line of a reversed claim may be reported
    /// as REVERSED only (see {IClaimTypes-LineRecord}).
    /// Requirements: `claim_` hashes to the recorded content, else {ClaimContentMismatch}; the
    /// line exists, else {LineUnknown}.
    function lineOf(bytes calldata claim_, uint8 line) external view returns (LineRecord memory);

    /// @notice A line's appeal (R-13); state None when the line was never appealed.
    function appealOf(bytes32 claimId, uint8 line) external view returns (AppealRecord memory);

    /// @notice Number of lines waiting for review.
    function pendingCount() external view returns (uint256);

    /// @notice Lines waiting for review in the order they were pended (A-5), read from position
    /// `cursor` of the review log: at most `max` of them, and the cursor to go on from (0 once
    /// the log is read to its end). Start with cursor 0.
    function pendingPage(uint256 cursor, uint256 max) external view returns (PendingLine[] memory lines, uint256 next);

    /// @notice A member's eligibility record; `enrolled` is false for an unknown member.
    function member(bytes32 memberId) external view returns (Member memory);

    /// @notice The member's and its family's accumulators of plan year `year`.
    function accumulators(bytes32 memberId, uint16 year)
        external
        view
        returns (Accumulator memory individual, Accumulator memory family);

    /// @notice The sealed version of `planId` in effect on `day`; `found` is false if none (R-3).
    function planAt(bytes32 planId, uint32 day) external view returns (PlanView memory);

    /// @notice The fee-schedule entry of `code` in a version; `listed` is false if absent.
    function fee(bytes32 planId, uint32 version, bytes8 code) external view returns (FeeEntry memory);

    /// @notice The copay of a category in a version; `applies` is false when it has none.
    function copay(bytes32 planId, uint32 version, bytes16 category) external view returns (bool applies, uint64 amount);

    /// @notice The terms of a version. Requirements: the version exists.
    function termsOf(bytes32 planId, uint32 version) external view returns (PlanTerms memory);

    /// @notice Number of versions of `planId` (0: unknown plan).
    function versionCount(bytes32 planId) external view returns (uint32);

    /// @notice Identity and state of a version. Requirements: the version exists.
    function versionInfo(bytes32 planId, uint32 version) external view returns (VersionInfo memory);

    /// @notice Whether the engine counts approved units per day (A-4.11) or lines per year
    /// (A-4.12) of `code`: once any plan version loaded so far limits it (R-16).
    function limitsCounted(bytes8 code) external view returns (bool unitsPerDay, bool linesPerYear);

    /// @notice A provider's record; `registered` is false for an unknown NPI.
    function provider(uint64 npi) external view returns (Provider memory);

    /// @notice An authorization's record; units 0 when unknown.
    function authorization(bytes32 authId) external view returns (Authorization memory);

    /// @notice The first authorization (R-5) for member+code covering `day` with `units` left.
    function findAuthorization(bytes32 memberId, bytes8 procedureCode, uint32 day, uint16 units)
        external
        view
        returns (Lookup lookup, bytes32 authId);
}
