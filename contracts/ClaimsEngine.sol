// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ClaimCodec} from "./libraries/ClaimCodec.sol";
import {LineBook} from "./libraries/LineBook.sol";
import {Plans} from "./libraries/Plans.sol";
import {ReviewQueue} from "./libraries/ReviewQueue.sol";
import {Roles} from "./libraries/Roles.sol";
import {SettlementLedger} from "./libraries/SettlementLedger.sol";
import {Appeals} from "./engine/Appeals.sol";
import {EngineStorage} from "./engine/EngineStorage.sol";

/// @title ClaimsEngine
/// @notice The singleton of claimledger: it holds every piece of state the claim path writes
/// (claim records, line outcomes and the duplicate index, member and family accumulators,
/// authorization units, limit counters, provider balances) and runs intake (A-3), adjudication
/// (A-4 to A-7), review (A-5) and appeals (R-13) itself, so a claim costs no calls between
/// contracts. Everything else (plans, enrollment, providers, authorizations, funding and
/// payment, pausing, views) is delegated to {ClaimsEngineExtension}, which works on this
/// contract's storage: callers use one address and the ABI of {IClaimsEngine}.
contract ClaimsEngine is Appeals {
    using LineBook for LineBook.Book;
    using ReviewQueue for ReviewQueue.Queue;
    using SettlementLedger for SettlementLedger.Ledger;

    /// @notice The largest number of claims {submitClaims} takes in one call.
    uint256 public constant MAX_BATCH = 100;
    uint256 private constant _MAX_LINES = 50; // X12 837P service lines per claim
    uint256 private constant _MAX_DIAGNOSES = 12; // X12 837P HI diagnosis codes
    uint256 private constant _MAX_UNITS = 9_999; // R-4
    uint256 private constant _MAX_BILLED = 1e12; // cents, R-4: ten billion dollars
    uint32 private constant _LAST_DAY = 2_932_896; // 9999-12-31, the last date A-1.3 writes (R-50)
    uint8 private constant _ORIGINAL = 1;
    uint8 private constant _REPLACEMENT = 7;
    uint8 private constant _VOID = 8;

    address private immutable _extension;

    constructor(address admin, uint48 adminDelay, IERC20 settlementToken, address extension_)
        EngineStorage(admin, adminDelay, settlementToken)
    {
        if (extension_ == address(0)) revert ExtensionMissing();
        _extension = extension_;
    }

    /// @notice Everything the engine does not run itself goes to its extension, on this
    /// contract's storage (see {IClaimsEngine}).
    fallback() external {
        _delegate(_extension);
    }

    /// @notice The contract the engine delegates administration and views to.
    function extension() external view returns (address) {
        return _extension;
    }

    // ------------------------------------------------------------------------------ intake (A-3)

    /// @notice See {IClaimIntake-submitClaims}.
    function submitClaims(bytes calldata claims, bytes calldata originals)
        external
        onlyRole(Roles.BILLER)
        whenNotPaused
    {
        _requireParses(originals);
        uint256 count;
        // slither-disable-next-line uninitialized-local: a memory struct starts zeroed, which is what is meant; the calls below fill it
        ClaimContext memory ctx; // below the memory each claim frees: it (and its plan cache) lasts the batch
        for (uint256 at; at < claims.length;) {
            uint256 length = ClaimCodec.claimLength(claims, at);
            if (length == 0) revert MalformedClaim(at);
            unchecked {
                if (++count > MAX_BATCH) revert BatchTooLarge(count, MAX_BATCH);
            }
            bytes calldata c = claims[at:at + length];
            uint256 freeMemory;
            assembly ("memory-safe") {
                freeMemory := mload(0x40)
            }
            RejectReason reason = _submit(c, originals, ctx);
            if (reason != RejectReason.None) emit ClaimRecordRejected(ClaimCodec.claimId(c), reason);
            assembly ("memory-safe") {
                mstore(0x40, freeMemory) // nothing a claim allocated outlives it: memory stays flat
            }
            unchecked {
                at += length; // within `claims`: claimLength checked it
            }
        }
    }

    /// @notice See {IClaimIntake-submitClaim}.
    function submitClaim(bytes calldata claim_, bytes calldata originals)
        external
        onlyRole(Roles.BILLER)
        whenNotPaused
    {
        uint256 length = ClaimCodec.claimLength(claim_, 0);
        if (length == 0 || length != claim_.length) revert MalformedClaim(length);
        _requireParses(originals);
        // slither-disable-next-line uninitialized-local: a memory struct starts zeroed, which is what is meant; the calls below fill it
        ClaimContext memory ctx;
        RejectReason reason = _submit(claim_, originals, ctx);
        if (reason != RejectReason.None) revert ClaimRejected(ClaimCodec.claimId(claim_), reason);
    }

    /// @dev A-3 and adjudication of one claim; its reject reason (None: recorded, or already
    /// recorded with this content). Internal for {ClaimReplay}, which runs it on proven state.
    function _submit(bytes calldata c, bytes calldata originals, ClaimContext memory ctx)
        internal
        returns (RejectReason reason)
    {
        reason = _validate(c);
        if (reason != RejectReason.None) return reason;
        bytes32 claimId = ClaimCodec.claimId(c);
        bytes32 contentHash = ClaimCodec.contentHash(c);
        uint256 record = _claims[claimId];
        if (_claimState(record) != ClaimState.None) {
            if (_claimTag(record) != contentHash >> 96 << 96) return RejectReason.ReusedClaimId;
            emit ClaimAlreadyRecorded(claimId); // A-3 idempotence: a no-op
            return RejectReason.None;
        }
        uint8 frequency = ClaimCodec.frequency(c);
        bytes calldata original = originals[0:0];
        if (frequency != _ORIGINAL) {
            (reason, original) = _findOriginal(c, originals);
            if (reason != RejectReason.None) return reason;
        }
        bool isVoid = frequency == _VOID; // A-7.1: a void has no lines of its own
        uint256 lines = isVoid ? 0 : ClaimCodec.lineCount(c);
        uint64 npi = ClaimCodec.providerNpi(c);
        record = _packClaim(isVoid ? ClaimState.Void : ClaimState.Active, lines, frequency, npi, contentHash);
        _claims[claimId] = record;
        if (frequency != _ORIGINAL) _reverse(original, claimId);
        uint256[] memory words = _newLineWords(lines);
        if (!isVoid) {
            _context(c, ctx); // after the reversal: its member word as stored
            bytes32[] memory counted = new bytes32[](lines);
            uint256 at = ClaimCodec.linesAt(c);
            for (uint256 i; i < lines; ++i) {
                _adjudicate(ctx, c, at, i, counted, words);
                unchecked {
                    at += ClaimCodec.lineBytes(c); // no variable more: this function is deep already
                }
            }
            if (ctx.paid > 0) _ledger.accrue(npi, ctx.paid);
        }
        // ClaimAccepted(claimId, npi, the record but its state, words)
        _logLines(ClaimAccepted.selector, claimId, bytes32(uint256(npi)), true, record & ~uint256(0xff), words);
    }

    /// @dev reverts with {MalformedClaim} unless `packed` is packed claims back to back
    function _requireParses(bytes calldata packed) internal pure {
        for (uint256 at; at < packed.length;) {
            uint256 length = ClaimCodec.claimLength(packed, at);
            if (length == 0) revert MalformedClaim(at);
            unchecked {
                at += length;
            }
        }
    }

    /// @dev A-3 checks that need no state
    function _validate(bytes calldata c) private pure returns (RejectReason) {
        uint8 frequency = ClaimCodec.frequency(c);
        if (frequency != _ORIGINAL && frequency != _REPLACEMENT && frequency != _VOID) return RejectReason.BadFrequency;
        bytes32 original = ClaimCodec.originalClaimId(c);
        if (frequency == _ORIGINAL && original != bytes32(0)) return RejectReason.OriginalGiven;
        if (frequency != _ORIGINAL && original == bytes32(0)) return RejectReason.OriginalMissing;
        uint256 diagnoses = ClaimCodec.diagnosisCount(c);
        if (diagnoses == 0) return RejectReason.NoDiagnoses;
        if (diagnoses > _MAX_DIAGNOSES) return RejectReason.TooManyDiagnoses;
        uint256 lines = ClaimCodec.lineCount(c);
        if (lines == 0) return RejectReason.NoLines;
        if (lines > _MAX_LINES) return RejectReason.TooManyLines;
        uint32 received = ClaimCodec.receivedDate(c);
        // R-50: no date of service after it either, so every plan year fits the engine's uint16
        if (received > _LAST_DAY) return RejectReason.ReceivedDateOutOfRange;
        uint256 at = ClaimCodec.linesAt(c);
        uint256 stride = ClaimCodec.lineBytes(c);
        for (uint256 i; i < lines; ++i) {
            // slither-disable-next-line unused-return: only the named parts of the tuple are needed here
            (uint32 serviceDate,, uint16 units, uint64 billed) = ClaimCodec.line(c, at);
            if (serviceDate > received) return RejectReason.ServiceAfterReceived;
            if (units == 0) return RejectReason.UnitsNotPositive;
            if (units > _MAX_UNITS) return RejectReason.TooManyUnits;
            if (billed == 0) return RejectReason.BilledNotPositive;
            if (billed > _MAX_BILLED) return RejectReason.BilledTooLarge;
            unchecked {
                at += stride;
            }
        }
        if (stride != ClaimCodec.LINE_BYTES) return _validateOtherPayer(c, lines);
        return RejectReason.None;
    }

    /// @dev A-11.1, R-40: on a claim whose lines carry the prior payer's result, each line has
    /// both amounts (paid at most allowed, allowed at most R-4's billed limit) or neither, and
    /// one line at least has them (so that a claim has one encoding)
    function _validateOtherPayer(bytes calldata c, uint256 lines) private pure returns (RejectReason) {
        uint256 at = ClaimCodec.linesAt(c);
        bool some = false;
        for (uint256 i; i < lines; ++i) {
            (uint64 allowed, uint64 paid) = ClaimCodec.otherPayer(c, at);
            unchecked {
                at += ClaimCodec.LINE_BYTES + ClaimCodec.OTHER_PAYER_BYTES;
            }
            if (allowed == ClaimCodec.NO_AMOUNT && paid == ClaimCodec.NO_AMOUNT) continue;
            if (allowed > _MAX_BILLED || paid > allowed) return RejectReason.OtherPayerInvalid;
            some = true;
        }
        return some ? RejectReason.None : RejectReason.OtherPayerInvalid;
    }

    /// @dev A-3 checks on the claim a replacement or void names, and (R-17) its recorded
    /// content among `originals`, whose member the correction must name
    function _findOriginal(bytes calldata c, bytes calldata originals)
        private
        view
        returns (RejectReason, bytes calldata)
    {
        bytes32 originalId = ClaimCodec.originalClaimId(c);
        uint256 record = _claims[originalId];
        ClaimState state = _claimState(record);
        if (state == ClaimState.None) return (RejectReason.OriginalUnknown, originals[0:0]);
        if (state == ClaimState.Void) return (RejectReason.OriginalIsVoid, originals[0:0]);
        if (state == ClaimState.Reversed) return (RejectReason.OriginalReversed, originals[0:0]);
        for (uint256 at; at < originals.length;) {
            uint256 length = ClaimCodec.claimLength(originals, at); // parsed whole on entry
            bytes calldata o = originals[at:at + length];
            if (ClaimCodec.claimId(o) == originalId && ClaimCodec.contentHash(o) >> 96 << 96 == _claimTag(record)) {
                if (ClaimCodec.memberId(o) != ClaimCodec.memberId(c)) return (RejectReason.OtherMember, o);
                if (_claimNpi(record) != ClaimCodec.providerNpi(c)) return (RejectReason.OtherProvider, o);
                return (RejectReason.None, o);
            }
            at += length;
        }
        return (RejectReason.OriginalNotSupplied, originals[0:0]);
    }

    // ------------------------------------------------------------------------------ A-5 review

    /// @notice See {IClaimReview-approvePended}.
    function approvePended(bytes calldata claim_, uint8 number) external onlyRole(Roles.REVIEWER) whenNotPaused {
        (Line memory l, uint256 outcome, bool keyed) = _pendingLine(claim_, number);
        // slither-disable-next-line uninitialized-local: a memory struct starts zeroed, which is what is meant; the calls below fill it
        ClaimContext memory ctx;
        _context(claim_, ctx);
        // slither-disable-next-line uninitialized-local: a memory struct starts zeroed, which is what is meant; its fields are set below
        Terms memory t;
        t.plan = LineBook.plan(outcome); // the plan and version the line was checked against
        t.version = LineBook.version(outcome);
        t.terms = _plans.versions[t.plan][t.version - 1].terms;
        t.feeKey = Plans.feeKey(t.plan, t.version, l.code);
        t.fee = _plans.fees[t.feeKey];
        (bytes8 carc, uint256 authRef) = _limitDenial(ctx, l, t.fee, _NO_SKIP);
        if (carc != bytes8(0)) revert ApprovalBlocked(ctx.claimId, number, carc);
        _reviewQueue.remove(l.lineKey);
        emit PendedLineDecided(ctx.claimId, number, msg.sender, true);
        uint64 paid;
        (outcome, paid) = _approve(ctx, l, t, authRef);
        _lineBook.update(l.key, l.lineKey, keyed, outcome, 0);
        _emitLine(ctx.claimId, l, outcome);
        if (paid > 0) _ledger.accrue(ctx.npi, paid);
    }

    /// @notice See {IClaimReview-denyPended}.
    function denyPended(bytes calldata claim_, uint8 number, bytes8 carc)
        external
        onlyRole(Roles.REVIEWER)
        whenNotPaused
    {
        bytes32 claimId = ClaimCodec.claimId(claim_);
        if (carc == bytes8(0)) revert DenialNeedsReason(claimId, number);
        (Line memory l, uint256 outcome, bool keyed) = _pendingLine(claim_, number);
        _reviewQueue.remove(l.lineKey);
        emit PendedLineDecided(claimId, number, msg.sender, false);
        outcome = LineBook.denied(LineBook.version(outcome), LineBook.plan(outcome), carc);
        _lineBook.update(l.key, l.lineKey, keyed, outcome, -1); // it no longer counts for A-4.8
        _emitLine(claimId, l, outcome);
    }

    /// @dev line `number` of the recorded claim `c`, which must be pending
    function _pendingLine(bytes calldata c, uint8 number)
        private
        view
        returns (Line memory l, uint256 outcome, bool keyed)
    {
        uint256 record = _requireRecorded(c);
        bytes32 claimId = ClaimCodec.claimId(c);
        if (_claimState(record) != ClaimState.Active || number == 0 || number > _claimLines(record)) {
            revert LineNotPending(claimId, number);
        }
        l = _lineNumber(c, number, claimId);
        (outcome, keyed) = _lineBook.find(l.key, l.lineKey);
        if (LineBook.status(outcome) != LineStatus.Pended) revert LineNotPending(claimId, number);
    }
}
