// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Dates} from "../libraries/Dates.sol";

/// @title DatesHarness
/// @notice A test instrument, not part of claimledger: exposes {Dates} so that a test can
/// compare every day of a range with Python's calendar in a few calls.
contract DatesHarness {
    /// @notice The plan year of each day in [`from`, `to`) (days since 1970-01-01).
    function yearsOf(uint32 from, uint32 to) external pure returns (uint16[] memory planYears) {
        planYears = new uint16[](to - from);
        for (uint32 day = from; day < to; ++day) {
            planYears[day - from] = Dates.yearOf(day);
        }
    }

    /// @notice The day (since 1970-01-01) of January 1 of each year in [`from`, `to`).
    function firstDaysOf(uint16 from, uint16 to) external pure returns (uint32[] memory days_) {
        days_ = new uint32[](to - from);
        for (uint16 year = from; year < to; ++year) {
            days_[year - from] = Dates.firstDayOf(year);
        }
    }
}
