// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IConsentRegistry} from "../../interfaces/IConsentRegistry.sol";
import {PrivacyBase} from "./PrivacyBase.sol";

/// @title ConsentRegistry
/// @notice Members' keys, delegates and consents, changed only by EIP-712 signatures of the
/// member (or a delegate) that anyone may relay. A member is one word (key and nonce); a party's
/// consents of a member are one word (the end of each of the four purposes, 64 bits each).
abstract contract ConsentRegistry is IConsentRegistry, PrivacyBase, EIP712 {
    bytes32 private constant GRANT_TYPEHASH =
        keccak256("Grant(bytes32 member,address party,uint8 purpose,uint64 until,uint64 nonce)");
    bytes32 private constant REVOKE_TYPEHASH =
        keccak256("Revoke(bytes32 member,address party,uint8 purpose,uint64 nonce)");
    bytes32 private constant DELEGATION_TYPEHASH =
        keccak256("Delegation(bytes32 member,address delegate,uint64 until,uint64 nonce)");
    uint256 private constant NONCE_SHIFT = 160;
    uint256 private constant END_BITS = 64;
    uint256 private constant END_MASK = type(uint64).max;

    /// member => key (bits 0-159) | nonce (bits 160-223)
    mapping(bytes32 => uint256) private _members;
    mapping(bytes32 => mapping(address => uint64)) private _delegates;
    /// member => party => the end of each purpose's consent, 64 bits each in Purpose order
    mapping(bytes32 => mapping(address => uint256)) private _consents;

    constructor() EIP712("claimledger PrivacyLedger", "1") {}

    /// @inheritdoc IConsentRegistry
    function registerMemberKey(bytes32 member, address key) external onlyRole(MEMBER_SERVICES) {
        if (key == address(0)) revert ZeroAddress();
        uint256 word = _members[member];
        _members[member] = uint256(uint160(key)) | (((word >> NONCE_SHIFT) + 1) << NONCE_SHIFT);
        emit MemberKeyRegistered(member, key);
    }

    /// @inheritdoc IConsentRegistry
    function setDelegate(Delegation calldata d, bytes calldata signature) external {
        if (d.delegate == address(0)) revert ZeroAddress();
        (address key,) = _useNonce(d.member, d.nonce);
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(DELEGATION_TYPEHASH, d.member, d.delegate, d.until, d.nonce)));
        address signer = ECDSA.recover(digest, signature);
        if (signer != key) revert NotMember(d.member, signer);
        _delegates[d.member][d.delegate] = d.until;
        emit DelegateSet(d.member, d.delegate, d.until);
    }

    /// @inheritdoc IConsentRegistry
    function grantConsent(Grant calldata g, bytes calldata signature) external {
        if (g.party == address(0)) revert ZeroAddress();
        bytes32 structHash = keccak256(abi.encode(GRANT_TYPEHASH, g.member, g.party, g.purpose, g.until, g.nonce));
        address signer = _checkSigner(g.member, g.nonce, structHash, signature);
        if (g.until <= _now()) revert ConsentEndsInThePast(g.member, g.until);
        _setConsentEnd(g.member, g.party, g.purpose, g.until);
        emit ConsentGranted(g.member, g.party, g.purpose, g.until, signer);
    }

    /// @inheritdoc IConsentRegistry
    function revokeConsent(Revoke calldata r, bytes calldata signature) external {
        bytes32 structHash = keccak256(abi.encode(REVOKE_TYPEHASH, r.member, r.party, r.purpose, r.nonce));
        address signer = _checkSigner(r.member, r.nonce, structHash, signature);
        if (!consentHolds(r.member, r.party, r.purpose)) revert ConsentNotHeld(r.member, r.party, r.purpose);
        _setConsentEnd(r.member, r.party, r.purpose, 0);
        emit ConsentRevoked(r.member, r.party, r.purpose, signer);
    }

    /// @inheritdoc IConsentRegistry
    function memberKey(bytes32 member) external view returns (address key, uint64 nonce) {
        uint256 word = _members[member];
        return (address(uint160(word)), uint64(word >> NONCE_SHIFT));
    }

    /// @inheritdoc IConsentRegistry
    function delegateUntil(bytes32 member, address delegate) external view returns (uint64) {
        return _delegates[member][delegate];
    }

    /// @inheritdoc IConsentRegistry
    function consentUntil(bytes32 member, address party, Purpose purpose) public view returns (uint64) {
        return uint64((_consents[member][party] >> (uint256(purpose) * END_BITS)) & END_MASK);
    }

    /// @inheritdoc IConsentRegistry
    function consentHolds(bytes32 member, address party, Purpose purpose) public view returns (bool) {
        return _now() < consentUntil(member, party, purpose);
    }

    /// @dev the member or a delegate whose delegation has not ended signed `structHash` with
    /// the member's current nonce, which moves on; returns the signer
    function _checkSigner(bytes32 member, uint64 nonce, bytes32 structHash, bytes calldata signature)
        private
        returns (address signer)
    {
        (address key,) = _useNonce(member, nonce);
        signer = ECDSA.recover(_hashTypedDataV4(structHash), signature);
        if (signer != key && _now() >= _delegates[member][signer]) revert NotMemberOrDelegate(member, signer);
    }

    /// @dev checks `given` against the member's nonce and moves it on; returns the member's key
    function _useNonce(bytes32 member, uint64 given) private returns (address key, uint64 nonce) {
        uint256 word = _members[member];
        key = address(uint160(word));
        if (key == address(0)) revert MemberKeyUnknown(member);
        nonce = uint64(word >> NONCE_SHIFT);
        if (given != nonce) revert WrongNonce(member, nonce, given);
        _members[member] = word + (1 << NONCE_SHIFT);
    }

    function _setConsentEnd(bytes32 member, address party, Purpose purpose, uint64 until) private {
        uint256 shift = uint256(purpose) * END_BITS;
        uint256 word = _consents[member][party];
        _consents[member][party] = (word & ~(END_MASK << shift)) | (uint256(until) << shift);
    }
}
