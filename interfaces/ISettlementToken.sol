// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title ISettlementToken
/// @notice The 6-decimal test stablecoin claims are settled in.
interface ISettlementToken is IERC20 {
    /// @notice Mints `amount` to `to`. Requirements: caller has MINTER.
    function mint(address to, uint256 amount) external;
}
