// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IProviderRegistry} from "../interfaces/IProviderRegistry.sol";
import {AccessBase} from "./AccessBase.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title ProviderRegistry
/// @notice Providers by NPI (A-2.3), their network status and payee address.
contract ProviderRegistry is AccessBase, IProviderRegistry {
    uint64 private constant _MIN_NPI = 1_000_000_000;
    uint64 private constant _MAX_NPI = 9_999_999_999;

    mapping(uint64 npi => Provider) private _providers;

    constructor(address admin, uint48 adminDelay) AccessBase(admin, adminDelay) {}

    /// @inheritdoc IProviderRegistry
    function register(uint64[] calldata npis, Provider[] calldata providers) external onlyRole(Roles.PLAN_MANAGER) {
        if (npis.length != providers.length) revert LengthMismatch(npis.length, providers.length);
        for (uint256 i; i < npis.length; ++i) {
            uint64 npi = npis[i];
            if (npi < _MIN_NPI || npi > _MAX_NPI) revert InvalidNpi(npi);
            if (providers[i].payee == address(0)) revert InvalidPayee(npi);
            _providers[npi] = Provider({registered: true, inNetwork: providers[i].inNetwork, payee: providers[i].payee});
            emit ProviderRegistered(npi, providers[i].inNetwork, providers[i].payee);
        }
    }

    /// @inheritdoc IProviderRegistry
    function provider(uint64 npi) external view returns (Provider memory) {
        return _providers[npi];
    }
}
