// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IClaimsEngine} from "../interfaces/IClaimsEngine.sol";
import {AccessBase} from "./AccessBase.sol";
import {LineAdjudicator} from "./LineAdjudicator.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title ClaimAppeals
/// @notice Appeals of denied lines (R-13): the biller appeals a DENIED line once with the hash of
/// the off-chain appeal letter and records; a reviewer upholds the denial or overturns it, which
/// re-adjudicates the line without the check that denied it. {ClaimsEngine} inherits it.
abstract contract ClaimAppeals is AccessBase, Pausable, LineAdjudicator {
    mapping(bytes32 lineKey => AppealRecord) private _appeals;

    /// @inheritdoc IClaimsEngine
    function appeal(bytes32 claimId, uint8 number, bytes32 documentHash)
        external
        onlyRole(Roles.BILLER)
        whenNotPaused
    {
        if (documentHash == bytes32(0)) revert AppealNeedsDocument(claimId, number);
        AppealRecord storage record = _appeals[_lineKey(claimId, number)];
        if (record.state != AppealState.None) revert AlreadyAppealed(claimId, number);
        StoredLine storage rec = _lines[claimId][number];
        // a reversed claim's lines are REVERSED, so a DENIED line belongs to an active claim
        if (rec.status != LineStatus.Denied) revert LineNotDenied(claimId, number);
        record.state = AppealState.Open;
        record.carc = rec.carc;
        record.documentHash = documentHash;
        emit LineAppealed(claimId, number, msg.sender, documentHash);
    }

    /// @inheritdoc IClaimsEngine
    function decideAppeal(ClaimInput calldata claim_, uint8 number, bool overturn)
        external
        onlyRole(Roles.REVIEWER)
        whenNotPaused
    {
        bytes32 claimId = claim_.claimId;
        AppealRecord storage record = _appeals[_lineKey(claimId, number)];
        if (record.state != AppealState.Open || _lines[claimId][number].status != LineStatus.Denied) {
            revert AppealNotOpen(claimId, number); // never appealed, decided, or its claim reversed since
        }
        _requireRecorded(claim_); // the checks need the claim's content, which only its tag keeps
        record.state = overturn ? AppealState.Overturned : AppealState.Upheld;
        emit AppealDecided(claimId, number, msg.sender, overturn);
        if (!overturn) return;
        uint64 paid = _readjudicate(_context(claim_), claim_, number, record.carc);
        if (paid > 0) escrow.accrue(claim_.providerNpi, claimId, uint256(paid) * _TOKEN_UNITS_PER_CENT);
    }

    /// @inheritdoc IClaimsEngine
    function appealOf(bytes32 claimId, uint8 number) external view returns (AppealRecord memory) {
        return _appeals[_lineKey(claimId, number)];
    }

    /// @dev re-runs the A-4 checks of line `number` of the recorded claim `c` without the one
    /// that gives `skip`, against the state of this moment; approves and prices the line (A-6)
    /// when none fails, never pending it (a reviewer has decided), else denies it again with the
    /// CARC found. Returns the paid amount in cents.
    function _readjudicate(ClaimContext memory ctx, ClaimInput calldata c, uint8 number, bytes8 skip)
        private
        returns (uint64)
    {
        bytes32 duplicateKey = _duplicateKey(ctx.memberId, ctx.npi, c.lines[number - 1]);
        (bytes8 carc, Terms memory terms, bytes32 authId) =
            _check(ctx, c.diagnoses, c.lines[number - 1], duplicateKey, _countedKeys(ctx, c.lines), skip);
        StoredLine storage rec = _lines[ctx.claimId][number];
        rec.planVersion = SafeCast.toUint24(terms.version);
        if (carc != bytes8(0)) {
            _deny(ctx.claimId, number, rec, c.lines[number - 1].billed, carc);
            return 0;
        }
        ++_duplicates[duplicateKey];
        return _approve(ctx, number, rec, c.lines[number - 1], terms, authId);
    }

    /// @dev the duplicate keys of the claim's lines that count for A-4.8 (approved or pended),
    /// zero for the others, so that its own lines never make the line a duplicate
    function _countedKeys(ClaimContext memory ctx, LineInput[] calldata lines)
        private
        view
        returns (bytes32[] memory keys)
    {
        keys = new bytes32[](lines.length);
        for (uint256 i; i < lines.length; ++i) {
            LineStatus status = _lines[ctx.claimId][uint8(i + 1)].status;
            if (status == LineStatus.Approved || status == LineStatus.Pended) {
                keys[i] = _duplicateKey(ctx.memberId, ctx.npi, lines[i]);
            }
        }
    }
}
