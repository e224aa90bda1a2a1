// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SparseMerkle} from "../contracts/libraries/SparseMerkle.sol";

/// @title IOptimisticSettlement
/// @notice Optimistic settlement's batches and challenge game (docs/OPTIMISTIC.md): a chain of
/// state roots from a genesis root; an adjudicator posts claims with the root after each, a
/// challenger disputes one claim, the claim is replayed on proven slots and the posted root after
/// it compared; a batch unchallenged (or challenged in vain) through its window becomes final,
/// and the treasurer pays providers out of an escrow what the final state says they are owed.
/// Every root kept, posted or compared is a `bytes28`: the top 28 bytes of the sparse Merkle
/// root (Solidity `bytes28(root)`), 224 bits, SHA-224's security level.
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
        bytes28 preRoot;
        bytes28 postRoot;
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
        bytes28 rootBefore;
        bytes28 rootAfter;
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
    error PreStateMismatch(bytes28 rootBefore, bytes28 proven);
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
    /// @notice `originals` do not split into packed claims at byte `at`.
    error MalformedOriginals(uint256 at);
    /// @notice The replay reverted without data (out of gas): give {resolve} more gas.
    error ReplayOutOfGas(uint256 challengeId);
    /// @notice Nothing to fund.
    error ZeroAmount();
    /// @notice {settle} takes two values and two proofs an NPI: `npis` NPIs, `values` values,
    /// `proofs` proofs.
    error SettleLengthMismatch(uint256 npis, uint256 values, uint256 proofs);
    /// @notice The values and proofs of provider `npi` give `proven`, not the final root.
    error NotFinalState(uint64 npi, bytes28 finalRoot, bytes28 proven);
    /// @notice Provider `npi` is owed but not registered, or has no payee, in the final state.
    error ProviderUnknown(uint64 npi);

    /// @notice The contract's parameters were set (at deployment or by the admin).
    event ParametersSet(uint64 challengeWindow, uint64 responsePeriod, uint256 adjudicatorBond, uint256 challengerBond);
    /// @notice The replay implementation was set.
    event ReplayImplementationSet(address indexed implementation);
    /// @notice `adjudicator` deposited `amount` as its bond.
    event BondDeposited(address indexed adjudicator, uint256 amount);
    /// @notice `adjudicator` withdrew its bond `amount`.
    event BondWithdrawn(address indexed adjudicator, uint256 amount);
    /// @notice Batch `batchId` of `count` claims was posted on `preRoot`.
    event BatchPosted(
        uint256 indexed batchId, address indexed adjudicator, uint256 count, bytes32 leafRoot, bytes28 preRoot, bytes28 postRoot
    );
    /// @notice Claim `index` of batch `batchId` is disputed.
    event ChallengeOpened(
        uint256 indexed challengeId, uint256 indexed batchId, uint256 index, address indexed challenger, uint256 keys
    );
    /// @notice The batch's adjudicator added `keys` keys and `originals` bytes of originals to
    /// the challenge.
    event ChallengeResponded(uint256 indexed challengeId, uint256 keys, uint256 originals);
    /// @notice The replay gave `computedRoot`, not the posted root after the claim: fault.
    /// `computedRoot` is 0 when the replay reverted ({ReplayReverted} is logged before).
    event ChallengeUpheld(uint256 indexed challengeId, bytes28 postedRoot, bytes28 computedRoot, uint256 paid);
    /// @notice The replay of the challenged claim reverted with `reason` (a custom error or a
    /// Panic): the claim cannot run on the posted root before it, which an honest adjudicator
    /// never posts. A fault: {ChallengeUpheld} follows.
    event ReplayReverted(uint256 indexed challengeId, bytes reason);
    /// @notice The replay gave the posted root after the claim: no fault.
    event ChallengeRejected(uint256 indexed challengeId, uint256 paid);
    /// @notice The challenged claim was voided by another fault first; the bond went back.
    event ChallengeVoided(uint256 indexed challengeId);
    /// @notice Batch `batchId` is cut at `index`: claims from it on are void, its root after is
    /// `postRoot` (the root before that claim), which is again the chain's last root.
    event BatchCut(uint256 indexed batchId, uint256 index, bytes28 postRoot);
    /// @notice Batch `batchId` was cancelled: an earlier batch was cut.
    event BatchCancelled(uint256 indexed batchId);
    /// @notice Batch `batchId` is final; `postRoot` is now the final root.
    event BatchFinalized(uint256 indexed batchId, bytes28 postRoot);
    /// @notice `treasurer` added `amount` to the escrow.
    event EscrowFunded(address indexed treasurer, uint256 amount);
    /// @notice Provider `npi` was paid `amount` to `payee`; `stillOwed` is what the final state
    /// says it is owed beyond that (paid once the escrow is funded).
    event ProviderPaid(uint64 indexed npi, address indexed payee, uint256 amount, uint256 stillOwed);

    /// @notice Deposits the adjudicator's bond ({adjudicatorBond} tokens, `transferFrom`).
    function depositBond() external;

    /// @notice Gives the caller's bond back once none of its batches is pending.
    function withdrawBond() external;

    /// @notice Posts `claims` (packed back to back, as the engine takes them) on the chain's last
    /// root, `roots[i]` the state root after claim i.
    /// Requirements: caller has ADJUDICATOR and a bond of at least {adjudicatorBond}.
    /// @return batchId the new batch
    function postBatch(bytes calldata claims, bytes28[] calldata roots) external returns (uint256 batchId);

    /// @notice Disputes claim `index` of batch `batchId`, with the challenger's bond
    /// ({challengerBond}, `transferFrom`): proves the claim's leaf and `keys`' `preValues`
    /// against `rootBefore`, and keeps the keys and `originals` (the contents a correction names,
    /// R-17, packed back to back; the adjudicator may add more with {respond}).
    /// Requirements: caller has CHALLENGER; the batch posted, its window open; the claim not void;
    /// `originals` parse as packed claims.
    function challenge(
        uint256 batchId,
        uint256 index,
        bytes calldata claimBytes,
        bytes calldata originals,
        bytes28 rootBefore,
        bytes28 rootAfter,
        bytes32[] calldata leafProof,
        bytes32[] calldata keys,
        bytes32[] calldata preValues,
        SparseMerkle.Proof[] calldata smtProofs
    ) external returns (uint256 challengeId);

    /// @notice The batch's adjudicator adds `keys` (proven against the claim's root before) and
    /// `originals` (packed claims: the replay gets the challenger's originals, then these), once,
    /// within the response period. `keys` may be empty.
    function respond(
        uint256 challengeId,
        bytes32[] calldata keys,
        bytes32[] calldata preValues,
        SparseMerkle.Proof[] calldata smtProofs,
        bytes calldata originals
    ) external;

    /// @notice Replays the challenged claim on `keys` (the sorted union of both parties' keys,
    /// each proven) with both parties' originals and decides: fault (the batch is cut, the
    /// adjudicator's bond to the challenger) or none (the challenger's bond to the adjudicator).
    /// A replay that reverts with data is a fault; one that reverts without (out of gas) reverts
    /// this call with {ReplayOutOfGas}. Anyone may call it after a response or the response
    /// period.
    function resolve(
        uint256 challengeId,
        bytes32[] calldata keys,
        bytes32[] calldata preValues,
        SparseMerkle.Proof[] calldata smtProofs
    ) external returns (bool fault);

    /// @notice Makes batch `batchId` final: its window over, no challenge open, every earlier
    /// batch final or cancelled. Anyone may call it.
    function finalize(uint256 batchId) external;

    /// @notice Adds `amount` (`transferFrom`) to the escrow final batches are settled from
    /// (kept apart from the bonds).
    /// Requirements: caller has TREASURER; `amount` not zero.
    function fund(uint256 amount) external;

    /// @notice Pays each provider of `npis` what the final state owes it, as far as the escrow
    /// goes: per NPI its account slot and payee slot of the engine's storage, in ascending key
    /// order, with their `values` and `proofs` (two entries an NPI, in that order), proven
    /// against {finalRoot}; owed = accrued - recouped - paid out (the account word) - what this
    /// contract has paid it. Providers owed nothing are skipped; what the escrow cannot pay
    /// stays owed for a later call.
    /// Requirements: caller has TREASURER.
    /// @return paid the tokens paid in all
    function settle(uint64[] calldata npis, bytes32[] calldata values, SparseMerkle.Proof[] calldata proofs)
        external
        returns (uint256 paid);

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
    /// @notice The originals a challenge holds: the challenger's, then the adjudicator's.
    function challengeOriginals(uint256 challengeId)
        external
        view
        returns (bytes memory challengerOriginals, bytes memory responseOriginals);
    /// @notice How many batches were posted (ids 1 to this).
    function batchCount() external view returns (uint256);
    /// @notice The chain's last root: the genesis or the post-root of the last batch not cancelled.
    function lastRoot() external view returns (bytes28);
    /// @notice The post-root of the last final batch (the genesis before any): what {settle}
    /// proves against.
    function finalRoot() external view returns (bytes28);
    /// @notice The escrow's balance (tokens), apart from the bonds.
    function escrowBalance() external view returns (uint256);
    /// @notice What this contract has paid provider `npi` (tokens).
    function paidTo(uint64 npi) external view returns (uint256);
    /// @notice The last batch of the chain not cancelled (0: none).
    function headBatch() external view returns (uint256);
    /// @notice The Merkle root of per-claim leaves as {postBatch} computes it.
    function leafRootOf(bytes32[] calldata leaves) external pure returns (bytes32);
    /// @notice A claim's leaf: keccak256(abi.encode(keccak256(claimBytes), rootBefore, rootAfter)),
    /// the roots `bytes28` (abi.encode left-aligns each in a word, zeros on the right).
    function leafOf(bytes calldata claimBytes, bytes28 rootBefore, bytes28 rootAfter) external pure returns (bytes32);
}
