// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/IAccessControlDefaultAdminRules.sol";
import {IBenefitsAdmin} from "./IBenefitsAdmin.sol";
import {IClaimIntake} from "./IClaimIntake.sol";
import {IClaimReview} from "./IClaimReview.sol";
import {IClaimViews} from "./IClaimViews.sol";
import {IEngineAdmin} from "./IEngineAdmin.sol";
import {IEngineInherited} from "./IEngineInherited.sol";
import {IRewards} from "./IRewards.sol";
import {ISettlement} from "./ISettlement.sol";

/// @title IClaimsEngine
/// @notice Everything the claims engine's address answers: intake (biller), review (reviewer),
/// settlement (treasurer), benefits administration (plan manager), member incentives, views,
/// and admin. The engine runs intake and review itself and delegates the rest to its extension,
/// which delegates member incentives to a second one; both work on the engine's own storage
/// (docs/ENGINE.md).
interface IClaimsEngine is
    IClaimIntake,
    IClaimReview,
    ISettlement,
    IBenefitsAdmin,
    IClaimViews,
    IEngineAdmin,
    IRewards,
    IEngineInherited,
    IAccessControlDefaultAdminRules
{}
