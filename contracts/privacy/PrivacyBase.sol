// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessBase} from "../AccessBase.sol";

/// @title PrivacyBase
/// @notice The roles of the privacy ledger, each a job (AccessControl with a two-step admin
/// handover), and its one reading of the clock.
abstract contract PrivacyBase is AccessBase {
    /// @notice Verifies who a member is and registers the key they sign consents with.
    bytes32 public constant MEMBER_SERVICES = keccak256("MEMBER_SERVICES");
    /// @notice Keeps the insurer's records: writes the access log and anchors runs.
    bytes32 public constant RECORDS_OFFICER = keccak256("RECORDS_OFFICER");
    /// @notice The plan's own claims staff: reads claims for payment without a consent
    /// (HIPAA's treatment, payment and operations, 45 CFR 164.506).
    bytes32 public constant PAYER = keccak256("PAYER");

    /// @dev the one place the ledger reads time (consents end, accesses and anchors are dated)
    function _now() internal view virtual returns (uint64) {
        return uint64(block.timestamp);
    }
}
