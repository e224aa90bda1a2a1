// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAuthorizationRegistry} from "../interfaces/IAuthorizationRegistry.sol";
import {IClaimsEngine} from "../interfaces/IClaimsEngine.sol";
import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";
import {IPlanRegistry} from "../interfaces/IPlanRegistry.sol";
import {IProviderRegistry} from "../interfaces/IProviderRegistry.sol";
import {ISettlementEscrow} from "../interfaces/ISettlementEscrow.sol";
import {AccessBase} from "./AccessBase.sol";
import {ClaimAppeals} from "./ClaimAppeals.sol";
import {LineAdjudicator} from "./LineAdjudicator.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title ClaimsEngine
/// @notice Intake, adjudication and correction of claims (A-1.4, A-3 to A-7). Registries hold the
/// plan, member, provider and authorization data; the escrow holds the money; the line rules
/// live in {LineAdjudicator} and appeals of denied lines (R-13) in {ClaimAppeals}.
contract ClaimsEngine is ClaimAppeals {
    /// @inheritdoc IClaimsEngine
    uint256 public constant MAX_BATCH = 100;
    uint256 private constant _MAX_LINES = 50; // X12 837P service lines per claim
    uint256 private constant _MAX_DIAGNOSES = 12; // X12 837P HI diagnosis codes
    uint256 private constant _MAX_UNITS = 9_999; // R-4
    uint256 private constant _MAX_BILLED = 1e12; // cents, R-4: ten billion dollars
    uint8 private constant _ORIGINAL = 1;
    uint8 private constant _REPLACEMENT = 7;
    uint8 private constant _VOID = 8;

    constructor(
        address admin,
        uint48 adminDelay,
        IPlanRegistry planRegistry,
        IMemberRegistry memberRegistry,
        IProviderRegistry providerRegistry,
        IAuthorizationRegistry authorizationRegistry,
        ISettlementEscrow settlementEscrow
    )
        AccessBase(admin, adminDelay)
        LineAdjudicator(planRegistry, memberRegistry, providerRegistry, authorizationRegistry, settlementEscrow)
    {}

    // ------------------------------------------------------------------------------ submission

    /// @inheritdoc IClaimsEngine
    function submitClaim(ClaimInput calldata claim_, ClaimInput[] calldata originals)
        external
        onlyRole(Roles.BILLER)
        whenNotPaused
    {
        RejectReason reason = _submit(claim_, originals);
        if (reason != RejectReason.None) revert ClaimRejected(claim_.claimId, reason);
    }

    /// @inheritdoc IClaimsEngine
    function submitClaims(ClaimInput[] calldata claims, ClaimInput[] calldata originals)
        external
        onlyRole(Roles.BILLER)
        whenNotPaused
    {
        if (claims.length > MAX_BATCH) revert BatchTooLarge(claims.length, MAX_BATCH);
        for (uint256 i; i < claims.length; ++i) {
            uint256 freeMemory;
            assembly ("memory-safe") {
                freeMemory := mload(0x40)
            }
            RejectReason reason = _submit(claims[i], originals);
            if (reason != RejectReason.None) emit ClaimRecordRejected(claims[i].claimId, reason);
            assembly ("memory-safe") {
                mstore(0x40, freeMemory) // nothing a claim allocated outlives it: memory stays flat
            }
        }
    }

    function _submit(ClaimInput calldata c, ClaimInput[] calldata originals) private returns (RejectReason reason) {
        reason = _validate(c);
        if (reason != RejectReason.None) return reason;
        bytes32 contentHash = _contentHash(c);
        ClaimRecord storage record = _claims[c.claimId];
        if (record.state != ClaimState.None) {
            if (record.contentTag != bytes20(contentHash)) return RejectReason.ReusedClaimId;
            emit ClaimAlreadyRecorded(c.claimId); // A-3 idempotence: a no-op
            return RejectReason.None;
        }
        uint256 original;
        if (c.frequency != _ORIGINAL) {
            (reason, original) = _checkOriginal(c, originals);
            if (reason != RejectReason.None) return reason;
        }
        ClaimContext memory ctx = _context(c);
        bool isVoid = c.frequency == _VOID; // A-7.1: a void has no lines of its own
        _claims[c.claimId] = ClaimRecord({
            state: isVoid ? ClaimState.Void : ClaimState.Active,
            lineCount: isVoid ? 0 : uint8(c.lines.length),
            frequency: c.frequency,
            providerNpi: c.providerNpi,
            contentTag: bytes20(contentHash)
        });
        emit ClaimAccepted(c.claimId, c.frequency, c.originalClaimId, c.memberId, c.providerNpi, contentHash);

        if (c.frequency != _ORIGINAL) _reverse(originals[original], c.claimId);
        if (isVoid) return RejectReason.None;
        bytes32[] memory duplicateKeys = new bytes32[](c.lines.length);
        for (uint256 i; i < c.lines.length; ++i) {
            _adjudicate(ctx, c.diagnoses, c.lines[i], uint8(i + 1), duplicateKeys);
        }
        if (ctx.paid > 0) escrow.accrue(c.providerNpi, c.claimId, ctx.paid * _TOKEN_UNITS_PER_CENT);
    }

    /// @dev A-3 checks that need no state
    function _validate(ClaimInput calldata c) private pure returns (RejectReason) {
        if (c.frequency != _ORIGINAL && c.frequency != _REPLACEMENT && c.frequency != _VOID) {
            return RejectReason.BadFrequency;
        }
        if (c.frequency == _ORIGINAL && c.originalClaimId != bytes32(0)) return RejectReason.OriginalGiven;
        if (c.frequency != _ORIGINAL && c.originalClaimId == bytes32(0)) return RejectReason.OriginalMissing;
        if (c.diagnoses.length == 0) return RejectReason.NoDiagnoses;
        if (c.diagnoses.length > _MAX_DIAGNOSES) return RejectReason.TooManyDiagnoses;
        if (c.lines.length == 0) return RejectReason.NoLines;
        if (c.lines.length > _MAX_LINES) return RejectReason.TooManyLines;
        for (uint256 i; i < c.lines.length; ++i) {
            LineInput calldata l = c.lines[i];
            if (l.serviceDate > c.receivedDate) return RejectReason.ServiceAfterReceived;
            if (l.units == 0) return RejectReason.UnitsNotPositive;
            if (l.units > _MAX_UNITS) return RejectReason.TooManyUnits;
            if (l.billed == 0) return RejectReason.BilledNotPositive;
            if (l.billed > _MAX_BILLED) return RejectReason.BilledTooLarge;
        }
        return RejectReason.None;
    }

    /// @dev A-3 checks on the claim a replacement or void names, with (R-17) the position in
    /// `originals` of that claim's recorded content, whose member the correction must name
    function _checkOriginal(ClaimInput calldata c, ClaimInput[] calldata originals)
        private
        view
        returns (RejectReason, uint256)
    {
        ClaimRecord storage original = _claims[c.originalClaimId];
        if (original.state == ClaimState.None) return (RejectReason.OriginalUnknown, 0);
        if (original.state == ClaimState.Void) return (RejectReason.OriginalIsVoid, 0);
        if (original.state == ClaimState.Reversed) return (RejectReason.OriginalReversed, 0);
        for (uint256 i; i < originals.length; ++i) {
            if (originals[i].claimId == c.originalClaimId && bytes20(_contentHash(originals[i])) == original.contentTag) {
                if (originals[i].memberId != c.memberId) return (RejectReason.OtherMember, 0);
                if (original.providerNpi != c.providerNpi) return (RejectReason.OtherProvider, 0);
                return (RejectReason.None, i);
            }
        }
        return (RejectReason.OriginalNotSupplied, 0);
    }

    // ------------------------------------------------------------------------------ A-5 review

    /// @inheritdoc IClaimsEngine
    function approvePended(ClaimInput calldata claim_, uint8 number) external onlyRole(Roles.REVIEWER) whenNotPaused {
        bytes32 claimId = claim_.claimId;
        StoredLine storage rec = _pendingLine(claimId, number);
        _requireRecorded(claim_);
        LineInput calldata line_ = claim_.lines[number - 1];
        ClaimContext memory ctx = ClaimContext({
            claimId: claimId,
            memberId: claim_.memberId,
            npi: claim_.providerNpi,
            receivedDate: claim_.receivedDate,
            member: members.member(claim_.memberId),
            provider: providers.provider(claim_.providerNpi),
            paid: 0
        });
        ctx.member.planId = _pendedPlans[claimId]; // the plan the line was checked against
        Terms memory terms;
        terms.version = rec.planVersion;
        terms.plan = plans.termsOf(ctx.member.planId, rec.planVersion);
        terms.fee = plans.fee(ctx.member.planId, rec.planVersion, line_.procedureCode);
        (bytes8 carc, bytes32 authId) =
            _limitDenial(ctx.memberId, line_.serviceDate, line_.procedureCode, line_.units, terms.fee, _NO_SKIP);
        if (carc != bytes8(0)) revert ApprovalBlocked(claimId, number, carc);
        _dequeue(claimId, number);
        emit PendedLineDecided(claimId, number, msg.sender, true);
        uint64 paid = _approve(ctx, number, rec, line_, terms, authId);
        if (paid > 0) escrow.accrue(claim_.providerNpi, claimId, uint256(paid) * _TOKEN_UNITS_PER_CENT);
    }

    /// @inheritdoc IClaimsEngine
    function denyPended(ClaimInput calldata claim_, uint8 number, bytes8 carc)
        external
        onlyRole(Roles.REVIEWER)
        whenNotPaused
    {
        bytes32 claimId = claim_.claimId;
        if (carc == bytes8(0)) revert DenialNeedsReason(claimId, number);
        StoredLine storage rec = _pendingLine(claimId, number);
        _requireRecorded(claim_);
        LineInput calldata line_ = claim_.lines[number - 1];
        _dequeue(claimId, number);
        --_duplicates[_duplicateKey(claim_.memberId, claim_.providerNpi, line_)];
        emit PendedLineDecided(claimId, number, msg.sender, false);
        _deny(claimId, number, rec, line_.billed, carc);
    }

    function _pendingLine(bytes32 claimId, uint8 number) private view returns (StoredLine storage rec) {
        rec = _lines[claimId][number];
        if (rec.status != LineStatus.Pended) revert LineNotPending(claimId, number);
    }

    // ------------------------------------------------------------------------------ admin and views

    /// @notice Stops intake and review in an emergency. Requirements: caller is the admin.
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    /// @notice Resumes intake and review. Requirements: caller is the admin.
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    /// @inheritdoc IClaimsEngine
    function claim(bytes32 claimId) external view returns (ClaimRecord memory) {
        return _claims[claimId];
    }

    /// @inheritdoc IClaimsEngine
    function line(bytes32 claimId, uint8 number) external view returns (LineRecord memory) {
        StoredLine storage l = _lines[claimId][number];
        return LineRecord(
            l.status, l.carc, l.allowed, l.deductible, l.copay, l.coinsurance, l.planVersion,
            _lineAuth[_lineKey(claimId, number)]
        );
    }

    /// @inheritdoc IClaimsEngine
    function pendingCount() external view returns (uint256) {
        return _pendingCount;
    }

    /// @inheritdoc IClaimsEngine
    function pendingPage(uint256 cursor, uint256 max) external view returns (PendingLine[] memory lines, uint256 next) {
        uint256 end = _pendingLog.length;
        if (cursor >= end) return (new PendingLine[](0), 0);
        if (max > end - cursor) max = end - cursor;
        lines = new PendingLine[](max);
        uint256 found;
        for (; cursor < end && found < max; ++cursor) {
            PendingLine storage entry = _pendingLog[cursor];
            if (_pendingSlot[_lineKey(entry.claimId, entry.line)] == cursor + 1) lines[found++] = entry;
        }
        assembly ("memory-safe") {
            mstore(lines, found) // the array as long as what was found
        }
        next = cursor < end ? cursor : 0;
    }
}
