// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEngineErrors} from "./IEngineErrors.sol";
import {IEngineEvents} from "./IEngineEvents.sol";

/// @title IBenefitsAdmin
/// @notice What the plan manager calls: plans as data (A-2.1, R-3, R-15), members (A-2.2),
/// providers (A-2.3) and prior authorizations (A-2.4).
interface IBenefitsAdmin is IEngineErrors, IEngineEvents {
    /// @notice Opens a new version of `planId` (creating the plan on its first version).
    /// Requirements:
    /// - caller has PLAN_MANAGER;
    /// - `effectiveFrom` is after the previous version's, else {PlanVersionNotAfterPrevious};
    /// - terms are consistent (family >= individual, rates <= 100%, filing window > 0, amounts
    ///   below 2^40 cents), else {InvalidPlanTerms}; `nonDuplication` chooses how a line this
    ///   plan pays second pays (A-11.3).
    function createPlanVersion(bytes32 planId, string calldata name, uint32 effectiveFrom, PlanTerms calldata terms)
        external
        returns (uint32 version);

    /// @notice Sets copays by service category on an unsealed version.
    /// Requirements: caller has PLAN_MANAGER; the version exists and is not sealed.
    function setCopays(bytes32 planId, uint32 version, bytes16[] calldata categories, uint64[] calldata copays)
        external;

    /// @notice Sets fee-schedule entries on an unsealed version.
    /// Requirements: caller has PLAN_MANAGER; the version exists and is not sealed; each entry
    /// has a code, `listed` set, an allowed amount and a category, at most 255 dx prefixes, else
    /// {InvalidFeeEntry}.
    function setFees(bytes32 planId, uint32 version, bytes8[] calldata codes, FeeEntry[] calldata entries) external;

    /// @notice Sets the member incentive of codes of an unsealed version (A-12.1): the first
    /// approved line of such a code in a plan year earns a member `amounts[i]` cents (0: none).
    /// An entry set again by {setFees} keeps its incentive.
    /// Requirements: caller has PLAN_MANAGER; the version exists and is not sealed; each code is
    /// in the version's fee schedule, else {InvalidFeeEntry} with field "incentive"; amounts
    /// below 2^40 cents, else field "incentiveAmount".
    function setIncentives(bytes32 planId, uint32 version, bytes8[] calldata codes, uint64[] calldata amounts)
        external;

    /// @notice Seals a version with the hash of the plan document it was loaded from: from
    /// now on it prices claims and cannot change.
    /// Requirements: caller has PLAN_MANAGER; the version exists and is not sealed.
    function sealPlanVersion(bytes32 planId, uint32 version, bytes32 contentHash) external;

    /// @notice Enrolls or re-enrolls members (re-enrollment replaces plan and coverage dates;
    /// coverage ends by its end date: `enrolled` is not read).
    /// Requirements: caller has PLAN_MANAGER; each plan exists; coverageEnd >= coverageStart;
    /// a member keeps its family (R-14), else {FamilyChange}.
    function enroll(bytes32[] calldata memberIds, Member[] calldata members) external;

    /// @notice Registers or updates providers (`registered` is not read: every one is registered).
    /// Requirements: caller has PLAN_MANAGER; each NPI has 10 digits; each payee is non-zero.
    function registerProviders(uint64[] calldata npis, Provider[] calldata providers) external;

    /// @notice Records prior authorizations, none of their units used (`used` is not read).
    /// Requirements: caller has PLAN_MANAGER; ids are new; units > 0; end >= start; member set.
    function grantAuthorizations(bytes32[] calldata authIds, Authorization[] calldata auths) external;
}
