// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEngineErrors} from "./IEngineErrors.sol";
import {IEngineEvents} from "./IEngineEvents.sol";

/// @title IRewards
/// @notice Member incentives (A-12): who calls what. The claim path earns and takes back
/// rewards by itself ({IEngineEvents-RewardEarned}); the plan manager binds the key that signs
/// for a member (R-43); the member names where its rewards go by an EIP-712 signature of that
/// key (anyone may relay it); the treasurer funds the incentive pool, which the escrow's
/// payments to providers never touch, and pays members from it. Amounts in settlement-token
/// units (1 cent = 10,000) unless named cents.
interface IRewards is IEngineErrors, IEngineEvents {
    /// @notice Binds the key that signs for each member's rewards (a new one replaces the old).
    /// Requirements: caller has PLAN_MANAGER; each member is enrolled, else {MemberNotEnrolled};
    /// each signer non-zero, else {InvalidSigner}.
    function setMemberSigners(bytes32[] calldata memberIds, address[] calldata signers) external;

    /// @notice Names `payee` as where the member's rewards are paid, by the member's signed act:
    /// `signature` is its signer's EIP-712 signature (domain "claimledger", version "1", this
    /// chain, the engine's address) of `RewardPayee(bytes32 memberId,address payee,uint256
    /// nonce,uint256 deadline)` with the member's next nonce ({rewardAccount}); an ERC-1271
    /// wallet may sign too. Anyone may send it.
    /// Requirements: not paused; payee non-zero, else {InvalidRewardPayee}; not after
    /// `deadline`, else {RewardSignatureExpired}; a signer bound, else {InvalidSigner}; the
    /// signature valid for the next nonce, else {RewardSignatureInvalid}.
    function registerRewardPayee(bytes32 memberId, address payee, uint256 deadline, bytes calldata signature) external;

    /// @notice Moves `amount` tokens from the caller into the incentive pool (what arrives).
    /// Requirements: caller has TREASURER and has approved the engine; amount > 0.
    function fundIncentives(uint256 amount) external;

    /// @notice Pays each listed member with a registered payee what it is owed, in order, as
    /// far as the incentive pool allows; the rest stays owed. Members owed nothing or without a
    /// payee are skipped (their rewards wait, A-12.3).
    /// Requirements: caller has TREASURER; not paused.
    /// @return paid total tokens sent
    function payRewards(bytes32[] calldata memberIds) external returns (uint256 paid);

    /// @notice A member's signer, nonce, payee and reward account.
    function rewardAccount(bytes32 memberId) external view returns (RewardAccount memory);

    /// @notice What the member is owed now: earned - taken back - paid; negative while rewards
    /// taken back after they were paid exceed what was earned since.
    function rewardOwed(bytes32 memberId) external view returns (int256);

    /// @notice The cents of the member's live reward for `code` in plan year `year` (0: none).
    function rewardOf(bytes32 memberId, bytes8 code, uint16 year) external view returns (uint64);

    /// @notice The incentive of `code` in a plan version, in cents (0: none).
    function incentive(bytes32 planId, uint32 version, bytes8 code) external view returns (uint64);

    /// @notice Tokens in the incentive pool: funded - paid.
    function incentivePool() external view returns (uint256);

    /// @notice The EIP-712 digest a member's signer signs to register `payee` (see {registerRewardPayee}).
    function rewardPayeeDigest(bytes32 memberId, address payee, uint256 nonce, uint256 deadline)
        external
        view
        returns (bytes32);

    /// @notice The typehash of the registration's typed data.
    function REWARD_PAYEE_TYPEHASH() external view returns (bytes32);
}
