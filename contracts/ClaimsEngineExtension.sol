// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {BenefitsAdmin} from "./engine/BenefitsAdmin.sol";
import {EngineStorage} from "./engine/EngineStorage.sol";
import {EngineViews} from "./engine/EngineViews.sol";
import {Treasury} from "./engine/Treasury.sol";

/// @title ClaimsEngineExtension
/// @notice The part of the claims engine that no claim runs: benefits administration, the
/// treasury, pausing and the views. {ClaimsEngine} delegates every call it does not answer
/// itself here, so this code runs on the engine's storage, with the engine's roles and tokens
/// (the split keeps each contract under the 24 KB code limit; Balancer v3's Vault does the
/// same). What this contract does not answer either, member incentives, it delegates in turn to
/// {ClaimsEngineRewards}, still on the engine's storage. Called directly, at its own address, it
/// refuses everything but views.
contract ClaimsEngineExtension is BenefitsAdmin, Treasury, EngineViews {
    address private immutable _self;
    address private immutable _rewardsExtension;

    /// @dev its own storage is never used: the deployer is its admin only because
    /// AccessControl wants one
    constructor(address rewardsExtension_) EngineStorage(msg.sender, 0, IERC20(address(0))) {
        if (rewardsExtension_ == address(0)) revert ExtensionMissing();
        _self = address(this);
        _rewardsExtension = rewardsExtension_;
    }

    /// @notice What neither the engine nor this contract answers goes to the rewards extension,
    /// on the storage this code runs on (the engine's, through its delegatecall).
    fallback() external {
        _delegate(_rewardsExtension);
    }

    /// @notice The contract this extension delegates member incentives to.
    function rewardsExtension() external view returns (address) {
        return _rewardsExtension;
    }

    /// @dev refuses direct calls that change state: they would change this contract's own,
    /// unused, storage
    function _checkRole(bytes32 role, address caller) internal view override {
        if (address(this) == _self) revert NotDelegated();
        super._checkRole(role, caller);
    }
}
