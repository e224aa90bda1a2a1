// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IClaimsEngine
/// @notice Takes claims in submission order (A-1.4), rejects records that cannot be adjudicated
/// (A-3), adjudicates each line (A-4 to A-6), applies corrections (A-7), accrues payment to the
/// settlement escrow (A-8) and decides appeals of denied lines (R-13). Every outcome is an event
/// that carries what `results.csv` (A-9) reports. Claim, member and plan ids are pseudonymous hashes.
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
        OtherProvider,
        NoDiagnoses,
        TooManyUnits,
        BilledTooLarge,
        OriginalNotSupplied // a correction came without the recorded content of its original (R-17)
    }

    /// @notice Where a line's appeal stands (R-13); one appeal per line.
    enum AppealState {
        None,
        Open,
        Upheld,
        Overturned
    }

    /// @notice A claim as recorded, packed into one storage slot. The content (member, lines,
    /// diagnoses...) is kept as a 160-bit tag, the leading bytes of its keccak256 hash: whoever
    /// corrects, reviews or appeals the claim supplies the content again (R-17), and a tag that
    /// wide cannot be matched by a second content made up for it (a collision takes ~2^80
    /// hashes). The `ClaimAccepted` event carries the member and the whole hash.
    struct ClaimRecord {
        ClaimState state;
        uint8 lineCount;
        uint8 frequency;
        uint64 providerNpi;
        bytes20 contentTag; // the first 20 bytes of the content hash (A-3 idempotence, R-13, R-17)
    }

    /// @notice An adjudicated line's outcome as recorded (one storage slot, and a second for an
    /// authorization it used). Its service date, code, units and billed amount are in the
    /// claim's content, which the engine keeps as a tag: whoever reverses or reviews the line
    /// supplies that content again (R-17).
    struct LineRecord {
        LineStatus status;
        bytes8 carc; // denial reason, zero unless denied
        uint64 allowed;
        uint64 deductible;
        uint64 copay;
        uint64 coinsurance;
        uint32 planVersion;
        bytes32 authId; // authorization whose units an approved line consumed
    }

    /// @notice A line's appeal as recorded (R-13).
    struct AppealRecord {
        AppealState state;
        bytes8 carc; // the CARC of the denial appealed
        bytes32 documentHash; // hash of the off-chain appeal letter and records; never PHI
    }

    error ClaimRejected(bytes32 claimId, RejectReason reason);
    error BatchTooLarge(uint256 size, uint256 maximum);
    error LineNotPending(bytes32 claimId, uint8 line);
    error ApprovalBlocked(bytes32 claimId, uint8 line, bytes8 carc);
    error DenialNeedsReason(bytes32 claimId, uint8 line);
    error AppealNeedsDocument(bytes32 claimId, uint8 line);
    error AlreadyAppealed(bytes32 claimId, uint8 line);
    error LineNotDenied(bytes32 claimId, uint8 line);
    error AppealNotOpen(bytes32 claimId, uint8 line);
    error ClaimContentMismatch(bytes32 claimId);

    event ClaimAccepted(bytes32 indexed claimId, uint8 frequency, bytes32 originalClaimId, bytes32 indexed memberId, uint64 indexed providerNpi, bytes32 contentHash);
    event ClaimRecordRejected(bytes32 indexed claimId, RejectReason reason);
    event ClaimAlreadyRecorded(bytes32 indexed claimId);
    /// @notice A line's outcome; paid = allowed - deductible - copay - coinsurance.
    event LineAdjudicated(bytes32 indexed claimId, uint8 line, LineStatus status, bytes8 carc, uint64 billed, uint64 allowed, uint64 deductible, uint64 copay, uint64 coinsurance, uint32 planVersion);
    /// @notice A line taken back by a correction; the amounts are the original's, to be negated.
    event LineReversed(bytes32 indexed claimId, uint8 line, bytes32 indexed byClaimId, LineStatus previousStatus, bytes8 carc, uint64 billed, uint64 allowed, uint64 deductible, uint64 copay, uint64 coinsurance);
    event PendedLineDecided(bytes32 indexed claimId, uint8 line, address indexed reviewer, bool approved);
    /// @notice A denied line was appealed (R-13); the line stays denied until the appeal is decided.
    event LineAppealed(bytes32 indexed claimId, uint8 line, address indexed biller, bytes32 documentHash);
    /// @notice An appeal was decided (R-13); an overturn is followed by the line's new {LineAdjudicated}.
    event AppealDecided(bytes32 indexed claimId, uint8 line, address indexed reviewer, bool overturned);

    /// @notice Submits one claim. A replacement or void (A-7.1) brings in `originals` the content
    /// of the claim it names, as that claim was submitted (R-17); entries that are not the
    /// recorded content of a named claim are ignored.
    /// Requirements:
    /// - caller has BILLER; not paused;
    /// - the record is valid (A-3), else reverts with {ClaimRejected}.
    /// A claim id already recorded with the same content is a no-op (emits {ClaimAlreadyRecorded}).
    function submitClaim(ClaimInput calldata claim, ClaimInput[] calldata originals) external;

    /// @notice Submits up to {MAX_BATCH} claims in order, with the content of every claim their
    /// replacements and voids name (see {submitClaim}). An invalid record emits
    /// {ClaimRecordRejected} and the batch goes on (A-3).
    /// Requirements: caller has BILLER; not paused; batch size <= MAX_BATCH.
    function submitClaims(ClaimInput[] calldata claims, ClaimInput[] calldata originals) external;

    /// @notice Approves a pended line of `claim` (the claim as submitted), priced against the
    /// accumulators of this moment (A-5).
    /// Requirements: caller has REVIEWER; the line is pending; `claim` hashes to the recorded
    /// content, else reverts with {ClaimContentMismatch}; A-4 checks 9-12 still pass, else
    /// reverts with {ApprovalBlocked}.
    function approvePended(ClaimInput calldata claim, uint8 line) external;

    /// @notice Denies a pended line of `claim` (the claim as submitted) with the reviewer's CARC (A-5).
    /// Requirements: caller has REVIEWER; the line is pending; carc non-zero; `claim` hashes to
    /// the recorded content, else reverts with {ClaimContentMismatch}.
    function denyPended(ClaimInput calldata claim, uint8 line, bytes8 carc) external;

    /// @notice Appeals a denied line once, with the hash of the off-chain appeal letter and
    /// records (R-13). The line stays denied while the appeal is open.
    /// Requirements:
    /// - caller has BILLER; not paused;
    /// - `documentHash` non-zero, else reverts with {AppealNeedsDocument};
    /// - the line was not appealed before, else reverts with {AlreadyAppealed};
    /// - the line is DENIED (by an A-4 check or a reviewer) and its claim not reversed, else
    ///   reverts with {LineNotDenied}.
    function appeal(bytes32 claimId, uint8 line, bytes32 documentHash) external;

    /// @notice Decides an open appeal (R-13). Upholding changes nothing but the appeal. Overturning
    /// re-runs the A-4 checks of the line against the state of this moment without the check the
    /// appealed CARC names; if none fails the line is approved and priced (A-6) without pending,
    /// else it stays denied with the CARC of the check that failed ({LineAdjudicated} either way).
    /// Requirements:
    /// - caller has REVIEWER; not paused;
    /// - the line's appeal is open and the line still DENIED (its claim not reversed since), else
    ///   reverts with {AppealNotOpen};
    /// - `claim` is the claim as submitted (its diagnoses and received date are not stored):
    ///   it hashes to the recorded content hash, else reverts with {ClaimContentMismatch}.
    function decideAppeal(ClaimInput calldata claim, uint8 line, bool overturn) external;

    /// @notice The largest batch {submitClaims} takes.
    function MAX_BATCH() external view returns (uint256);

    /// @notice A claim's record; state None when unknown.
    function claim(bytes32 claimId) external view returns (ClaimRecord memory);

    /// @notice A line's record (1-based line number).
    function line(bytes32 claimId, uint8 number) external view returns (LineRecord memory);

    /// @notice A line waiting for review.
    struct PendingLine {
        bytes32 claimId;
        uint8 line;
    }

    /// @notice A line's appeal (R-13); state None when the line was never appealed.
    /// @dev named apart from {appeal}: a view and a transaction under one name trip up ABI clients
    function appealOf(bytes32 claimId, uint8 line) external view returns (AppealRecord memory);

    /// @notice Number of lines waiting for review.
    function pendingCount() external view returns (uint256);

    /// @notice Lines waiting for review in the order they were pended (A-5), read from position
    /// `cursor` of the review log: at most `max` of them, and the cursor to go on from (0 once
    /// the log is read to its end). Start with cursor 0.
    function pendingPage(uint256 cursor, uint256 max) external view returns (PendingLine[] memory lines, uint256 next);
}
