// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Authorizations} from "../libraries/Authorizations.sol";
import {Carc} from "../libraries/Carc.sol";
import {ClaimCodec} from "../libraries/ClaimCodec.sol";
import {Coordination} from "../libraries/Coordination.sol";
import {Dates} from "../libraries/Dates.sol";
import {LineBook} from "../libraries/LineBook.sol";
import {Limits} from "../libraries/Limits.sol";
import {Members} from "../libraries/Members.sol";
import {PlanCache} from "../libraries/PlanCache.sol";
import {Plans} from "../libraries/Plans.sol";
import {Pricing} from "../libraries/Pricing.sol";
import {ReviewQueue} from "../libraries/ReviewQueue.sol";
import {Rewards} from "../libraries/Rewards.sol";
import {SettlementLedger} from "../libraries/SettlementLedger.sol";
import {ClaimLines} from "./ClaimLines.sol";

/// @title Adjudication
/// @notice The line rules over the engine's state: A-4 checks, A-5 pending, A-6 pricing and
/// the A-7 reversal of a claim's lines. {ClaimsEngine} adds intake (A-3) and review on top,
/// {Appeals} the appeals of R-13. Claims are packed calldata slices ({ClaimCodec}).
abstract contract Adjudication is ClaimLines {
    using LineBook for LineBook.Book;
    using Members for Members.Book;
    using Plans for Plans.Book;
    using PlanCache for PlanCache.Cache;
    using Authorizations for Authorizations.Book;
    using Limits for Limits.Book;
    using ReviewQueue for ReviewQueue.Queue;
    using Rewards for Rewards.Book;
    using SettlementLedger for SettlementLedger.Ledger;

    bytes8 internal constant _NO_SKIP = bytes8(0); // run every A-4 check (see {_check})

    /// @dev the claim-level facts its lines are checked and priced with, read once a claim
    struct ClaimContext {
        bytes32 claimId;
        bytes32 memberId;
        uint64 npi;
        uint32 receivedDate;
        uint256 member; // the member's word, kept as stored while the claim's lines apply to it
        uint256 provider; // the provider's word (SettlementLedger)
        uint256 paid; // cents this claim accrues to its provider
        PlanCache.Cache plans; // what the transaction has read of the plans, shared by its claims
        uint16 year; // the plan year last worked out, with its first day and the next year's
        uint32 yearStart;
        uint32 yearEnd;
    }

    /// @dev the plan version and fee entry a line was checked against
    struct Terms {
        uint32 plan;
        uint32 version;
        uint256 terms;
        uint256 fee;
        bytes32 feeKey;
    }

    /// @dev fills `ctx` with claim `c`'s facts, keeping its plan cache: a batch reuses one context
    function _context(bytes calldata c, ClaimContext memory ctx) internal view {
        ctx.claimId = ClaimCodec.claimId(c);
        ctx.memberId = ClaimCodec.memberId(c);
        ctx.npi = ClaimCodec.providerNpi(c);
        ctx.receivedDate = ClaimCodec.receivedDate(c);
        ctx.member = _members.members[ctx.memberId];
        ctx.provider = _ledger.accounts[ctx.npi];
        ctx.paid = 0;
    }

    // ------------------------------------------------------------------------------ adjudication

    /// @dev adjudicates line `index` (at position `at`) of a newly recorded claim; `counted`
    /// holds the keys of its earlier lines that count for A-4.8, and gets this one's if it
    /// counts; the line's event words go to `words` (two a line)
    function _adjudicate(
        ClaimContext memory ctx,
        bytes calldata c,
        uint256 at,
        uint256 index,
        bytes32[] memory counted,
        uint256[] memory words
    ) internal {
        Line memory l = _line(c, at, index + 1, ctx.claimId, false);
        (bytes8 carc, Terms memory t, uint256 authRef) = _check(ctx, c, l, _count(counted, l.key), _NO_SKIP);
        uint256 outcome;
        LineStatus status;
        if (carc != bytes8(0)) {
            status = LineStatus.Denied;
            outcome = LineBook.denied(t.version, t.plan, carc);
            _lineBook.place(l.key, ctx.claimId, l.number, outcome, false);
        } else if (Plans.review(t.fee) || Plans.pendsAbove(t.terms, l.billed)) {
            status = LineStatus.Pended;
            outcome = LineBook.pended(t.version, t.plan); // A-5: nothing is applied yet
            _setKey(counted, index, l.key);
            _lineBook.place(l.key, ctx.claimId, l.number, outcome, true);
            _reviewQueue.push(ctx.claimId, uint8(l.number), ClaimCodec.lineKey(ctx.claimId, l.number));
        } else {
            status = LineStatus.Approved;
            uint64 paid;
            (outcome, paid) = _approve(ctx, l, t, authRef);
            _setKey(counted, index, l.key);
            _lineBook.place(l.key, ctx.claimId, l.number, outcome, true);
            unchecked {
                ctx.paid += paid; // at most 50 lines of at most 2^40 cents
            }
        }
        (uint256 lineWord, uint256 amountsWord) = _eventWords(l, outcome, status);
        _setWords(words, index, lineWord, amountsWord);
    }

    /// @dev A-4 checks 1-12 in order; the CARC of the first that fails (zero if none). `own` is
    /// how many of the claim's own live lines have the line's key (A-4.8 "another claim").
    /// `skip` is the CARC of a denial overturned on appeal (R-13): the check that gives it is
    /// not run; checks 1, 3 and 5 and R-3's plan version find what the line is priced by, so
    /// they always run.
    function _check(ClaimContext memory ctx, bytes calldata c, Line memory l, uint256 own, bytes8 skip)
        internal
        view
        returns (bytes8 carc, Terms memory t, uint256 authRef)
    {
        uint256 m = ctx.member;
        t.plan = Members.plan(m);
        if (t.plan == 0) return (Carc.MEMBER_UNKNOWN, t, 0);
        if (skip != Carc.BEFORE_COVERAGE && l.serviceDate < Members.coverageStart(m)) return (Carc.BEFORE_COVERAGE, t, 0);
        if (skip != Carc.AFTER_COVERAGE && l.serviceDate > Members.coverageEnd(m)) return (Carc.AFTER_COVERAGE, t, 0);
        if (!SettlementLedger.registered(ctx.provider)) return (Carc.PROVIDER_UNKNOWN, t, 0);
        (t.version, t.terms) = ctx.plans.versionAt(_plans, t.plan, l.serviceDate);
        if (t.version == 0) return (Carc.BEFORE_COVERAGE, t, 0); // R-3: no plan version in effect
        // intake checked that no line is served after the claim was received
        if (skip != Carc.LATE_FILING && _daysBetween(l.serviceDate, ctx.receivedDate) > Plans.timelyFilingDays(t.terms)) {
            return (Carc.LATE_FILING, t, 0);
        }
        t.feeKey = Plans.feeKey(t.plan, t.version, l.code);
        t.fee = ctx.plans.feeEntry(_plans, t.feeKey);
        if (!Plans.listed(t.fee)) return (Carc.NOT_COVERED, t, 0);
        if (skip != Carc.OUT_OF_NETWORK && !SettlementLedger.inNetwork(ctx.provider) && !Plans.outOfNetworkCovered(t.terms)) {
            return (Carc.OUT_OF_NETWORK, t, 0);
        }
        if (skip != Carc.DX_MISMATCH && !_plans.diagnosisMatches(t.feeKey, t.fee, c)) return (Carc.DX_MISMATCH, t, 0);
        if (skip != Carc.DUPLICATE && _lineBook.liveCount(l.key) > own) return (Carc.DUPLICATE, t, 0);
        (carc, authRef) = _limitDenial(ctx, l, t.fee, skip);
    }

    /// @dev A-4 checks 9-12, the ones that depend on what was approved before (also run at
    /// review, R-6); `skip` as in {_check}. A line whose CO-197/198 was overturned uses no
    /// authorization.
    function _limitDenial(ClaimContext memory ctx, Line memory l, uint256 fee, bytes8 skip)
        internal
        view
        returns (bytes8 carc, uint256 authRef)
    {
        bytes32 memberId = ctx.memberId;
        if (Plans.priorAuth(fee)) {
            Lookup lookup;
            // slither-disable-next-line unused-return: only the named parts of the tuple are needed here
            (lookup,, authRef) = _authorizations.find(memberId, l.code, l.serviceDate, l.units);
            if (lookup == Lookup.None && skip != Carc.NO_AUTHORIZATION) return (Carc.NO_AUTHORIZATION, 0);
            if (lookup == Lookup.Exhausted && skip != Carc.AUTH_EXCEEDED) return (Carc.AUTH_EXCEEDED, 0);
        }
        uint16 maxUnits = Plans.maxUnitsPerDay(fee);
        uint16 annualLimit = Plans.annualLimit(fee);
        if (maxUnits == 0 && annualLimit == 0) return (bytes8(0), authRef);
        uint16 year = _yearOf(ctx, l.serviceDate);
        if (
            skip != Carc.UNITS_PER_DAY && maxUnits != 0
                && _limits.unitsOn(memberId, l.code, l.serviceDate, year, ctx.yearStart) + l.units > maxUnits
        ) return (Carc.UNITS_PER_DAY, 0);
        if (skip != Carc.ANNUAL_LIMIT && annualLimit != 0 && _limits.linesIn(memberId, l.code, year) >= annualLimit) {
            return (Carc.ANNUAL_LIMIT, 0);
        }
    }

    /// @dev A-6: prices the line against the accumulators of this moment and applies it
    /// (accumulators, authorization units, A-4.11/12 counters), pays it second when it carries
    /// a prior payer's result (A-11: the accumulators take the normal amounts) and gives the
    /// member the code's incentive if it is the first (A-12.2); returns its outcome and the
    /// cents it pays
    function _approve(ClaimContext memory ctx, Line memory l, Terms memory t, uint256 authRef)
        internal
        returns (uint256 outcome, uint64 paid)
    {
        uint16 year = _yearOf(ctx, l.serviceDate);
        (uint64 allowed, uint64 deductible, uint64 copay, uint64 coinsurance) = _price(ctx, l, t, year);
        uint64 patient;
        unchecked {
            patient = deductible + copay + coinsurance;
            paid = allowed - patient; // the patient's share is part of what is allowed
        }
        uint256 counted = ctx.plans.limitFlags(_plans, l.code); // R-16
        if (counted != 0) {
            _limits.count(
                ctx.memberId, l.code, l.serviceDate, year, ctx.yearStart, l.units, counted & 1 != 0, counted & 2 != 0
            );
        }
        if (patient > 0) ctx.member = _members.add(ctx.memberId, ctx.member, year, deductible, patient);
        // the line keeps which authorization and counters it used, to take them back (A-7.1)
        outcome = LineBook.withApplied(
            LineBook.approved(t.version, t.plan, allowed, deductible, copay, coinsurance), authRef, counted
        );
        if (l.otherPayerPaid != 0) {
            l.nonDuplication = Plans.nonDuplication(t.terms);
            (uint256 word,) = _reported(l, outcome);
            paid = Coordination.paidOf(word);
        }
        uint64 reward = Plans.incentive(t.fee);
        if (reward != 0 && _rewards.earn(ctx.memberId, l.code, year, reward)) {
            outcome = LineBook.withReward(outcome);
            emit RewardEarned(ctx.memberId, ctx.claimId, uint8(l.number), l.code, year, reward);
        }
        if (authRef != 0) {
            bytes32 authId = _authorizations.idOf(ctx.memberId, l.code, authRef);
            emit AuthorizationConsumed(authId, l.units, _authorizations.consume(authId, l.units));
        }
    }

    /// @dev the plan year of `day` (A-1.3), remembered with its days for the claims after
    function _yearOf(ClaimContext memory ctx, uint32 day) internal pure returns (uint16) {
        if (day >= ctx.yearStart && day < ctx.yearEnd) return ctx.year;
        uint16 year = Dates.yearOf(day);
        (ctx.year, ctx.yearStart, ctx.yearEnd) = (year, Dates.firstDayOf(year), Dates.firstDayOf(year + 1));
        return year;
    }

    /// @dev A-6.1-6.5 for the line against the member's and the family's accumulators of `year`
    function _price(ClaimContext memory ctx, Line memory l, Terms memory t, uint16 year)
        private
        view
        returns (uint64, uint64, uint64, uint64)
    {
        uint256 terms = t.terms;
        // slither-disable-next-line uninitialized-local: a memory struct starts zeroed, which is what is meant; its fields are set below
        Pricing.Inputs memory input;
        input.billed = l.billed;
        input.feeAllowed = Plans.allowed(t.fee);
        input.units = l.units;
        (input.deductibleLeft, input.oopLeft) = _left(ctx, terms, year);
        if (SettlementLedger.inNetwork(ctx.provider)) {
            (input.copayApplies, input.copay) = ctx.plans.copayFor(_plans, t.plan, t.version, t.fee);
            input.coinsuranceBps = Plans.coinsuranceBps(terms);
        } else {
            input.coinsuranceBps = Plans.outOfNetworkCoinsuranceBps(terms);
        }
        return Pricing.price(input);
    }

    /// @dev the deductible and out-of-pocket room left in `year` to the member: the least of
    /// what the individual's and the family's limits leave (A-6.2, A-6.4)
    function _left(ClaimContext memory ctx, uint256 terms, uint16 year)
        private
        view
        returns (uint64 deductibleLeft, uint64 oopLeft)
    {
        (uint64 memberDeductible, uint64 memberOop, uint64 familyDeductible, uint64 familyOop) =
            _members.accumulators(ctx.memberId, ctx.member, year);
        deductibleLeft = Pricing.leastRemaining(
            Plans.deductibleIndividual(terms), memberDeductible, Plans.deductibleFamily(terms), familyDeductible
        );
        oopLeft = Pricing.leastRemaining(Plans.oopMaxIndividual(terms), memberOop, Plans.oopMaxFamily(terms), familyOop);
    }

    // ------------------------------------------------------------------------------ A-7 corrections

    /// @dev takes back every line of `original`, the recorded content of the claim a correction
    /// names (checked by the caller), and recoups what it paid (A-7.1)
    function _reverse(bytes calldata original, bytes32 byClaimId) internal {
        bytes32 originalId = ClaimCodec.claimId(original);
        uint256 record = _claims[originalId];
        _claims[originalId] = record & ~uint256(0xff) | uint256(ClaimState.Reversed);
        bytes32 memberId = ClaimCodec.memberId(original);
        uint256 recouped = 0;
        uint256 lines = _claimLines(record);
        uint256[] memory words = new uint256[](2 * lines);
        uint256 at = ClaimCodec.linesAt(original);
        uint256 stride = ClaimCodec.lineBytes(original);
        for (uint256 i; i < lines; ++i) {
            Line memory l = _line(original, at + i * stride, i + 1, originalId, true);
            (uint256 outcome, bool keyed) = _lineBook.find(l.key, l.lineKey);
            LineStatus previous = LineBook.status(outcome);
            int256 liveDelta = 0;
            if (previous == LineStatus.Approved) {
                recouped += _unapply(memberId, originalId, l, outcome);
                liveDelta = -1;
            } else if (previous == LineStatus.Pended) {
                _reviewQueue.remove(l.lineKey);
                liveDelta = -1;
            }
            _lineBook.update(l.key, l.lineKey, keyed, LineBook.reversed(outcome), liveDelta);
            (uint256 lineWord, uint256 amountsWord) = _eventWords(l, outcome, previous);
            _setWords(words, i, lineWord, amountsWord);
        }
        if (recouped > 0) _ledger.recoup(ClaimCodec.providerNpi(original), recouped);
        _logLines(ClaimReversed.selector, originalId, byClaimId, false, 0, words); // ClaimReversed
    }

    /// @dev reverses an approved line's accumulators, authorization units, counters and reward;
    /// returns the cents it had paid. A line paid second learns its plan's rule here (the
    /// prior payer's amount is in its content, R-17), for its reversed event words too.
    function _unapply(bytes32 memberId, bytes32 claimId, Line memory l, uint256 outcome) private returns (uint64 paid) {
        (uint64 allowed, uint64 deductible, uint64 copay, uint64 coinsurance) = LineBook.amounts(outcome);
        uint64 patient = deductible + copay + coinsurance; // what the accumulators took (A-11.2)
        uint16 year = Dates.yearOf(l.serviceDate);
        if (patient > 0) _members.subtract(memberId, year, deductible, patient);
        if (LineBook.rewarded(outcome)) {
            uint64 reward = _rewards.takeBack(memberId, l.code, year);
            emit RewardReversed(memberId, claimId, uint8(l.number), l.code, year, reward);
        }
        bytes32 authId = _authorizations.idOf(memberId, l.code, LineBook.authorization(outcome));
        if (authId != bytes32(0)) emit AuthorizationRestored(authId, l.units, _authorizations.restore(authId, l.units));
        uint256 counted = LineBook.counted(outcome);
        if (counted != 0) {
            _limits.uncount(
                memberId, l.code, l.serviceDate, year, Dates.firstDayOf(year), l.units, counted & 1 != 0, counted & 2 != 0
            );
        }
        if (l.otherPayerPaid == 0) return allowed - patient;
        l.nonDuplication = Plans.nonDuplication(_plans.versions[LineBook.plan(outcome)][LineBook.version(outcome) - 1].terms);
        (uint256 word,) = _reported(l, outcome);
        paid = Coordination.paidOf(word);
    }

    // ------------------------------------------------------------------------------ helpers

    /// @dev reverts unless `c` is the content recorded for its claim id (R-13, R-17); returns
    /// the claim's record
    function _requireRecorded(bytes calldata c) internal view returns (uint256 record) {
        record = _claims[ClaimCodec.claimId(c)];
        if (_claimTag(record) != ClaimCodec.contentHash(c) >> 96 << 96 || _claimState(record) == ClaimState.None) {
            revert ClaimContentMismatch(ClaimCodec.claimId(c));
        }
    }

    /// @dev days from `earlier` to `later`, which is not before it
    function _daysBetween(uint32 earlier, uint32 later) private pure returns (uint32) {
        unchecked {
            return later - earlier;
        }
    }
}
