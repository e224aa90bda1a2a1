// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IClaimTypes} from "./IClaimTypes.sol";

/// @title IEngineErrors
/// @notice Every custom error the claims engine reverts with.
interface IEngineErrors is IClaimTypes {
    // intake (A-3) and the packed claim encoding (docs/ENGINE.md)
    error ClaimRejected(bytes32 claimId, RejectReason reason);
    error BatchTooLarge(uint256 size, uint256 maximum);
    error MalformedClaim(uint256 offset);
    error ClaimContentMismatch(bytes32 claimId);
    error LineUnknown(bytes32 claimId, uint8 line);
    // review (A-5) and appeals (R-13)
    error LineNotPending(bytes32 claimId, uint8 line);
    error ApprovalBlocked(bytes32 claimId, uint8 line, bytes8 carc);
    error DenialNeedsReason(bytes32 claimId, uint8 line);
    error AppealNeedsDocument(bytes32 claimId, uint8 line);
    error AlreadyAppealed(bytes32 claimId, uint8 line);
    error LineNotDenied(bytes32 claimId, uint8 line);
    error AppealNotOpen(bytes32 claimId, uint8 line);
    // plans (A-2.1, R-3, R-15)
    error PlanUnknown(bytes32 planId);
    error PlanVersionUnknown(bytes32 planId, uint32 version);
    error PlanVersionSealed(bytes32 planId, uint32 version);
    error PlanVersionNotAfterPrevious(bytes32 planId, uint32 effectiveFrom, uint32 previousEffectiveFrom);
    error InvalidPlanTerms(bytes32 planId, string field);
    error InvalidFeeEntry(bytes32 planId, bytes8 code, string field);
    error LengthMismatch(uint256 expected, uint256 actual);
    // members (A-2.2, R-14), providers (A-2.3), authorizations (A-2.4)
    error InvalidCoverage(bytes32 memberId, uint32 coverageStart, uint32 coverageEnd);
    error FamilyChange(bytes32 memberId, bytes32 familyId, bytes32 newFamilyId);
    error InvalidNpi(uint64 npi);
    error InvalidPayee(uint64 npi);
    error AuthorizationExists(bytes32 authId);
    error InvalidAuthorization(bytes32 authId, string field);
    // settlement (A-8)
    error ZeroAmount();
    error ProviderUnknown(uint64 npi);
    // member incentives (A-12, R-43)
    error MemberNotEnrolled(bytes32 memberId);
    error InvalidSigner(bytes32 memberId);
    error InvalidRewardPayee(bytes32 memberId);
    error RewardSignatureExpired(bytes32 memberId, uint256 deadline);
    error RewardSignatureInvalid(bytes32 memberId);
    // the engine's extension is reached only through the engine
    error NotDelegated();
    // a contract the engine delegates to, missing at deployment
    error ExtensionMissing();
    // more live lines of one content than a key's slot counts (65,535; R-26)
    error DuplicateCountOverflow(bytes32 key);
}
