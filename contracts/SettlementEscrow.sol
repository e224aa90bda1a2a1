// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IProviderRegistry} from "../interfaces/IProviderRegistry.sol";
import {ISettlementEscrow} from "../interfaces/ISettlementEscrow.sol";
import {AccessBase} from "./AccessBase.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title SettlementEscrow
/// @notice Holds the insurer's funds and owes providers their paid amounts (A-8). Accruals and
/// recoupments net per provider; {settle} pays what is owed as far as the balance allows and
/// the rest stays outstanding: never lost, never paid twice.
contract SettlementEscrow is AccessBase, Pausable, ReentrancyGuard, ISettlementEscrow {
    using SafeERC20 for IERC20;

    IERC20 private immutable _token;
    IProviderRegistry public immutable providers;

    mapping(uint64 npi => Account) private _accounts;
    uint256 private _outstanding;

    constructor(address admin, uint48 adminDelay, IERC20 settlementToken, IProviderRegistry providerRegistry)
        AccessBase(admin, adminDelay)
    {
        _token = settlementToken;
        providers = providerRegistry;
    }

    /// @inheritdoc ISettlementEscrow
    function fund(uint256 amount) external onlyRole(Roles.TREASURER) nonReentrant {
        if (amount == 0) revert ZeroAmount();
        emit Funded(msg.sender, amount);
        _token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc ISettlementEscrow
    function accrue(uint64 npi, bytes32 claimId, uint256 amount) external onlyRole(Roles.ENGINE) {
        Account storage acc = _accounts[npi];
        int256 before = _owed(acc);
        acc.accrued += uint128(amount);
        _track(before, _owed(acc));
        emit Accrued(npi, claimId, amount);
    }

    /// @inheritdoc ISettlementEscrow
    function recoup(uint64 npi, bytes32 claimId, uint256 amount) external onlyRole(Roles.ENGINE) {
        Account storage acc = _accounts[npi];
        int256 before = _owed(acc);
        acc.recouped += uint128(amount);
        _track(before, _owed(acc));
        emit Recouped(npi, claimId, amount);
    }

    /// @inheritdoc ISettlementEscrow
    function settle(uint64[] calldata npis) external onlyRole(Roles.TREASURER) whenNotPaused nonReentrant returns (uint256 paid) {
        uint256 available = _token.balanceOf(address(this));
        for (uint256 i; i < npis.length && available > 0; ++i) {
            Account storage acc = _accounts[npis[i]];
            int256 owedNow = _owed(acc);
            if (owedNow <= 0) continue;
            uint256 amount = uint256(owedNow) < available ? uint256(owedNow) : available;
            address payee = providers.provider(npis[i]).payee;
            if (payee == address(0)) revert ProviderUnknown(npis[i]);
            acc.paidOut += uint128(amount);
            _outstanding -= amount;
            available -= amount;
            paid += amount;
            emit ProviderPaid(npis[i], payee, amount, uint256(owedNow) - amount);
            _token.safeTransfer(payee, amount);
        }
    }

    /// @notice Stops payments in an emergency. Requirements: caller is the admin.
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    /// @notice Resumes payments. Requirements: caller is the admin.
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    /// @inheritdoc ISettlementEscrow
    function account(uint64 npi) external view returns (Account memory) {
        return _accounts[npi];
    }

    /// @inheritdoc ISettlementEscrow
    function owed(uint64 npi) external view returns (int256) {
        return _owed(_accounts[npi]);
    }

    /// @inheritdoc ISettlementEscrow
    function totalOutstanding() external view returns (uint256) {
        return _outstanding;
    }

    /// @inheritdoc ISettlementEscrow
    function token() external view returns (address) {
        return address(_token);
    }

    function _owed(Account storage acc) private view returns (int256) {
        return int256(uint256(acc.accrued)) - int256(uint256(acc.recouped)) - int256(uint256(acc.paidOut));
    }

    /// @dev keeps `_outstanding` equal to the sum of positive balances
    function _track(int256 before, int256 after_) private {
        uint256 b = before > 0 ? uint256(before) : 0;
        uint256 a = after_ > 0 ? uint256(after_) : 0;
        if (a > b) _outstanding += a - b;
        else _outstanding -= b - a;
    }
}
