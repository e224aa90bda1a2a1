// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Dates
/// @notice Calendar arithmetic on days since 1970-01-01 (A-1.3).
library Dates {
    /// @notice The plan year of a date of service: its calendar year (A-1.3).
    /// @dev Howard Hinnant's civil_from_days, restricted to dates on or after 1970-01-01.
    function yearOf(uint32 day) internal pure returns (uint16) {
        unchecked {
            // slither-disable-start divide-before-multiply: floor division is the algorithm (eras, years of era)
            uint256 z = uint256(day) + 719_468;
            uint256 era = z / 146_097;
            uint256 doe = z - era * 146_097;
            uint256 yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
            uint256 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
            uint256 mp = (5 * doy + 2) / 153;
            uint256 year = yoe + era * 400;
            // months March..December belong to `year`, January and February to the next one
            return uint16(mp < 10 ? year : year + 1);
            // slither-disable-end divide-before-multiply
        }
    }

    /// @notice The day (since 1970-01-01) of January 1 of `year`, for years from 1970.
    /// @dev Howard Hinnant's days_from_civil for the first day of a year.
    function firstDayOf(uint16 year) internal pure returns (uint32) {
        unchecked {
            // slither-disable-start divide-before-multiply: floor division is the algorithm (eras, years of era)
            uint256 y = uint256(year) - 1; // January counts in the previous March-based year
            uint256 era = y / 400;
            uint256 yoe = y - era * 400;
            uint256 doe = yoe * 365 + yoe / 4 - yoe / 100 + 306; // day of era of January 1
            return uint32(era * 146_097 + doe - 719_468);
            // slither-disable-end divide-before-multiply
        }
    }
}
