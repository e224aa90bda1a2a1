// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";

/// @title AccessBase
/// @notice Role-based access shared by every claimledger contract: AccessControl with a
/// two-step admin handover (begin, then accept after `adminDelay` seconds).
abstract contract AccessBase is AccessControlDefaultAdminRules {
    constructor(address admin, uint48 adminDelay) AccessControlDefaultAdminRules(adminDelay, admin) {}
}
