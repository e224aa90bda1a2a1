// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IClaimTypes
/// @notice The enums and structs of the claims engine's external surfaces. Amounts are cents,
/// rates basis points, dates days since 1970-01-01 (A-1); claim, member, family, plan and
/// authorization ids are pseudonymous 32-byte keys, never protected health information.
interface IClaimTypes {
    enum ClaimState {
        None,
        Active,
        Reversed, // voided or replaced (A-7)
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
        OriginalNotSupplied, // a correction came without the recorded content of its original (R-17)
        OtherPayerInvalid, // a line's prior payer amounts are incomplete or inconsistent (A-11.1, R-40)
        ReceivedDateOutOfRange // received after 9999-12-31, the last date A-1.3 writes (R-50)
    }

    /// @notice Where a line's appeal stands (R-13); one appeal per line.
    enum AppealState {
        None,
        Open,
        Upheld,
        Overturned
    }

    /// @notice Outcome of looking for an authorization that covers a line (R-5).
    enum Lookup {
        None, // none for member+code covers the date (CARC 197)
        Exhausted, // some cover the date, none has enough units left (CARC 198)
        Found
    }

    /// @notice A claim as recorded, one storage slot. Its content (member, diagnoses, lines) is
    /// kept as a 160-bit tag, the leading bytes of the keccak256 of the claim's packed bytes
    /// after its id; whoever corrects, reviews or appeals the claim supplies it again (R-17).
    struct ClaimRecord {
        ClaimState state;
        uint8 lineCount;
        uint8 frequency;
        uint64 providerNpi;
        bytes20 contentTag;
    }

    /// @notice A line's outcome as recorded (R-17, R-26). A REVERSED line kept in a slot of its
    /// own keeps its previous status and amounts; one kept in its content key's slot, the usual
    /// case, is reported as REVERSED only (that slot may have a new occupant since): its amounts
    /// (or CARC) are in its claim's {ClaimReversed} event.
    struct LineRecord {
        LineStatus status;
        LineStatus previousStatus; // set once REVERSED
        bytes8 carc; // denial reason, zero unless denied
        uint64 allowed;
        uint64 deductible;
        uint64 copay;
        uint64 coinsurance;
        uint32 planVersion;
        bytes32 planId; // the plan the line was checked and priced against
        bytes32 authId; // authorization whose units an approved line consumed
    }

    /// @notice A line's appeal as recorded (R-13).
    struct AppealRecord {
        AppealState state;
        bytes8 carc; // the CARC of the denial appealed
        bytes32 documentHash; // hash of the off-chain appeal letter and records; never PHI
    }

    /// @notice A line waiting for review.
    struct PendingLine {
        bytes32 claimId;
        uint8 line;
    }

    /// @notice Cost-sharing terms of one plan version. Amounts below 2^40 cents.
    struct PlanTerms {
        uint64 deductibleIndividual;
        uint64 deductibleFamily;
        uint64 oopMaxIndividual;
        uint64 oopMaxFamily;
        uint16 coinsuranceBps;
        uint16 outOfNetworkCoinsuranceBps;
        bool outOfNetworkCovered;
        uint16 timelyFilingDays;
        bool hasPendThreshold;
        uint64 pendAbove; // a line billed above this is pended (A-5) when hasPendThreshold
        bool nonDuplication; // a line this plan pays second pays by non-duplication, else standard (A-11.3)
    }

    /// @notice One procedure code of a fee schedule. Zero limits mean "no limit".
    struct FeeEntry {
        bool listed;
        uint64 allowed; // cents per unit
        bytes16 category;
        bool priorAuth;
        bool review;
        uint16 maxUnitsPerDay;
        uint16 annualLimit;
        bytes8[] dxPrefixes; // diagnosis prefixes, left-aligned, zero-padded (A-4.7)
    }

    /// @notice A plan version's identity and state.
    struct VersionInfo {
        uint32 effectiveFrom;
        bool isSealed;
        bytes32 contentHash; // hash of the off-chain plan document this version was loaded from
    }

    /// @notice The plan version in effect on a date of service (R-3).
    struct PlanView {
        bool found;
        uint32 version; // 1-based
        PlanTerms terms;
    }

    /// @notice A member's eligibility (A-2.2).
    struct Member {
        bool enrolled;
        bytes32 familyId; // the subscriber's pseudonymous id
        bytes32 planId;
        uint32 coverageStart;
        uint32 coverageEnd; // last covered day; type(uint32).max when open-ended
    }

    /// @notice Deductible and out-of-pocket amounts met in one plan year (A-6.6).
    struct Accumulator {
        uint64 deductibleMet;
        uint64 oopMet;
    }

    /// @notice A provider (A-2.3): network status and the address that receives payments.
    struct Provider {
        bool registered;
        bool inNetwork;
        address payee;
    }

    /// @notice A prior authorization (A-2.4) and the units consumed from it.
    struct Authorization {
        bytes32 memberId;
        bytes8 procedureCode;
        uint32 start;
        uint32 end;
        uint16 units;
        uint16 used;
    }

    /// @notice A member's rewards (A-12), in settlement-token units: owed = earned - takenBack - paid.
    struct RewardAccount {
        address signer; // the key that signs for the member (R-43)
        uint96 nonce; // the nonce its next registration signs
        address payee; // where rewards are paid; zero: not registered, rewards wait
        uint128 earned;
        uint128 takenBack;
        uint128 paid;
    }

    /// @notice What the escrow owes one provider, in settlement-token units (A-8):
    /// owed = accrued - recouped - paidOut.
    struct Account {
        uint128 accrued;
        uint128 recouped;
        uint128 paidOut;
    }
}
