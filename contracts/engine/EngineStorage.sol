// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IEngineErrors} from "../../interfaces/IEngineErrors.sol";
import {IEngineEvents} from "../../interfaces/IEngineEvents.sol";
import {Authorizations} from "../libraries/Authorizations.sol";
import {LineBook} from "../libraries/LineBook.sol";
import {Limits} from "../libraries/Limits.sol";
import {Members} from "../libraries/Members.sol";
import {Plans} from "../libraries/Plans.sol";
import {ReviewQueue} from "../libraries/ReviewQueue.sol";
import {Rewards} from "../libraries/Rewards.sol";
import {SettlementLedger} from "../libraries/SettlementLedger.sol";

/// @title EngineStorage
/// @notice The claims engine's state, in one place: {ClaimsEngine} and {ClaimsEngineExtension}
/// both inherit it and declare no state of their own, so that the extension, running through
/// the engine's `delegatecall`, reads and writes the engine's storage with the same layout
/// (Balancer v3's Vault and VaultExtension share theirs the same way). Each concern's state is
/// a struct its library works on.
abstract contract EngineStorage is AccessControlDefaultAdminRules, Pausable, IEngineErrors, IEngineEvents {
    /// @dev claim id => ClaimRecord packed: content tag (bits 96-255), provider NPI (32-95),
    /// frequency (16-23), line count (8-15), state (0-7)
    // slither-disable-next-line uninitialized-state: written through the library functions that take this struct as a storage pointer, which slither does not follow
    mapping(bytes32 claimId => uint256) internal _claims;
    LineBook.Book internal _lineBook;
    // slither-disable-next-line uninitialized-state: written through the library functions that take this struct as a storage pointer, which slither does not follow
    mapping(bytes32 lineKey => AppealRecord) internal _appeals;
    ReviewQueue.Queue internal _reviewQueue;
    // slither-disable-next-line uninitialized-state: written through the library functions that take this struct as a storage pointer, which slither does not follow
    Members.Book internal _members;
    // slither-disable-next-line uninitialized-state: written through the library functions that take this struct as a storage pointer, which slither does not follow
    Plans.Book internal _plans;
    Authorizations.Book internal _authorizations;
    Limits.Book internal _limits;
    SettlementLedger.Ledger internal _ledger; // providers: registration, account, payee
    IERC20 internal _token;
    // slither-disable-next-line uninitialized-state: written through the library functions that take this struct as a storage pointer, which slither does not follow
    Rewards.Book internal _rewards; // member incentives and their pool (A-12)

    constructor(address admin, uint48 adminDelay, IERC20 settlementToken)
        AccessControlDefaultAdminRules(adminDelay, admin)
    {
        _token = settlementToken;
    }

    /// @dev runs the call on `target`'s code and this contract's storage, and returns or reverts
    /// with what it did (the engine's fallback to its extension, the extension's to the next)
    function _delegate(address target) internal {
        assembly ("memory-safe") {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), target, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    // ------------------------------------------------------------------------------ packed records

    function _packClaim(ClaimState state, uint256 lines, uint8 frequency, uint64 npi, bytes32 contentHash)
        internal
        pure
        returns (uint256)
    {
        return uint256(state) | lines << 8 | uint256(frequency) << 16 | uint256(npi) << 32
            | uint256(contentHash) >> 96 << 96;
    }

    function _claimState(uint256 record) internal pure returns (ClaimState) {
        return ClaimState(uint8(record));
    }

    function _claimLines(uint256 record) internal pure returns (uint256) {
        return uint8(record >> 8);
    }

    function _claimNpi(uint256 record) internal pure returns (uint64) {
        return uint64(record >> 32);
    }

    /// @dev the content tag as the leading 20 bytes of a content hash: bits 96-255 of the record
    function _claimTag(uint256 record) internal pure returns (bytes32) {
        return bytes32(record >> 96 << 96);
    }
}
