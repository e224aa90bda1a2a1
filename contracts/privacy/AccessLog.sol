// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAccessLog} from "../../interfaces/IAccessLog.sol";
import {ConsentRegistry} from "./ConsentRegistry.sol";

/// @title AccessLog
/// @notice The accounting of disclosures: each access to a member's claims decided here, from
/// the consents and the PAYER role, and kept in the member's list (two slots an access).
abstract contract AccessLog is IAccessLog, ConsentRegistry {
    mapping(bytes32 => AccessEntry[]) private _accesses;

    /// @inheritdoc IAccessLog
    function recordAccess(bytes32 member, address party, Purpose purpose, bytes32 shown)
        external
        onlyRole(RECORDS_OFFICER)
        returns (bool granted)
    {
        granted = mayAccess(member, party, purpose);
        if (!granted && shown != bytes32(0)) revert RefusedAccessShowsNothing(member, party);
        AccessEntry[] storage entries = _accesses[member];
        entries.push(AccessEntry(party, purpose, granted, _now(), shown));
        emit AccessRecorded(member, party, purpose, granted, shown, entries.length - 1);
    }

    /// @inheritdoc IAccessLog
    function mayAccess(bytes32 member, address party, Purpose purpose) public view returns (bool) {
        return (purpose == Purpose.Payment && hasRole(PAYER, party)) || consentHolds(member, party, purpose);
    }

    /// @inheritdoc IAccessLog
    function accessCount(bytes32 member) external view returns (uint256) {
        return _accesses[member].length;
    }

    /// @inheritdoc IAccessLog
    function accessAt(bytes32 member, uint256 index) external view returns (AccessEntry memory) {
        AccessEntry[] storage entries = _accesses[member];
        if (index >= entries.length) revert AccessEntryUnknown(member, index);
        return entries[index];
    }
}
