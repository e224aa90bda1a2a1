// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IClaimTypes} from "../../interfaces/IClaimTypes.sol";
import {ClaimCodec} from "./ClaimCodec.sol";

/// @title Plans
/// @notice Benefit plans as data (A-2.1): effective-dated versions (R-3, R-15), each with its
/// terms, copays and fee schedule, packed so that a line reads a handful of warm slots.
///
/// Terms word, bits from the least significant: 0-39 individual deductible, 40-79 family
/// deductible, 80-119 individual out-of-pocket maximum, 120-159 family maximum, 160-175
/// coinsurance bps, 176-191 out-of-network bps, 192-207 timely filing days, 208-247 pend-above
/// amount, 248 out-of-network covered, 249 has a pend threshold, 250 coordination of benefits by
/// non-duplication (A-11.3; standard when clear).
/// Fee word: 0 listed, 1 prior authorization, 2 review, 8-15 number of dx prefixes, 16-31 max
/// units per day, 32-47 annual limit, 48-87 allowed per unit, 88-127 the member incentive the
/// code earns (A-12.1, cents; 0: none), 128-255 category.
/// Copay word: 0 applies, 8-47 amount. Counted word (R-16): 0 units per day, 1 lines per year.
library Plans {
    struct Version {
        uint256 terms;
        uint32 effectiveFrom;
        bool isSealed;
        bytes32 contentHash;
    }

    struct Book {
        mapping(bytes32 planId => uint32) index;
        mapping(uint32 plan => bytes32) ids;
        uint32 count;
        mapping(uint32 plan => Version[]) versions;
        mapping(bytes32 feeKey => uint256) fees;
        mapping(bytes32 feeKey => bytes8[]) dxPrefixes;
        mapping(bytes32 copayKey => uint256) copays;
        mapping(bytes8 code => uint256) counted;
    }

    uint256 internal constant MAX_AMOUNT = 2 ** 40 - 1;
    uint256 private constant _MASK16 = 0xffff;
    uint256 private constant _MASK40 = 0xffffffffff;

    // ------------------------------------------------------------------------------ terms

    function pack(IClaimTypes.PlanTerms calldata t) internal pure returns (uint256) {
        return uint256(t.deductibleIndividual) | uint256(t.deductibleFamily) << 40 | uint256(t.oopMaxIndividual) << 80
            | uint256(t.oopMaxFamily) << 120 | uint256(t.coinsuranceBps) << 160
            | uint256(t.outOfNetworkCoinsuranceBps) << 176 | uint256(t.timelyFilingDays) << 192
            | uint256(t.pendAbove) << 208 | (t.outOfNetworkCovered ? uint256(1) << 248 : 0)
            | (t.hasPendThreshold ? uint256(1) << 249 : 0) | (t.nonDuplication ? uint256(1) << 250 : 0);
    }

    function unpack(uint256 w) internal pure returns (IClaimTypes.PlanTerms memory t) {
        t.deductibleIndividual = deductibleIndividual(w);
        t.deductibleFamily = deductibleFamily(w);
        t.oopMaxIndividual = oopMaxIndividual(w);
        t.oopMaxFamily = oopMaxFamily(w);
        t.coinsuranceBps = coinsuranceBps(w);
        t.outOfNetworkCoinsuranceBps = outOfNetworkCoinsuranceBps(w);
        t.timelyFilingDays = timelyFilingDays(w);
        t.pendAbove = uint64(w >> 208 & _MASK40);
        t.outOfNetworkCovered = outOfNetworkCovered(w);
        t.hasPendThreshold = w >> 249 & 1 == 1;
        t.nonDuplication = nonDuplication(w);
    }

    function deductibleIndividual(uint256 w) internal pure returns (uint64) {
        return uint64(w & _MASK40);
    }

    function deductibleFamily(uint256 w) internal pure returns (uint64) {
        return uint64(w >> 40 & _MASK40);
    }

    function oopMaxIndividual(uint256 w) internal pure returns (uint64) {
        return uint64(w >> 80 & _MASK40);
    }

    function oopMaxFamily(uint256 w) internal pure returns (uint64) {
        return uint64(w >> 120 & _MASK40);
    }

    function coinsuranceBps(uint256 w) internal pure returns (uint16) {
        return uint16(w >> 160);
    }

    function outOfNetworkCoinsuranceBps(uint256 w) internal pure returns (uint16) {
        return uint16(w >> 176);
    }

    function timelyFilingDays(uint256 w) internal pure returns (uint16) {
        return uint16(w >> 192);
    }

    function outOfNetworkCovered(uint256 w) internal pure returns (bool) {
        return w >> 248 & 1 == 1;
    }

    /// @notice Whether a line this plan pays second pays by non-duplication (A-11.3).
    function nonDuplication(uint256 w) internal pure returns (bool) {
        return w >> 250 & 1 == 1;
    }

    /// @notice Whether a line billed `billed` cents is pended for review by the plan's
    /// threshold (A-5).
    function pendsAbove(uint256 w, uint64 billed) internal pure returns (bool) {
        return w >> 249 & 1 == 1 && billed > (w >> 208 & _MASK40);
    }

    // ------------------------------------------------------------------------------ versions

    /// @notice The sealed version of plan `plan` in effect on `day` (R-3): its number (0 when
    /// none) and terms. Versions are few and ordered by date: walk back from the newest.
    function at(Book storage book, uint32 plan, uint32 day) internal view returns (uint32 number, uint256 terms) {
        (number, terms,,) = atWithin(book, plan, day);
    }

    /// @notice {at}, and the days on which that version is in effect: from its own date until
    /// the date of the next sealed version, if any ([validFrom, validUntil)).
    function atWithin(Book storage book, uint32 plan, uint32 day)
        internal
        view
        returns (uint32 number, uint256 terms, uint256 validFrom, uint256 validUntil)
    {
        Version[] storage versions = book.versions[plan];
        validUntil = type(uint256).max;
        for (uint256 i = versions.length; i > 0; --i) {
            Version storage v = versions[i - 1];
            if (!v.isSealed) continue;
            if (v.effectiveFrom <= day) return (uint32(i), v.terms, v.effectiveFrom, validUntil);
            validUntil = v.effectiveFrom;
        }
    }

    // ------------------------------------------------------------------------------ fees and copays

    /// @notice The key of a fee entry: plan, version and code side by side (the mapping hashes it).
    function feeKey(uint32 plan, uint32 version, bytes8 code) internal pure returns (bytes32) {
        return bytes32(uint256(plan) << 224 | uint256(version) << 192 | uint256(uint64(code)) << 128);
    }

    /// @notice The key of a category's copay: plan, version and category side by side.
    function copayKey(uint32 plan, uint32 version, bytes16 category_) internal pure returns (bytes32) {
        return bytes32(uint256(plan) << 224 | uint256(version) << 192 | uint256(uint128(category_)) << 64);
    }

    function packFee(IClaimTypes.FeeEntry calldata e) internal pure returns (uint256) {
        return 1 | (e.priorAuth ? 2 : 0) | (e.review ? 4 : 0) | e.dxPrefixes.length << 8
            | uint256(e.maxUnitsPerDay) << 16 | uint256(e.annualLimit) << 32 | uint256(e.allowed) << 48
            | uint256(uint128(e.category)) << 128;
    }

    function listed(uint256 fee) internal pure returns (bool) {
        return fee & 1 == 1;
    }

    function priorAuth(uint256 fee) internal pure returns (bool) {
        return fee & 2 != 0;
    }

    function review(uint256 fee) internal pure returns (bool) {
        return fee & 4 != 0;
    }

    function dxPrefixCount(uint256 fee) internal pure returns (uint256) {
        return fee >> 8 & 0xff;
    }

    function maxUnitsPerDay(uint256 fee) internal pure returns (uint16) {
        return uint16(fee >> 16);
    }

    function annualLimit(uint256 fee) internal pure returns (uint16) {
        return uint16(fee >> 32);
    }

    function allowed(uint256 fee) internal pure returns (uint64) {
        return uint64(fee >> 48 & _MASK40);
    }

    /// @notice The reward the first approved line of the code earns a member in a plan year
    /// (A-12.1), in cents; 0 when the code earns none.
    function incentive(uint256 fee) internal pure returns (uint64) {
        return uint64(fee >> 88 & _MASK40);
    }

    /// @notice The fee word with its incentive set to `amount` cents (below 2^40).
    function withIncentive(uint256 fee, uint64 amount) internal pure returns (uint256) {
        return fee & ~(_MASK40 << 88) | uint256(amount) << 88;
    }

    function category(uint256 fee) internal pure returns (bytes16) {
        return bytes16(uint128(fee >> 128));
    }

    /// @notice A copay word unpacked: whether the category has a copay (A-6.3), and its amount.
    function copayOf(uint256 word) internal pure returns (bool applies, uint64 amount) {
        return (word & 1 == 1, uint64(word >> 8 & _MASK40));
    }

    /// @notice Whether any diagnosis of the claim starts with one of the fee's prefixes
    /// (A-4.7); true when the fee lists none. `claim` is the packed claim (ClaimCodec).
    function diagnosisMatches(Book storage book, bytes32 key, uint256 fee, bytes calldata claim)
        internal
        view
        returns (bool)
    {
        if (dxPrefixCount(fee) == 0) return true;
        bytes8[] storage prefixes = book.dxPrefixes[key];
        uint256 diagnoses = ClaimCodec.diagnosisCount(claim);
        for (uint256 p; p < prefixes.length; ++p) {
            bytes8 prefix = prefixes[p];
            bytes8 mask = _prefixMask(prefix);
            for (uint256 d; d < diagnoses; ++d) {
                if (ClaimCodec.diagnosis(claim, d) & mask == prefix) return true;
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
}
