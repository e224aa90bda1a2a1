// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessBase} from "../AccessBase.sol";
import {Roles} from "../libraries/Roles.sol";
import {SparseMerkle} from "../libraries/SparseMerkle.sol";
import {SettlementLedger} from "../libraries/SettlementLedger.sol";
import {IOptimisticSettlement} from "../../interfaces/IOptimisticSettlement.sol";

/// @title FinalEscrow
/// @notice The settlement of final batches of optimistic settlement (A-8, docs/OPTIMISTIC.md):
/// the treasurer funds an escrow and pays each provider what the claims engine's storage in the
/// final state owes it, each provider's account word and payee proven against the final root
/// (the post-root of the last final batch, which {OptimisticSettlement} sets). What this
/// contract paid a provider is kept here, apart from the state: it is subtracted from what the
/// state says is owed, so nothing is paid twice and what the escrow could not pay stays owed.
/// @dev Part of {OptimisticSettlement}, which holds its bonds in the same token: the escrow's
/// balance is counted apart from them.
abstract contract FinalEscrow is AccessBase, IOptimisticSettlement {
    using SafeERC20 for IERC20;

    /// @notice The token the escrow and the bonds are paid in.
    IERC20 public immutable token;
    /// @notice The base slot of the engine's `_ledger.accounts` (mapping uint64 NPI => account
    /// word): provider `npi`'s word is at keccak256(abi.encode(uint256(npi), accountsSlot)).
    bytes32 public immutable accountsSlot;
    /// @notice The base slot of the engine's `_ledger.payees` (mapping uint64 NPI => address),
    /// keyed as {accountsSlot}.
    bytes32 public immutable payeesSlot;

    /// @dev token units a cent: the engine's ledger counts cents of a 6-decimal token (A-1.1)
    uint256 private constant _UNITS_PER_CENT = 10_000;

    bytes28 private _finalRoot;

    /// @dev the escrow: tokens the treasurer funded less what was paid (the bonds are apart)
    uint256 private _escrow;
    /// @dev cents paid to each provider by {settle}
    mapping(uint64 npi => uint256) private _paidCents;

    /// @param token_ the token the escrow (and the bonds) are paid in
    /// @param genesisRoot_ the final root before any batch is final
    /// @param accountsSlot_ the base slot of the engine's `_ledger.accounts`
    /// @param payeesSlot_ the base slot of the engine's `_ledger.payees`
    constructor(IERC20 token_, bytes28 genesisRoot_, bytes32 accountsSlot_, bytes32 payeesSlot_) {
        token = token_;
        accountsSlot = accountsSlot_;
        payeesSlot = payeesSlot_;
        _finalRoot = genesisRoot_;
    }

    /// @inheritdoc IOptimisticSettlement
    function fund(uint256 amount) external onlyRole(Roles.TREASURER) {
        if (amount == 0) revert ZeroAmount();
        _escrow += amount;
        emit EscrowFunded(msg.sender, amount);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IOptimisticSettlement
    /// @dev each provider's payment is recorded before its transfer (the token is the
    /// deployment's own, immutable)
    function settle(uint64[] calldata npis, bytes32[] calldata values, SparseMerkle.Proof[] calldata proofs)
        external
        onlyRole(Roles.TREASURER)
        returns (uint256 paid)
    {
        uint256 n = npis.length;
        if (values.length != 2 * n || proofs.length != 2 * n) revert SettleLengthMismatch(n, values.length, proofs.length);
        uint256 available = _escrow / _UNITS_PER_CENT;
        for (uint256 i; i < n && available > 0; ++i) {
            uint64 npi = npis[i];
            (uint256 account, address payee) = _provenProvider(npi, values, proofs, 2 * i);
            int256 owedNow = SettlementLedger.owed(account) - int256(_paidCents[npi]);
            if (owedNow <= 0) continue;
            if (!SettlementLedger.registered(account) || payee == address(0)) revert ProviderUnknown(npi);
            (uint256 cents, uint256 left) = SettlementLedger.payment(owedNow, available);
            available -= cents;
            _paidCents[npi] += cents;
            uint256 amount = cents * _UNITS_PER_CENT;
            _escrow -= amount;
            paid += amount;
            emit ProviderPaid(npi, payee, amount, left * _UNITS_PER_CENT);
            token.safeTransfer(payee, amount);
        }
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IOptimisticSettlement
    function finalRoot() external view returns (bytes28) {
        return _finalRoot;
    }

    /// @inheritdoc IOptimisticSettlement
    function escrowBalance() external view returns (uint256) {
        return _escrow;
    }

    /// @inheritdoc IOptimisticSettlement
    function paidTo(uint64 npi) external view returns (uint256) {
        return _paidCents[npi] * _UNITS_PER_CENT;
    }

    // ---------------------------------------------------------------- internals

    /// @dev a batch became final: its post-root is what {settle} proves against from now on
    function _setFinalRoot(bytes28 root) internal {
        _finalRoot = root;
    }

    /// @dev provider `npi`'s account word and payee in the final state: its two slots, ascending,
    /// their values and proofs at `at` and `at + 1` proven against {finalRoot}
    function _provenProvider(
        uint64 npi,
        bytes32[] calldata values,
        SparseMerkle.Proof[] calldata smtProofs,
        uint256 at
    ) private view returns (uint256 account, address payee) {
        bytes32 accountKey = keccak256(abi.encode(uint256(npi), accountsSlot));
        bytes32 payeeKey = keccak256(abi.encode(uint256(npi), payeesSlot));
        bool accountFirst = accountKey < payeeKey;
        bytes32[] memory keys = new bytes32[](2);
        (keys[0], keys[1]) = accountFirst ? (accountKey, payeeKey) : (payeeKey, accountKey);
        bytes32[] memory vals = new bytes32[](2);
        (vals[0], vals[1]) = (values[at], values[at + 1]);
        SparseMerkle.Proof[] memory proofs = new SparseMerkle.Proof[](2);
        proofs[0] = smtProofs[at];
        proofs[1] = smtProofs[at + 1];
        bytes28 proven = bytes28(SparseMerkle.computeRoot(keys, vals, proofs));
        if (proven != _finalRoot) revert NotFinalState(npi, _finalRoot, proven);
        (uint256 accountValue, uint256 payeeValue) =
            accountFirst ? (uint256(vals[0]), uint256(vals[1])) : (uint256(vals[1]), uint256(vals[0]));
        return (accountValue, address(uint160(payeeValue)));
    }
}
