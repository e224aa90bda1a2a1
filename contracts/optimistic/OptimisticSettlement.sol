// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {AccessBase} from "../AccessBase.sol";
import {Roles} from "../libraries/Roles.sol";
import {ClaimCodec} from "../libraries/ClaimCodec.sol";
import {SparseMerkle} from "../libraries/SparseMerkle.sol";
import {ClaimReplay} from "./ClaimReplay.sol";
import {FinalEscrow} from "./FinalEscrow.sol";
import {IOptimisticSettlement} from "../../interfaces/IOptimisticSettlement.sol";

/// @title OptimisticSettlement
/// @notice Batches of optimistic settlement and their challenge game (docs/OPTIMISTIC.md). A
/// chain of state roots (sparse Merkle roots of the claims engine's storage) starts at a genesis
/// root; each batch carries claims and the root after each; a per-claim leaf
/// keccak256(abi.encode(keccak256(claim), rootBefore, rootAfter)) goes into a Merkle root kept on
/// chain. A challenger disputes one claim; the claim is replayed ({ClaimReplay}, a fresh clone)
/// on the union of both parties' keys, each proven against the root before, and the root after
/// the replay compared with the posted one. A final batch's root is what the treasurer settles
/// against ({FinalEscrow}): providers are paid out of an escrow what the engine's account words
/// in that state say they are owed.
/// Every root is a `bytes28`, the top 28 bytes of the sparse Merkle root (`bytes28(root)`): 224
/// bits (SHA-224's level: collisions 2^112, second preimages 2^224); a posted root costs 28
/// non-zero calldata bytes and 4 zero ones instead of 32 non-zero.
/// @dev The leaf tree: pairs from the left hashed keccak256(left ++ right) level by level, an odd
/// last node carried up as it is; a proof is the siblings from the leaf up, none at a level where
/// the node is carried (the batch's count tells where).
contract OptimisticSettlement is AccessBase, FinalEscrow {
    using SafeERC20 for IERC20;

    /// @notice The chain's first root: the engine's storage after its reference data was loaded.
    bytes28 public immutable genesisRoot;

    /// @notice The ClaimReplay implementation challenges clone.
    address public replayImplementation;
    /// @notice Blocks after its posting in which a batch's claims may be challenged.
    uint64 public challengeWindow;
    /// @notice Blocks after a challenge in which the adjudicator may respond.
    uint64 public responsePeriod;
    /// @notice The bond an adjudicator deposits to post.
    uint256 public adjudicatorBond;
    /// @notice The bond a challenger gives with a challenge.
    uint256 public challengerBond;

    /// @notice Each adjudicator's deposited bond.
    mapping(address adjudicator => uint256) public bondOf;
    /// @notice Each adjudicator's batches neither final nor cancelled.
    mapping(address adjudicator => uint256) public pendingBatches;

    mapping(uint256 batchId => Batch) private _batches;
    uint256 private _batchCount;
    uint256 private _head;
    bytes28 private _lastRoot;
    /// @dev every batch under it is final or cancelled
    uint256 private _firstPending = 1;

    mapping(uint256 challengeId => Challenge) private _challenges;
    mapping(uint256 challengeId => bytes) private _claims;
    mapping(uint256 challengeId => bytes) private _originals;
    mapping(uint256 challengeId => bytes32[]) private _challengerKeys;
    mapping(uint256 challengeId => bytes32[]) private _responseKeys;
    mapping(uint256 challengeId => bytes) private _responseOriginals;
    uint256 private _challengeCount;

    /// @param genesisRoot_ the chain's first root, as every root here a `bytes28`: the top 28
    /// bytes of the sparse Merkle root of the engine's storage after loading (the deployer
    /// truncates; the contract never holds a 32-byte root)
    /// @param accountsSlot_ the base slot of the engine's `_ledger.accounts` ({FinalEscrow})
    /// @param payeesSlot_ the base slot of the engine's `_ledger.payees` ({FinalEscrow})
    constructor(
        address admin,
        uint48 adminDelay,
        IERC20 token_,
        address replayImplementation_,
        bytes28 genesisRoot_,
        bytes32 accountsSlot_,
        bytes32 payeesSlot_,
        uint64 challengeWindow_,
        uint64 responsePeriod_,
        uint256 adjudicatorBond_,
        uint256 challengerBond_
    ) AccessBase(admin, adminDelay) FinalEscrow(token_, genesisRoot_, accountsSlot_, payeesSlot_) {
        genesisRoot = genesisRoot_;
        _lastRoot = genesisRoot_;
        _setReplayImplementation(replayImplementation_);
        _setParameters(challengeWindow_, responsePeriod_, adjudicatorBond_, challengerBond_);
    }

    // ---------------------------------------------------------------- bonds

    /// @inheritdoc IOptimisticSettlement
    function depositBond() external onlyRole(Roles.ADJUDICATOR) {
        uint256 amount = adjudicatorBond;
        bondOf[msg.sender] += amount;
        emit BondDeposited(msg.sender, amount);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IOptimisticSettlement
    function withdrawBond() external {
        uint256 pending = pendingBatches[msg.sender];
        if (pending != 0) revert BatchesPending(pending);
        uint256 amount = bondOf[msg.sender];
        if (amount == 0) revert NoBond();
        bondOf[msg.sender] = 0;
        emit BondWithdrawn(msg.sender, amount);
        token.safeTransfer(msg.sender, amount);
    }

    // ---------------------------------------------------------------- posting

    /// @inheritdoc IOptimisticSettlement
    function postBatch(bytes calldata claims, bytes28[] calldata roots)
        external
        onlyRole(Roles.ADJUDICATOR)
        returns (uint256 batchId)
    {
        uint256 bond = bondOf[msg.sender];
        if (bond < adjudicatorBond || bond == 0) revert BondTooLow(bond, adjudicatorBond);
        uint256 n = roots.length;
        if (n == 0) revert CountMismatch(0, 0);
        bytes32[] memory leaves = new bytes32[](n);
        bytes28 before = _lastRoot;
        uint256 at = 0;
        for (uint256 i; i < n; ++i) {
            if (at == claims.length) revert CountMismatch(i, n);
            uint256 length = ClaimCodec.claimLength(claims, at);
            if (length == 0) revert MalformedClaims(at);
            bytes32 claimHash = keccak256(claims[at:at + length]);
            bytes28 after_ = roots[i];
            leaves[i] = keccak256(abi.encode(claimHash, before, after_));
            before = after_;
            unchecked {
                at += length;
            }
        }
        if (at != claims.length) revert CountMismatch(_countFrom(claims, at, n), n);
        batchId = ++_batchCount;
        bytes32 leafRoot = _leafRoot(leaves);
        bytes28 preRoot = _lastRoot;
        _batches[batchId] = Batch({
            leafRoot: leafRoot,
            preRoot: preRoot,
            postRoot: before,
            adjudicator: msg.sender,
            postedBlock: uint64(block.number),
            status: BatchStatus.Posted,
            count: uint32(n),
            validCount: uint32(n),
            openChallenges: 0
        });
        _head = batchId;
        _lastRoot = before;
        ++pendingBatches[msg.sender];
        emit BatchPosted(batchId, msg.sender, n, leafRoot, preRoot, before);
    }

    // ---------------------------------------------------------------- the challenge game

    /// @inheritdoc IOptimisticSettlement
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
    ) external onlyRole(Roles.CHALLENGER) returns (uint256 challengeId) {
        Batch storage b = _postedBatch(batchId);
        uint256 closesAt = uint256(b.postedBlock) + challengeWindow;
        if (block.number > closesAt) revert WindowClosed(batchId, closesAt);
        if (index >= b.validCount) revert IndexOutOfRange(index, b.validCount);
        bytes32 leaf = keccak256(abi.encode(keccak256(claimBytes), rootBefore, rootAfter));
        if (!_verifyLeaf(b.leafRoot, leaf, index, b.count, leafProof)) revert LeafNotInBatch(batchId, index);
        _requireOriginalsParse(originals);
        _provePre(rootBefore, keys, preValues, smtProofs);

        challengeId = ++_challengeCount;
        uint256 bond = challengerBond;
        _challenges[challengeId] = Challenge({
            batchId: batchId,
            index: uint32(index),
            status: ChallengeStatus.Open,
            openedBlock: uint64(block.number),
            challenger: msg.sender,
            bond: bond,
            rootBefore: rootBefore,
            rootAfter: rootAfter
        });
        _claims[challengeId] = claimBytes;
        _originals[challengeId] = originals;
        _challengerKeys[challengeId] = keys;
        ++b.openChallenges;
        emit ChallengeOpened(challengeId, batchId, index, msg.sender, keys.length);
        token.safeTransferFrom(msg.sender, address(this), bond);
    }

    /// @inheritdoc IOptimisticSettlement
    function respond(
        uint256 challengeId,
        bytes32[] calldata keys,
        bytes32[] calldata preValues,
        SparseMerkle.Proof[] calldata smtProofs,
        bytes calldata originals
    ) external {
        Challenge storage c = _challenge(challengeId);
        if (c.status != ChallengeStatus.Open) revert ChallengeNotOpen(challengeId, c.status);
        address adjudicator = _batches[c.batchId].adjudicator;
        if (msg.sender != adjudicator) revert NotBatchAdjudicator(msg.sender, adjudicator);
        uint256 endsAt = uint256(c.openedBlock) + responsePeriod;
        if (block.number > endsAt) revert ResponsePeriodOver(challengeId, endsAt);
        _requireOriginalsParse(originals);
        if (keys.length != 0) _provePre(c.rootBefore, keys, preValues, smtProofs);
        c.status = ChallengeStatus.Responded;
        _responseKeys[challengeId] = keys;
        _responseOriginals[challengeId] = originals;
        emit ChallengeResponded(challengeId, keys.length, originals.length);
    }

    /// @inheritdoc IOptimisticSettlement
    /// @dev the one external call before effects is the replay, in a clone this call creates.
    /// The replay runs on the challenger's originals followed by the adjudicator's: the engine's
    /// `_findOriginal` takes the first whose id and content tag match the state's record, so a
    /// fabricated original never matches and an extra one changes nothing.
    // slither-disable-next-line reentrancy-no-eth
    function resolve(
        uint256 challengeId,
        bytes32[] calldata keys,
        bytes32[] calldata preValues,
        SparseMerkle.Proof[] calldata smtProofs
    ) external returns (bool fault) {
        Challenge storage c = _challenge(challengeId);
        ChallengeStatus status = c.status;
        if (status != ChallengeStatus.Open && status != ChallengeStatus.Responded) {
            revert ChallengeNotOpen(challengeId, status);
        }
        Batch storage b = _batches[c.batchId];
        address challenger = c.challenger;
        uint256 bond = c.bond;
        if (b.status != BatchStatus.Posted || c.index >= b.validCount) {
            // an earlier fault voided the claim: nothing to decide
            c.status = ChallengeStatus.Voided;
            --b.openChallenges;
            emit ChallengeVoided(challengeId);
            token.safeTransfer(challenger, bond);
            return false;
        }
        if (status == ChallengeStatus.Open) {
            uint256 endsAt = uint256(c.openedBlock) + responsePeriod;
            if (block.number <= endsAt) revert ResponsePeriodRunning(challengeId, endsAt);
        }
        _requireContains(keys, _challengerKeys[challengeId]);
        _requireContains(keys, _responseKeys[challengeId]);
        (bool replayed, bytes28 computed) = _replayRoot(
            challengeId,
            c.rootBefore,
            keys,
            preValues,
            smtProofs,
            _claims[challengeId],
            bytes.concat(_originals[challengeId], _responseOriginals[challengeId])
        );

        --b.openChallenges;
        address adjudicator = b.adjudicator;
        fault = !replayed || computed != c.rootAfter;
        if (fault) {
            c.status = ChallengeStatus.Upheld;
            uint256 slashed = bondOf[adjudicator];
            bondOf[adjudicator] = 0;
            emit ChallengeUpheld(challengeId, c.rootAfter, computed, bond + slashed);
            _cut(c.batchId, c.index, c.rootBefore);
            token.safeTransfer(challenger, bond + slashed);
        } else {
            c.status = ChallengeStatus.Rejected;
            emit ChallengeRejected(challengeId, bond);
            token.safeTransfer(adjudicator, bond);
        }
    }

    // ---------------------------------------------------------------- finality

    /// @inheritdoc IOptimisticSettlement
    function finalize(uint256 batchId) external {
        Batch storage b = _postedBatch(batchId);
        uint256 closesAt = uint256(b.postedBlock) + challengeWindow;
        if (block.number <= closesAt) revert WindowOpen(batchId, closesAt);
        if (b.openChallenges != 0) revert ChallengesOpen(batchId, b.openChallenges);
        uint256 first = _firstPending;
        while (first < batchId && _batches[first].status != BatchStatus.Posted) {
            ++first;
        }
        if (first != batchId) revert EarlierBatchNotFinal(first);
        _firstPending = batchId + 1;
        b.status = BatchStatus.Final;
        _setFinalRoot(b.postRoot);
        --pendingBatches[b.adjudicator];
        emit BatchFinalized(batchId, b.postRoot);
    }

    // ---------------------------------------------------------------- admin

    /// @inheritdoc IOptimisticSettlement
    function setParameters(uint64 challengeWindow_, uint64 responsePeriod_, uint256 adjudicatorBond_, uint256 challengerBond_)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        _setParameters(challengeWindow_, responsePeriod_, adjudicatorBond_, challengerBond_);
    }

    /// @inheritdoc IOptimisticSettlement
    function setReplayImplementation(address implementation) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setReplayImplementation(implementation);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IOptimisticSettlement
    function batch(uint256 batchId) external view returns (Batch memory) {
        return _batches[batchId];
    }

    /// @inheritdoc IOptimisticSettlement
    function challengeOf(uint256 challengeId) external view returns (Challenge memory) {
        return _challenges[challengeId];
    }

    /// @inheritdoc IOptimisticSettlement
    function challengeKeys(uint256 challengeId)
        external
        view
        returns (bytes32[] memory challengerKeys, bytes32[] memory responseKeys)
    {
        return (_challengerKeys[challengeId], _responseKeys[challengeId]);
    }

    /// @inheritdoc IOptimisticSettlement
    function challengeOriginals(uint256 challengeId)
        external
        view
        returns (bytes memory challengerOriginals, bytes memory responseOriginals)
    {
        return (_originals[challengeId], _responseOriginals[challengeId]);
    }

    /// @inheritdoc IOptimisticSettlement
    function batchCount() external view returns (uint256) {
        return _batchCount;
    }

    /// @inheritdoc IOptimisticSettlement
    function lastRoot() external view returns (bytes28) {
        return _lastRoot;
    }

    /// @inheritdoc IOptimisticSettlement
    function headBatch() external view returns (uint256) {
        return _head;
    }

    /// @inheritdoc IOptimisticSettlement
    function leafRootOf(bytes32[] calldata leaves) external pure returns (bytes32) {
        return _leafRoot(leaves);
    }

    /// @inheritdoc IOptimisticSettlement
    function leafOf(bytes calldata claimBytes, bytes28 rootBefore, bytes28 rootAfter) external pure returns (bytes32) {
        return keccak256(abi.encode(keccak256(claimBytes), rootBefore, rootAfter));
    }

    // ---------------------------------------------------------------- internals

    function _setParameters(uint64 window, uint64 response, uint256 adjBond, uint256 chalBond) private {
        if (window == 0 || response == 0) revert ZeroPeriod();
        challengeWindow = window;
        responsePeriod = response;
        adjudicatorBond = adjBond;
        challengerBond = chalBond;
        emit ParametersSet(window, response, adjBond, chalBond);
    }

    function _setReplayImplementation(address implementation) private {
        replayImplementation = implementation;
        emit ReplayImplementationSet(implementation);
    }

    function _postedBatch(uint256 batchId) private view returns (Batch storage b) {
        if (batchId == 0 || batchId > _batchCount) revert UnknownBatch(batchId);
        b = _batches[batchId];
        if (b.status != BatchStatus.Posted) revert BatchNotPosted(batchId, b.status);
    }

    function _challenge(uint256 challengeId) private view returns (Challenge storage c) {
        if (challengeId == 0 || challengeId > _challengeCount) revert UnknownChallenge(challengeId);
        c = _challenges[challengeId];
    }

    /// @dev cuts batch `batchId` at claim `index`, cancels every later batch, and makes
    /// `rootBefore` (the root before that claim) the chain's last root again
    function _cut(uint256 batchId, uint256 index, bytes28 rootBefore) private {
        Batch storage b = _batches[batchId];
        b.validCount = uint32(index);
        b.postRoot = rootBefore;
        emit BatchCut(batchId, index, rootBefore);
        uint256 last = _batchCount;
        for (uint256 id = batchId + 1; id <= last; ++id) {
            Batch storage later = _batches[id];
            if (later.status == BatchStatus.Posted) {
                later.status = BatchStatus.Cancelled;
                --pendingBatches[later.adjudicator];
                emit BatchCancelled(id);
            }
        }
        _head = batchId;
        _lastRoot = rootBefore;
    }

    function _provePre(
        bytes28 rootBefore,
        bytes32[] calldata keys,
        bytes32[] calldata preValues,
        SparseMerkle.Proof[] calldata smtProofs
    ) private pure {
        SparseMerkle.Proof[] memory proofs = smtProofs;
        bytes28 proven = bytes28(SparseMerkle.computeRoot(keys, preValues, proofs));
        if (proven != rootBefore) revert PreStateMismatch(rootBefore, proven);
    }

    /// @dev proves the pre-values, replays the claim in a fresh clone, and gives the root of the
    /// post-values (same proofs). A replay that reverts with data (a custom error, a Panic: the
    /// claim cannot run on this state) gives (false, 0) and logs {ReplayReverted}; one without
    /// data ran out of gas (the clone's code makes no call, so nothing inside it can turn a
    /// starved call into data): this reverts, so that no caller forces a fault by limiting gas.
    function _replayRoot(
        uint256 challengeId,
        bytes28 rootBefore,
        bytes32[] calldata keys,
        bytes32[] calldata preValues,
        SparseMerkle.Proof[] calldata smtProofs,
        bytes memory claimBytes,
        bytes memory originals
    ) private returns (bool replayed, bytes28 computed) {
        SparseMerkle.Proof[] memory proofs = smtProofs;
        bytes28 proven = bytes28(SparseMerkle.computeRoot(keys, preValues, proofs));
        if (proven != rootBefore) revert PreStateMismatch(rootBefore, proven);
        address clone = Clones.cloneWithImmutableArgs(replayImplementation, abi.encode(address(this)));
        // slither-disable-next-line unused-return: the reject reason and result hash are in the root
        try ClaimReplay(clone).replay(keys, preValues, claimBytes, originals) returns (
            uint8, bytes32, bytes32[] memory postValues
        ) {
            return (true, bytes28(SparseMerkle.computeRoot(keys, postValues, proofs)));
        } catch (bytes memory reason) {
            if (reason.length == 0) revert ReplayOutOfGas(challengeId);
            emit ReplayReverted(challengeId, reason);
            return (false, bytes28(0));
        }
    }

    /// @dev reverts with {MalformedOriginals} unless `originals` are packed claims back to back
    /// (the engine's parse check, so that the replay cannot revert on them)
    function _requireOriginalsParse(bytes calldata originals) private pure {
        for (uint256 at; at < originals.length;) {
            uint256 length = ClaimCodec.claimLength(originals, at);
            if (length == 0) revert MalformedOriginals(at);
            unchecked {
                at += length;
            }
        }
    }

    /// @dev reverts with {KeyMissing} unless every key of `stored` (ascending) is in `union`
    /// (ascending)
    function _requireContains(bytes32[] calldata union, bytes32[] storage stored) private view {
        uint256 n = stored.length;
        uint256 j = 0;
        for (uint256 i; i < n; ++i) {
            bytes32 key = stored[i];
            while (j < union.length && union[j] < key) {
                ++j;
            }
            if (j == union.length || union[j] != key) revert KeyMissing(key);
        }
    }

    /// @dev `counted` plus the claims from byte `at` on, for {CountMismatch}
    function _countFrom(bytes calldata claims, uint256 at, uint256 counted) private pure returns (uint256) {
        while (at < claims.length) {
            uint256 length = ClaimCodec.claimLength(claims, at);
            if (length == 0) revert MalformedClaims(at);
            at += length;
            ++counted;
        }
        return counted;
    }

    function _leafRoot(bytes32[] memory nodes) private pure returns (bytes32) {
        uint256 n = nodes.length;
        if (n == 0) return bytes32(0);
        while (n > 1) {
            uint256 m = (n + 1) >> 1;
            for (uint256 j; j < m; ++j) {
                uint256 left = j << 1;
                nodes[j] = left + 1 < n ? _hashPair(nodes[left], nodes[left + 1]) : nodes[left];
            }
            n = m;
        }
        return nodes[0];
    }

    function _verifyLeaf(bytes32 root, bytes32 leaf, uint256 index, uint256 count, bytes32[] calldata proof)
        private
        pure
        returns (bool)
    {
        bytes32 h = leaf;
        uint256 p = 0;
        uint256 n = count;
        while (n > 1) {
            if (index & 1 == 1) {
                if (p == proof.length) return false;
                h = _hashPair(proof[p++], h);
            } else if (index + 1 < n) {
                if (p == proof.length) return false;
                h = _hashPair(h, proof[p++]);
            }
            index >>= 1;
            n = (n + 1) >> 1;
        }
        return p == proof.length && h == root;
    }

    function _hashPair(bytes32 a, bytes32 b) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore(0, a)
            mstore(32, b)
            h := keccak256(0, 64)
        }
    }
}
