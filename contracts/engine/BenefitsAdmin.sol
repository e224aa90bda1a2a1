// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Authorizations} from "../libraries/Authorizations.sol";
import {Members} from "../libraries/Members.sol";
import {Plans} from "../libraries/Plans.sol";
import {Roles} from "../libraries/Roles.sol";
import {SettlementLedger} from "../libraries/SettlementLedger.sol";
import {EngineStorage} from "./EngineStorage.sol";

/// @title BenefitsAdmin
/// @notice What the plan manager configures, as data (A-2): effective-dated plan versions with
/// their copays and fee schedules (R-3, R-15, R-16), members (R-14), providers and prior
/// authorizations. Part of {ClaimsEngineExtension}: runs on the engine's storage.
abstract contract BenefitsAdmin is EngineStorage {
    using Authorizations for Authorizations.Book;
    using Members for Members.Book;
    using SettlementLedger for SettlementLedger.Ledger;

    uint16 private constant _MAX_BPS = 10_000;
    uint64 private constant _MIN_NPI = 1_000_000_000;
    uint64 private constant _MAX_NPI = 9_999_999_999;

    /// @notice See {IBenefitsAdmin-createPlanVersion}.
    function createPlanVersion(bytes32 planId, string calldata name, uint32 effectiveFrom, PlanTerms calldata terms)
        external
        onlyRole(Roles.PLAN_MANAGER)
        returns (uint32 version)
    {
        _checkTerms(planId, terms);
        uint32 plan = _plans.index[planId];
        if (plan == 0) {
            plan = ++_plans.count;
            _plans.index[planId] = plan;
            _plans.ids[plan] = planId;
        }
        Plans.Version[] storage versions = _plans.versions[plan];
        if (versions.length > 0) {
            uint32 previous = versions[versions.length - 1].effectiveFrom;
            if (effectiveFrom <= previous) revert PlanVersionNotAfterPrevious(planId, effectiveFrom, previous);
        }
        versions.push(Plans.Version(Plans.pack(terms), effectiveFrom, false, bytes32(0)));
        version = uint32(versions.length);
        emit PlanVersionCreated(planId, version, effectiveFrom, name, terms);
    }

    /// @notice See {IBenefitsAdmin-setCopays}.
    function setCopays(bytes32 planId, uint32 version, bytes16[] calldata categories, uint64[] calldata copays)
        external
        onlyRole(Roles.PLAN_MANAGER)
    {
        uint32 plan = _editable(planId, version, categories.length, copays.length);
        for (uint256 i; i < categories.length; ++i) {
            if (copays[i] > Plans.MAX_AMOUNT) revert InvalidPlanTerms(planId, "copay");
            _plans.copays[Plans.copayKey(plan, version, categories[i])] = 1 | uint256(copays[i]) << 8;
            emit CopaySet(planId, version, categories[i], copays[i]);
        }
    }

    /// @notice See {IBenefitsAdmin-setFees}.
    function setFees(bytes32 planId, uint32 version, bytes8[] calldata codes, FeeEntry[] calldata entries)
        external
        onlyRole(Roles.PLAN_MANAGER)
    {
        uint32 plan = _editable(planId, version, codes.length, entries.length);
        for (uint256 i; i < codes.length; ++i) {
            FeeEntry calldata entry = entries[i];
            if (codes[i] == bytes8(0)) revert InvalidFeeEntry(planId, codes[i], "code");
            if (!entry.listed) revert InvalidFeeEntry(planId, codes[i], "listed"); // an entry lists its code
            if (entry.allowed == 0 || entry.allowed > Plans.MAX_AMOUNT) revert InvalidFeeEntry(planId, codes[i], "allowed");
            if (entry.category == bytes16(0)) revert InvalidFeeEntry(planId, codes[i], "category");
            if (entry.dxPrefixes.length > type(uint8).max) revert InvalidFeeEntry(planId, codes[i], "dxPrefixes");
            bytes32 key = Plans.feeKey(plan, version, codes[i]);
            // an entry set again keeps the incentive {setIncentives} gave its code
            _plans.fees[key] = Plans.withIncentive(Plans.packFee(entry), Plans.incentive(_plans.fees[key]));
            _plans.dxPrefixes[key] = entry.dxPrefixes;
            emit FeeEntrySet(planId, version, codes[i], entry);
            _countLimits(codes[i], entry.maxUnitsPerDay != 0, entry.annualLimit != 0);
        }
    }

    /// @notice See {IBenefitsAdmin-setIncentives}.
    function setIncentives(bytes32 planId, uint32 version, bytes8[] calldata codes, uint64[] calldata amounts)
        external
        onlyRole(Roles.PLAN_MANAGER)
    {
        uint32 plan = _editable(planId, version, codes.length, amounts.length);
        for (uint256 i; i < codes.length; ++i) {
            bytes32 key = Plans.feeKey(plan, version, codes[i]);
            uint256 word = _plans.fees[key];
            if (!Plans.listed(word)) revert InvalidFeeEntry(planId, codes[i], "incentive");
            if (amounts[i] > Plans.MAX_AMOUNT) revert InvalidFeeEntry(planId, codes[i], "incentiveAmount");
            _plans.fees[key] = Plans.withIncentive(word, amounts[i]);
            emit IncentiveSet(planId, version, codes[i], amounts[i]);
        }
    }

    /// @notice See {IBenefitsAdmin-sealPlanVersion}.
    function sealPlanVersion(bytes32 planId, uint32 version, bytes32 contentHash) external onlyRole(Roles.PLAN_MANAGER) {
        uint32 plan = _editable(planId, version, 0, 0);
        Plans.Version storage v = _plans.versions[plan][version - 1];
        v.isSealed = true;
        v.contentHash = contentHash;
        emit PlanVersionSealedWith(planId, version, contentHash);
    }

    /// @notice See {IBenefitsAdmin-enroll}.
    function enroll(bytes32[] calldata memberIds, Member[] calldata members_) external onlyRole(Roles.PLAN_MANAGER) {
        if (memberIds.length != members_.length) revert LengthMismatch(memberIds.length, members_.length);
        for (uint256 i; i < memberIds.length; ++i) {
            Member calldata m = members_[i];
            if (m.coverageEnd < m.coverageStart) revert InvalidCoverage(memberIds[i], m.coverageStart, m.coverageEnd);
            uint32 plan = _plans.index[m.planId];
            if (plan == 0) revert PlanUnknown(m.planId);
            bytes32 other = _members.enroll(memberIds[i], m.familyId, plan, m.coverageStart, m.coverageEnd);
            if (other != bytes32(0)) revert FamilyChange(memberIds[i], other, m.familyId);
            emit MemberEnrolled(memberIds[i], m.familyId, m.planId, m.coverageStart, m.coverageEnd);
        }
    }

    /// @notice See {IBenefitsAdmin-registerProviders}.
    function registerProviders(uint64[] calldata npis, Provider[] calldata providers_)
        external
        onlyRole(Roles.PLAN_MANAGER)
    {
        if (npis.length != providers_.length) revert LengthMismatch(npis.length, providers_.length);
        for (uint256 i; i < npis.length; ++i) {
            uint64 npi = npis[i];
            if (npi < _MIN_NPI || npi > _MAX_NPI) revert InvalidNpi(npi);
            address payee = providers_[i].payee;
            if (payee == address(0)) revert InvalidPayee(npi);
            _ledger.register(npi, providers_[i].inNetwork, payee);
            emit ProviderRegistered(npi, providers_[i].inNetwork, payee);
        }
    }

    /// @notice See {IBenefitsAdmin-grantAuthorizations}.
    function grantAuthorizations(bytes32[] calldata authIds, Authorization[] calldata auths)
        external
        onlyRole(Roles.PLAN_MANAGER)
    {
        if (authIds.length != auths.length) revert LengthMismatch(authIds.length, auths.length);
        for (uint256 i; i < authIds.length; ++i) {
            Authorization calldata a = auths[i];
            if (a.units == 0) revert InvalidAuthorization(authIds[i], "units");
            if (a.end < a.start) revert InvalidAuthorization(authIds[i], "end");
            if (a.memberId == bytes32(0)) revert InvalidAuthorization(authIds[i], "memberId");
            if (!_authorizations.grant(authIds[i], a)) revert AuthorizationExists(authIds[i]);
            emit AuthorizationGranted(authIds[i], a.memberId, a.procedureCode, a.start, a.end, a.units);
        }
    }

    /// @dev turns counting on for a limit that a fee entry sets (never off: R-16)
    function _countLimits(bytes8 code, bool unitsPerDay, bool linesPerYear) private {
        uint256 counted = _plans.counted[code];
        uint256 wanted = counted | (unitsPerDay ? 1 : 0) | (linesPerYear ? 2 : 0);
        if (wanted == counted) return;
        _plans.counted[code] = wanted;
        emit LimitCountingStarted(code, wanted & 1 != 0, wanted & 2 != 0);
    }

    /// @dev the plan's index, if the version exists and is not sealed and an edit's `keys` and
    /// `values` are as many
    function _editable(bytes32 planId, uint32 version, uint256 keys, uint256 values)
        private
        view
        returns (uint32 plan)
    {
        plan = _plans.index[planId];
        if (plan == 0) revert PlanUnknown(planId);
        Plans.Version[] storage versions = _plans.versions[plan];
        if (version == 0 || version > versions.length) revert PlanVersionUnknown(planId, version);
        if (versions[version - 1].isSealed) revert PlanVersionSealed(planId, version);
        if (keys != values) revert LengthMismatch(keys, values);
    }

    function _checkTerms(bytes32 planId, PlanTerms calldata t) private pure {
        if (t.deductibleFamily < t.deductibleIndividual) revert InvalidPlanTerms(planId, "deductibleFamily");
        if (t.oopMaxFamily < t.oopMaxIndividual) revert InvalidPlanTerms(planId, "oopMaxFamily");
        if (t.deductibleFamily > Plans.MAX_AMOUNT) revert InvalidPlanTerms(planId, "deductibleFamily");
        if (t.oopMaxFamily > Plans.MAX_AMOUNT) revert InvalidPlanTerms(planId, "oopMaxFamily");
        if (t.pendAbove > Plans.MAX_AMOUNT) revert InvalidPlanTerms(planId, "pendAbove");
        if (t.coinsuranceBps > _MAX_BPS) revert InvalidPlanTerms(planId, "coinsuranceBps");
        if (t.outOfNetworkCoinsuranceBps > _MAX_BPS) revert InvalidPlanTerms(planId, "outOfNetworkCoinsuranceBps");
        if (t.timelyFilingDays == 0) revert InvalidPlanTerms(planId, "timelyFilingDays");
    }
}
