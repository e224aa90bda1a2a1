// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAuthorizationRegistry} from "../interfaces/IAuthorizationRegistry.sol";
import {AccessBase} from "./AccessBase.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title AuthorizationRegistry
/// @notice Prior authorizations and their consumed units (A-4.9, A-4.10, A-6.6, A-7.1).
contract AuthorizationRegistry is AccessBase, IAuthorizationRegistry {
    mapping(bytes32 authId => Authorization) private _auths;
    /// @dev grant order per member+code: the lookup walks it (a member has few per code)
    mapping(bytes32 memberCode => bytes32[]) private _byMemberCode;

    constructor(address admin, uint48 adminDelay) AccessBase(admin, adminDelay) {}

    /// @inheritdoc IAuthorizationRegistry
    function grant(bytes32[] calldata authIds, Authorization[] calldata auths) external onlyRole(Roles.PLAN_MANAGER) {
        if (authIds.length != auths.length) revert LengthMismatch(authIds.length, auths.length);
        for (uint256 i; i < authIds.length; ++i) {
            bytes32 id = authIds[i];
            Authorization calldata a = auths[i];
            if (_auths[id].units != 0) revert AuthorizationExists(id);
            if (a.units == 0) revert InvalidAuthorization(id, "units");
            if (a.end < a.start) revert InvalidAuthorization(id, "end");
            if (a.memberId == bytes32(0)) revert InvalidAuthorization(id, "memberId");
            _auths[id] = Authorization(a.memberId, a.procedureCode, a.start, a.end, a.units, 0);
            _byMemberCode[_key(a.memberId, a.procedureCode)].push(id);
            emit AuthorizationGranted(id, a.memberId, a.procedureCode, a.start, a.end, a.units);
        }
    }

    /// @inheritdoc IAuthorizationRegistry
    function find(bytes32 memberId, bytes8 procedureCode, uint32 day, uint16 units)
        external
        view
        returns (Lookup lookup, bytes32 authId)
    {
        bytes32[] storage ids = _byMemberCode[_key(memberId, procedureCode)];
        for (uint256 i; i < ids.length; ++i) {
            Authorization storage a = _auths[ids[i]];
            if (a.start > day || a.end < day) continue;
            if (a.units - a.used >= units) return (Lookup.Found, ids[i]);
            lookup = Lookup.Exhausted;
        }
        return (lookup, bytes32(0));
    }

    /// @inheritdoc IAuthorizationRegistry
    function consume(bytes32 authId, uint16 units) external onlyRole(Roles.ENGINE) {
        Authorization storage a = _auths[authId];
        if (a.units == 0) revert AuthorizationUnknown(authId);
        uint16 remaining = a.units - a.used;
        if (remaining < units) revert InsufficientUnits(authId, remaining, units);
        a.used += units;
        emit AuthorizationConsumed(authId, units, a.used);
    }

    /// @inheritdoc IAuthorizationRegistry
    function restore(bytes32 authId, uint16 units) external onlyRole(Roles.ENGINE) {
        Authorization storage a = _auths[authId];
        if (a.units == 0) revert AuthorizationUnknown(authId);
        a.used = a.used > units ? a.used - units : 0;
        emit AuthorizationRestored(authId, units, a.used);
    }

    /// @inheritdoc IAuthorizationRegistry
    function authorization(bytes32 authId) external view returns (Authorization memory) {
        return _auths[authId];
    }

    function _key(bytes32 memberId, bytes8 procedureCode) private pure returns (bytes32) {
        return keccak256(abi.encode(memberId, procedureCode));
    }
}
