// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ClaimCodec
/// @notice Reads claims packed back to back in calldata (layout in {IClaimIntake}), without
/// copying them: a claim is a `bytes calldata` slice and each field one `calldataload`.
/// Every read stays inside a slice whose length {claimLength} checked against the batch.
library ClaimCodec {
    uint256 internal constant HEADER_BYTES = 80;
    uint256 internal constant ORIGINAL_BYTES = 32;
    uint256 internal constant DIAGNOSIS_BYTES = 8;
    uint256 internal constant LINE_BYTES = 19;
    uint256 internal constant OTHER_PAYER_BYTES = 10; // A-11: other payer allowed 5, paid 5
    uint256 internal constant HAS_ORIGINAL = 1; // flags bit 0
    uint256 internal constant HAS_OTHER_PAYER = 2; // flags bit 1: every line carries OTHER_PAYER_BYTES more
    uint64 internal constant NO_AMOUNT = 2 ** 40 - 1; // a line of such a claim without the prior payer's result

    /// @notice The length of the claim at position `at` of `data`, or 0 when `data` is too short
    /// to hold it there (a malformed batch).
    function claimLength(bytes calldata data, uint256 at) internal pure returns (uint256 length) {
        if (at >= data.length || data.length - at < HEADER_BYTES) return 0;
        uint256 word;
        assembly ("memory-safe") {
            word := calldataload(add(add(data.offset, at), 76)) // frequency, flags, dx count, line count
        }
        unchecked {
            // flags bit 1 (HAS_OTHER_PAYER, 2) times 5 is the OTHER_PAYER_BYTES a line carries more
            length = HEADER_BYTES + (uint8(word >> 240) & HAS_ORIGINAL) * ORIGINAL_BYTES
                + uint8(word >> 232) * DIAGNOSIS_BYTES + uint8(word >> 224) * (LINE_BYTES + (word >> 240 & HAS_OTHER_PAYER) * 5);
        }
        if (length > data.length - at) return 0;
    }

    function claimId(bytes calldata c) internal pure returns (bytes32 v) {
        assembly ("memory-safe") {
            v := calldataload(c.offset)
        }
    }

    function memberId(bytes calldata c) internal pure returns (bytes32 v) {
        assembly ("memory-safe") {
            v := calldataload(add(c.offset, 32))
        }
    }

    function providerNpi(bytes calldata c) internal pure returns (uint64 v) {
        assembly ("memory-safe") {
            v := shr(192, calldataload(add(c.offset, 64)))
        }
    }

    function receivedDate(bytes calldata c) internal pure returns (uint32 v) {
        assembly ("memory-safe") {
            v := shr(224, calldataload(add(c.offset, 72)))
        }
    }

    function frequency(bytes calldata c) internal pure returns (uint8 v) {
        assembly ("memory-safe") {
            v := byte(0, calldataload(add(c.offset, 76)))
        }
    }

    function hasOriginal(bytes calldata c) internal pure returns (bool) {
        uint256 flags;
        assembly ("memory-safe") {
            flags := byte(0, calldataload(add(c.offset, 77)))
        }
        return flags & HAS_ORIGINAL != 0;
    }

    /// @notice Whether each line carries the prior payer's result (A-11.1).
    function hasOtherPayer(bytes calldata c) internal pure returns (bool) {
        uint256 flags;
        assembly ("memory-safe") {
            flags := byte(0, calldataload(add(c.offset, 77)))
        }
        return flags & HAS_OTHER_PAYER != 0;
    }

    /// @notice The bytes of one line of `c`: 19, or 29 when its lines carry the prior payer's result.
    function lineBytes(bytes calldata c) internal pure returns (uint256 v) {
        assembly ("memory-safe") {
            v := add(19, mul(and(byte(0, calldataload(add(c.offset, 77))), 2), 5)) // LINE_BYTES + HAS_OTHER_PAYER * 5
        }
    }

    function diagnosisCount(bytes calldata c) internal pure returns (uint256 v) {
        assembly ("memory-safe") {
            v := byte(0, calldataload(add(c.offset, 78)))
        }
    }

    function lineCount(bytes calldata c) internal pure returns (uint256 v) {
        assembly ("memory-safe") {
            v := byte(0, calldataload(add(c.offset, 79)))
        }
    }

    /// @notice The claim a replacement or void names; zero when the claim carries none.
    function originalClaimId(bytes calldata c) internal pure returns (bytes32 v) {
        if (!hasOriginal(c)) return bytes32(0);
        assembly ("memory-safe") {
            v := calldataload(add(c.offset, 80))
        }
    }

    /// @notice Diagnosis `i` (0-based), left-aligned.
    function diagnosis(bytes calldata c, uint256 i) internal pure returns (bytes8 v) {
        uint256 at = (hasOriginal(c) ? HEADER_BYTES + ORIGINAL_BYTES : HEADER_BYTES) + i * DIAGNOSIS_BYTES;
        assembly ("memory-safe") {
            v := and(calldataload(add(c.offset, at)), shl(192, 0xffffffffffffffff))
        }
    }

    /// @notice The position in `c` of its first line; line `i` is `lineBytes(c) * i` further.
    function linesAt(bytes calldata c) internal pure returns (uint256) {
        uint256 word;
        assembly ("memory-safe") {
            word := calldataload(add(c.offset, 76))
        }
        unchecked {
            return HEADER_BYTES + (uint8(word >> 240) & HAS_ORIGINAL) * ORIGINAL_BYTES
                + uint8(word >> 232) * DIAGNOSIS_BYTES;
        }
    }

    /// @notice The position in `c` of line `i` (0-based).
    function lineAt(bytes calldata c, uint256 i) internal pure returns (uint256) {
        unchecked {
            return linesAt(c) + i * lineBytes(c);
        }
    }

    /// @notice Service date, procedure code, units and billed cents of the line at `at`.
    function line(bytes calldata c, uint256 at)
        internal
        pure
        returns (uint32 serviceDate, bytes8 code, uint16 units, uint64 billed)
    {
        uint256 word;
        assembly ("memory-safe") {
            word := calldataload(add(c.offset, at))
        }
        serviceDate = uint32(word >> 224);
        code = bytes8(uint64(word >> 160));
        units = uint16(word >> 144);
        billed = uint64(uint40(word >> 104));
    }

    /// @notice The prior payer's allowed and paid cents of the line at `at` of a claim whose lines
    /// carry them ({hasOtherPayer}); {NO_AMOUNT} both for a line without them.
    function otherPayer(bytes calldata c, uint256 at) internal pure returns (uint64 allowed, uint64 paid) {
        uint256 word;
        assembly ("memory-safe") {
            word := calldataload(add(c.offset, add(at, 19)))
        }
        allowed = uint64(word >> 216);
        paid = uint64(uint40(word >> 176));
    }

    /// @notice What the prior payer paid on the line at `at` of a claim whose lines carry its
    /// result ({hasOtherPayer}), in cents; 0 for a line without one (which is priced alike, A-11).
    function otherPayerPaid(bytes calldata c, uint256 at) internal pure returns (uint64 paid) {
        uint256 word;
        assembly ("memory-safe") {
            word := calldataload(add(c.offset, add(at, 24)))
        }
        paid = uint64(word >> 216);
        if (paid == NO_AMOUNT) paid = 0;
    }

    /// @notice What makes two submissions of one claim id the same claim (A-3): the keccak256
    /// of every byte after the claim id. Uses scratch memory above the free memory pointer.
    function contentHash(bytes calldata c) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let size := sub(c.length, 32)
            calldatacopy(ptr, add(c.offset, 32), size)
            h := keccak256(ptr, size)
        }
    }

    /// @notice The A-4.8 key of the line at `at`: member, provider, date of service, code,
    /// units and billed amount (the line's first 19 bytes: the prior payer's result is no part of it).
    function duplicateKey(bytes calldata c, uint256 at) internal pure returns (bytes32 key) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, calldataload(add(c.offset, 32))) // member
            mstore(add(ptr, 32), calldataload(add(c.offset, 64))) // provider NPI (8 bytes)
            calldatacopy(add(ptr, 40), add(c.offset, at), 19)
            key := keccak256(ptr, 59)
        }
    }

    /// @notice The key of line `number` (1-based) of a claim, for what is kept per line.
    function lineKey(bytes32 claimId_, uint256 lineNumber) internal pure returns (bytes32 key) {
        assembly ("memory-safe") {
            mstore(0, claimId_)
            mstore(32, lineNumber)
            key := keccak256(0, 64)
        }
    }
}
