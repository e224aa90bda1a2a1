// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IPlanRegistry
/// @notice Benefit plans as data (A-2.1): effective-dated versions, each with its terms, copays
/// and fee schedule. A version is used for pricing only once it is sealed, so a half-loaded
/// fee schedule never prices a claim.
interface IPlanRegistry {
    /// @notice Cost-sharing terms of one plan version. Amounts in cents, rates in basis points.
    struct PlanTerms {
        uint64 deductibleIndividual;
        uint64 deductibleFamily;
        uint64 oopMaxIndividual;
        uint64 oopMaxFamily;
        uint16 coinsuranceBps;
        uint16 outOfNetworkCoinsuranceBps;
        bool outOfNetworkCovered;
        uint16 timelyFilingDays;
        bool hasPendThreshold;
        uint64 pendAbove; // a line billed above this is pended (A-5) when hasPendThreshold
    }

    /// @notice One procedure code of a fee schedule. Zero limits mean "no limit".
    struct FeeEntry {
        bool listed;
        uint64 allowed; // cents per unit
        bytes16 category;
        bool priorAuth;
        bool review;
        uint16 maxUnitsPerDay;
        uint16 annualLimit;
        bytes8[] dxPrefixes; // ICD-10 prefixes, left-aligned, zero-padded
    }

    /// @notice A plan version's identity and state.
    struct VersionInfo {
        uint32 effectiveFrom; // days since 1970-01-01
        bool isSealed;
        bytes32 contentHash; // hash of the off-chain plan document this version was loaded from
    }

    /// @notice A plan version as the claims engine needs it for one date of service.
    struct PlanView {
        bool found;
        uint32 version; // 1-based version number
        PlanTerms terms;
    }

    error PlanUnknown(bytes32 planId);
    error PlanVersionUnknown(bytes32 planId, uint32 version);
    error PlanVersionSealed(bytes32 planId, uint32 version);
    error PlanVersionNotAfterPrevious(bytes32 planId, uint32 effectiveFrom, uint32 previousEffectiveFrom);
    error InvalidPlanTerms(bytes32 planId, string field);
    error InvalidFeeEntry(bytes32 planId, bytes8 code, string field);
    error LengthMismatch(uint256 expected, uint256 actual);

    event PlanVersionCreated(bytes32 indexed planId, uint32 version, uint32 effectiveFrom, string name, PlanTerms terms);
    event CopaySet(bytes32 indexed planId, uint32 version, bytes16 category, uint64 copay);
    event FeeEntrySet(bytes32 indexed planId, uint32 version, bytes8 code, FeeEntry entry);
    event PlanVersionSealedWith(bytes32 indexed planId, uint32 version, bytes32 contentHash);
    /// @notice From now on the engine counts approved units per day (A-4.11) or approved lines per
    /// year (A-4.12) of `code`, because a fee entry of some plan version limits them (R-16).
    event LimitCountingStarted(bytes8 indexed code, bool unitsPerDay, bool linesPerYear);

    /// @notice Opens a new version of `planId` (creating the plan on its first version).
    /// Requirements:
    /// - caller has PLAN_MANAGER;
    /// - `effectiveFrom` is after the previous version's;
    /// - terms are consistent (family >= individual, rates <= 100%, filing window > 0).
    function createVersion(bytes32 planId, string calldata name, uint32 effectiveFrom, PlanTerms calldata terms)
        external
        returns (uint32 version);

    /// @notice Sets copays by service category on an unsealed version.
    function setCopays(bytes32 planId, uint32 version, bytes16[] calldata categories, uint64[] calldata copays)
        external;

    /// @notice Sets fee-schedule entries on an unsealed version.
    function setFees(bytes32 planId, uint32 version, bytes8[] calldata codes, FeeEntry[] calldata entries) external;

    /// @notice Seals a version: from now on it prices claims and cannot change.
    function sealVersion(bytes32 planId, uint32 version, bytes32 contentHash) external;

    /// @notice The sealed version of `planId` in effect on `day`; `found` is false if none.
    function planAt(bytes32 planId, uint32 day) external view returns (PlanView memory);

    /// @notice The fee-schedule entry of `code` in a version; `listed` is false if absent.
    function fee(bytes32 planId, uint32 version, bytes8 code) external view returns (FeeEntry memory);

    /// @notice Whether any plan version loaded so far limits `code`'s units per day or lines per
    /// year: the engine keeps those counters only for such codes (R-16).
    function limitsCounted(bytes8 code) external view returns (bool unitsPerDay, bool linesPerYear);

    /// @notice The copay of a category in a version; `applies` is false when the category has none.
    function copay(bytes32 planId, uint32 version, bytes16 category) external view returns (bool applies, uint64 amount);

    /// @notice The terms of a version.
    function termsOf(bytes32 planId, uint32 version) external view returns (PlanTerms memory);

    /// @notice Whether `planId` has at least one version.
    function planExists(bytes32 planId) external view returns (bool);

    /// @notice Number of versions of `planId`.
    function versionCount(bytes32 planId) external view returns (uint32);

    /// @notice Identity and state of a version.
    function versionInfo(bytes32 planId, uint32 version) external view returns (VersionInfo memory);
}
