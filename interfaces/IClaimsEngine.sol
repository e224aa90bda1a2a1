// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IClaimsEngine
/// @notice Takes claims in submission order (A-1.4), rejects records that cannot be adjudicated
/// (A-3), adjudicates each line (A-4 to A-6), applies corrections (A-7) and accrues payment to
/// the settlement escrow (A-8). Every outcome is an event that carries what `results.csv` (A-9)
/// reports. Claim, member and plan ids are pseudonymous hashes.
interface IClaimsEngine {
    /// @notice One service line. Amounts in cents, dates in days since 1970-01-01.
    struct LineInput {
        uint32 serviceDate;
        bytes8 procedureCode;
        uint16 units;
        uint64 billed;
    }

    /// @notice One claim as submitted (A-2.5); frequency is 1 original, 7 replacement, 8 void.
    struct ClaimInput {
        bytes32 claimId;
        uint8 frequency;
        bytes32 originalClaimId; // zero for an original
        bytes32 memberId;
        uint64 providerNpi;
        uint32 receivedDate;
        bytes8[] diagnoses;
        LineInput[] lines;
    }

    enum ClaimState {
        None,
        Active,
        Reversed, // voided or replaced
        Void // a frequency-8 claim: recorded for idempotence, never adjudicated
    }

    enum LineStatus {
        None,
        Approved,
        Denied,
        Pended,
        Reversed
    }

    /// @notice Why a record was rejected (A-3); the record changed nothing.
    enum RejectReason {
        None,
        BadFrequency,
        NoLines,
        TooManyLines,
        TooManyDiagnoses,
        UnitsNotPositive,
        BilledNotPositive,
        ServiceAfterReceived,
        OriginalMissing,
        OriginalGiven,
        ReusedClaimId,
        OriginalUnknown,
        OriginalReversed,
        OriginalIsVoid,
        OtherMember,
        OtherProvider
    }

    /// @notice A claim as recorded.
    struct ClaimRecord {
        ClaimState state;
        uint8 lineCount;
        uint8 frequency;
        uint64 providerNpi;
        bytes32 memberId;
        bytes32 contentHash;
    }

    /// @notice An adjudicated line as recorded: enough to report and to reverse it.
    struct LineRecord {
        LineStatus status;
        bytes8 carc; // denial reason, zero unless denied
        uint32 serviceDate;
        bytes8 procedureCode;
        uint16 units;
        uint64 billed;
        uint64 allowed;
        uint64 deductible;
        uint64 copay;
        uint64 coinsurance;
        uint32 planVersion;
        bytes32 authId; // authorization whose units an approved line consumed
    }

    error ClaimRejected(bytes32 claimId, RejectReason reason);
    error BatchTooLarge(uint256 size, uint256 maximum);
    error LineNotPending(bytes32 claimId, uint8 line);
    error ApprovalBlocked(bytes32 claimId, uint8 line, bytes8 carc);
    error DenialNeedsReason(bytes32 claimId, uint8 line);

    event ClaimAccepted(bytes32 indexed claimId, uint8 frequency, bytes32 originalClaimId, bytes32 indexed memberId, uint64 indexed providerNpi, bytes32 contentHash);
    event ClaimRecordRejected(bytes32 indexed claimId, RejectReason reason);
    event ClaimAlreadyRecorded(bytes32 indexed claimId);
    /// @notice A line's outcome; paid = allowed - deductible - copay - coinsurance.
    event LineAdjudicated(bytes32 indexed claimId, uint8 line, LineStatus status, bytes8 carc, uint64 billed, uint64 allowed, uint64 deductible, uint64 copay, uint64 coinsurance, uint32 planVersion);
    /// @notice A line taken back by a correction; the amounts are the original's, to be negated.
    event LineReversed(bytes32 indexed claimId, uint8 line, bytes32 indexed byClaimId, LineStatus previousStatus, bytes8 carc, uint64 billed, uint64 allowed, uint64 deductible, uint64 copay, uint64 coinsurance);
    event PendedLineDecided(bytes32 indexed claimId, uint8 line, address indexed reviewer, bool approved);

    /// @notice Submits one claim.
    /// Requirements:
    /// - caller has BILLER; not paused;
    /// - the record is valid (A-3), else reverts with {ClaimRejected}.
    /// A claim id already recorded with the same content is a no-op (emits {ClaimAlreadyRecorded}).
    function submitClaim(ClaimInput calldata claim) external;

    /// @notice Submits up to {MAX_BATCH} claims in order. An invalid record emits
    /// {ClaimRecordRejected} and the batch goes on (A-3).
    /// Requirements: caller has BILLER; not paused; batch size <= MAX_BATCH.
    function submitClaims(ClaimInput[] calldata claims) external;

    /// @notice Approves a pended line, priced against the accumulators of this moment (A-5).
    /// Requirements: caller has REVIEWER; the line is pending; A-4 checks 9-12 still pass,
    /// else reverts with {ApprovalBlocked}.
    function approvePended(bytes32 claimId, uint8 line) external;

    /// @notice Denies a pended line with the reviewer's CARC (A-5).
    /// Requirements: caller has REVIEWER; the line is pending; carc non-zero.
    function denyPended(bytes32 claimId, uint8 line, bytes8 carc) external;

    /// @notice The largest batch {submitClaims} takes.
    function MAX_BATCH() external view returns (uint256);

    /// @notice A claim's record; state None when unknown.
    function claim(bytes32 claimId) external view returns (ClaimRecord memory);

    /// @notice A line's record (1-based line number).
    function line(bytes32 claimId, uint8 number) external view returns (LineRecord memory);

    /// @notice Number of lines waiting for review.
    function pendingCount() external view returns (uint256);

    /// @notice The pending line at `index` of the review queue.
    function pendingAt(uint256 index) external view returns (bytes32 claimId, uint8 line);
}
