// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Dates
/// @notice Calendar arithmetic on days since 1970-01-01 (A-1.3).
library Dates {
    /// @notice The plan year of a date of service: its calendar year (A-1.3).
    /// @dev Howard Hinnant's civil_from_days, restricted to dates on or after 1970-01-01.
    function yearOf(uint32 day) internal pure returns (uint16) {
        unchecked {
            uint256 z = uint256(day) + 719_468;
            uint256 era = z / 146_097;
            uint256 doe = z - era * 146_097;
            uint256 yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
            uint256 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
            uint256 mp = (5 * doy + 2) / 153;
            uint256 year = yoe + era * 400;
            // months March..December belong to `year`, January and February to the next one
            return uint16(mp < 10 ? year : year + 1);
        }
    }
}
