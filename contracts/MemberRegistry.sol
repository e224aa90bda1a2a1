// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";
import {IPlanRegistry} from "../interfaces/IPlanRegistry.sol";
import {AccessBase} from "./AccessBase.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title MemberRegistry
/// @notice Member eligibility and per-plan-year individual and family accumulators (A-6.6).
contract MemberRegistry is AccessBase, IMemberRegistry {
    IPlanRegistry public immutable plans;

    /// @dev a Member in three storage slots, not four: the flag and the coverage dates share one
    struct StoredMember {
        bool enrolled;
        uint32 coverageStart;
        uint32 coverageEnd;
        bytes32 familyId;
        bytes32 planId;
    }

    mapping(bytes32 memberId => StoredMember) private _members;
    mapping(bytes32 memberId => mapping(uint16 year => Accumulator)) private _individual;
    mapping(bytes32 familyId => mapping(uint16 year => Accumulator)) private _family;

    constructor(address admin, uint48 adminDelay, IPlanRegistry planRegistry) AccessBase(admin, adminDelay) {
        plans = planRegistry;
    }

    /// @inheritdoc IMemberRegistry
    function enroll(bytes32[] calldata memberIds, Member[] calldata members) external onlyRole(Roles.PLAN_MANAGER) {
        if (memberIds.length != members.length) revert LengthMismatch(memberIds.length, members.length);
        for (uint256 i; i < memberIds.length; ++i) {
            Member calldata m = members[i];
            if (m.coverageEnd < m.coverageStart) revert InvalidCoverage(memberIds[i], m.coverageStart, m.coverageEnd);
            if (!plans.planExists(m.planId)) revert PlanUnknown(m.planId);
            StoredMember storage current = _members[memberIds[i]];
            if (current.enrolled && current.familyId != m.familyId) {
                revert FamilyChange(memberIds[i], current.familyId, m.familyId);
            }
            _members[memberIds[i]] = StoredMember({
                enrolled: true,
                coverageStart: m.coverageStart,
                coverageEnd: m.coverageEnd,
                familyId: m.familyId,
                planId: m.planId
            });
            emit MemberEnrolled(memberIds[i], m.familyId, m.planId, m.coverageStart, m.coverageEnd);
        }
    }

    /// @inheritdoc IMemberRegistry
    function applyAccumulators(bytes32 memberId, bytes32 familyId, uint16 year, uint64 deductible, uint64 oop)
        external
        onlyRole(Roles.ENGINE)
    {
        Accumulator storage ind = _individual[memberId][year];
        Accumulator storage fam = _family[familyId][year];
        ind.deductibleMet += deductible;
        ind.oopMet += oop;
        fam.deductibleMet += deductible;
        fam.oopMet += oop;
        emit AccumulatorsApplied(memberId, familyId, year, deductible, oop);
    }

    /// @inheritdoc IMemberRegistry
    function reverseAccumulators(bytes32 memberId, bytes32 familyId, uint16 year, uint64 deductible, uint64 oop)
        external
        onlyRole(Roles.ENGINE)
    {
        _takeBack(_individual[memberId][year], deductible, oop);
        _takeBack(_family[familyId][year], deductible, oop);
        emit AccumulatorsReversed(memberId, familyId, year, deductible, oop);
    }

    /// @inheritdoc IMemberRegistry
    function member(bytes32 memberId) external view returns (Member memory) {
        StoredMember storage m = _members[memberId];
        return Member(m.enrolled, m.familyId, m.planId, m.coverageStart, m.coverageEnd);
    }

    /// @inheritdoc IMemberRegistry
    function accumulators(bytes32 memberId, bytes32 familyId, uint16 year)
        external
        view
        returns (Accumulator memory individual, Accumulator memory family)
    {
        return (_individual[memberId][year], _family[familyId][year]);
    }

    function _takeBack(Accumulator storage acc, uint64 deductible, uint64 oop) private {
        acc.deductibleMet = acc.deductibleMet > deductible ? acc.deductibleMet - deductible : 0;
        acc.oopMet = acc.oopMet > oop ? acc.oopMet - oop : 0;
    }
}
