// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Limits
/// @notice The counters behind A-4.11 (approved units per member, code and day) and A-4.12
/// (approved lines per member, code and plan year), kept only for codes some plan version
/// limits (R-16): a counter is a new storage slot.
library Limits {
    struct Book {
        mapping(bytes32 memberCodeDay => uint256) unitsPerDay;
        mapping(bytes32 memberCodeYear => uint256) linesPerYear;
    }

    function dayKey(bytes32 memberId, bytes8 code, uint32 day) internal pure returns (bytes32) {
        return _key(memberId, code, day, 0);
    }

    function yearKey(bytes32 memberId, bytes8 code, uint16 year) internal pure returns (bytes32) {
        return _key(memberId, code, year, 1);
    }

    /// @notice Adds an approved line (A-6.6); `countUnits`/`countLines` as R-16 says.
    function count(Book storage book, bytes32 memberId, bytes8 code, uint32 day, uint16 year, uint16 units, bool countUnits, bool countLines)
        internal
    {
        if (countUnits) book.unitsPerDay[dayKey(memberId, code, day)] += units;
        if (countLines) ++book.linesPerYear[yearKey(memberId, code, year)];
    }

    /// @notice Takes a reversed line back, never below zero (A-7.1); a counter never kept stays
    /// unwritten.
    function uncount(Book storage book, bytes32 memberId, bytes8 code, uint32 day, uint16 year, uint16 units) internal {
        _decrease(book.unitsPerDay, dayKey(memberId, code, day), units);
        _decrease(book.linesPerYear, yearKey(memberId, code, year), 1);
    }

    function _decrease(mapping(bytes32 => uint256) storage counter, bytes32 key, uint256 amount) private {
        uint256 current = counter[key];
        if (current != 0) counter[key] = current > amount ? current - amount : 0;
    }

    /// @dev member, code, day or year, and which counter: the two keep apart even if a day and a
    /// year were the same number
    function _key(bytes32 memberId, bytes8 code, uint256 when, uint256 kind) private pure returns (bytes32 key) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, memberId)
            mstore(add(ptr, 32), or(code, or(shl(64, when), kind)))
            key := keccak256(ptr, 64)
        }
    }
}
