// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Members
/// @notice Eligibility (A-2.2) and the per-plan-year accumulators of members and families
/// (A-6.6), laid out so that a line reads and writes as few slots as possible (R-26).
///
/// A member is one word, bits from the least significant: 0-31 coverage start, 32-63 coverage
/// end, 64-95 plan index (0: not enrolled), 96-127 family index, 128-143 the plan year whose
/// individual accumulators the word holds, 144-183 its deductible met, 184-223 its out-of-pocket
/// met. Claims mostly come for the current year, so a line usually touches the member's word
/// and its family's year only; other years live in `memberYears`, a year being moved there when
/// a later one takes the word. Accumulators stay below 2^40 cents because a line adds at most
/// what its plan's deductible and out-of-pocket maximum leave (A-6), and plan amounts are below
/// 2^40 cents. Plans and families are numbered from 1 when first seen.
library Members {
    struct Book {
        mapping(bytes32 memberId => uint256) members;
        mapping(bytes32 memberId => mapping(uint16 year => uint256)) memberYears;
        mapping(uint256 familyYear => uint256) familyYears; // keyed by family << 16 | year
        mapping(bytes32 familyId => uint32) familyIndex;
        mapping(uint32 family => bytes32) familyIds;
        uint32 familyCount;
    }

    uint256 private constant _MASK32 = 0xffffffff;
    uint256 private constant _MASK40 = 0xffffffffff;
    uint256 private constant _ELIGIBILITY = (uint256(1) << 128) - 1; // coverage, plan, family
    uint256 private constant _ACCUMULATORS = ~_ELIGIBILITY;

    // ------------------------------------------------------------------------------ the member word

    function coverageStart(uint256 m) internal pure returns (uint32) {
        return uint32(m);
    }

    function coverageEnd(uint256 m) internal pure returns (uint32) {
        return uint32(m >> 32);
    }

    /// @notice The plan index; 0 when the member is not enrolled.
    function plan(uint256 m) internal pure returns (uint32) {
        return uint32(m >> 64);
    }

    function family(uint256 m) internal pure returns (uint32) {
        return uint32(m >> 96);
    }

    // ------------------------------------------------------------------------------ enrollment

    /// @notice Enrolls or re-enrolls a member, keeping the accumulators it has; returns its
    /// family's previous id when it already had another one (R-14 forbids that; zero otherwise).
    function enroll(Book storage book, bytes32 memberId, bytes32 familyId, uint32 planIndex, uint32 start, uint32 end)
        internal
        returns (bytes32 otherFamily)
    {
        uint256 current = book.members[memberId];
        uint32 familyIndex = book.familyIndex[familyId];
        if (plan(current) != 0 && family(current) != familyIndex) return book.familyIds[family(current)];
        if (familyIndex == 0) {
            familyIndex = ++book.familyCount;
            book.familyIndex[familyId] = familyIndex;
            book.familyIds[familyIndex] = familyId;
        }
        book.members[memberId] = current & _ACCUMULATORS | uint256(start) | uint256(end) << 32
            | uint256(planIndex) << 64 | uint256(familyIndex) << 96;
        return bytes32(0);
    }

    // ------------------------------------------------------------------------------ accumulators

    /// @notice Deductible and out-of-pocket met in `year` by the member (whose word is `m`) and
    /// by its family.
    function accumulators(Book storage book, bytes32 memberId, uint256 m, uint16 year)
        internal
        view
        returns (uint64 memberDeductible, uint64 memberOop, uint64 familyDeductible, uint64 familyOop)
    {
        uint256 ind = _wordYear(m) == year ? m >> 144 : book.memberYears[memberId][year];
        (memberDeductible, memberOop) = (uint64(ind & _MASK40), uint64(ind >> 40 & _MASK40));
        uint256 fam = book.familyYears[_familyYear(m, year)];
        (familyDeductible, familyOop) = (uint64(fam & _MASK40), uint64(fam >> 40 & _MASK40));
    }

    /// @notice Adds a line's deductible and patient share to the member's and its family's
    /// `year` (A-6.6); `m` is the member's word as stored. Returns the word after.
    function add(Book storage book, bytes32 memberId, uint256 m, uint16 year, uint64 deductible, uint64 oop)
        internal
        returns (uint256)
    {
        uint16 held = _wordYear(m);
        if (held == year || held == 0 || year > held) {
            if (held != year && held != 0 && m >> 144 != 0) book.memberYears[memberId][held] = m >> 144;
            uint256 ind = held == year ? m >> 144 : 0;
            unchecked {
                ind += uint256(deductible) | uint256(oop) << 40; // each stays below its plan maximum
            }
            m = m & _ELIGIBILITY | uint256(year) << 128 | ind << 144;
            book.members[memberId] = m;
        } else {
            unchecked {
                book.memberYears[memberId][year] += uint256(deductible) | uint256(oop) << 40; // below the maxima
            }
        }
        unchecked {
            book.familyYears[_familyYear(m, year)] += uint256(deductible) | uint256(oop) << 40;
        }
        return m;
    }

    /// @notice Takes a reversed line's amounts back from the member's and its family's `year`,
    /// never below zero (A-7.1).
    function subtract(Book storage book, bytes32 memberId, uint16 year, uint64 deductible, uint64 oop) internal {
        uint256 m = book.members[memberId];
        if (_wordYear(m) == year) {
            book.members[memberId] = m & _ELIGIBILITY | uint256(year) << 128 | _less(m >> 144, deductible, oop) << 144;
        } else {
            mapping(uint16 => uint256) storage byYear = book.memberYears[memberId];
            byYear[year] = _less(byYear[year], deductible, oop);
        }
        uint256 key = _familyYear(m, year);
        book.familyYears[key] = _less(book.familyYears[key], deductible, oop);
    }

    /// @dev the key of the accumulators of the family of the member whose word is `m`, for `year`
    function _familyYear(uint256 m, uint16 year) private pure returns (uint256) {
        return uint256(family(m)) << 16 | year;
    }

    /// @dev the year whose accumulators the member word holds; 0 when none yet
    function _wordYear(uint256 m) private pure returns (uint16) {
        return uint16(m >> 128);
    }

    /// @dev an accumulator word (deductible in bits 0-39, out-of-pocket in 40-79) less a line's
    /// amounts, each never below zero
    function _less(uint256 acc, uint64 deductible, uint64 oop) private pure returns (uint256) {
        uint256 d = acc & _MASK40;
        uint256 o = acc >> 40 & _MASK40;
        d = d > deductible ? d - deductible : 0;
        o = o > oop ? o - oop : 0;
        return d | o << 40;
    }
}
