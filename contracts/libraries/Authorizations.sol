// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IClaimTypes} from "../../interfaces/IClaimTypes.sol";

/// @title Authorizations
/// @notice Prior authorizations and their consumed units (A-4.9, A-4.10, A-6.6, A-7.1, R-5).
/// An authorization is one word, bits from the least significant: 0-31 start, 32-63 end,
/// 64-79 units, 80-95 units used, 96-159 procedure code; its member in a slot of its own
/// (read only by views). Lines of a member and code find theirs through the grant-order list.
library Authorizations {
    /// @notice The grants of one member and code a line can use: a line keeps its grant's place
    /// in 14 bits (R-28); later grants are recorded but never found.
    uint256 internal constant MAX_PER_MEMBER_CODE = 2 ** 14 - 1;

    struct Book {
        mapping(bytes32 authId => uint256) auths;
        mapping(bytes32 authId => bytes32) members;
        mapping(bytes32 memberCode => bytes32[]) byMemberCode;
    }

    function pack(IClaimTypes.Authorization calldata a) internal pure returns (uint256) {
        return uint256(a.start) | uint256(a.end) << 32 | uint256(a.units) << 64 | uint256(uint64(a.procedureCode)) << 96;
    }

    function units(uint256 a) internal pure returns (uint16) {
        return uint16(a >> 64);
    }

    function used(uint256 a) internal pure returns (uint16) {
        return uint16(a >> 80);
    }

    function record(Book storage book, bytes32 authId) internal view returns (IClaimTypes.Authorization memory r) {
        uint256 a = book.auths[authId];
        return IClaimTypes.Authorization(
            book.members[authId], bytes8(uint64(a >> 96)), uint32(a), uint32(a >> 32), units(a), used(a)
        );
    }

    function memberCodeKey(bytes32 memberId, bytes8 code) internal pure returns (bytes32 key) {
        assembly ("memory-safe") {
            mstore(0, memberId)
            mstore(32, code)
            key := keccak256(0, 40)
        }
    }

    /// @notice Records a new authorization; false if its id is taken.
    function grant(Book storage book, bytes32 authId, IClaimTypes.Authorization calldata a) internal returns (bool) {
        if (book.auths[authId] != 0) return false;
        book.auths[authId] = pack(a);
        book.members[authId] = a.memberId;
        book.byMemberCode[memberCodeKey(a.memberId, a.procedureCode)].push(authId);
        return true;
    }

    /// @notice R-5: the first authorization in grant order for member+code whose dates cover
    /// `day` with at least `wanted` units left (Found), else whether some covered it (Exhausted).
    /// `ref` is its place in member+code's grant order + 1 (0 when none): what a line keeps.
    function find(Book storage book, bytes32 memberId, bytes8 code, uint32 day, uint16 wanted)
        internal
        view
        returns (IClaimTypes.Lookup lookup, bytes32 authId, uint256 ref)
    {
        bytes32[] storage ids = book.byMemberCode[memberCodeKey(memberId, code)];
        for (uint256 i; i < ids.length && i < MAX_PER_MEMBER_CODE; ++i) {
            uint256 a = book.auths[ids[i]];
            if (uint32(a) > day || uint32(a >> 32) < day) continue;
            if (units(a) - used(a) >= wanted) return (IClaimTypes.Lookup.Found, ids[i], i + 1);
            lookup = IClaimTypes.Lookup.Exhausted;
        }
        return (lookup, bytes32(0), 0);
    }

    /// @notice The authorization a line keeps as `ref` (see {find}); zero for ref 0.
    function idOf(Book storage book, bytes32 memberId, bytes8 code, uint256 ref) internal view returns (bytes32) {
        if (ref == 0) return bytes32(0);
        return book.byMemberCode[memberCodeKey(memberId, code)][ref - 1];
    }

    /// @notice Consumes units found available by {find}; returns the units used after.
    function consume(Book storage book, bytes32 authId, uint16 n) internal returns (uint16 usedAfter) {
        uint256 a = book.auths[authId];
        usedAfter = used(a) + n; // {find} saw at least n left, in this transaction
        book.auths[authId] = a & ~(uint256(0xffff) << 80) | uint256(usedAfter) << 80;
    }

    /// @notice Gives consumed units back, never below zero (A-7.1); returns the units used after.
    function restore(Book storage book, bytes32 authId, uint16 n) internal returns (uint16 usedAfter) {
        uint256 a = book.auths[authId];
        usedAfter = used(a) > n ? used(a) - n : 0;
        book.auths[authId] = a & ~(uint256(0xffff) << 80) | uint256(usedAfter) << 80;
    }
}
