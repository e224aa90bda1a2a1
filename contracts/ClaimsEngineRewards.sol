// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EngineStorage} from "./engine/EngineStorage.sol";
import {Incentives} from "./engine/Incentives.sol";

/// @title ClaimsEngineRewards
/// @notice The claims engine's second extension: member incentives (A-12) outside the claim
/// path ({Incentives}). {ClaimsEngineExtension} delegates what it does not answer itself here,
/// so this code, too, runs on the engine's storage, roles and tokens (Balancer v3's Vault ->
/// VaultExtension -> VaultAdmin chain; the split keeps each contract under the 24 KB code
/// limit). Called directly, at its own address, it refuses everything but views.
contract ClaimsEngineRewards is Incentives {
    address private immutable _self;

    /// @dev its own storage is never used: the deployer is its admin only because
    /// AccessControl wants one
    constructor() EngineStorage(msg.sender, 0, IERC20(address(0))) {
        _self = address(this);
    }

    /// @dev refuses direct calls that change state: they would change this contract's own,
    /// unused, storage
    function _checkRole(bytes32 role, address account) internal view override {
        _requireDelegated();
        super._checkRole(role, account);
    }

    function _requireDelegated() internal view override {
        if (address(this) == _self) revert NotDelegated();
    }
}
