// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAccessLog} from "./IAccessLog.sol";
import {IConsentRegistry} from "./IConsentRegistry.sol";
import {IRunAnchors} from "./IRunAnchors.sol";

/// @title IPrivacyLedger
/// @notice Consent, the access log and run anchoring (docs/PRIVACY.md): one contract beside
/// the claims engine, which it never calls and which never calls it.
interface IPrivacyLedger is IConsentRegistry, IAccessLog, IRunAnchors {}
