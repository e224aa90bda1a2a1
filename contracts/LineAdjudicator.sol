// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAuthorizationRegistry} from "../interfaces/IAuthorizationRegistry.sol";
import {IClaimsEngine} from "../interfaces/IClaimsEngine.sol";
import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";
import {IPlanRegistry} from "../interfaces/IPlanRegistry.sol";
import {IProviderRegistry} from "../interfaces/IProviderRegistry.sol";
import {ISettlementEscrow} from "../interfaces/ISettlementEscrow.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Carc} from "./libraries/Carc.sol";
import {Dates} from "./libraries/Dates.sol";
import {Pricing} from "./libraries/Pricing.sol";

/// @title LineAdjudicator
/// @notice The line-level rules of the claims engine: A-4 checks, A-5 pending, A-6 pricing and
/// the A-7 reversal of a claim's lines, over the engine's claim and counter storage.
/// {ClaimAppeals} adds appeals (R-13), {ClaimsEngine} intake (A-3) and review decisions on top.
abstract contract LineAdjudicator is IClaimsEngine {
    uint256 internal constant _TOKEN_UNITS_PER_CENT = 10_000; // 6-decimal token (A-1.1)
    bytes8 internal constant _NO_SKIP = bytes8(0); // run every A-4 check (see {_check})

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

    mapping(bytes32 claimId => ClaimRecord) internal _claims;
    /// @dev the plan a claim's pended line was checked against, which an approval prices by
    mapping(bytes32 claimId => bytes32 planId) internal _pendedPlans;
    /// @dev a line's outcome in one slot: amounts fit 40 bits since each is at most the line's
    /// billed amount, at most 10^12 cents (R-4, checked at intake); the line's inputs are in the
    /// claim's content, supplied again by whoever reverses or reviews it (R-17)
    struct StoredLine {
        LineStatus status;
        bytes8 carc;
        uint40 allowed;
        uint40 deductible;
        uint40 copay;
        uint40 coinsurance;
        uint24 planVersion;
    }

    mapping(bytes32 claimId => mapping(uint8 line => StoredLine)) internal _lines;
    mapping(bytes32 lineKey => bytes32 authId) internal _lineAuth; // written only when one was used
    mapping(bytes32 memberCodeDay => uint32) internal _unitsPerDay; // approved units (A-4.11)
    mapping(bytes32 memberCodeYear => uint32) internal _linesPerYear; // approved lines (A-4.12)
    mapping(bytes32 duplicateKey => uint32) internal _duplicates; // approved or pended lines (A-4.8)
    /// @dev the review queue: every line ever pended, in arrival order, and for each line still
    /// pending its position + 1 (a line leaves by having it deleted; the log is never reordered)
    PendingLine[] internal _pendingLog;
    mapping(bytes32 lineKey => uint256 position) internal _pendingSlot;
    uint256 internal _pendingCount;

    constructor(
        IPlanRegistry planRegistry,
        IMemberRegistry memberRegistry,
        IProviderRegistry providerRegistry,
        IAuthorizationRegistry authorizationRegistry,
        ISettlementEscrow settlementEscrow
    ) {
        plans = planRegistry;
        members = memberRegistry;
        providers = providerRegistry;
        authorizations = authorizationRegistry;
        escrow = settlementEscrow;
    }

    // ------------------------------------------------------------------------------ adjudication

    /// @dev the claim-level facts its lines are checked and priced with, read at this moment
    function _context(ClaimInput calldata c) internal view returns (ClaimContext memory) {
        return ClaimContext({
            claimId: c.claimId,
            memberId: c.memberId,
            npi: c.providerNpi,
            receivedDate: c.receivedDate,
            member: members.member(c.memberId),
            provider: providers.provider(c.providerNpi),
            paid: 0
        });
    }

    function _adjudicate(
        ClaimContext memory ctx,
        bytes8[] calldata diagnoses,
        LineInput calldata input,
        uint8 number,
        bytes32[] memory duplicateKeys
    ) internal {
        StoredLine storage rec = _lines[ctx.claimId][number];
        bytes32 duplicateKey = _duplicateKey(ctx.memberId, ctx.npi, input);
        (bytes8 carc, Terms memory terms, bytes32 authId) =
            _check(ctx, diagnoses, input, duplicateKey, duplicateKeys, _NO_SKIP);
        rec.planVersion = SafeCast.toUint24(terms.version);
        if (carc != bytes8(0)) {
            _deny(ctx.claimId, number, rec, input.billed, carc);
            return;
        }
        duplicateKeys[number - 1] = duplicateKey;
        ++_duplicates[duplicateKey];
        if (terms.fee.review || (terms.plan.hasPendThreshold && input.billed > terms.plan.pendAbove)) {
            rec.status = LineStatus.Pended; // A-5: nothing is applied yet
            _pendedPlans[ctx.claimId] = ctx.member.planId;
            _pendingLog.push(PendingLine(ctx.claimId, number));
            _pendingSlot[_lineKey(ctx.claimId, number)] = _pendingLog.length;
            ++_pendingCount;
            _emitLine(ctx.claimId, number, rec, input.billed);
            return;
        }
        ctx.paid += _approve(ctx, number, rec, input, terms, authId);
    }

    /// @dev A-4 checks 1-12 in order; returns the CARC of the first that fails (zero if none).
    /// `skip` is the CARC of a denial overturned on appeal (R-13): the check that gives it is not
    /// run. Checks 1, 3 and 5 and R-3's plan version find what the line is priced by, so they
    /// always run.
    function _check(
        ClaimContext memory ctx,
        bytes8[] calldata diagnoses,
        LineInput calldata input,
        bytes32 duplicateKey,
        bytes32[] memory duplicateKeys,
        bytes8 skip
    ) internal view returns (bytes8 carc, Terms memory terms, bytes32 authId) {
        IMemberRegistry.Member memory m = ctx.member;
        if (!m.enrolled) return (Carc.MEMBER_UNKNOWN, terms, 0);
        if (skip != Carc.BEFORE_COVERAGE && input.serviceDate < m.coverageStart) {
            return (Carc.BEFORE_COVERAGE, terms, 0);
        }
        if (skip != Carc.AFTER_COVERAGE && input.serviceDate > m.coverageEnd) return (Carc.AFTER_COVERAGE, terms, 0);
        if (!ctx.provider.registered) return (Carc.PROVIDER_UNKNOWN, terms, 0);
        IPlanRegistry.PlanView memory plan = plans.planAt(m.planId, input.serviceDate);
        if (!plan.found) return (Carc.BEFORE_COVERAGE, terms, 0); // R-3: no plan version in effect
        terms.version = plan.version;
        terms.plan = plan.terms;
        if (skip != Carc.LATE_FILING && ctx.receivedDate - input.serviceDate > plan.terms.timelyFilingDays) {
            return (Carc.LATE_FILING, terms, 0);
        }
        terms.fee = plans.fee(m.planId, plan.version, input.procedureCode);
        if (!terms.fee.listed) return (Carc.NOT_COVERED, terms, 0);
        if (skip != Carc.OUT_OF_NETWORK && !ctx.provider.inNetwork && !plan.terms.outOfNetworkCovered) {
            return (Carc.OUT_OF_NETWORK, terms, 0);
        }
        if (skip != Carc.DX_MISMATCH && !_diagnosisMatches(terms.fee.dxPrefixes, diagnoses)) {
            return (Carc.DX_MISMATCH, terms, 0);
        }
        if (skip != Carc.DUPLICATE && _duplicates[duplicateKey] > _count(duplicateKeys, duplicateKey)) {
            return (Carc.DUPLICATE, terms, 0);
        }
        (carc, authId) =
            _limitDenial(ctx.memberId, input.serviceDate, input.procedureCode, input.units, terms.fee, skip);
    }

    /// @dev A-4 checks 9-12, the ones that depend on what was approved before (also run at review);
    /// `skip` as in {_check}. A line whose CO-197/198 was overturned uses no authorization.
    function _limitDenial(
        bytes32 memberId,
        uint32 day,
        bytes8 code,
        uint16 units,
        IPlanRegistry.FeeEntry memory fee,
        bytes8 skip
    ) internal view returns (bytes8 carc, bytes32 authId) {
        if (fee.priorAuth) {
            IAuthorizationRegistry.Lookup lookup;
            (lookup, authId) = authorizations.find(memberId, code, day, units);
            if (lookup == IAuthorizationRegistry.Lookup.None && skip != Carc.NO_AUTHORIZATION) {
                return (Carc.NO_AUTHORIZATION, 0);
            }
            if (lookup == IAuthorizationRegistry.Lookup.Exhausted && skip != Carc.AUTH_EXCEEDED) {
                return (Carc.AUTH_EXCEEDED, 0);
            }
        }
        if (
            skip != Carc.UNITS_PER_DAY && fee.maxUnitsPerDay != 0
                && _unitsPerDay[_dayKey(memberId, code, day)] + units > fee.maxUnitsPerDay
        ) return (Carc.UNITS_PER_DAY, 0);
        if (
            skip != Carc.ANNUAL_LIMIT && fee.annualLimit != 0
                && _linesPerYear[_yearKey(memberId, code, Dates.yearOf(day))] >= fee.annualLimit
        ) return (Carc.ANNUAL_LIMIT, 0);
    }

    /// @dev A-6: prices the line against the accumulators of this moment and applies it;
    /// returns the paid amount in cents
    function _approve(
        ClaimContext memory ctx,
        uint8 number,
        StoredLine storage rec,
        LineInput calldata line_,
        Terms memory terms,
        bytes32 authId
    ) internal returns (uint64 paid) {
        uint16 year = Dates.yearOf(line_.serviceDate);
        Pricing.Outcome memory out = _price(ctx, line_, terms, year);
        uint64 patient = Pricing.patientShare(out);
        paid = out.allowed - patient;

        rec.status = LineStatus.Approved;
        rec.carc = bytes8(0); // an approved line overturned on appeal (R-13) drops its old CARC
        // each is at most the line's billed amount, <= 10^12 cents < 2^40 (R-4)
        rec.allowed = uint40(out.allowed);
        rec.deductible = uint40(out.deductible);
        rec.copay = uint40(out.copay);
        rec.coinsurance = uint40(out.coinsurance);
        _countApproved(ctx.memberId, line_, year);
        _emitLine(ctx.claimId, number, rec, line_.billed);

        if (patient > 0) members.applyAccumulators(ctx.memberId, ctx.member.familyId, year, out.deductible, patient);
        if (authId != bytes32(0)) {
            _lineAuth[_lineKey(ctx.claimId, number)] = authId;
            authorizations.consume(authId, line_.units);
        }
    }

    /// @dev A-6.1-6.5 for the line against the member's and the family's accumulators of `year`
    function _price(ClaimContext memory ctx, LineInput calldata line_, Terms memory terms, uint16 year)
        private
        view
        returns (Pricing.Outcome memory)
    {
        (IMemberRegistry.Accumulator memory ind, IMemberRegistry.Accumulator memory fam) =
            members.accumulators(ctx.memberId, ctx.member.familyId, year);
        Pricing.Inputs memory input;
        input.billed = line_.billed;
        input.feeAllowed = terms.fee.allowed;
        input.units = line_.units;
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
        return Pricing.price(input);
    }

    /// @dev adds an approved line to the A-4.11/A-4.12 counters, kept only for codes that some
    /// plan version limits (R-16): a new counter slot costs 22,100 gas
    function _countApproved(bytes32 memberId, LineInput calldata line_, uint16 year) private {
        (bool countUnits, bool countLines) = plans.limitsCounted(line_.procedureCode);
        if (countUnits) _unitsPerDay[_dayKey(memberId, line_.procedureCode, line_.serviceDate)] += line_.units;
        if (countLines) ++_linesPerYear[_yearKey(memberId, line_.procedureCode, year)];
    }

    function _deny(bytes32 claimId, uint8 number, StoredLine storage rec, uint64 billed, bytes8 carc) internal {
        rec.status = LineStatus.Denied;
        rec.carc = carc;
        _emitLine(claimId, number, rec, billed);
    }

    function _emitLine(bytes32 claimId, uint8 number, StoredLine storage rec, uint64 billed) internal {
        emit LineAdjudicated(
            claimId, number, rec.status, rec.carc, billed, rec.allowed, rec.deductible, rec.copay, rec.coinsurance, rec.planVersion
        );
    }

    // ------------------------------------------------------------------------------ A-7 corrections

    /// @dev takes back every line of `original` (A-7.1), the recorded content of the claim a
    /// correction names (checked by the caller), and recoups what it paid
    function _reverse(ClaimInput calldata original, bytes32 byClaimId) internal {
        bytes32 originalId = original.claimId;
        ClaimRecord storage record = _claims[originalId];
        record.state = ClaimState.Reversed;
        bytes32 familyId = members.member(original.memberId).familyId;
        uint256 recouped;
        for (uint8 number = 1; number <= record.lineCount; ++number) {
            StoredLine storage rec = _lines[originalId][number];
            LineInput calldata line_ = original.lines[number - 1];
            LineStatus previous = rec.status;
            if (previous == LineStatus.Approved) {
                recouped += _unapply(original.memberId, familyId, _lineKey(originalId, number), rec, line_);
            } else if (previous == LineStatus.Pended) {
                _dequeue(originalId, number);
            }
            if (previous == LineStatus.Approved || previous == LineStatus.Pended) {
                --_duplicates[_duplicateKey(original.memberId, original.providerNpi, line_)];
            }
            rec.status = LineStatus.Reversed;
            emit LineReversed(
                originalId, number, byClaimId, previous, rec.carc, line_.billed, rec.allowed, rec.deductible, rec.copay, rec.coinsurance
            );
        }
        if (recouped > 0) escrow.recoup(original.providerNpi, originalId, recouped * _TOKEN_UNITS_PER_CENT);
    }

    /// @dev reverses an approved line's accumulators, counters and authorization units
    function _unapply(bytes32 memberId, bytes32 familyId, bytes32 lineKey, StoredLine storage rec, LineInput calldata line_)
        internal
        returns (uint64 paid)
    {
        uint16 year = Dates.yearOf(line_.serviceDate);
        uint64 deductible = rec.deductible;
        uint64 patient = deductible + uint64(rec.copay) + uint64(rec.coinsurance);
        if (patient > 0) members.reverseAccumulators(memberId, familyId, year, deductible, patient);
        bytes32 authId = _lineAuth[lineKey];
        if (authId != bytes32(0)) authorizations.restore(authId, line_.units);
        _decrease(_unitsPerDay, _dayKey(memberId, line_.procedureCode, line_.serviceDate), line_.units);
        _decrease(_linesPerYear, _yearKey(memberId, line_.procedureCode, year), 1);
        return rec.allowed - patient;
    }

    // ------------------------------------------------------------------------------ review queue

    /// @dev takes a line out of the review queue; the others keep their order
    function _dequeue(bytes32 claimId, uint8 number) internal {
        delete _pendingSlot[_lineKey(claimId, number)];
        --_pendingCount;
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

    /// @dev lowers a counter, never below 0; one not kept (R-16) stays unwritten
    function _decrease(mapping(bytes32 => uint32) storage counter, bytes32 key, uint32 amount) private {
        uint32 current = counter[key];
        if (current != 0) counter[key] = current > amount ? current - amount : 0;
    }

    /// @dev what makes two submissions of one claim id the same claim (A-3 idempotence); also how
    /// a claim re-supplied for an appeal decision (R-13) is known to be the one recorded
    function _contentHash(ClaimInput calldata c) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(c.frequency, c.originalClaimId, c.memberId, c.providerNpi, c.receivedDate, c.diagnoses, c.lines)
        );
    }

    /// @dev reverts unless `c` is the content recorded for its claim id (R-13, R-17)
    function _requireRecorded(ClaimInput calldata c) internal view {
        if (bytes20(_contentHash(c)) != _claims[c.claimId].contentTag) revert ClaimContentMismatch(c.claimId);
    }

    function _duplicateKey(bytes32 memberId, uint64 npi, LineInput calldata l) internal pure returns (bytes32) {
        return keccak256(abi.encode(memberId, npi, l.serviceDate, l.procedureCode, l.units, l.billed));
    }

    function _dayKey(bytes32 memberId, bytes8 code, uint32 day) private pure returns (bytes32) {
        return keccak256(abi.encode(memberId, code, day));
    }

    function _yearKey(bytes32 memberId, bytes8 code, uint16 year) private pure returns (bytes32) {
        return keccak256(abi.encode(memberId, code, year));
    }

    function _lineKey(bytes32 claimId, uint8 number) internal pure returns (bytes32) {
        return keccak256(abi.encode(claimId, number));
    }

    function _min(uint64 a, uint64 b) private pure returns (uint64) {
        return a < b ? a : b;
    }
}
