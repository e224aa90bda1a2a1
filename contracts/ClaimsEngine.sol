// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IAuthorizationRegistry} from "../interfaces/IAuthorizationRegistry.sol";
import {IClaimsEngine} from "../interfaces/IClaimsEngine.sol";
import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";
import {IPlanRegistry} from "../interfaces/IPlanRegistry.sol";
import {IProviderRegistry} from "../interfaces/IProviderRegistry.sol";
import {ISettlementEscrow} from "../interfaces/ISettlementEscrow.sol";
import {AccessBase} from "./AccessBase.sol";
import {Carc} from "./libraries/Carc.sol";
import {Dates} from "./libraries/Dates.sol";
import {Pricing} from "./libraries/Pricing.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title ClaimsEngine
/// @notice Intake, adjudication and correction of claims (A-1.4, A-3 to A-7). Registries hold the
/// plan, member, provider and authorization data; the escrow holds the money.
contract ClaimsEngine is AccessBase, Pausable, IClaimsEngine {
    /// @inheritdoc IClaimsEngine
    uint256 public constant MAX_BATCH = 100;
    uint256 private constant _MAX_LINES = 50; // X12 837P service lines per claim
    uint256 private constant _MAX_DIAGNOSES = 12; // X12 837P HI diagnosis codes
    uint256 private constant _TOKEN_UNITS_PER_CENT = 10_000; // 6-decimal token (A-1.1)
    uint8 private constant _ORIGINAL = 1;
    uint8 private constant _REPLACEMENT = 7;
    uint8 private constant _VOID = 8;

    IPlanRegistry public immutable plans;
    IMemberRegistry public immutable members;
    IProviderRegistry public immutable providers;
    IAuthorizationRegistry public immutable authorizations;
    ISettlementEscrow public immutable escrow;

    /// @dev what one claim's lines share while they are adjudicated
    struct ClaimContext {
        bytes32 claimId;
        bytes32 memberId;
        uint64 npi;
        uint32 receivedDate;
        IMemberRegistry.Member member;
        IProviderRegistry.Provider provider;
        uint256 paid; // cents accrued by this claim
    }

    /// @dev the plan version and fee entry that a line was checked against
    struct Terms {
        uint32 version;
        IPlanRegistry.PlanTerms plan;
        IPlanRegistry.FeeEntry fee;
    }

    struct PendingRef {
        bytes32 claimId;
        uint8 line;
    }

    mapping(bytes32 claimId => ClaimRecord) private _claims;
    mapping(bytes32 claimId => bytes32 planId) private _claimPlans;
    mapping(bytes32 claimId => mapping(uint8 line => LineRecord)) private _lines;
    mapping(bytes32 memberCodeDay => uint32) private _unitsPerDay; // approved units (A-4.11)
    mapping(bytes32 memberCodeYear => uint32) private _linesPerYear; // approved lines (A-4.12)
    mapping(bytes32 duplicateKey => uint32) private _duplicates; // approved or pended lines (A-4.8)
    PendingRef[] private _pendingQueue;
    mapping(bytes32 lineKey => uint256 slot) private _pendingSlot; // index + 1 in the queue

    constructor(
        address admin,
        uint48 adminDelay,
        IPlanRegistry planRegistry,
        IMemberRegistry memberRegistry,
        IProviderRegistry providerRegistry,
        IAuthorizationRegistry authorizationRegistry,
        ISettlementEscrow settlementEscrow
    ) AccessBase(admin, adminDelay) {
        plans = planRegistry;
        members = memberRegistry;
        providers = providerRegistry;
        authorizations = authorizationRegistry;
        escrow = settlementEscrow;
    }

    // ------------------------------------------------------------------------------ submission

    /// @inheritdoc IClaimsEngine
    function submitClaim(ClaimInput calldata claim_) external onlyRole(Roles.BILLER) whenNotPaused {
        RejectReason reason = _submit(claim_);
        if (reason != RejectReason.None) revert ClaimRejected(claim_.claimId, reason);
    }

    /// @inheritdoc IClaimsEngine
    function submitClaims(ClaimInput[] calldata claims) external onlyRole(Roles.BILLER) whenNotPaused {
        if (claims.length > MAX_BATCH) revert BatchTooLarge(claims.length, MAX_BATCH);
        for (uint256 i; i < claims.length; ++i) {
            RejectReason reason = _submit(claims[i]);
            if (reason != RejectReason.None) emit ClaimRecordRejected(claims[i].claimId, reason);
        }
    }

    function _submit(ClaimInput calldata c) private returns (RejectReason reason) {
        reason = _validate(c);
        if (reason != RejectReason.None) return reason;
        bytes32 contentHash = _contentHash(c);
        ClaimRecord storage record = _claims[c.claimId];
        if (record.state != ClaimState.None) {
            if (record.contentHash != contentHash) return RejectReason.ReusedClaimId;
            emit ClaimAlreadyRecorded(c.claimId); // A-3 idempotence: a no-op
            return RejectReason.None;
        }
        if (c.frequency != _ORIGINAL) {
            reason = _checkOriginal(c);
            if (reason != RejectReason.None) return reason;
        }
        ClaimContext memory ctx = ClaimContext({
            claimId: c.claimId,
            memberId: c.memberId,
            npi: c.providerNpi,
            receivedDate: c.receivedDate,
            member: members.member(c.memberId),
            provider: providers.provider(c.providerNpi),
            paid: 0
        });
        record.state = c.frequency == _VOID ? ClaimState.Void : ClaimState.Active;
        record.frequency = c.frequency;
        record.providerNpi = c.providerNpi;
        record.memberId = c.memberId;
        record.contentHash = contentHash;
        _claimPlans[c.claimId] = ctx.member.planId;
        emit ClaimAccepted(c.claimId, c.frequency, c.originalClaimId, c.memberId, c.providerNpi, contentHash);

        if (c.frequency != _ORIGINAL) _reverse(c.originalClaimId, c.claimId);
        if (c.frequency == _VOID) return RejectReason.None; // A-7.1: no lines of its own
        record.lineCount = uint8(c.lines.length);
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
        if (c.diagnoses.length > _MAX_DIAGNOSES) return RejectReason.TooManyDiagnoses;
        if (c.lines.length == 0) return RejectReason.NoLines;
        if (c.lines.length > _MAX_LINES) return RejectReason.TooManyLines;
        for (uint256 i; i < c.lines.length; ++i) {
            LineInput calldata l = c.lines[i];
            if (l.serviceDate > c.receivedDate) return RejectReason.ServiceAfterReceived;
            if (l.units == 0) return RejectReason.UnitsNotPositive;
            if (l.billed == 0) return RejectReason.BilledNotPositive;
        }
        return RejectReason.None;
    }

    /// @dev A-3 checks on the claim a replacement or void names
    function _checkOriginal(ClaimInput calldata c) private view returns (RejectReason) {
        ClaimRecord storage original = _claims[c.originalClaimId];
        if (original.state == ClaimState.None) return RejectReason.OriginalUnknown;
        if (original.state == ClaimState.Void) return RejectReason.OriginalIsVoid;
        if (original.state == ClaimState.Reversed) return RejectReason.OriginalReversed;
        if (original.memberId != c.memberId) return RejectReason.OtherMember;
        if (original.providerNpi != c.providerNpi) return RejectReason.OtherProvider;
        return RejectReason.None;
    }

    function _contentHash(ClaimInput calldata c) private pure returns (bytes32) {
        return keccak256(
            abi.encode(c.frequency, c.originalClaimId, c.memberId, c.providerNpi, c.receivedDate, c.diagnoses, c.lines)
        );
    }

    // ------------------------------------------------------------------------------ adjudication

    function _adjudicate(
        ClaimContext memory ctx,
        bytes8[] calldata diagnoses,
        LineInput calldata input,
        uint8 number,
        bytes32[] memory duplicateKeys
    ) private {
        LineRecord storage rec = _lines[ctx.claimId][number];
        rec.serviceDate = input.serviceDate;
        rec.procedureCode = input.procedureCode;
        rec.units = input.units;
        rec.billed = input.billed;
        bytes32 duplicateKey = _duplicateKey(ctx.memberId, ctx.npi, input);
        (bytes8 carc, Terms memory terms, bytes32 authId) = _check(ctx, diagnoses, input, duplicateKey, duplicateKeys);
        rec.planVersion = terms.version;
        if (carc != bytes8(0)) {
            _deny(ctx.claimId, number, rec, carc);
            return;
        }
        duplicateKeys[number - 1] = duplicateKey;
        ++_duplicates[duplicateKey];
        if (terms.fee.review || (terms.plan.hasPendThreshold && input.billed > terms.plan.pendAbove)) {
            rec.status = LineStatus.Pended; // A-5: nothing is applied yet
            _pendingQueue.push(PendingRef(ctx.claimId, number));
            _pendingSlot[_lineKey(ctx.claimId, number)] = _pendingQueue.length;
            _emitLine(ctx.claimId, number, rec);
            return;
        }
        ctx.paid += _approve(ctx, number, rec, terms, authId);
    }

    /// @dev A-4 checks 1-12 in order; returns the CARC of the first that fails (zero if none)
    function _check(
        ClaimContext memory ctx,
        bytes8[] calldata diagnoses,
        LineInput calldata input,
        bytes32 duplicateKey,
        bytes32[] memory duplicateKeys
    ) private view returns (bytes8 carc, Terms memory terms, bytes32 authId) {
        IMemberRegistry.Member memory m = ctx.member;
        if (!m.enrolled) return (Carc.MEMBER_UNKNOWN, terms, 0);
        if (input.serviceDate < m.coverageStart) return (Carc.BEFORE_COVERAGE, terms, 0);
        if (input.serviceDate > m.coverageEnd) return (Carc.AFTER_COVERAGE, terms, 0);
        if (!ctx.provider.registered) return (Carc.PROVIDER_UNKNOWN, terms, 0);
        IPlanRegistry.PlanView memory plan = plans.planAt(m.planId, input.serviceDate);
        if (!plan.found) return (Carc.BEFORE_COVERAGE, terms, 0); // R-3: no plan version in effect
        terms.version = plan.version;
        terms.plan = plan.terms;
        if (ctx.receivedDate - input.serviceDate > plan.terms.timelyFilingDays) return (Carc.LATE_FILING, terms, 0);
        terms.fee = plans.fee(m.planId, plan.version, input.procedureCode);
        if (!terms.fee.listed) return (Carc.NOT_COVERED, terms, 0);
        if (!ctx.provider.inNetwork && !plan.terms.outOfNetworkCovered) return (Carc.OUT_OF_NETWORK, terms, 0);
        if (!_diagnosisMatches(terms.fee.dxPrefixes, diagnoses)) return (Carc.DX_MISMATCH, terms, 0);
        if (_duplicates[duplicateKey] > _count(duplicateKeys, duplicateKey)) return (Carc.DUPLICATE, terms, 0);
        (carc, authId) = _limitDenial(ctx.memberId, input.serviceDate, input.procedureCode, input.units, terms.fee);
    }

    /// @dev A-4 checks 9-12, the ones that depend on what was approved before (also run at review)
    function _limitDenial(bytes32 memberId, uint32 day, bytes8 code, uint16 units, IPlanRegistry.FeeEntry memory fee)
        private
        view
        returns (bytes8 carc, bytes32 authId)
    {
        if (fee.priorAuth) {
            IAuthorizationRegistry.Lookup lookup;
            (lookup, authId) = authorizations.find(memberId, code, day, units);
            if (lookup == IAuthorizationRegistry.Lookup.None) return (Carc.NO_AUTHORIZATION, 0);
            if (lookup == IAuthorizationRegistry.Lookup.Exhausted) return (Carc.AUTH_EXCEEDED, 0);
        }
        if (fee.maxUnitsPerDay != 0 && _unitsPerDay[_dayKey(memberId, code, day)] + units > fee.maxUnitsPerDay) {
            return (Carc.UNITS_PER_DAY, 0);
        }
        if (fee.annualLimit != 0 && _linesPerYear[_yearKey(memberId, code, Dates.yearOf(day))] >= fee.annualLimit) {
            return (Carc.ANNUAL_LIMIT, 0);
        }
    }

    /// @dev A-6: prices the line against the accumulators of this moment and applies it;
    /// returns the paid amount in cents
    function _approve(ClaimContext memory ctx, uint8 number, LineRecord storage rec, Terms memory terms, bytes32 authId)
        private
        returns (uint64 paid)
    {
        uint16 year = Dates.yearOf(rec.serviceDate);
        (IMemberRegistry.Accumulator memory ind, IMemberRegistry.Accumulator memory fam) =
            members.accumulators(ctx.memberId, ctx.member.familyId, year);
        Pricing.Inputs memory input;
        input.billed = rec.billed;
        input.feeAllowed = terms.fee.allowed;
        input.units = rec.units;
        input.oopLeft = _min(
            Pricing.remaining(terms.plan.oopMaxIndividual, ind.oopMet),
            Pricing.remaining(terms.plan.oopMaxFamily, fam.oopMet)
        );
        input.deductibleLeft = _min(
            Pricing.remaining(terms.plan.deductibleIndividual, ind.deductibleMet),
            Pricing.remaining(terms.plan.deductibleFamily, fam.deductibleMet)
        );
        if (ctx.provider.inNetwork) {
            (input.copayApplies, input.copay) = plans.copay(ctx.member.planId, terms.version, terms.fee.category);
            input.coinsuranceBps = terms.plan.coinsuranceBps;
        } else {
            input.coinsuranceBps = terms.plan.outOfNetworkCoinsuranceBps;
        }
        Pricing.Outcome memory out = Pricing.price(input);
        uint64 patient = Pricing.patientShare(out);
        paid = out.allowed - patient;

        rec.status = LineStatus.Approved;
        rec.allowed = out.allowed;
        rec.deductible = out.deductible;
        rec.copay = out.copay;
        rec.coinsurance = out.coinsurance;
        rec.authId = authId;
        _unitsPerDay[_dayKey(ctx.memberId, rec.procedureCode, rec.serviceDate)] += rec.units;
        ++_linesPerYear[_yearKey(ctx.memberId, rec.procedureCode, year)];
        _emitLine(ctx.claimId, number, rec);

        if (patient > 0) members.applyAccumulators(ctx.memberId, ctx.member.familyId, year, out.deductible, patient);
        if (authId != bytes32(0)) authorizations.consume(authId, rec.units);
    }

    function _deny(bytes32 claimId, uint8 number, LineRecord storage rec, bytes8 carc) private {
        rec.status = LineStatus.Denied;
        rec.carc = carc;
        _emitLine(claimId, number, rec);
    }

    function _emitLine(bytes32 claimId, uint8 number, LineRecord storage rec) private {
        emit LineAdjudicated(
            claimId, number, rec.status, rec.carc, rec.billed, rec.allowed, rec.deductible, rec.copay, rec.coinsurance, rec.planVersion
        );
    }

    // ------------------------------------------------------------------------------ A-7 corrections

    /// @dev takes back every line of `originalId` (A-7.1) and recoups what it paid
    function _reverse(bytes32 originalId, bytes32 byClaimId) private {
        ClaimRecord storage original = _claims[originalId];
        original.state = ClaimState.Reversed;
        bytes32 familyId = members.member(original.memberId).familyId;
        uint256 recouped;
        for (uint8 number = 1; number <= original.lineCount; ++number) {
            LineRecord storage rec = _lines[originalId][number];
            LineStatus previous = rec.status;
            if (previous == LineStatus.Approved) {
                recouped += _unapply(original, familyId, rec);
            } else if (previous == LineStatus.Pended) {
                _dequeue(originalId, number);
            }
            if (previous == LineStatus.Approved || previous == LineStatus.Pended) {
                --_duplicates[_duplicateKey(original.memberId, original.providerNpi, rec)];
            }
            rec.status = LineStatus.Reversed;
            emit LineReversed(
                originalId, number, byClaimId, previous, rec.carc, rec.billed, rec.allowed, rec.deductible, rec.copay, rec.coinsurance
            );
        }
        if (recouped > 0) escrow.recoup(original.providerNpi, originalId, recouped * _TOKEN_UNITS_PER_CENT);
    }

    /// @dev reverses an approved line's accumulators, counters and authorization units
    function _unapply(ClaimRecord storage original, bytes32 familyId, LineRecord storage rec)
        private
        returns (uint64 paid)
    {
        uint16 year = Dates.yearOf(rec.serviceDate);
        uint64 patient = rec.deductible + rec.copay + rec.coinsurance;
        if (patient > 0) members.reverseAccumulators(original.memberId, familyId, year, rec.deductible, patient);
        if (rec.authId != bytes32(0)) authorizations.restore(rec.authId, rec.units);
        _decrease(_unitsPerDay, _dayKey(original.memberId, rec.procedureCode, rec.serviceDate), rec.units);
        _decrease(_linesPerYear, _yearKey(original.memberId, rec.procedureCode, year), 1);
        return rec.allowed - patient;
    }

    // ------------------------------------------------------------------------------ A-5 review

    /// @inheritdoc IClaimsEngine
    function approvePended(bytes32 claimId, uint8 number) external onlyRole(Roles.REVIEWER) whenNotPaused {
        LineRecord storage rec = _pendingLine(claimId, number);
        ClaimRecord storage record = _claims[claimId];
        ClaimContext memory ctx = ClaimContext({
            claimId: claimId,
            memberId: record.memberId,
            npi: record.providerNpi,
            receivedDate: 0,
            member: members.member(record.memberId),
            provider: providers.provider(record.providerNpi),
            paid: 0
        });
        ctx.member.planId = _claimPlans[claimId]; // the plan the line was checked against
        Terms memory terms;
        terms.version = rec.planVersion;
        terms.plan = plans.termsOf(ctx.member.planId, rec.planVersion);
        terms.fee = plans.fee(ctx.member.planId, rec.planVersion, rec.procedureCode);
        (bytes8 carc, bytes32 authId) =
            _limitDenial(ctx.memberId, rec.serviceDate, rec.procedureCode, rec.units, terms.fee);
        if (carc != bytes8(0)) revert ApprovalBlocked(claimId, number, carc);
        _dequeue(claimId, number);
        emit PendedLineDecided(claimId, number, msg.sender, true);
        uint64 paid = _approve(ctx, number, rec, terms, authId);
        if (paid > 0) escrow.accrue(record.providerNpi, claimId, uint256(paid) * _TOKEN_UNITS_PER_CENT);
    }

    /// @inheritdoc IClaimsEngine
    function denyPended(bytes32 claimId, uint8 number, bytes8 carc) external onlyRole(Roles.REVIEWER) whenNotPaused {
        if (carc == bytes8(0)) revert DenialNeedsReason(claimId, number);
        LineRecord storage rec = _pendingLine(claimId, number);
        ClaimRecord storage record = _claims[claimId];
        _dequeue(claimId, number);
        --_duplicates[_duplicateKey(record.memberId, record.providerNpi, rec)];
        emit PendedLineDecided(claimId, number, msg.sender, false);
        _deny(claimId, number, rec, carc);
    }

    function _pendingLine(bytes32 claimId, uint8 number) private view returns (LineRecord storage rec) {
        rec = _lines[claimId][number];
        if (rec.status != LineStatus.Pended) revert LineNotPending(claimId, number);
    }

    function _dequeue(bytes32 claimId, uint8 number) private {
        bytes32 key = _lineKey(claimId, number);
        uint256 slot = _pendingSlot[key];
        uint256 last = _pendingQueue.length;
        if (slot != last) {
            PendingRef memory moved = _pendingQueue[last - 1];
            _pendingQueue[slot - 1] = moved;
            _pendingSlot[_lineKey(moved.claimId, moved.line)] = slot;
        }
        _pendingQueue.pop();
        delete _pendingSlot[key];
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
        return _lines[claimId][number];
    }

    /// @inheritdoc IClaimsEngine
    function pendingCount() external view returns (uint256) {
        return _pendingQueue.length;
    }

    /// @inheritdoc IClaimsEngine
    function pendingAt(uint256 index) external view returns (bytes32 claimId, uint8 number) {
        PendingRef storage ref = _pendingQueue[index];
        return (ref.claimId, ref.line);
    }

    // ------------------------------------------------------------------------------ helpers

    function _diagnosisMatches(bytes8[] memory prefixes, bytes8[] calldata diagnoses) private pure returns (bool) {
        if (prefixes.length == 0) return true;
        for (uint256 p; p < prefixes.length; ++p) {
            bytes8 mask = _prefixMask(prefixes[p]);
            for (uint256 d; d < diagnoses.length; ++d) {
                if (diagnoses[d] & mask == prefixes[p]) return true;
            }
        }
        return false;
    }

    /// @dev a mask over the prefix's non-zero leading bytes
    function _prefixMask(bytes8 prefix) private pure returns (bytes8) {
        uint256 length;
        while (length < 8 && prefix[length] != 0) ++length;
        return bytes8(type(uint64).max << uint64(8 * (8 - length)));
    }

    function _count(bytes32[] memory keys, bytes32 key) private pure returns (uint32 n) {
        for (uint256 i; i < keys.length; ++i) {
            if (keys[i] == key) ++n;
        }
    }

    function _decrease(mapping(bytes32 => uint32) storage counter, bytes32 key, uint32 amount) private {
        uint32 current = counter[key];
        counter[key] = current > amount ? current - amount : 0;
    }

    function _duplicateKey(bytes32 memberId, uint64 npi, LineInput calldata l) private pure returns (bytes32) {
        return keccak256(abi.encode(memberId, npi, l.serviceDate, l.procedureCode, l.units, l.billed));
    }

    function _duplicateKey(bytes32 memberId, uint64 npi, LineRecord storage l) private view returns (bytes32) {
        return keccak256(abi.encode(memberId, npi, l.serviceDate, l.procedureCode, l.units, l.billed));
    }

    function _dayKey(bytes32 memberId, bytes8 code, uint32 day) private pure returns (bytes32) {
        return keccak256(abi.encode(memberId, code, day));
    }

    function _yearKey(bytes32 memberId, bytes8 code, uint16 year) private pure returns (bytes32) {
        return keccak256(abi.encode(memberId, code, year));
    }

    function _lineKey(bytes32 claimId, uint8 number) private pure returns (bytes32) {
        return keccak256(abi.encode(claimId, number));
    }

    function _min(uint64 a, uint64 b) private pure returns (uint64) {
        return a < b ? a : b;
    }
}
