// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SettlementLedger} from "./SettlementLedger.sol";

/// @title Rewards
/// @notice Member incentives (A-12): the reward each member holds per code and plan year, each
/// member's reward account, the key that signs for the member, the address rewards are paid to,
/// and the incentive pool, apart from the provider escrow.
///
/// A member's account is one word of cents: earned in bits 0-79, taken back in 80-159, paid in
/// 160-239; owed = earned - taken back - paid, negative while rewards taken back after they
/// were paid exceed what was earned since (netted against later rewards, A-12.2). The pool is
/// kept in token units: what the treasurer funded and what was paid out of it.
library Rewards {
    struct Member {
        address signer; // the member's key, bound by the plan manager (R-43)
        uint96 nonce; // signed registrations used
        address payee; // where the member's rewards go; none yet: they wait (A-12.3)
    }

    struct Book {
        mapping(bytes32 key => uint256) earned; // member, code and plan year => cents of the live reward
        mapping(bytes32 memberId => uint256) accounts;
        mapping(bytes32 memberId => Member) members;
        uint256 pool; // token units funded and not paid out
    }

    uint256 private constant _MASK80 = 0xffffffffffffffffffff;

    /// @notice The key of a member's reward for `code` in plan year `year`.
    function key(bytes32 memberId, bytes8 code, uint16 year) internal pure returns (bytes32 k) {
        assembly ("memory-safe") {
            mstore(0, memberId)
            mstore(32, or(code, year))
            k := keccak256(0, 64)
        }
    }

    /// @notice Gives the member `amount` cents for `code` in `year` unless a live reward for them
    /// exists (A-12.2: once per member, code and plan year); returns whether it did.
    function earn(Book storage book, bytes32 memberId, bytes8 code, uint16 year, uint64 amount)
        internal
        returns (bool)
    {
        bytes32 k = key(memberId, code, year);
        if (book.earned[k] != 0) return false;
        book.earned[k] = amount;
        unchecked {
            book.accounts[memberId] += amount; // earned stays below 2^80 cents
        }
        return true;
    }

    /// @notice Takes back the member's reward for `code` in `year` (the line that earned it was
    /// reversed, A-12.2); returns its cents. The member may earn it again.
    function takeBack(Book storage book, bytes32 memberId, bytes8 code, uint16 year) internal returns (uint64 amount) {
        bytes32 k = key(memberId, code, year);
        amount = uint64(book.earned[k]);
        delete book.earned[k];
        unchecked {
            book.accounts[memberId] += uint256(amount) << 80;
        }
    }

    function earnedTotal(uint256 account) internal pure returns (uint256) {
        return account & _MASK80;
    }

    function takenBack(uint256 account) internal pure returns (uint256) {
        return account >> 80 & _MASK80;
    }

    function paid(uint256 account) internal pure returns (uint256) {
        return account >> 160 & _MASK80;
    }

    /// @notice What the member is owed now, in cents; negative while taken-back rewards exceed.
    function owed(uint256 account) internal pure returns (int256) {
        unchecked {
            return int256(earnedTotal(account)) - int256(takenBack(account)) - int256(paid(account));
        }
    }

    /// @notice Records a payment of up to `available` cents of what the member is owed; returns
    /// the cents paid and what stays owed.
    function pay(Book storage book, bytes32 memberId, uint256 available) internal returns (uint256 cents, uint256 left) {
        uint256 account = book.accounts[memberId];
        (cents, left) = SettlementLedger.payment(owed(account), available);
        if (cents != 0) book.accounts[memberId] = account + (cents << 160);
    }
}
