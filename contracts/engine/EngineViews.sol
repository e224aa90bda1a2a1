// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Authorizations} from "../libraries/Authorizations.sol";
import {ClaimCodec} from "../libraries/ClaimCodec.sol";
import {LineBook} from "../libraries/LineBook.sol";
import {Members} from "../libraries/Members.sol";
import {Plans} from "../libraries/Plans.sol";
import {ReviewQueue} from "../libraries/ReviewQueue.sol";
import {SettlementLedger} from "../libraries/SettlementLedger.sol";
import {EngineStorage} from "./EngineStorage.sol";

/// @title EngineViews
/// @notice What anyone may read of the engine's packed state, unpacked ({IClaimViews} and the
/// settlement views of {ISettlement}). Part of {ClaimsEngineExtension}.
abstract contract EngineViews is EngineStorage {
    using Authorizations for Authorizations.Book;
    using LineBook for LineBook.Book;
    using Members for Members.Book;
    using Plans for Plans.Book;
    using ReviewQueue for ReviewQueue.Queue;

    uint256 private constant _UNITS_PER_CENT = 10_000;

    function claim(bytes32 claimId) external view returns (ClaimRecord memory) {
        uint256 r = _claims[claimId];
        return ClaimRecord(
            _claimState(r), uint8(_claimLines(r)), uint8(r >> 16), _claimNpi(r), bytes20(_claimTag(r))
        );
    }

    function lineOf(bytes calldata claim_, uint8 number) external view returns (LineRecord memory r) {
        bytes32 claimId = ClaimCodec.claimId(claim_);
        uint256 record = _claims[claimId];
        if (_claimTag(record) != ClaimCodec.contentHash(claim_) >> 96 << 96 || _claimState(record) == ClaimState.None) {
            revert ClaimContentMismatch(claimId);
        }
        if (number == 0 || number > _claimLines(record)) revert LineUnknown(claimId, number);
        uint256 at = ClaimCodec.lineAt(claim_, number - 1);
        bytes32 lineKey = ClaimCodec.lineKey(claimId, number);
        (uint256 outcome, bool keyed) = _lineBook.find(ClaimCodec.duplicateKey(claim_, at), lineKey);
        if (_claimState(record) == ClaimState.Reversed && keyed) {
            // its key's slot may have a new occupant since: only the status is certain
            r.status = LineStatus.Reversed;
            return r;
        }
        r.status = LineBook.status(outcome);
        r.previousStatus = LineBook.previousStatus(outcome);
        LineStatus shown = r.status == LineStatus.Reversed ? r.previousStatus : r.status;
        if (shown == LineStatus.Denied) r.carc = LineBook.carc(outcome);
        if (shown == LineStatus.Approved) {
            (r.allowed, r.deductible, r.copay, r.coinsurance) = LineBook.amounts(outcome);
            // slither-disable-next-line unused-return: only the named parts of the tuple are needed here
            (, bytes8 code,,) = ClaimCodec.line(claim_, at);
            r.authId = _authorizations.idOf(ClaimCodec.memberId(claim_), code, LineBook.authorization(outcome));
        }
        r.planVersion = LineBook.version(outcome);
        r.planId = _plans.ids[LineBook.plan(outcome)];
    }

    function appealOf(bytes32 claimId, uint8 number) external view returns (AppealRecord memory) {
        return _appeals[ClaimCodec.lineKey(claimId, number)];
    }

    function pendingCount() external view returns (uint256) {
        return _reviewQueue.count;
    }

    function pendingPage(uint256 cursor, uint256 max) external view returns (PendingLine[] memory lines, uint256 next) {
        return _reviewQueue.page(cursor, max);
    }

    function member(bytes32 memberId) external view returns (Member memory) {
        uint256 m = _members.members[memberId];
        uint32 plan = Members.plan(m);
        if (plan == 0) return Member(false, bytes32(0), bytes32(0), 0, 0);
        return Member(
            true, _members.familyIds[Members.family(m)], _plans.ids[plan], Members.coverageStart(m), Members.coverageEnd(m)
        );
    }

    function accumulators(bytes32 memberId, uint16 year)
        external
        view
        returns (Accumulator memory individual, Accumulator memory family)
    {
        (individual.deductibleMet, individual.oopMet, family.deductibleMet, family.oopMet) =
            _members.accumulators(memberId, _members.members[memberId], year);
    }

    function planAt(bytes32 planId, uint32 day) external view returns (PlanView memory view_) {
        (uint32 version, uint256 terms) = _plans.at(_plans.index[planId], day);
        if (version != 0) view_ = PlanView(true, version, Plans.unpack(terms));
    }

    function fee(bytes32 planId, uint32 version, bytes8 code) external view returns (FeeEntry memory e) {
        bytes32 key = Plans.feeKey(_plans.index[planId], version, code);
        uint256 f = _plans.fees[key];
        if (!Plans.listed(f)) return e;
        return FeeEntry(
            true, Plans.allowed(f), Plans.category(f), Plans.priorAuth(f), Plans.review(f), Plans.maxUnitsPerDay(f),
            Plans.annualLimit(f), _plans.dxPrefixes[key]
        );
    }

    function copay(bytes32 planId, uint32 version, bytes16 category) external view returns (bool applies, uint64 amount) {
        return Plans.copayOf(_plans.copays[Plans.copayKey(_plans.index[planId], version, category)]);
    }

    function termsOf(bytes32 planId, uint32 version) external view returns (PlanTerms memory) {
        return Plans.unpack(_version(planId, version).terms);
    }

    function versionCount(bytes32 planId) external view returns (uint32) {
        return uint32(_plans.versions[_plans.index[planId]].length);
    }

    function versionInfo(bytes32 planId, uint32 version) external view returns (VersionInfo memory) {
        Plans.Version storage v = _version(planId, version);
        return VersionInfo(v.effectiveFrom, v.isSealed, v.contentHash);
    }

    function limitsCounted(bytes8 code) external view returns (bool unitsPerDay, bool linesPerYear) {
        uint256 counted = _plans.counted[code];
        return (counted & 1 != 0, counted & 2 != 0);
    }

    function provider(uint64 npi) external view returns (Provider memory) {
        uint256 p = _ledger.accounts[npi];
        return Provider(SettlementLedger.registered(p), SettlementLedger.inNetwork(p), _ledger.payees[npi]);
    }

    function authorization(bytes32 authId) external view returns (Authorization memory) {
        return _authorizations.record(authId);
    }

    function findAuthorization(bytes32 memberId, bytes8 procedureCode, uint32 day, uint16 units)
        external
        view
        returns (Lookup lookup, bytes32 authId)
    {
        // slither-disable-next-line unused-return: only the named parts of the tuple are needed here
        (lookup, authId,) = _authorizations.find(memberId, procedureCode, day, units);
    }

    function account(uint64 npi) external view returns (Account memory) {
        uint256 a = _ledger.accounts[npi];
        return Account(
            uint128(SettlementLedger.accrued(a) * _UNITS_PER_CENT),
            uint128(SettlementLedger.recouped(a) * _UNITS_PER_CENT),
            uint128(SettlementLedger.paidOut(a) * _UNITS_PER_CENT)
        );
    }

    function owed(uint64 npi) external view returns (int256) {
        return SettlementLedger.owed(_ledger.accounts[npi]) * int256(_UNITS_PER_CENT);
    }

    function totalOutstanding() external view returns (uint256) {
        return _ledger.outstanding * _UNITS_PER_CENT;
    }

    function token() external view returns (address) {
        return address(_token);
    }

    function _version(bytes32 planId, uint32 version) private view returns (Plans.Version storage) {
        Plans.Version[] storage versions = _plans.versions[_plans.index[planId]];
        if (version == 0 || version > versions.length) revert PlanVersionUnknown(planId, version);
        return versions[version - 1];
    }
}
