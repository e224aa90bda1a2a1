// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IConsentRegistry} from "./IConsentRegistry.sol";

/// @title IAccessLog
/// @notice Every reading of a member's claims, granted or refused, recorded before anything is
/// shown: the accounting of disclosures (45 CFR 164.528) a member may ask for. Kept in
/// storage, not only in events, since a node may drop old events (docs/PRIVACY.md).
interface IAccessLog {
    /// @notice One access: who asked, why, when, whether it was granted and the keccak256 of
    /// what was shown (zero when refused).
    struct AccessEntry {
        address party;
        IConsentRegistry.Purpose purpose;
        bool granted;
        uint64 at;
        bytes32 shown;
    }

    error RefusedAccessShowsNothing(bytes32 member, address party);
    error AccessEntryUnknown(bytes32 member, uint256 index);

    event AccessRecorded(
        bytes32 indexed member,
        address indexed party,
        IConsentRegistry.Purpose purpose,
        bool granted,
        bytes32 shown,
        uint256 index
    );

    /// @notice Decides and records one access of `party` to the member's claims for `purpose`:
    /// granted when the party holds PAYER and the purpose is payment (the plan's own claims
    /// staff, 45 CFR 164.506), or when the member's consent holds. Returns whether it was
    /// granted. Emits {AccessRecorded}.
    /// Requirements: caller has RECORDS_OFFICER; a refused access shows nothing (`shown` zero),
    /// else {RefusedAccessShowsNothing}.
    function recordAccess(bytes32 member, address party, IConsentRegistry.Purpose purpose, bytes32 shown)
        external
        returns (bool granted);

    /// @notice What {recordAccess} would decide now.
    function mayAccess(bytes32 member, address party, IConsentRegistry.Purpose purpose) external view returns (bool);

    /// @notice Number of accesses recorded for the member.
    function accessCount(bytes32 member) external view returns (uint256);

    /// @notice The member's access number `index` (0-based, in the order recorded).
    /// Requirements: it exists, else {AccessEntryUnknown}.
    function accessAt(bytes32 member, uint256 index) external view returns (AccessEntry memory);
}
