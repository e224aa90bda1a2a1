// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ClaimCodec} from "../libraries/ClaimCodec.sol";
import {LineBook} from "../libraries/LineBook.sol";
import {Roles} from "../libraries/Roles.sol";
import {SettlementLedger} from "../libraries/SettlementLedger.sol";
import {Adjudication} from "./Adjudication.sol";

/// @title Appeals
/// @notice Appeals of denied lines (R-13): the biller appeals a DENIED line once with the hash
/// of the off-chain appeal letter and records; a reviewer upholds the denial or overturns it,
/// which re-adjudicates the line without the check that denied it.
abstract contract Appeals is Adjudication {
    using LineBook for LineBook.Book;
    using SettlementLedger for SettlementLedger.Ledger;

    /// @notice See {IClaimIntake-appeal}.
    function appeal(bytes calldata claim_, uint8 number, bytes32 documentHash)
        external
        onlyRole(Roles.BILLER)
        whenNotPaused
    {
        bytes32 claimId = ClaimCodec.claimId(claim_);
        if (documentHash == bytes32(0)) revert AppealNeedsDocument(claimId, number);
        uint256 record = _requireRecorded(claim_);
        AppealRecord storage a = _appeals[ClaimCodec.lineKey(claimId, number)];
        if (a.state != AppealState.None) revert AlreadyAppealed(claimId, number);
        (uint256 outcome,,) = _deniedLine(claim_, claimId, record, number);
        if (outcome == 0) revert LineNotDenied(claimId, number);
        a.state = AppealState.Open;
        a.carc = LineBook.carc(outcome);
        a.documentHash = documentHash;
        emit LineAppealed(claimId, number, msg.sender, documentHash);
    }

    /// @notice See {IClaimReview-decideAppeal}.
    function decideAppeal(bytes calldata claim_, uint8 number, bool overturn)
        external
        onlyRole(Roles.REVIEWER)
        whenNotPaused
    {
        bytes32 claimId = ClaimCodec.claimId(claim_);
        uint256 record = _requireRecorded(claim_); // the checks need the claim's content (R-17)
        AppealRecord storage a = _appeals[ClaimCodec.lineKey(claimId, number)];
        (uint256 outcome, bool keyed, Line memory l) = _deniedLine(claim_, claimId, record, number);
        if (a.state != AppealState.Open || outcome == 0) revert AppealNotOpen(claimId, number);
        a.state = overturn ? AppealState.Overturned : AppealState.Upheld;
        emit AppealDecided(claimId, number, msg.sender, overturn);
        if (!overturn) return;
        // slither-disable-next-line uninitialized-local: a memory struct starts zeroed, which is what is meant; the calls below fill it
        ClaimContext memory ctx;
        _context(claim_, ctx);
        (bytes8 carc, Terms memory t, uint256 authRef) =
            _check(ctx, claim_, l, _liveOwn(claim_, claimId, _claimLines(record), l.key), a.carc);
        if (carc != bytes8(0)) {
            outcome = LineBook.denied(t.version, t.plan, carc);
            _lineBook.update(l.key, l.lineKey, keyed, outcome, 0);
        } else {
            uint64 paid;
            (outcome, paid) = _approve(ctx, l, t, authRef); // never pended: a reviewer has decided
            _lineBook.update(l.key, l.lineKey, keyed, outcome, 1);
            if (paid > 0) _ledger.accrue(ctx.npi, paid);
        }
        _emitLine(claimId, l, outcome);
    }

    /// @dev line `number` of the recorded claim `c` with its outcome, if the line is DENIED and
    /// its claim not reversed; a zero outcome otherwise
    function _deniedLine(bytes calldata c, bytes32 claimId, uint256 record, uint8 number)
        private
        view
        returns (uint256 outcome, bool keyed, Line memory l)
    {
        if (_claimState(record) != ClaimState.Active || number == 0 || number > _claimLines(record)) {
            return (0, false, l);
        }
        l = _lineNumber(c, number, claimId);
        (outcome, keyed) = _lineBook.find(l.key, l.lineKey);
        if (LineBook.status(outcome) != LineStatus.Denied) outcome = 0;
    }

    /// @dev how many of the claim's lines that count for A-4.8 (approved or pended) have `key`:
    /// its own lines never make a line a duplicate
    function _liveOwn(bytes calldata c, bytes32 claimId, uint256 lines, bytes32 key) private view returns (uint256 n) {
        for (uint256 i; i < lines; ++i) {
            Line memory other = _lineNumber(c, i + 1, claimId);
            if (other.key != key) continue;
            // slither-disable-next-line unused-return: only the named parts of the tuple are needed here
            (uint256 outcome,) = _lineBook.find(other.key, other.lineKey);
            LineStatus status = LineBook.status(outcome);
            if (status == LineStatus.Approved || status == LineStatus.Pended) ++n;
        }
    }
}
