// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IClaimTypes} from "./IClaimTypes.sol";

/// @title IEngineEvents
/// @notice Every event of the claims engine, emitted right after the state change it records,
/// so that an auditor can rebuild every total from them and the transactions' calldata (A-8).
///
/// A line's outcome travels in two packed words (docs/ENGINE.md), so that reading results back
/// is decoding, not arithmetic, and a line costs two words of log data, not eleven; a claim's
/// lines travel together in its own event:
/// - the line word: bits 0-7 line number, 8-15 status, 16-79 CARC (bytes8, denied lines),
///   80-103 plan version, 104-135 date of service, 136-175 billed, 176-215 CO-45 (billed -
///   allowed), 216-255 OA-23 (the prior payer's amount of a line this plan pays second, A-11.4);
/// - the amounts word: bits 0-39 allowed, 40-79 deductible (PR-1), 80-119 copay (PR-3),
///   120-159 coinsurance (PR-2), 160-199 paid, 200-239 patient share: what the line reports
///   (for a line paid second the A-11.3 split, not the normal amounts its accumulators took).
///
/// Member incentives (A-12) have events of their own: earned and taken back in cents, as the
/// line words; funded and paid in settlement-token units, as the escrow's.
interface IEngineEvents is IClaimTypes {
    /// @notice A claim was recorded (A-3) and, unless it is a void, its lines adjudicated
    /// (A-4 to A-6): `lines` holds a line word and an amounts word per line, in line order; an
    /// approved line's paid amount accrues to the provider (A-8). `header` is the claim's record
    /// but the state: bits 8-15 line count (0 for a void), 16-23 frequency, 32-95 provider NPI,
    /// 96-255 content tag (the first 20 bytes of the keccak256 of the claim's packed bytes after
    /// its id). Indexed by provider, so that a provider's statement finds its claims.
    event ClaimAccepted(bytes32 indexed claimId, uint64 indexed providerNpi, uint256 header, uint256[] lines);
    event ClaimRecordRejected(bytes32 indexed claimId, RejectReason reason);
    event ClaimAlreadyRecorded(bytes32 indexed claimId);
    /// @notice The new outcome of one line of a recorded claim, decided by a reviewer (A-5) or
    /// on appeal (R-13): a line word and an amounts word (see above).
    event LineAdjudicated(bytes32 indexed claimId, uint256 line, uint256 amounts);
    /// @notice The lines of `claimId` taken back by the correction `byClaimId` (A-7.1), two words
    /// per line as they were (status included): to be negated; approved lines' paid is recouped.
    event ClaimReversed(bytes32 indexed claimId, bytes32 indexed byClaimId, uint256[] lines);
    event PendedLineDecided(bytes32 indexed claimId, uint8 line, address indexed reviewer, bool approved);
    /// @notice A denied line was appealed (R-13); it stays denied until the appeal is decided.
    event LineAppealed(bytes32 indexed claimId, uint8 line, address indexed biller, bytes32 documentHash);
    /// @notice An appeal was decided (R-13); an overturn is followed by the line's new {LineAdjudicated}.
    event AppealDecided(bytes32 indexed claimId, uint8 line, address indexed reviewer, bool overturned);
    event AuthorizationConsumed(bytes32 indexed authId, uint16 units, uint16 used);
    event AuthorizationRestored(bytes32 indexed authId, uint16 units, uint16 used);

    event PlanVersionCreated(bytes32 indexed planId, uint32 version, uint32 effectiveFrom, string name, PlanTerms terms);
    event CopaySet(bytes32 indexed planId, uint32 version, bytes16 category, uint64 copay);
    event FeeEntrySet(bytes32 indexed planId, uint32 version, bytes8 code, FeeEntry entry);
    event PlanVersionSealedWith(bytes32 indexed planId, uint32 version, bytes32 contentHash);
    /// @notice From now on the engine counts approved units per day (A-4.11) or approved lines per
    /// year (A-4.12) of `code`, because a fee entry of some plan version limits them (R-16).
    event LimitCountingStarted(bytes8 indexed code, bool unitsPerDay, bool linesPerYear);
    event MemberEnrolled(bytes32 indexed memberId, bytes32 indexed familyId, bytes32 planId, uint32 coverageStart, uint32 coverageEnd);
    event ProviderRegistered(uint64 indexed npi, bool inNetwork, address payee);
    event AuthorizationGranted(bytes32 indexed authId, bytes32 indexed memberId, bytes8 procedureCode, uint32 start, uint32 end, uint16 units);

    /// @notice The incentive of `code` in a plan version (A-12.1): the first approved line of it
    /// in a plan year earns a member `amount` cents (0: none).
    event IncentiveSet(bytes32 indexed planId, uint32 version, bytes8 code, uint64 amount);
    /// @notice Approved line `line` of `claimId` was the member's first of `code` in plan year
    /// `year`: it earned the member `amount` cents (A-12.2).
    event RewardEarned(bytes32 indexed memberId, bytes32 indexed claimId, uint8 line, bytes8 code, uint16 year, uint64 amount);
    /// @notice The line that earned a reward was reversed (A-7.1): its `amount` cents are taken
    /// back from the member, netted against later rewards if it was paid (A-12.2).
    event RewardReversed(bytes32 indexed memberId, bytes32 indexed claimId, uint8 line, bytes8 code, uint16 year, uint64 amount);
    /// @notice The plan manager bound the key that signs for the member's rewards (R-43).
    event MemberSignerSet(bytes32 indexed memberId, address signer);
    /// @notice The member, by a signature of its key, named where its rewards are paid (A-12.3).
    event RewardPayeeRegistered(bytes32 indexed memberId, address indexed payee, uint256 nonce);
    event IncentivePoolFunded(address indexed from, uint256 amount);
    /// @notice `amount` token units of the incentive pool went to the member's payee; `owed`
    /// units stay owed to the member (the pool was short).
    event RewardPaid(bytes32 indexed memberId, address indexed payee, uint256 amount, uint256 owed);

    event Funded(address indexed from, uint256 amount);

    event ProviderPaid(uint64 indexed npi, address indexed payee, uint256 amount, uint256 outstanding);
}
