// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IProviderRegistry
/// @notice Providers by NPI (A-2.3): network status and the address that receives payments.
interface IProviderRegistry {
    struct Provider {
        bool registered;
        bool inNetwork;
        address payee;
    }

    error InvalidNpi(uint64 npi);
    error InvalidPayee(uint64 npi);
    error LengthMismatch(uint256 expected, uint256 actual);

    event ProviderRegistered(uint64 indexed npi, bool inNetwork, address payee);

    /// @notice Registers or updates providers.
    /// Requirements:
    /// - caller has PLAN_MANAGER;
    /// - each NPI has 10 digits; each payee is non-zero.
    function register(uint64[] calldata npis, Provider[] calldata providers) external;

    /// @notice A provider's record; `registered` is false for an unknown NPI.
    function provider(uint64 npi) external view returns (Provider memory);
}
