// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SparseMerkle} from "../contracts/libraries/SparseMerkle.sol";

/// @title IOptimisticSettlement
/// @notice Optimistic settlement's batches and challenge game (docs/OPTIMISTIC.md): a chain of
/// state roots from a genesis root; an adjudicator posts claims with the root after each, a
/// challenger disputes one claim, the claim is replayed on proven slots and the posted root after
/// it compared; a batch unchallenged (or challenged in vain) through its window becomes final.
interface IOptimisticSettlement {
    /// @notice Where a batch is: posted (challengeable, then finalizable), final, or cancelled
    /// (an earlier batch was cut: its claims must be posted again).
    enum BatchStatus {
        None,
        Posted,
        Final,
        Cancelled
    }

    /// @notice Where a challenge is.
    enum ChallengeStatus {
        None,
        Open,
        Responded,
        Upheld,
        Rejected,
        Voided
    }

    /// @notice A posted batch. Claims at `validCount` and after are void (a fault was proven at
    /// `validCount`); `postRoot` is then the root before that claim.
    struct Batch {
        bytes32 leafRoot;
        bytes32 preRoot;
        bytes32 postRoot;
        address adjudicator;
        uint64 postedBlock;
        BatchStatus status;
        uint32 count;
        uint32 validCount;
        uint32 openChallenges;
    }

    /// @notice A challenge's fixed part (its claim, originals and keys are kept apart).
    struct Challenge {
        uint256 batchId;
        uint32 index;
        ChallengeStatus status;
        uint64 openedBlock;
        address challenger;
        uint256 bond;
        bytes32 rootBefore;
        bytes32 rootAfter;
    }

    /// @notice Not as many roots as claims, or no claim.
    error CountMismatch(uint256 claims, uint256 roots);
    /// @notice `claims` do not split into packed claims at byte `at`.
    error MalformedClaims(uint256 at);
    /// @notice The adjudicator's deposited bond `deposited` is under the required `required`.
    error BondTooLow(uint256 deposited, uint256 required);
    /// @notice The adjudicator already has a bond deposited.
    error BondAlreadyDeposited(uint256 deposited);
    /// @notice The adjudicator still has `pending` batches not final.
    error BatchesPending(uint256 pending);
    /// @notice No bond to withdraw.
    error NoBond();
    /// @notice No batch `batchId`.
    error UnknownBatch(uint256 batchId);
    /// @notice Batch `batchId` is not in the state this needs (`status`).
    error BatchNotPosted(uint256 batchId, BatchStatus status);
    /// @notice The challenge window of batch `batchId` closed at block `closedAt`.
    error WindowClosed(uint256 batchId, uint256 closedAt);
    /// @notice The challenge window of batch `batchId` is open until block `closesAt`.
    error WindowOpen(uint256 batchId, uint256 closesAt);
    /// @notice Claim `index` of the batch does not exist or is void.
    error IndexOutOfRange(uint256 index, uint256 validCount);
    /// @notice The claim, roots and proof do not give the batch's leaf root.
    error LeafNotInBatch(uint256 batchId, uint256 index);
    /// @notice The values and proofs give `proven`, not the claim's root before.
    error PreStateMismatch(bytes32 rootBefore, bytes32 proven);
    /// @notice No challenge `challengeId`.
    error UnknownChallenge(uint256 challengeId);
    /// @notice Challenge `challengeId` is not in the state this needs (`status`).
    error ChallengeNotOpen(uint256 challengeId, ChallengeStatus status);
    /// @notice Only the batch's adjudicator may respond.
    error NotBatchAdjudicator(address caller, address adjudicator);
    /// @notice The response period of the challenge ended at block `endedAt`.
    error ResponsePeriodOver(uint256 challengeId, uint256 endedAt);
    /// @notice The challenge has no response and its response period lasts until block `endsAt`.
    error ResponsePeriodRunning(uint256 challengeId, uint256 endsAt);
    /// @notice Key `key`, given by a party, is not in the union given to {resolve}.
    error KeyMissing(bytes32 key);
    /// @notice Batch `blocking` is before the batch and not final.
    error EarlierBatchNotFinal(uint256 blocking);
    /// @notice The batch has `open` challenges not resolved.
    error ChallengesOpen(uint256 batchId, uint256 open);
    /// @notice A configured number of blocks cannot be zero.
    error ZeroPeriod();

