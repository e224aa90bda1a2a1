// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ISettlementEscrow
/// @notice Insurer-funded escrow that owes providers their paid amounts (A-8). Accruals and
/// recoupments are netted per provider; payment sends what is owed as far as funds allow and
/// leaves the rest outstanding. Amounts are in settlement-token units (1 cent = 10,000).
interface ISettlementEscrow {
    /// @notice What the escrow owes one provider; owed = accrued - recouped - paidOut.
    struct Account {
        uint128 accrued;
        uint128 recouped;
        uint128 paidOut;
    }

    error ZeroAmount();
    error NothingOwed(uint64 npi);
    error ProviderUnknown(uint64 npi);

    event Funded(address indexed from, uint256 amount);
    event Accrued(uint64 indexed npi, bytes32 indexed claimId, uint256 amount);
    event Recouped(uint64 indexed npi, bytes32 indexed claimId, uint256 amount);
    event ProviderPaid(uint64 indexed npi, address indexed payee, uint256 amount, uint256 outstanding);

    /// @notice Moves `amount` tokens from the caller into the escrow.
    /// Requirements: caller has TREASURER and has approved the escrow; amount > 0.
    function fund(uint256 amount) external;

    /// @notice Records a paid amount owed to a provider. Requirements: caller has ENGINE.
    function accrue(uint64 npi, bytes32 claimId, uint256 amount) external;

    /// @notice Records a reversed payment to be recouped from the provider's next payments.
    /// Requirements: caller has ENGINE.
    function recoup(uint64 npi, bytes32 claimId, uint256 amount) external;

    /// @notice Pays each provider what is owed, in order, as far as the escrow's balance allows.
    /// Providers owed nothing are skipped. Requirements: caller has TREASURER.
    /// @return paid total tokens sent
    function settle(uint64[] calldata npis) external returns (uint256 paid);

    /// @notice A provider's account.
    function account(uint64 npi) external view returns (Account memory);

    /// @notice What the escrow owes `npi` now; negative while recoupments exceed accruals.
    function owed(uint64 npi) external view returns (int256);

    /// @notice Sum over providers of positive balances not yet paid.
    function totalOutstanding() external view returns (uint256);

    /// @notice The settlement token.
    function token() external view returns (address);
}
