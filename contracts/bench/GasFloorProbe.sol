// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Pricing} from "../libraries/Pricing.sol";

/// @title GasFloorProbe
/// @notice Not part of claimledger and never deployed by it: an instrument for
/// `claimledger bench` and `benchmarks/gas_floor.py`. For each one-line claim of a batch it does only the state work
/// that the rules require of an approved line, the cheapest way we know, and nothing else: no
/// roles, no calls between contracts, no reason codes beyond the two look-ups, no review queue,
/// no correction or appeal data, calldata packed into 106 bytes a claim. Its gas per claim is a
/// measured floor under `ClaimsEngine.submitClaims` for the same claims.
///
/// Deployed with `duplicateBuckets` > 0 it keeps the A-4.8 index not as a slot per key but as a
/// table of that many buckets, four 64-bit fingerprints of keys to a slot (linear probing to
/// the next bucket when one is full, no deletion, which reversals would need, and no growth): the one lever
/// below the floor of a slot per fact, measured with the table empty and at a steady load.
contract GasFloorProbe {
    /// @dev eligibility in one slot: coverage, plan and family as small numbers
    struct Member {
        uint32 coverageStart;
        uint32 coverageEnd;
        uint32 plan;
        uint32 family;
    }

    /// @dev a fee-schedule entry with its category's copay, one slot
    struct Fee {
        uint64 allowed;
        uint64 copay;
        bool copayApplies;
    }

    /// @dev a priced line
    struct Priced {
        uint64 allowed;
        uint64 deductible;
        uint64 copay;
        uint64 coinsurance;
    }

    /// @dev A-6.6 accumulators of one member or family for one plan year, one slot
    struct Accumulator {
        uint64 deductibleMet;
        uint64 oopMet;
    }

    uint256 private constant _CLAIM_BYTES = 106;
    uint64 private constant _DEDUCTIBLE_INDIVIDUAL = 50_000;
    uint64 private constant _DEDUCTIBLE_FAMILY = 100_000;
    uint64 private constant _OOP_INDIVIDUAL = 900_000;
    uint64 private constant _OOP_FAMILY = 1_800_000;
    uint16 private constant _COINSURANCE_BPS = 2_000;
    uint256 private constant _FINGERPRINTS_PER_BUCKET = 4;
    uint256 private constant _FINGERPRINT_MASK = type(uint64).max;

    uint256 private immutable _duplicateBuckets; // 0: one slot per duplicate key

    mapping(bytes32 claimId => uint256) private _claims; // A-3: state and content tag
    mapping(bytes32 lineKey => uint256) private _duplicates; // A-4.8, one slot per key
    mapping(uint256 bucket => uint256 fingerprints) private _duplicateTable; // A-4.8, packed
    mapping(bytes32 memberId => Member) private _members;
    mapping(bytes32 memberId => mapping(uint16 year => Accumulator)) private _individual;
    mapping(uint32 family => mapping(uint16 year => Accumulator)) private _family;
    mapping(uint32 plan => mapping(bytes8 code => Fee)) private _fees;
    mapping(uint64 npi => uint256) private _owed; // A-8

    /// @notice One line's A-9 outcome: allowed, deductible, copay and coinsurance in cents, and
    /// the status, line number and plan version packed into the second word.
    event LineAdjudicated(bytes32 indexed claimId, uint256 amounts, uint256 statusLineVersion);

    error Rejected(bytes32 claimId);
    error DuplicateTableFull();

    constructor(uint256 duplicateBuckets) {
        _duplicateBuckets = duplicateBuckets;
    }

    /// @notice Fills buckets [from, to) of the packed duplicate table with `perBucket` made-up
    /// fingerprints each: the load of a table that has been in use.
    function prefill(uint256 from, uint256 to, uint256 perBucket) external {
        for (uint256 b = from; b < to; ++b) {
            uint256 word;
            for (uint256 i; i < perBucket; ++i) {
                word |= (uint256(keccak256(abi.encode(b, i))) & _FINGERPRINT_MASK | 1) << (64 * i);
            }
            _duplicateTable[b] = word;
        }
    }

    function enroll(bytes32[] calldata memberIds, uint32[] calldata families, uint32 start, uint32 end) external {
        for (uint256 i; i < memberIds.length; ++i) _members[memberIds[i]] = Member(start, end, 1, families[i]);
    }

    function setFee(bytes8 code, uint64 allowed, uint64 copay, bool copayApplies) external {
        _fees[1][code] = Fee(allowed, copay, copayApplies);
    }

    /// @notice Claims packed back to back: claimId 32, memberId 32, npi 8, service day 4,
    /// received day 4, procedure code 8, units 2, billed 8, diagnosis 8.
    function submit(bytes calldata packed) external {
        for (uint256 at; at < packed.length; at += _CLAIM_BYTES) _adjudicate(packed[at:at + _CLAIM_BYTES]);
    }

    function _adjudicate(bytes calldata c) private {
        bytes32 claimId = bytes32(c[0:32]);
        bytes32 memberId = bytes32(c[32:64]);
        uint64 npi = uint64(bytes8(c[64:72]));
        uint32 day = uint32(bytes4(c[72:76]));
        // A-3: a claim id is taken once; the slot keeps the state and a content tag
        if (_claims[claimId] != 0) revert Rejected(claimId);
        _claims[claimId] = uint256(keccak256(c)) | 1;
        // A-4.1/2: eligibility on the day of service
        Member memory m = _members[memberId];
        if (day < m.coverageStart || day > m.coverageEnd) revert Rejected(claimId);
        // A-4.8: the same line billed before (member, provider, day, code, units, billed)
        bytes32 lineKey = keccak256(abi.encode(memberId, npi, day, bytes8(c[80:88]), bytes2(c[88:90]), bytes8(c[90:98])));
        if (!_takeDuplicateKey(lineKey)) revert Rejected(claimId);
        // A-6: priced by the engine's own library against the year's accumulators
        uint16 year = uint16(1970 + day / 365);
        Priced memory out = _price(
            _individual[memberId][year], _family[m.family][year], _fees[m.plan][bytes8(c[80:88])], c
        );
        uint64 patient = out.deductible + out.copay + out.coinsurance;
        _owed[npi] += out.allowed - patient; // A-8
        emit LineAdjudicated(
            claimId,
            uint256(out.allowed) << 192 | uint256(out.deductible) << 128 | uint256(out.copay) << 64 | out.coinsurance,
            1 << 16 | 1 << 8 | 1
        );
    }

    /// @dev A-6.1-6.5 for the line, then A-6.6: the member share added to both accumulators
    function _price(Accumulator storage ind, Accumulator storage fam, Fee memory fee, bytes calldata c)
        private
        returns (Priced memory out)
    {
        Pricing.Inputs memory input;
        input.billed = uint64(bytes8(c[90:98]));
        input.feeAllowed = fee.allowed;
        input.units = uint16(bytes2(c[88:90]));
        input.copayApplies = fee.copayApplies;
        input.copay = fee.copay;
        input.coinsuranceBps = _COINSURANCE_BPS;
        input.deductibleLeft =
            Pricing.leastRemaining(_DEDUCTIBLE_INDIVIDUAL, ind.deductibleMet, _DEDUCTIBLE_FAMILY, fam.deductibleMet);
        input.oopLeft = Pricing.leastRemaining(_OOP_INDIVIDUAL, ind.oopMet, _OOP_FAMILY, fam.oopMet);
        (out.allowed, out.deductible, out.copay, out.coinsurance) = Pricing.price(input);
        uint64 patient = out.deductible + out.copay + out.coinsurance;
        ind.deductibleMet += out.deductible;
        ind.oopMet += patient;
        fam.deductibleMet += out.deductible;
        fam.oopMet += patient;
    }

    /// @dev records a line's A-4.8 key; false if it was recorded before
    function _takeDuplicateKey(bytes32 key) private returns (bool) {
        if (_duplicateBuckets == 0) {
            if (_duplicates[key] != 0) return false;
            _duplicates[key] = 1;
            return true;
        }
        uint256 fingerprint = uint256(key) >> 192 | 1; // the key's top bits; the bucket is from its low bits
        uint256 bucket = uint256(key) % _duplicateBuckets;
        for (uint256 probed; probed < _duplicateBuckets; ++probed) {
            uint256 word = _duplicateTable[bucket];
            for (uint256 i; i < _FINGERPRINTS_PER_BUCKET; ++i) {
                uint256 entry = word >> (64 * i) & _FINGERPRINT_MASK;
                if (entry == fingerprint) return false;
                if (entry == 0) {
                    _duplicateTable[bucket] = word | fingerprint << (64 * i);
                    return true;
                }
            }
            bucket = (bucket + 1) % _duplicateBuckets;
        }
        revert DuplicateTableFull();
    }
}
