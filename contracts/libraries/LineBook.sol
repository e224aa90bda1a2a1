// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IClaimTypes} from "../../interfaces/IClaimTypes.sol";
import {IEngineErrors} from "../../interfaces/IEngineErrors.sol";
import {ClaimCodec} from "./ClaimCodec.sol";

/// @title LineBook
/// @notice Where each adjudicated line's outcome is kept, and the A-4.8 duplicate index, in
/// one slot per line in the common case (R-26).
///
/// Every line has a content key (member, provider, date of service, code, units, billed: the
/// duplicate key of A-4.8). The slot of a key holds the number of live (approved or pended)
/// lines with that key, and the outcome of one line with that key, its occupant. A new line
/// becomes the occupant unless a live line occupies the slot (a line of a claim that is not
/// reversed); then its outcome goes to a slot of its own, keyed by claim id and line number.
/// So a line's outcome is in its own slot when that slot is not empty, else in its key's slot:
/// while its claim is not reversed nobody else can take that slot over. Whoever reads a line
/// supplies the claim's content (R-17), from which the key is computed.
///
/// An outcome word, bits from the least significant: 0-15 the key's live count (key slots
/// only), 16-19 status, 20-23 previous status (REVERSED lines), 24-47 plan version, 48-78
/// plan index, 79 whether an approved line earned its member a reward (A-12.2, R-42), 80-93 the
/// authorization an approved line used (its place in the member's and code's grant order + 1;
/// 0: none), 94 and 95 whether the line was counted for A-4.11 and A-4.12 (R-16), 96-255 the
/// amounts (allowed, deductible, copay, coinsurance, 40 bits each: what the accumulators took,
/// A-6.6 and A-11.2) or, for a denied line, its CARC in bits 96-159.
library LineBook {
    struct Book {
        mapping(bytes32 key => uint256) keyed;
        mapping(bytes32 lineKey => uint256) lines;
    }

    uint256 private constant _COUNT_MASK = 0xffff;
    uint256 private constant _REWARDED = 1 << 79;
    uint256 private constant _PLAN_MASK = 0x7fffffff; // 31 bits: plans are numbered from 1, far below
    uint256 private constant _AMOUNT_MASK = 0xffffffffff; // 40 bits: amounts are at most 10^12 cents (R-4)

    // ------------------------------------------------------------------------------ outcome words

    function approved(uint32 planVersion, uint32 planIndex, uint64 allowed, uint64 deductible, uint64 copay, uint64 coinsurance)
        internal
        pure
        returns (uint256)
    {
        return _head(IClaimTypes.LineStatus.Approved, planVersion, planIndex) | uint256(allowed) << 96
            | uint256(deductible) << 136 | uint256(copay) << 176 | uint256(coinsurance) << 216;
    }

    function denied(uint32 planVersion, uint32 planIndex, bytes8 reason) internal pure returns (uint256) {
        return _head(IClaimTypes.LineStatus.Denied, planVersion, planIndex) | uint256(uint64(reason)) << 96;
    }

    /// @notice An outcome that also keeps the authorization `ref` (see {Authorizations-find};
    /// below 2^14: a member's grants for one code) and which counters (R-16 flags: bit 0 units
    /// per day, bit 1 lines per year) the line was added to.
    function withApplied(uint256 outcome, uint256 ref, uint256 countedFlags) internal pure returns (uint256) {
        return outcome | (ref & 0x3fff) << 80 | (countedFlags & 3) << 94;
    }

    /// @notice The authorization ref an approved line used; 0 when none.
    function authorization(uint256 outcome) internal pure returns (uint256) {
        return outcome >> 80 & 0x3fff;
    }

    /// @notice The counters an approved line was added to (R-16 flags).
    function counted(uint256 outcome) internal pure returns (uint256) {
        return outcome >> 94 & 3;
    }

    /// @notice The outcome of an approved line that earned its member a reward (A-12.2).
    function withReward(uint256 outcome) internal pure returns (uint256) {
        return outcome | _REWARDED;
    }

    /// @notice Whether an approved line earned its member a reward, to take back with it (A-12.2).
    function rewarded(uint256 outcome) internal pure returns (bool) {
        return outcome & _REWARDED != 0;
    }

    function pended(uint32 planVersion, uint32 planIndex) internal pure returns (uint256) {
        return _head(IClaimTypes.LineStatus.Pended, planVersion, planIndex);
    }

    /// @notice The outcome of a line taken back (A-7.1): REVERSED, remembering what it was.
    function reversed(uint256 outcome) internal pure returns (uint256) {
        return outcome & ~uint256(0xff << 16) | uint256(IClaimTypes.LineStatus.Reversed) << 16
            | (outcome >> 16 & 0xf) << 20;
    }

    function status(uint256 outcome) internal pure returns (IClaimTypes.LineStatus) {
        return IClaimTypes.LineStatus(outcome >> 16 & 0xf);
    }

    function previousStatus(uint256 outcome) internal pure returns (IClaimTypes.LineStatus) {
        return IClaimTypes.LineStatus(outcome >> 20 & 0xf);
    }

    function version(uint256 outcome) internal pure returns (uint32) {
        return uint32(outcome >> 24 & 0xffffff);
    }

    function plan(uint256 outcome) internal pure returns (uint32) {
        return uint32(outcome >> 48 & _PLAN_MASK);
    }

    /// @notice Allowed, deductible, copay and coinsurance of an approved line.
    function amounts(uint256 outcome)
        internal
        pure
        returns (uint64 allowed, uint64 deductible, uint64 copay, uint64 coinsurance)
    {
        allowed = uint64(outcome >> 96 & _AMOUNT_MASK);
        deductible = uint64(outcome >> 136 & _AMOUNT_MASK);
        copay = uint64(outcome >> 176 & _AMOUNT_MASK);
        coinsurance = uint64(outcome >> 216 & _AMOUNT_MASK);
    }

    /// @notice The CARC of a denied line.
    function carc(uint256 outcome) internal pure returns (bytes8) {
        return bytes8(uint64(outcome >> 96));
    }

    // ------------------------------------------------------------------------------ storage

    /// @notice How many live lines have `key`: approved or pended, of claims not reversed.
    function liveCount(Book storage book, bytes32 key) internal view returns (uint256) {
        return book.keyed[key] & _COUNT_MASK;
    }

    /// @notice Keeps a new line's outcome: in its key's slot when no live line occupies it,
    /// else in its own slot (line `number` of `claimId`). `live`: the line counts for A-4.8
    /// (approved or pended).
    function place(Book storage book, bytes32 key, bytes32 claimId, uint256 number, uint256 outcome, bool live)
        internal
    {
        uint256 slot = book.keyed[key];
        uint256 count = slot & _COUNT_MASK;
        if (live) count = _increment(key, count);
        uint256 occupant = slot >> 16 & 0xf; // its status
        if (occupant == uint256(IClaimTypes.LineStatus.None) || occupant == uint256(IClaimTypes.LineStatus.Reversed)) {
            book.keyed[key] = outcome | count;
            return;
        }
        book.lines[ClaimCodec.lineKey(claimId, number)] = outcome;
        if (live) book.keyed[key] = slot & ~_COUNT_MASK | count;
    }

    /// @notice A recorded line's outcome and whether it is kept in its key's slot. Only for a
    /// line of a claim that is not reversed (see above).
    function find(Book storage book, bytes32 key, bytes32 lineKey) internal view returns (uint256 outcome, bool keyed) {
        outcome = book.lines[lineKey];
        if (outcome != 0) return (outcome, false);
        return (book.keyed[key] & ~_COUNT_MASK, true);
    }

    /// @notice Rewrites a recorded line's outcome where it is kept; `liveDelta` moves the key's
    /// live count (+1 a line that starts to count, -1 one that stops).
    function update(Book storage book, bytes32 key, bytes32 lineKey, bool keyed, uint256 outcome, int256 liveDelta)
        internal
    {
        if (!keyed) {
            book.lines[lineKey] = outcome;
            if (liveDelta == 0) return;
        }
        uint256 slot = book.keyed[key];
        uint256 count = slot & _COUNT_MASK;
        if (liveDelta > 0) count = _increment(key, count);
        else if (liveDelta < 0) count -= 1;
        book.keyed[key] = (keyed ? outcome : slot & ~_COUNT_MASK) | count;
    }

    function _head(IClaimTypes.LineStatus status_, uint32 version_, uint32 plan_) private pure returns (uint256) {
        return uint256(status_) << 16 | uint256(version_ & 0xffffff) << 24 | uint256(plan_) << 48;
    }

    function _increment(bytes32 key, uint256 count) private pure returns (uint256) {
        if (count == _COUNT_MASK) revert IEngineErrors.DuplicateCountOverflow(key);
        return count + 1;
    }
}