    /// @notice The contract's parameters were set (at deployment or by the admin).
    event ParametersSet(uint64 challengeWindow, uint64 responsePeriod, uint256 adjudicatorBond, uint256 challengerBond);
    /// @notice The replay implementation was set.
    event ReplayImplementationSet(address implementation);
    /// @notice `adjudicator` deposited `amount` as its bond.
    event BondDeposited(address indexed adjudicator, uint256 amount);
    /// @notice `adjudicator` withdrew its bond `amount`.
    event BondWithdrawn(address indexed adjudicator, uint256 amount);
    /// @notice Batch `batchId` of `count` claims was posted on `preRoot`.
    event BatchPosted(
        uint256 indexed batchId, address indexed adjudicator, uint256 count, bytes32 leafRoot, bytes32 preRoot, bytes32 postRoot
    );
    /// @notice Claim `index` of batch `batchId` is disputed.
    event ChallengeOpened(
        uint256 indexed challengeId, uint256 indexed batchId, uint256 index, address indexed challenger, uint256 keys
    );
    /// @notice The batch's adjudicator added `keys` keys to the challenge.
    event ChallengeResponded(uint256 indexed challengeId, uint256 keys);
    /// @notice The replay gave `computedRoot`, not the posted root after the claim: fault.
    event ChallengeUpheld(uint256 indexed challengeId, bytes32 postedRoot, bytes32 computedRoot, uint256 paid);
    /// @notice The replay gave the posted root after the claim: no fault.
    event ChallengeRejected(uint256 indexed challengeId, uint256 paid);
    /// @notice The challenged claim was voided by another fault first; the bond went back.
    event ChallengeVoided(uint256 indexed challengeId);
    /// @notice Batch `batchId` is cut at `index`: claims from it on are void, its root after is
    /// `postRoot` (the root before that claim), which is again the chain's last root.
    event BatchCut(uint256 indexed batchId, uint256 index, bytes32 postRoot);
    /// @notice Batch `batchId` was cancelled: an earlier batch was cut.
    event BatchCancelled(uint256 indexed batchId);
    /// @notice Batch `batchId` is final.
    event BatchFinalized(uint256 indexed batchId, bytes32 postRoot);

    /// @notice Deposits the adjudicator's bond ({adjudicatorBond} tokens, `transferFrom`).
    function depositBond() external;

    /// @notice Gives the caller's bond back once none of its batches is pending.
    function withdrawBond() external;

    /// @notice Posts `claims` (packed back to back, as the engine takes them) on the chain's last
    /// root, `roots[i]` the state root after claim i.
    /// Requirements: caller has ADJUDICATOR and a bond of at least {adjudicatorBond}.
    /// @return batchId the new batch
    function postBatch(bytes calldata claims, bytes32[] calldata roots) external returns (uint256 batchId);

    /// @notice Disputes claim `index` of batch `batchId`, with the challenger's bond
    /// ({challengerBond}, `transferFrom`): proves the claim's leaf and `keys`' `preValues`
    /// against `rootBefore`, and keeps the keys.
    /// Requirements: caller has CHALLENGER; the batch posted, its window open; the claim not void.
    function challenge(
        uint256 batchId,
        uint256 index,
        bytes calldata claimBytes,
        bytes calldata originals,
        bytes32 rootBefore,
        bytes32 rootAfter,
        bytes32[] calldata leafProof,
        bytes32[] calldata keys,
        bytes32[] calldata preValues,
        SparseMerkle.Proof[] calldata smtProofs
    ) external returns (uint256 challengeId);

    /// @notice The batch's adjudicator adds `keys` (proven against the claim's root before),
    /// once, within the response period.
    function respond(
        uint256 challengeId,
        bytes32[] calldata keys,
        bytes32[] calldata preValues,
        SparseMerkle.Proof[] calldata smtProofs
    ) external;

    /// @notice Replays the challenged claim on `keys` (the sorted union of both parties' keys,
    /// each proven) and decides: fault (the batch is cut, the adjudicator's bond to the
    /// challenger) or none (the challenger's bond to the adjudicator). Anyone may call it after
    /// a response or the response period.
    function resolve(
        uint256 challengeId,
        bytes32[] calldata keys,
        bytes32[] calldata preValues,
        SparseMerkle.Proof[] calldata smtProofs
    ) external returns (bool fault);

    /// @notice Makes batch `batchId` final: its window over, no challenge open, every earlier
    /// batch final or cancelled. Anyone may call it.
    function finalize(uint256 batchId) external;

    /// @notice Sets the window, response period and bonds (admin). Bonds already deposited or
    /// given with a challenge stay as they were.
    function setParameters(uint64 challengeWindow_, uint64 responsePeriod_, uint256 adjudicatorBond_, uint256 challengerBond_)
        external;

    /// @notice Sets the ClaimReplay implementation later challenges clone (admin).
    function setReplayImplementation(address implementation) external;

    /// @notice A batch.
    function batch(uint256 batchId) external view returns (Batch memory);
    /// @notice A challenge.
    function challengeOf(uint256 challengeId) external view returns (Challenge memory);
    /// @notice The keys a challenge holds: the challenger's, then the adjudicator's.
    function challengeKeys(uint256 challengeId) external view returns (bytes32[] memory challengerKeys, bytes32[] memory responseKeys);
    /// @notice How many batches were posted (ids 1 to this).
    function batchCount() external view returns (uint256);
    /// @notice The chain's last root: the genesis or the post-root of the last batch not cancelled.
    function lastRoot() external view returns (bytes32);
    /// @notice The last batch of the chain not cancelled (0: none).
    function headBatch() external view returns (uint256);
    /// @notice The Merkle root of per-claim leaves as {postBatch} computes it.
    function leafRootOf(bytes32[] calldata leaves) external pure returns (bytes32);
    /// @notice A claim's leaf: keccak256(abi.encode(keccak256(claimBytes), rootBefore, rootAfter)).
    function leafOf(bytes calldata claimBytes, bytes32 rootBefore, bytes32 rootAfter) external pure returns (bytes32);
}
