// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Plans} from "./Plans.sol";

/// @title PlanCache
/// @notice What one transaction has read of the plans, kept in memory for its next claims.
/// Plans cannot change while a transaction runs, and the claims of a batch mostly share a plan
/// version and many codes, so a batch reads each plan version, fee entry, copay and R-16 flag
/// of a run of like claims once: each hit saves a storage read and the hashing of its key.
/// One entry of each kind (the last one read).
library PlanCache {
    struct Cache {
        uint256 plan; // plan index + 1 of the cached version, 0 when none
        uint256 validFrom; // the days on which that version is in effect: [validFrom, validUntil)
        uint256 validUntil;
        uint32 version;
        uint256 terms;
        bytes32 feeKey;
        uint256 fee;
        bytes32 copayKey;
        uint256 copay;
        bytes8 code; // the code whose R-16 flags are cached, with them in `counted` + 1
        uint256 counted;
    }

    /// @notice {Plans.at}, from the cache when `day` is in the cached version's days.
    function versionAt(Cache memory cache, Plans.Book storage book, uint32 plan, uint32 day)
        internal
        view
        returns (uint32 version, uint256 terms)
    {
        if (cache.plan == uint256(plan) + 1 && day >= cache.validFrom && day < cache.validUntil) {
            return (cache.version, cache.terms);
        }
        uint256 validFrom;
        uint256 validUntil;
        (version, terms, validFrom, validUntil) = Plans.atWithin(book, plan, day);
        if (version != 0) {
            (cache.plan, cache.validFrom, cache.validUntil) = (uint256(plan) + 1, validFrom, validUntil);
            (cache.version, cache.terms) = (version, terms);
        }
    }

    /// @notice The fee entry word under `key` (see {Plans.feeKey}).
    function feeEntry(Cache memory cache, Plans.Book storage book, bytes32 key) internal view returns (uint256 word) {
        if (cache.feeKey == key && key != bytes32(0)) return cache.fee;
        word = book.fees[key];
        (cache.feeKey, cache.fee) = (key, word);
    }

    /// @notice The copay of the fee's category in a version (A-6.3): whether it applies, and
    /// the amount.
    function copayFor(Cache memory cache, Plans.Book storage book, uint32 plan, uint32 version, uint256 feeWord)
        internal
        view
        returns (bool applies, uint64 amount)
    {
        bytes32 key = Plans.copayKey(plan, version, Plans.category(feeWord));
        uint256 word;
        if (cache.copayKey == key) {
            word = cache.copay;
        } else {
            word = book.copays[key];
            (cache.copayKey, cache.copay) = (key, word);
        }
        return Plans.copayOf(word);
    }

    /// @notice The R-16 flags of `code`: bit 0 units per day, bit 1 lines per year counted.
    function limitFlags(Cache memory cache, Plans.Book storage book, bytes8 code) internal view returns (uint256 flags) {
        if (cache.code == code && cache.counted != 0) return cache.counted - 1;
        flags = book.counted[code];
        (cache.code, cache.counted) = (code, flags + 1);
    }
}
