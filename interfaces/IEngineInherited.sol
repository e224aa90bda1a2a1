// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IEngineInherited
/// @notice The events and errors the engine has from the OpenZeppelin contracts it builds on
/// (Pausable, ReentrancyGuardTransient, SafeERC20, SafeCast), so that the ABI of {IClaimsEngine} decodes
/// everything the engine's address can emit or revert with. The contracts do not inherit this
/// interface: they inherit the OpenZeppelin contracts that declare these.
interface IEngineInherited {
    /// @notice Intake, review and payments were stopped (Pausable).
    event Paused(address account);
    /// @notice They were resumed (Pausable).
    event Unpaused(address account);

    error EnforcedPause();
    error ExpectedPause();
    error ReentrancyGuardReentrantCall();
    error SafeERC20FailedOperation(address token);
    error SafeCastOverflowedUintDowncast(uint8 bits, uint256 value);
}
