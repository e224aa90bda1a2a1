// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ClaimCodec} from "../libraries/ClaimCodec.sol";
import {Coordination} from "../libraries/Coordination.sol";
import {LineBook} from "../libraries/LineBook.sol";
import {EngineStorage} from "./EngineStorage.sol";

/// @title ClaimLines
/// @notice A claim's lines as {Adjudication} works on them, and their events: the two packed
/// words a line (layouts in {IEngineEvents}), gathered in memory and logged from where they are.
abstract contract ClaimLines is EngineStorage {
    /// @dev one line's inputs and keys
    struct Line {
        uint256 number; // 1-based
        uint32 serviceDate;
        bytes8 code;
        uint16 units;
        uint64 billed;
        bytes32 key; // content key: where A-4.8 counts it and, usually, where its outcome is kept
        bytes32 lineKey; // claim id and number; zero until needed (see {_line})
        uint64 otherPayerPaid; // what the prior payer paid (A-11); 0 when none, which prices alike
        bool nonDuplication; // the plan's coordination of benefits, set where a line pays second
    }

    /// @dev the line at position `at` of `c`, its number `number`; its line key only
    /// `withLineKey` (a new line needs it only when it cannot occupy its content key's slot,
    /// or is pended, or uses an authorization)
    function _line(bytes calldata c, uint256 at, uint256 number, bytes32 claimId, bool withLineKey)
        internal
        pure
        returns (Line memory l)
    {
        (l.serviceDate, l.code, l.units, l.billed) = ClaimCodec.line(c, at);
        if (ClaimCodec.hasOtherPayer(c)) l.otherPayerPaid = ClaimCodec.otherPayerPaid(c, at);
        l.number = number;
        l.key = ClaimCodec.duplicateKey(c, at);
        if (withLineKey) l.lineKey = ClaimCodec.lineKey(claimId, number);
    }

    /// @dev line `number` (1-based) of `c`, with its line key
    function _lineNumber(bytes calldata c, uint256 number, bytes32 claimId) internal pure returns (Line memory) {
        return _line(c, ClaimCodec.lineAt(c, number - 1), number, claimId, true);
    }

    function _emitLine(bytes32 claimId, Line memory l, uint256 outcome) internal {
        (uint256 lineWord, uint256 amountsWord) = _eventWords(l, outcome, LineBook.status(outcome));
        emit LineAdjudicated(claimId, lineWord, amountsWord);
    }

    /// @dev the two words of a line's event (layouts in {IEngineEvents}), reporting it as `status`
    function _eventWords(Line memory l, uint256 outcome, LineStatus status)
        internal
        pure
        returns (uint256 lineWord, uint256 amountsWord)
    {
        // fields of their widths, shifted into place: nothing overflows
        lineWord = l.number | uint256(status) << 8 | uint256(LineBook.version(outcome)) << 80
            | uint256(l.serviceDate) << 104 | uint256(l.billed) << 136;
        if (status == LineStatus.Denied) {
            lineWord |= uint256(uint64(LineBook.carc(outcome))) << 16;
        } else if (status == LineStatus.Approved) {
            if (l.otherPayerPaid != 0) return _secondWords(l, outcome, lineWord);
            (uint256 allowed, uint256 deductible, uint256 copay, uint256 coinsurance) = LineBook.amounts(outcome);
            // allowed <= billed (A-6.1) and the patient's share is part of what is allowed
            unchecked {
                uint256 patient = deductible + copay + coinsurance;
                lineWord |= (l.billed - allowed) << 176;
                amountsWord = allowed | deductible << 40 | copay << 80 | coinsurance << 120
                    | (allowed - patient) << 160 | patient << 200;
            }
        }
    }

    /// @dev the event words of an approved line this plan paid second (A-11.4): the line word
    /// with CO-45 and OA-23, the amounts word as {Coordination-reported} gives it
    function _secondWords(Line memory l, uint256 outcome, uint256 lineWord) private pure returns (uint256, uint256) {
        (uint256 word, uint256 prior) = _reported(l, outcome);
        unchecked {
            return (lineWord | (l.billed - (word & Coordination.MASK40)) << 176 | prior << 216, word); // allowed <= billed
        }
    }

    /// @dev what an approved line reports (A-6.5; A-11.3 when it pays second), packed as its
    /// event's amounts word, and the prior payer's amount
    function _reported(Line memory l, uint256 outcome) internal pure returns (uint256 word, uint256 prior) {
        (uint64 allowed, uint64 deductible, uint64 copay, uint64 coinsurance) = LineBook.amounts(outcome);
        return Coordination.reported(allowed, deductible, copay, coinsurance, l.otherPayerPaid, l.nonDuplication);
    }

    /// @dev a zeroed array for the event words of `lines` lines (two a line), with two free
    /// words before it, so that a claim's event is logged from where the words are (see
    /// {_logLines}) instead of being copied out by the ABI encoder
    function _newLineWords(uint256 lines) internal pure returns (uint256[] memory words) {
        assembly ("memory-safe") {
            let buffer := mload(0x40)
            let size := mul(add(3, mul(2, lines)), 32)
            calldatacopy(buffer, calldatasize(), size) // zeros
            mstore(0x40, add(buffer, size))
            words := add(buffer, 64)
            mstore(words, mul(2, lines))
        }
    }

    /// @dev the event words of line `index` (0-based) into `words`, which {_newLineWords} sized
    /// for the claim's lines
    function _setWords(uint256[] memory words, uint256 index, uint256 lineWord, uint256 amountsWord) internal pure {
        assembly ("memory-safe") {
            let at := add(add(words, 32), mul(index, 64))
            mstore(at, lineWord)
            mstore(add(at, 32), amountsWord)
        }
    }

    /// @dev `counted[index] = key`; `counted` has a place for every line of the claim
    function _setKey(bytes32[] memory counted, uint256 index, bytes32 key) internal pure {
        assembly ("memory-safe") {
            mstore(add(add(counted, 32), mul(index, 32)), key)
        }
    }

    /// @dev logs an event whose data is `(uint256 head, uint256[] words)` (`withHead`) or
    /// `(uint256[] words)`, with three topics, from the words of {_newLineWords}; virtual for
    /// {ClaimReplay}, which keeps a claim's result from it
    function _logLines(bytes32 topic0, bytes32 topic1, bytes32 topic2, bool withHead, uint256 head, uint256[] memory words)
        internal
        virtual
    {
        assembly ("memory-safe") {
            let end := add(add(words, 32), mul(mload(words), 32))
            let start := sub(words, 32)
            mstore(start, 0x20)
            if withHead {
                start := sub(words, 64)
                mstore(start, head)
                mstore(add(start, 32), 0x40)
            }
            log3(start, sub(end, start), topic0, topic1, topic2)
        }
    }

    /// @dev how many of `keys` are `key`
    function _count(bytes32[] memory keys, bytes32 key) internal pure returns (uint256 n) {
        for (uint256 i; i < keys.length; ++i) {
            if (keys[i] == key) ++n;
        }
    }
}
