// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title SettlementLedger
/// @notice What the escrow owes each provider (A-8, R-11) and the outstanding total, in cents.
/// A provider is one word: its registration in bits 0-7 (bit 0 registered, bit 1 in network:
/// kept here so that a claim reads one slot for its provider), accrued in bits 8-87, recouped
/// in 88-167, paid out in 168-247; owed = accrued - recouped - paid out, negative while
/// recoupments exceed later accruals. The payee address, read only to pay, lives apart.
/// A provider's word is written once per batch in effect: later writes in the same
/// transaction cost 100 gas each, which is the per-batch netting (R-26).
library SettlementLedger {
    struct Ledger {
        mapping(uint64 npi => uint256) accounts;
        mapping(uint64 npi => address) payees;
        uint256 outstanding; // sum of positive balances
    }

    uint256 internal constant REGISTERED = 1;
    uint256 internal constant IN_NETWORK = 2;

    uint256 private constant _MASK80 = 0xffffffffffffffffffff;

    function registered(uint256 a) internal pure returns (bool) {
        return a & REGISTERED != 0;
    }

    function inNetwork(uint256 a) internal pure returns (bool) {
        return a & IN_NETWORK != 0;
    }

    function accrued(uint256 a) internal pure returns (uint256) {
        return a >> 8 & _MASK80;
    }

    function recouped(uint256 a) internal pure returns (uint256) {
        return a >> 88 & _MASK80;
    }

    function paidOut(uint256 a) internal pure returns (uint256) {
        return a >> 168 & _MASK80;
    }

    /// @notice Registers or updates a provider, keeping its account.
    function register(Ledger storage ledger, uint64 npi, bool network, address payee) internal {
        ledger.accounts[npi] = ledger.accounts[npi] & ~uint256(0xff) | REGISTERED | (network ? IN_NETWORK : 0);
        ledger.payees[npi] = payee;
    }

    function owed(uint256 a) internal pure returns (int256) {
        unchecked {
            return int256(accrued(a)) - int256(recouped(a)) - int256(paidOut(a)); // each below 2^80
        }
    }

    /// @notice Records cents owed to a provider for its paid lines.
    function accrue(Ledger storage ledger, uint64 npi, uint256 cents) internal {
        uint256 a = ledger.accounts[npi];
        int256 before = owed(a);
        unchecked {
            // what is outstanding grows by the part of `cents` that takes the balance above zero
            int256 after_ = before + int256(cents);
            if (after_ > 0) ledger.outstanding += before > 0 ? cents : uint256(after_);
            ledger.accounts[npi] = a + (cents << 8); // accrued stays below 2^80 cents: ~10^22 dollars
        }
    }

    /// @notice Records cents to be recouped from a provider's next payments (A-7.1).
    function recoup(Ledger storage ledger, uint64 npi, uint256 cents) internal {
        uint256 a = ledger.accounts[npi];
        _track(ledger, owed(a), -int256(cents));
        ledger.accounts[npi] = a + (cents << 88);
    }

    /// @notice Records a payment of up to `available` cents of what is owed; returns the cents
    /// paid and what stays owed.
    function pay(Ledger storage ledger, uint64 npi, uint256 available) internal returns (uint256 cents, uint256 left) {
        uint256 a = ledger.accounts[npi];
        (cents, left) = payment(owed(a), available);
        if (cents == 0) return (0, 0);
        ledger.accounts[npi] = a + (cents << 168);
        ledger.outstanding -= cents;
    }

    /// @notice What a payment of up to `available` pays of `owedNow` (nothing when it is not
    /// positive), and what stays owed: for providers (A-8) and members' rewards (A-12.3) alike.
    function payment(int256 owedNow, uint256 available) internal pure returns (uint256 cents, uint256 left) {
        if (owedNow <= 0) return (0, 0);
        cents = uint256(owedNow) < available ? uint256(owedNow) : available;
        left = uint256(owedNow) - cents;
    }

    /// @dev keeps `outstanding` equal to the sum of positive balances as one moves by `delta`
    function _track(Ledger storage ledger, int256 before, int256 delta) private {
        int256 after_ = before + delta;
        uint256 b = before > 0 ? uint256(before) : 0;
        uint256 a = after_ > 0 ? uint256(after_) : 0;
        if (a != b) ledger.outstanding = ledger.outstanding + a - b;
    }
}
