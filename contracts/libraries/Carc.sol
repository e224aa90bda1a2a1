// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Carc
/// @notice Claim adjustment reason codes of the A-4 denials, as left-aligned ASCII.
library Carc {
    bytes8 internal constant DX_MISMATCH = "11";
    bytes8 internal constant DUPLICATE = "18";
    bytes8 internal constant BEFORE_COVERAGE = "26";
    bytes8 internal constant AFTER_COVERAGE = "27";
    bytes8 internal constant LATE_FILING = "29";
    bytes8 internal constant MEMBER_UNKNOWN = "31";
    bytes8 internal constant NOT_COVERED = "96";
    bytes8 internal constant ANNUAL_LIMIT = "119";
    bytes8 internal constant UNITS_PER_DAY = "151";
    bytes8 internal constant NO_AUTHORIZATION = "197";
    bytes8 internal constant AUTH_EXCEEDED = "198";
    bytes8 internal constant OUT_OF_NETWORK = "242";
    bytes8 internal constant PROVIDER_UNKNOWN = "B7";
}
