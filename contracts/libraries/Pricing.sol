// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Pricing
/// @notice Pure A-6 arithmetic for one approved line. Amounts are cents, rates basis points.
library Pricing {
    uint256 internal constant BPS = 10_000;

    /// @notice What pricing needs to know about the line and the member's accumulators.
    struct Inputs {
        uint64 billed;
        uint64 feeAllowed; // fee schedule allowed amount per unit
        uint16 units;
        bool copayApplies; // in network and the code's category has a copay (A-6.3)
        uint64 copay;
        uint16 coinsuranceBps; // in- or out-of-network rate
        uint64 deductibleLeft; // min(individual, family) deductible still to meet
        uint64 oopLeft; // min(individual, family) out-of-pocket room (A-6.2)
    }

    /// @notice The priced line; paid = allowed - patient share.
    struct Outcome {
        uint64 allowed;
        uint64 deductible;
        uint64 copay;
        uint64 coinsurance;
    }

    /// @notice `floor((amount * bps + 5000) / 10000)`: half-up to the cent (A-1.2).
    function share(uint256 amount, uint256 bps) internal pure returns (uint256) {
        return (amount * bps + BPS / 2) / BPS;
    }

    /// @notice A-6.1 to A-6.4.
    function price(Inputs memory input) internal pure returns (Outcome memory out) {
        // amounts are below 2^40 cents and units below 2^16 (R-4), so nothing here overflows
        unchecked {
            uint256 scheduled = uint256(input.feeAllowed) * input.units;
            uint64 allowed = scheduled < input.billed ? uint64(scheduled) : input.billed;
            out.allowed = allowed;
            uint64 oopLeft = input.oopLeft;
            if (input.copayApplies) {
                uint64 copay = input.copay < allowed ? input.copay : allowed;
                out.copay = copay < oopLeft ? copay : oopLeft;
                return out;
            }
            uint64 deductible = allowed < input.deductibleLeft ? allowed : input.deductibleLeft;
            if (deductible > oopLeft) deductible = oopLeft;
            out.deductible = deductible;
            uint256 coinsurance = share(allowed - deductible, input.coinsuranceBps);
            uint256 room = oopLeft - deductible;
            out.coinsurance = uint64(coinsurance < room ? coinsurance : room);
        }
    }

    /// @notice Member share of a priced line (A-6.5).
    function patientShare(Outcome memory out) internal pure returns (uint64) {
        return out.deductible + out.copay + out.coinsurance;
    }

    /// @notice `max(0, limit - met)`.
    function remaining(uint64 limit, uint64 met) internal pure returns (uint64) {
        unchecked {
            return met >= limit ? 0 : limit - met;
        }
    }

    /// @notice `min(max(0, limitA - metA), max(0, limitB - metB))`: what is left of two limits,
    /// the individual's and the family's (A-6.2, A-6.4).
    function leastRemaining(uint64 limitA, uint64 metA, uint64 limitB, uint64 metB) internal pure returns (uint64) {
        uint64 a = remaining(limitA, metA);
        uint64 b = remaining(limitB, metB);
        return a < b ? a : b;
    }
}
