// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Limits
/// @notice The counters behind A-4.11 (approved units per member, code and day) and A-4.12
/// (approved lines per member, code and plan year), kept only for codes some plan version
/// limits (R-16), and packed (R-28): one word per member, code and plan year holds the year's
/// line count (bits 0-15) and the units of up to nine days of that year (25 bits each from bit
/// 16: day of the year + 1 in 9 bits, then units in 16 bits). Days past the ninth, and a day
/// whose units would pass 65,534 (its entry then says so), are counted in a slot of their own
/// per member, code and day. So a member's second service of a limited code in a year updates a slot instead of
/// creating two.
library Limits {
    struct Book {
        mapping(bytes32 memberCodeYear => uint256) perYear;
        mapping(bytes32 memberCodeDay => uint256) overflowDays;
    }

    uint256 private constant _DAYS = 9;
    uint256 private constant _ENTRY_BITS = 25;
    uint256 private constant _ENTRY_MASK = (1 << 25) - 1;
    uint256 private constant _UNITS_MASK = 0xffff;
    uint256 private constant _MOVED = 0xffff; // the units of an entry whose day has its own slot

    /// @notice Units approved for member+code on `day` (A-4.11); `yearStart` is the first day of
    /// `day`'s plan year `year`.
    function unitsOn(Book storage book, bytes32 memberId, bytes8 code, uint32 day, uint16 year, uint32 yearStart)
        internal
        view
        returns (uint256)
    {
        uint256 word = book.perYear[_key(memberId, code, year, 1)];
        (bool found, uint256 units,) = _entry(word, _dayTag(day, yearStart));
        return found && units != _MOVED ? units : book.overflowDays[_key(memberId, code, day, 0)];
    }

    /// @notice Lines approved for member+code in plan year `year` (A-4.12).
    function linesIn(Book storage book, bytes32 memberId, bytes8 code, uint16 year) internal view returns (uint256) {
        return book.perYear[_key(memberId, code, year, 1)] & _UNITS_MASK;
    }

    /// @notice Adds an approved line (A-6.6); `countUnits`/`countLines` as R-16 says.
    function count(
        Book storage book,
        bytes32 memberId,
        bytes8 code,
        uint32 day,
        uint16 year,
        uint32 yearStart,
        uint16 units,
        bool countUnits,
        bool countLines
    ) internal {
        bytes32 key = _key(memberId, code, year, 1);
        uint256 word = book.perYear[key];
        if (countLines) word += 1; // at most 2^16 - 1 lines of one code a year: 50 a claim, one claim a line
        if (countUnits) {
            uint256 tag = _dayTag(day, yearStart);
            (bool found, uint256 held, uint256 at) = _entry(word, tag);
            if (found && held != _MOVED && held + units < _MOVED) {
                word += uint256(units) << (at + 9);
            } else if (!found && at != 0 && units < _MOVED) {
                word |= (tag | uint256(units) << 9) << at;
            } else {
                bytes32 dayKey = _key(memberId, code, day, 0);
                if (found && held != _MOVED) {
                    word |= (_MOVED << 9) << at; // the day's units move to its own slot
                    book.overflowDays[dayKey] += held;
                }
                book.overflowDays[dayKey] += units;
            }
        }
        book.perYear[key] = word;
    }

    /// @notice Takes a reversed line back from the counters it was added to (`countedUnits`,
    /// `countedLines`: R-16 may have started counting after it), never below zero (A-7.1).
    function uncount(
        Book storage book,
        bytes32 memberId,
        bytes8 code,
        uint32 day,
        uint16 year,
        uint32 yearStart,
        uint16 units,
        bool countedUnits,
        bool countedLines
    ) internal {
        if (!countedUnits && !countedLines) return;
        bytes32 key = _key(memberId, code, year, 1);
        uint256 word = book.perYear[key];
        if (countedLines && word & _UNITS_MASK != 0) word -= 1;
        if (!countedUnits) {
            book.perYear[key] = word;
            return;
        }
        (bool found, uint256 held, uint256 at) = _entry(word, _dayTag(day, yearStart));
        if (found && held != _MOVED) {
            uint256 left = held > units ? held - units : 0;
            word = word & ~((_UNITS_MASK << 9) << at) | (left << 9) << at;
        } else {
            bytes32 dayKey = _key(memberId, code, day, 0);
            uint256 current = book.overflowDays[dayKey];
            if (current != 0) book.overflowDays[dayKey] = current > units ? current - units : 0;
        }
        book.perYear[key] = word;
    }

    /// @dev the entry of `tag` in a year word: whether it is there, its units and its bit
    /// position; when it is not, the position of the first free entry (0 if none is free)
    function _entry(uint256 word, uint256 tag) private pure returns (bool found, uint256 units, uint256 at) {
        for (uint256 i; i < _DAYS; ++i) {
            uint256 shift = 16 + i * _ENTRY_BITS;
            uint256 entry = word >> shift & _ENTRY_MASK;
            if (entry == 0) return (false, 0, shift);
            if (entry & 0x1ff == tag) return (true, entry >> 9, shift);
        }
    }

    /// @dev a day as its day of the plan year + 1 (1-366)
    function _dayTag(uint32 day, uint32 yearStart) private pure returns (uint256) {
        return uint256(day - yearStart) + 1;
    }

    /// @dev member, code, a day or a year, and which of the two: they keep apart even if a day
    /// and a year were the same number
    function _key(bytes32 memberId, bytes8 code, uint256 when, uint256 kind) private pure returns (bytes32 key) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, memberId)
            mstore(add(ptr, 32), or(code, or(shl(64, when), kind)))
            key := keccak256(ptr, 64)
        }
    }
}
