// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IEngineAdmin
/// @notice What the default admin calls besides role management (AccessControl with a
/// two-step, delayed admin handover).
interface IEngineAdmin {
    /// @notice Stops intake, review and payments in an emergency. Requirements: caller is the admin.
    function pause() external;

    /// @notice Resumes them. Requirements: caller is the admin.
    function unpause() external;

    /// @notice Whether intake, review and payments are stopped.
    function paused() external view returns (bool);

    /// @notice The contract the engine delegates its administration and views to.
    function extension() external view returns (address);

    /// @notice The contract the extension delegates member incentives (A-12) to.
    function rewardsExtension() external view returns (address);
}
