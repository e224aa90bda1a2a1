// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Roles
/// @notice The jobs that may change claimledger state, one AccessControl role each.
library Roles {
    /// @notice Configures plans, fee schedules, members, providers and authorizations.
    bytes32 internal constant PLAN_MANAGER = keccak256("PLAN_MANAGER");
    /// @notice Submits claims on behalf of providers.
    bytes32 internal constant BILLER = keccak256("BILLER");
    /// @notice Decides pended lines.
    bytes32 internal constant REVIEWER = keccak256("REVIEWER");
    /// @notice Funds the escrow and pays providers.
    bytes32 internal constant TREASURER = keccak256("TREASURER");
    /// @notice The claims engine contract: writes accumulators, authorization units and accruals.
    bytes32 internal constant ENGINE = keccak256("ENGINE");
    /// @notice Mints the test settlement token.
    bytes32 internal constant MINTER = keccak256("MINTER");
    /// @notice Posts batches of optimistic settlement (docs/OPTIMISTIC.md), against a bond.
    bytes32 internal constant ADJUDICATOR = keccak256("ADJUDICATOR");
    /// @notice Disputes a posted claim of optimistic settlement, against a bond.
    bytes32 internal constant CHALLENGER = keccak256("CHALLENGER");
}
