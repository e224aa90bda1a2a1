// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IConsentRegistry
/// @notice A member's consents (MedRec's permissions): the member, signing with a key of their
/// own or through a delegate they registered, lets a party read their claim history for one
/// purpose until a time, and takes it back. Members are the pseudonyms the claims engine knows
/// them by (docs/PRIVACY.md); every grant, revocation and delegation is an EIP-712 signature
/// that anyone may relay, checked here against the member's registered key.
interface IConsentRegistry {
    /// @notice Why a party reads a member's claims (45 CFR 164.506: treatment, payment, health
    /// care operations; research needs the member's authorization, 164.508).
    enum Purpose {
        Treatment,
        Payment,
        Operations,
        Research
    }

    /// @notice A grant signed by the member or a delegate (EIP-712 type `Grant`).
    struct Grant {
        bytes32 member;
        address party;
        Purpose purpose;
        uint64 until; // unix seconds, exclusive: the consent holds while block.timestamp < until
        uint64 nonce; // the member's current nonce ({memberKey})
    }

    /// @notice A revocation signed by the member or a delegate (EIP-712 type `Revoke`).
    struct Revoke {
        bytes32 member;
        address party;
        Purpose purpose;
        uint64 nonce;
    }

    /// @notice A delegation signed by the member's own key (EIP-712 type `Delegate`); `until` 0
    /// removes the delegate.
    struct Delegation {
        bytes32 member;
        address delegate;
        uint64 until;
        uint64 nonce;
    }

    error MemberKeyUnknown(bytes32 member);
    error ZeroAddress();
    error WrongNonce(bytes32 member, uint64 expected, uint64 given);
    error NotMemberOrDelegate(bytes32 member, address signer);
    error NotMember(bytes32 member, address signer);
    error ConsentEndsInThePast(bytes32 member, uint64 until);
    error ConsentNotHeld(bytes32 member, address party, Purpose purpose);

    event MemberKeyRegistered(bytes32 indexed member, address key);
    event DelegateSet(bytes32 indexed member, address indexed delegate, uint64 until);
    event ConsentGranted(bytes32 indexed member, address indexed party, Purpose purpose, uint64 until, address signer);
    event ConsentRevoked(bytes32 indexed member, address indexed party, Purpose purpose, address signer);

    /// @notice Registers (or rotates) the key a member signs with, once member services has
    /// verified who the member is; pending signatures of the old key stop counting (the nonce
    /// moves on). Emits {MemberKeyRegistered}.
    /// Requirements: caller has MEMBER_SERVICES; `key` is not zero, else {ZeroAddress}.
    function registerMemberKey(bytes32 member, address key) external;

    /// @notice Adds, extends or (with `until` 0) removes a delegate who may grant and revoke
    /// for the member. Emits {DelegateSet}.
    /// Requirements: the member has a key, else {MemberKeyUnknown}; `d.nonce` is the member's
    /// nonce, else {WrongNonce}; the member's own key signed it, else {NotMember}; the delegate
    /// is not zero, else {ZeroAddress}.
    function setDelegate(Delegation calldata d, bytes calldata signature) external;

    /// @notice Lets `g.party` read the member's claims for `g.purpose` until `g.until`
    /// (replacing an earlier grant of that party and purpose). Emits {ConsentGranted}.
    /// Requirements: the member has a key, else {MemberKeyUnknown}; `g.nonce` is the member's
    /// nonce, else {WrongNonce}; the member or a delegate whose delegation has not ended signed
    /// it, else {NotMemberOrDelegate}; the party is not zero, else {ZeroAddress}; `g.until` is
    /// in the future, else {ConsentEndsInThePast}.
    function grantConsent(Grant calldata g, bytes calldata signature) external;

    /// @notice Takes back the party's consent for the purpose. Emits {ConsentRevoked}.
    /// Requirements: as {grantConsent} for the key, nonce and signer; the consent holds now,
    /// else {ConsentNotHeld}.
    function revokeConsent(Revoke calldata r, bytes calldata signature) external;

    /// @notice The key a member signs with (zero if none) and the nonce their next signature
    /// must carry.
    function memberKey(bytes32 member) external view returns (address key, uint64 nonce);

    /// @notice When a delegate's power for the member ends (0: not a delegate).
    function delegateUntil(bytes32 member, address delegate) external view returns (uint64);

    /// @notice When the party's consent for the purpose ends (0: none, or revoked).
    function consentUntil(bytes32 member, address party, Purpose purpose) external view returns (uint64);

    /// @notice Whether the party's consent for the purpose holds now.
    function consentHolds(bytes32 member, address party, Purpose purpose) external view returns (bool);
}
