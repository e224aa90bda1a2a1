// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IPlanRegistry} from "../interfaces/IPlanRegistry.sol";
import {AccessBase} from "./AccessBase.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title PlanRegistry
/// @notice Benefit plans configured as data: effective-dated versions of terms, copays and fee
/// schedules (A-2.1). A version prices claims once sealed and is immutable from then on.
contract PlanRegistry is AccessBase, IPlanRegistry {
    uint16 private constant _MAX_BPS = 10_000;

    struct Version {
        VersionInfo info;
        PlanTerms terms;
    }

    struct CountedLimits {
        bool unitsPerDay;
        bool linesPerYear;
    }

    struct Copay {
        bool applies;
        uint64 amount;
    }

    mapping(bytes32 planId => Version[]) private _versions;
    mapping(bytes32 planId => mapping(uint32 version => mapping(bytes8 code => FeeEntry))) private _fees;
    mapping(bytes32 planId => mapping(uint32 version => mapping(bytes16 category => Copay))) private _copays;
    mapping(bytes8 code => CountedLimits) private _counted; // R-16

    constructor(address admin, uint48 adminDelay) AccessBase(admin, adminDelay) {}

    /// @inheritdoc IPlanRegistry
    function createVersion(bytes32 planId, string calldata name, uint32 effectiveFrom, PlanTerms calldata terms)
        external
        onlyRole(Roles.PLAN_MANAGER)
        returns (uint32 version)
    {
        _checkTerms(planId, terms);
        Version[] storage versions = _versions[planId];
        if (versions.length > 0) {
            uint32 previous = versions[versions.length - 1].info.effectiveFrom;
            if (effectiveFrom <= previous) revert PlanVersionNotAfterPrevious(planId, effectiveFrom, previous);
        }
        versions.push(Version({info: VersionInfo(effectiveFrom, false, bytes32(0)), terms: terms}));
        version = uint32(versions.length);
        emit PlanVersionCreated(planId, version, effectiveFrom, name, terms);
    }

    /// @inheritdoc IPlanRegistry
    function setCopays(bytes32 planId, uint32 version, bytes16[] calldata categories, uint64[] calldata copays)
        external
        onlyRole(Roles.PLAN_MANAGER)
    {
        _editable(planId, version);
        if (categories.length != copays.length) revert LengthMismatch(categories.length, copays.length);
        for (uint256 i; i < categories.length; ++i) {
            _copays[planId][version][categories[i]] = Copay(true, copays[i]);
            emit CopaySet(planId, version, categories[i], copays[i]);
        }
    }

    /// @inheritdoc IPlanRegistry
    function setFees(bytes32 planId, uint32 version, bytes8[] calldata codes, FeeEntry[] calldata entries)
        external
        onlyRole(Roles.PLAN_MANAGER)
    {
        _editable(planId, version);
        if (codes.length != entries.length) revert LengthMismatch(codes.length, entries.length);
        for (uint256 i; i < codes.length; ++i) {
            FeeEntry calldata entry = entries[i];
            if (codes[i] == bytes8(0)) revert InvalidFeeEntry(planId, codes[i], "code");
            if (entry.allowed == 0) revert InvalidFeeEntry(planId, codes[i], "allowed");
            if (entry.category == bytes16(0)) revert InvalidFeeEntry(planId, codes[i], "category");
            FeeEntry storage stored = _fees[planId][version][codes[i]];
            stored.listed = true;
            stored.allowed = entry.allowed;
            stored.category = entry.category;
            stored.priorAuth = entry.priorAuth;
            stored.review = entry.review;
            stored.maxUnitsPerDay = entry.maxUnitsPerDay;
            stored.annualLimit = entry.annualLimit;
            stored.dxPrefixes = entry.dxPrefixes;
            emit FeeEntrySet(planId, version, codes[i], entry);
            _countLimits(codes[i], entry.maxUnitsPerDay != 0, entry.annualLimit != 0);
        }
    }

    /// @inheritdoc IPlanRegistry
    function sealVersion(bytes32 planId, uint32 version, bytes32 contentHash) external onlyRole(Roles.PLAN_MANAGER) {
        _editable(planId, version);
        VersionInfo storage info = _versions[planId][version - 1].info;
        info.isSealed = true;
        info.contentHash = contentHash;
        emit PlanVersionSealedWith(planId, version, contentHash);
    }

    /// @inheritdoc IPlanRegistry
    function planAt(bytes32 planId, uint32 day) external view returns (PlanView memory view_) {
        Version[] storage versions = _versions[planId];
        // versions are few and ordered by effectiveFrom: walk back from the newest
        for (uint256 i = versions.length; i > 0; --i) {
            Version storage v = versions[i - 1];
            if (v.info.isSealed && v.info.effectiveFrom <= day) {
                return PlanView({found: true, version: uint32(i), terms: v.terms});
            }
        }
    }

    /// @inheritdoc IPlanRegistry
    function fee(bytes32 planId, uint32 version, bytes8 code) external view returns (FeeEntry memory) {
        return _fees[planId][version][code];
    }

    /// @inheritdoc IPlanRegistry
    function limitsCounted(bytes8 code) external view returns (bool unitsPerDay, bool linesPerYear) {
        CountedLimits storage counted = _counted[code];
        return (counted.unitsPerDay, counted.linesPerYear);
    }

    /// @inheritdoc IPlanRegistry
    function copay(bytes32 planId, uint32 version, bytes16 category) external view returns (bool applies, uint64 amount) {
        Copay storage c = _copays[planId][version][category];
        return (c.applies, c.amount);
    }

    /// @inheritdoc IPlanRegistry
    function termsOf(bytes32 planId, uint32 version) external view returns (PlanTerms memory) {
        if (version == 0 || version > _versions[planId].length) revert PlanVersionUnknown(planId, version);
        return _versions[planId][version - 1].terms;
    }

    /// @inheritdoc IPlanRegistry
    function planExists(bytes32 planId) external view returns (bool) {
        return _versions[planId].length > 0;
    }

    /// @inheritdoc IPlanRegistry
    function versionCount(bytes32 planId) external view returns (uint32) {
        return uint32(_versions[planId].length);
    }

    /// @inheritdoc IPlanRegistry
    function versionInfo(bytes32 planId, uint32 version) external view returns (VersionInfo memory) {
        if (version == 0 || version > _versions[planId].length) revert PlanVersionUnknown(planId, version);
        return _versions[planId][version - 1].info;
    }

    /// @dev turns counting on for a limit that a fee entry sets (never off: R-16)
    function _countLimits(bytes8 code, bool unitsPerDay, bool linesPerYear) private {
        CountedLimits storage counted = _counted[code];
        bool newUnits = unitsPerDay && !counted.unitsPerDay;
        bool newLines = linesPerYear && !counted.linesPerYear;
        if (!newUnits && !newLines) return;
        if (newUnits) counted.unitsPerDay = true;
        if (newLines) counted.linesPerYear = true;
        emit LimitCountingStarted(code, counted.unitsPerDay, counted.linesPerYear);
    }

    function _editable(bytes32 planId, uint32 version) private view {
        Version[] storage versions = _versions[planId];
        if (versions.length == 0) revert PlanUnknown(planId);
        if (version == 0 || version > versions.length) revert PlanVersionUnknown(planId, version);
        if (versions[version - 1].info.isSealed) revert PlanVersionSealed(planId, version);
    }

    function _checkTerms(bytes32 planId, PlanTerms calldata t) private pure {
        if (t.deductibleFamily < t.deductibleIndividual) revert InvalidPlanTerms(planId, "deductibleFamily");
        if (t.oopMaxFamily < t.oopMaxIndividual) revert InvalidPlanTerms(planId, "oopMaxFamily");
        if (t.coinsuranceBps > _MAX_BPS) revert InvalidPlanTerms(planId, "coinsuranceBps");
        if (t.outOfNetworkCoinsuranceBps > _MAX_BPS) revert InvalidPlanTerms(planId, "outOfNetworkCoinsuranceBps");
        if (t.timelyFilingDays == 0) revert InvalidPlanTerms(planId, "timelyFilingDays");
    }
}
