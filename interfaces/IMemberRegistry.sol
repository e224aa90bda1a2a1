// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IMemberRegistry
/// @notice Eligibility (A-2.2) and the per-plan-year accumulators of members and families (A-6.6).
/// Members, families and plans are pseudonymous hashes: no protected health information.
interface IMemberRegistry {
    struct Member {
        bool enrolled;
        bytes32 familyId; // the subscriber's pseudonymous id
        bytes32 planId;
        uint32 coverageStart; // days since 1970-01-01
        uint32 coverageEnd; // last covered day; type(uint32).max when open-ended
    }

    /// @notice Deductible and out-of-pocket amounts met in one plan year, in cents.
    struct Accumulator {
        uint64 deductibleMet;
        uint64 oopMet;
    }

    error MemberUnknown(bytes32 memberId);
    error InvalidCoverage(bytes32 memberId, uint32 coverageStart, uint32 coverageEnd);
    error PlanUnknown(bytes32 planId);
    error FamilyChange(bytes32 memberId, bytes32 familyId, bytes32 newFamilyId);
    error LengthMismatch(uint256 expected, uint256 actual);

    event MemberEnrolled(bytes32 indexed memberId, bytes32 indexed familyId, bytes32 planId, uint32 coverageStart, uint32 coverageEnd);
    event AccumulatorsApplied(bytes32 indexed memberId, bytes32 indexed familyId, uint16 year, uint64 deductible, uint64 oop);
    event AccumulatorsReversed(bytes32 indexed memberId, bytes32 indexed familyId, uint16 year, uint64 deductible, uint64 oop);

    /// @notice Enrolls or re-enrolls members (re-enrollment replaces plan and coverage dates).
    /// Requirements:
    /// - caller has PLAN_MANAGER;
    /// - each plan exists in the plan registry; coverageEnd >= coverageStart;
    /// - a member keeps its family: accumulators and reversals are per family (R-14).
    function enroll(bytes32[] calldata memberIds, Member[] calldata members) external;

    /// @notice Adds a line's deductible and patient share to the member's and family's year.
    /// Requirements: caller has ENGINE.
    function applyAccumulators(bytes32 memberId, bytes32 familyId, uint16 year, uint64 deductible, uint64 oop) external;

    /// @notice Takes a reversed line's amounts back, never below zero (A-7.1).
    /// Requirements: caller has ENGINE.
    function reverseAccumulators(bytes32 memberId, bytes32 familyId, uint16 year, uint64 deductible, uint64 oop) external;

    /// @notice A member's eligibility record; `enrolled` is false for an unknown member.
    function member(bytes32 memberId) external view returns (Member memory);

    /// @notice The individual and family accumulators of `year`.
    function accumulators(bytes32 memberId, bytes32 familyId, uint16 year)
        external
        view
        returns (Accumulator memory individual, Accumulator memory family);
}
