// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IAuthorizationRegistry
/// @notice Prior authorizations (A-2.4) and the units consumed from them (A-4.9, A-4.10, A-6.6).
interface IAuthorizationRegistry {
    struct Authorization {
        bytes32 memberId;
        bytes8 procedureCode;
        uint32 start;
        uint32 end;
        uint16 units;
        uint16 used;
    }

    /// @notice Outcome of looking for an authorization that covers a line.
    enum Lookup {
        None, // no authorization for member+code covers the date (CARC 197)
        Exhausted, // some cover the date, none has enough units left (CARC 198)
        Found
    }

    error AuthorizationExists(bytes32 authId);
    error AuthorizationUnknown(bytes32 authId);
    error InvalidAuthorization(bytes32 authId, string field);
    error InsufficientUnits(bytes32 authId, uint16 remaining, uint16 requested);
    error LengthMismatch(uint256 expected, uint256 actual);

    event AuthorizationGranted(bytes32 indexed authId, bytes32 indexed memberId, bytes8 procedureCode, uint32 start, uint32 end, uint16 units);
    event AuthorizationConsumed(bytes32 indexed authId, uint16 units, uint16 used);
    event AuthorizationRestored(bytes32 indexed authId, uint16 units, uint16 used);

    /// @notice Records authorizations.
    /// Requirements: caller has PLAN_MANAGER; ids are new; units > 0; end >= start.
    function grant(bytes32[] calldata authIds, Authorization[] calldata auths) external;

    /// @notice The first authorization (in grant order) for member+code covering `day` with at
    /// least `units` left.
    function find(bytes32 memberId, bytes8 procedureCode, uint32 day, uint16 units)
        external
        view
        returns (Lookup lookup, bytes32 authId);

    /// @notice Consumes units of an authorization. Requirements: caller has ENGINE; enough units.
    function consume(bytes32 authId, uint16 units) external;

    /// @notice Gives consumed units back, never below zero (A-7.1). Requirements: caller has ENGINE.
    function restore(bytes32 authId, uint16 units) external;

    /// @notice An authorization's record.
    function authorization(bytes32 authId) external view returns (Authorization memory);
}
