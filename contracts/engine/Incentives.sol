// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Members} from "../libraries/Members.sol";
import {Plans} from "../libraries/Plans.sol";
import {Rewards} from "../libraries/Rewards.sol";
import {Roles} from "../libraries/Roles.sol";
import {EngineStorage} from "./EngineStorage.sol";

/// @title Incentives
/// @notice Member incentives (A-12) outside the claim path: the plan manager binds the key that
/// signs for each member (R-43); the member, by an EIP-712 signature of that key, names where
/// its rewards go; the treasurer funds the incentive pool, apart from the provider escrow, and
/// pays members what they are owed from it. Rewards are earned and taken back by the claim path
/// itself ({Adjudication}). Part of {ClaimsEngineRewards}: runs on the engine's storage.
abstract contract Incentives is EngineStorage, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using Rewards for Rewards.Book;

    uint256 private constant _UNITS_PER_CENT = 10_000; // a 6-decimal token (A-1.1)
    bytes32 private constant _DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant _NAME_HASH = keccak256("claimledger");
    bytes32 private constant _VERSION_HASH = keccak256("1");
    /// @notice The typed data a member's key signs to name where its rewards are paid.
    bytes32 public constant REWARD_PAYEE_TYPEHASH =
        keccak256("RewardPayee(bytes32 memberId,address payee,uint256 nonce,uint256 deadline)");

    /// @notice See {IRewards-setMemberSigners}.
    function setMemberSigners(bytes32[] calldata memberIds, address[] calldata signers)
        external
        onlyRole(Roles.PLAN_MANAGER)
    {
        if (memberIds.length != signers.length) revert LengthMismatch(memberIds.length, signers.length);
        for (uint256 i; i < memberIds.length; ++i) {
            bytes32 memberId = memberIds[i];
            if (Members.plan(_members.members[memberId]) == 0) revert MemberNotEnrolled(memberId);
            if (signers[i] == address(0)) revert InvalidSigner(memberId);
            _rewards.members[memberId].signer = signers[i];
            emit MemberSignerSet(memberId, signers[i]);
        }
    }

    /// @notice See {IRewards-registerRewardPayee}.
    function registerRewardPayee(bytes32 memberId, address payee, uint256 deadline, bytes calldata signature)
        external
        whenNotPaused
    {
        _requireDelegated();
        if (payee == address(0)) revert InvalidRewardPayee(memberId);
        if (_now() > deadline) revert RewardSignatureExpired(memberId, deadline);
        Rewards.Member storage m = _rewards.members[memberId];
        address signer = m.signer;
        if (signer == address(0)) revert InvalidSigner(memberId);
        uint256 nonce = m.nonce;
        bytes32 digest = _payeeDigest(memberId, payee, nonce, deadline);
        if (!SignatureChecker.isValidSignatureNow(signer, digest, signature)) revert RewardSignatureInvalid(memberId);
        m.nonce = uint96(nonce + 1);
        m.payee = payee;
        emit RewardPayeeRegistered(memberId, payee, nonce);
    }

    /// @notice See {IRewards-fundIncentives}.
    function fundIncentives(uint256 amount) external onlyRole(Roles.TREASURER) nonReentrant {
        if (amount == 0) revert ZeroAmount();
        IERC20 token_ = _token;
        uint256 before = token_.balanceOf(address(this));
        token_.safeTransferFrom(msg.sender, address(this), amount);
        // the pool takes what arrived (a token may keep a fee); the guard keeps this call alone
        uint256 received = token_.balanceOf(address(this)) - before;
        _rewards.pool += received;
        emit IncentivePoolFunded(msg.sender, received);
    }

    /// @notice See {IRewards-payRewards}.
    function payRewards(bytes32[] calldata memberIds)
        external
        onlyRole(Roles.TREASURER)
        whenNotPaused
        nonReentrant
        returns (uint256 paid)
    {
        IERC20 token_ = _token;
        uint256 available = _rewards.pool / _UNITS_PER_CENT;
        for (uint256 i; i < memberIds.length && available > 0; ++i) {
            bytes32 memberId = memberIds[i];
            address payee = _rewards.members[memberId].payee;
            if (payee == address(0)) continue; // rewards wait until the member registers (A-12.3)
            (uint256 cents, uint256 left) = _rewards.pay(memberId, available);
            if (cents == 0) continue;
            available -= cents;
            uint256 units = cents * _UNITS_PER_CENT;
            _rewards.pool -= units;
            paid += units;
            emit RewardPaid(memberId, payee, units, left * _UNITS_PER_CENT);
            token_.safeTransfer(payee, units);
        }
    }

    // ------------------------------------------------------------------------------ views

    function rewardAccount(bytes32 memberId) external view returns (RewardAccount memory a) {
        uint256 account = _rewards.accounts[memberId];
        Rewards.Member storage m = _rewards.members[memberId];
        a.signer = m.signer;
        a.nonce = m.nonce;
        a.payee = m.payee;
        a.earned = uint128(Rewards.earnedTotal(account) * _UNITS_PER_CENT);
        a.takenBack = uint128(Rewards.takenBack(account) * _UNITS_PER_CENT);
        a.paid = uint128(Rewards.paid(account) * _UNITS_PER_CENT);
    }

    function rewardOwed(bytes32 memberId) external view returns (int256) {
        return Rewards.owed(_rewards.accounts[memberId]) * int256(_UNITS_PER_CENT);
    }

    function rewardOf(bytes32 memberId, bytes8 code, uint16 year) external view returns (uint64) {
        return uint64(_rewards.earned[Rewards.key(memberId, code, year)]);
    }

    function incentive(bytes32 planId, uint32 version, bytes8 code) external view returns (uint64) {
        return Plans.incentive(_plans.fees[Plans.feeKey(_plans.index[planId], version, code)]);
    }

    function incentivePool() external view returns (uint256) {
        return _rewards.pool;
    }

    function rewardPayeeDigest(bytes32 memberId, address payee, uint256 nonce, uint256 deadline)
        external
        view
        returns (bytes32)
    {
        return _payeeDigest(memberId, payee, nonce, deadline);
    }

    // ------------------------------------------------------------------------------ internals

    /// @dev the EIP-712 digest of a registration, under the engine's domain: the engine is
    /// `address(this)` here, since this code runs through its delegatecall
    function _payeeDigest(bytes32 memberId, address payee, uint256 nonce, uint256 deadline)
        private
        view
        returns (bytes32)
    {
        bytes32 domain = keccak256(abi.encode(_DOMAIN_TYPEHASH, _NAME_HASH, _VERSION_HASH, block.chainid, address(this)));
        return MessageHashUtils.toTypedDataHash(
            domain, keccak256(abi.encode(REWARD_PAYEE_TYPEHASH, memberId, payee, nonce, deadline))
        );
    }

    /// @dev the one place time is read: a registration's signature has a deadline
    function _now() internal view virtual returns (uint256) {
        return block.timestamp;
    }

    /// @dev refuses a call that is not the engine's delegatecall (see {ClaimsEngineRewards})
    function _requireDelegated() internal view virtual;
}
