// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEngineErrors} from "./IEngineErrors.sol";
import {IEngineEvents} from "./IEngineEvents.sol";

/// @title ISettlement
/// @notice What the treasurer calls, and what anyone may read, of the escrow (A-8): the engine
/// holds the insurer's funds and owes each provider the paid amounts of its claims, netted
/// against recoupments (R-11). Amounts in settlement-token units (1 cent = 10,000).
interface ISettlement is IEngineErrors, IEngineEvents {
    /// @notice Moves `amount` tokens from the caller into the escrow.
    /// Requirements: caller has TREASURER and has approved the engine; amount > 0.
    function fund(uint256 amount) external;

    /// @notice Pays each listed provider what is owed, in order, as far as the escrow's balance
    /// ({escrowBalance}: never the incentive pool's tokens) allows; the rest stays outstanding.
    /// Providers owed nothing are skipped.
    /// Requirements: caller has TREASURER; not paused; each NPI paid is registered.
    /// @return paid total tokens sent
    function settle(uint64[] calldata npis) external returns (uint256 paid);

    /// @notice A provider's account.
    function account(uint64 npi) external view returns (Account memory);

    /// @notice What the escrow owes `npi` now; negative while recoupments exceed accruals.
    function owed(uint64 npi) external view returns (int256);

    /// @notice Sum over providers of positive balances not yet paid.
    function totalOutstanding() external view returns (uint256);

    /// @notice The tokens providers may be paid from: the engine's balance but the incentive
    /// pool's (A-12.3).
    function escrowBalance() external view returns (uint256);

    /// @notice The settlement token.
    function token() external view returns (address);
}
