// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Coordination
/// @notice Pure A-6.5 and A-11.3 arithmetic: what an approved line reports. The line is priced
/// as if this plan paid first (A-6: `allowed` and the normal deductible, copay and coinsurance,
/// which the accumulators take); when a prior payer paid part of it, this plan pays second.
/// The result is packed as the amounts word of the engine's line events ({IEngineEvents}), from
/// which the paid amount is read too, so that the claim path keeps few values at once. Amounts
/// are cents below 2^40 (R-26).
library Coordination {
    uint256 internal constant PAID_SHIFT = 160; // the paid amount's place in the amounts word
    uint256 internal constant MASK40 = 0xffffffffff;

    /// @notice The amounts word (allowed, PR-1, PR-3, PR-2, paid, patient share, 40 bits each)
    /// and the prior payer's amount (`OA-23`) of an approved line. Without a prior payment
    /// (`otherPayerPaid` 0) the normal amounts, `paid = allowed - patient` (A-6.5). Otherwise:
    /// - `prior = min(otherPayerPaid, allowed)`;
    /// - standard: `paid = min(normalPaid, allowed - prior)`;
    /// - non-duplication: `paid = max(0, normalPaid - prior)`;
    /// - `patient = allowed - prior - paid`, split as PR-1, PR-3, PR-2, each at most its normal
    ///   amount, in that order; it is never more than the normal patient share, so the split
    ///   sums to it.
    function reported(
        uint256 allowed,
        uint256 deductible,
        uint256 copay,
        uint256 coinsurance,
        uint256 otherPayerPaid,
        bool nonDuplication
    ) internal pure returns (uint256 word, uint256 prior) {
        // the normal patient share is part of what is allowed (A-6), so nothing here underflows
        unchecked {
            uint256 patient = deductible + copay + coinsurance;
            uint256 paid = allowed - patient;
            if (otherPayerPaid != 0) {
                prior = otherPayerPaid < allowed ? otherPayerPaid : allowed;
                uint256 rest = allowed - prior;
                if (nonDuplication) paid = paid > prior ? paid - prior : 0;
                else if (paid > rest) paid = rest;
                patient = rest - paid;
                if (deductible > patient) deductible = patient;
                uint256 left = patient - deductible;
                if (copay > left) copay = left;
                coinsurance = left - copay; // at most the normal coinsurance (see above)
            }
            word = allowed | deductible << 40 | copay << 80 | coinsurance << 120 | paid << PAID_SHIFT | patient << 200;
        }
    }

    /// @notice The paid amount of an amounts word.
    function paidOf(uint256 word) internal pure returns (uint64) {
        return uint64(word >> PAID_SHIFT & MASK40);
    }
}
