// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Roles} from "../libraries/Roles.sol";
import {SettlementLedger} from "../libraries/SettlementLedger.sol";
import {EngineStorage} from "./EngineStorage.sol";

/// @title Treasury
/// @notice The escrow's money (A-8, R-11): the treasurer funds it and pays providers what the
/// ledger says they are owed, as far as the balance goes (the engine's tokens but the incentive
/// pool's, A-12.3); the admin pauses in an emergency.
/// Part of {ClaimsEngineExtension}: runs on the engine's storage and moves the engine's tokens.
/// The reentrancy guard is transient (EIP-1153), so it adds nothing to the shared layout.
abstract contract Treasury is EngineStorage, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SettlementLedger for SettlementLedger.Ledger;

    uint256 internal constant _TOKEN_UNITS_PER_CENT = 10_000; // a 6-decimal token (A-1.1)

    /// @notice See {ISettlement-fund}.
    function fund(uint256 amount) external onlyRole(Roles.TREASURER) nonReentrant {
        if (amount == 0) revert ZeroAmount();
        emit Funded(msg.sender, amount);
        _token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @notice See {ISettlement-settle}.
    function settle(uint64[] calldata npis) external onlyRole(Roles.TREASURER) whenNotPaused nonReentrant returns (uint256 paid) {
        IERC20 token_ = _token;
        uint256 available = _escrowBalance(token_) / _TOKEN_UNITS_PER_CENT;
        for (uint256 i; i < npis.length && available > 0; ++i) {
            uint64 npi = npis[i];
            uint256 account = _ledger.accounts[npi];
            if (SettlementLedger.owed(account) <= 0) continue;
            if (!SettlementLedger.registered(account)) revert ProviderUnknown(npi);
            address payee = _ledger.payees[npi];
            (uint256 cents, uint256 left) = _ledger.pay(npi, available);
            available -= cents;
            paid += cents * _TOKEN_UNITS_PER_CENT;
            emit ProviderPaid(npi, payee, cents * _TOKEN_UNITS_PER_CENT, left * _TOKEN_UNITS_PER_CENT);
            token_.safeTransfer(payee, cents * _TOKEN_UNITS_PER_CENT);
        }
    }

    /// @notice See {ISettlement-escrowBalance}.
    function escrowBalance() external view returns (uint256) {
        return _escrowBalance(_token);
    }

    /// @dev the engine's tokens but the incentive pool's (A-12.3): what providers may be paid from
    function _escrowBalance(IERC20 token_) private view returns (uint256) {
        uint256 balance = token_.balanceOf(address(this));
        uint256 pool = _rewards.pool;
        return balance > pool ? balance - pool : 0;
    }

    /// @notice See {IEngineAdmin-pause}.
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    /// @notice See {IEngineAdmin-unpause}.
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }
}
