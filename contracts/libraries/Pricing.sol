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

    /// @notice `floor((amount * bps + 5000) / 10000)`: half-up to the cent (A-1.2).
    function share(uint256 amount, uint256 bps) internal pure returns (uint256) {
        return (amount * bps + BPS / 2) / BPS;
    }

    /// @notice A-6.1 to A-6.4: the line's allowed amount and the member's deductible, copay and
    /// coinsurance; paid = allowed - (deductible + copay + coinsurance) (A-6.5).
    function price(Inputs memory input)
        internal
        pure
        returns (uint64 allowed, uint64 deductible, uint64 copay, uint64 coinsurance)
    {
        // amounts are below 2^40 cents and units below 2^16 (R-4, R-26), so nothing here overflows
        unchecked {
            uint256 scheduled = uint256(input.feeAllowed) * input.units;
            allowed = scheduled < input.billed ? uint64(scheduled) : input.billed;
            uint64 oopLeft = input.oopLeft;
            if (input.copayApplies) {
                copay = input.copay < allowed ? input.copay : allowed;
                if (copay > oopLeft) copay = oopLeft;
                return (allowed, 0, copay, 0);
            }
            deductible = allowed < input.deductibleLeft ? allowed : input.deductibleLeft;
            if (deductible > oopLeft) deductible = oopLeft;
            uint256 share_ = share(allowed - deductible, input.coinsuranceBps);
            uint256 room = oopLeft - deductible;
            coinsurance = uint64(share_ < room ? share_ : room);
        }
    }

    /// @notice `max(0, limit - met)`.
    function remaining(uint64 limit, uint64 met) internal pure returns (uint64) {
        unchecked {
            return met >= limit ? 0 : limit - met;
        }
    }

    /// @notice `min(max(0, limitA - metA), max(0, limitB - metB))`: what is left of two limits,
    /// the individual's and the family's (A-6.2, A-6.4).
    function leastRemaining(uint256 limitA, uint256 metA, uint256 limitB, uint256 metB) internal pure returns (uint64) {
        unchecked {
            uint256 a = metA >= limitA ? 0 : limitA - metA;
            uint256 b = metB >= limitB ? 0 : limitB - metB;
            return uint64(a < b ? a : b); // each is below a plan maximum, below 2^40
        }
    }
}
