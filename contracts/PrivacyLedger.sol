// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessBase} from "./AccessBase.sol";
import {AccessLog} from "./privacy/AccessLog.sol";
import {RunAnchors} from "./privacy/RunAnchors.sol";

/// @title PrivacyLedger
/// @notice Consents (MedRec), the access log (HIPAA's accounting of disclosures) and run
/// anchors (Guardtime KSI) of a claimledger deployment, beside the claims engine and apart
/// from it: nothing here is on a claim's path (docs/PRIVACY.md). Roles: MEMBER_SERVICES
/// registers members' keys, RECORDS_OFFICER records accesses and anchors runs, PAYER marks the
/// plan's own claims staff; the admin changes hands in two steps. Callers use
/// `interfaces/IPrivacyLedger.sol`, which gathers the three surfaces.
contract PrivacyLedger is AccessLog, RunAnchors {
    constructor(address admin, uint48 adminDelay) AccessBase(admin, adminDelay) {}
}
