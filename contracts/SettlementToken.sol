// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ISettlementToken} from "../interfaces/ISettlementToken.sol";
import {AccessBase} from "./AccessBase.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title SettlementToken
/// @notice A 6-decimal test stablecoin (1 cent = 10,000 units, A-1.1) for prototyping settlement.
/// Production deployments point the escrow at a real stablecoin instead.
contract SettlementToken is ERC20, AccessBase, ISettlementToken {
    constructor(address admin, uint48 adminDelay) ERC20("claimledger Test USD", "clUSD") AccessBase(admin, adminDelay) {}

    /// @inheritdoc ERC20
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @inheritdoc ISettlementToken
    function mint(address to, uint256 amount) external onlyRole(Roles.MINTER) {
        _mint(to, amount);
    }
}
