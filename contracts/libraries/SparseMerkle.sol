// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title SparseMerkle
/// @notice The sparse Merkle tree of optimistic settlement (docs/OPTIMISTIC.md), the same as
/// `claimledger/optimistic/smt.py`: 256 levels keyed by a bytes32 key (an engine storage slot),
/// the path bit at depth d (d = 0 just below the root) being bit 255 - d of the key. An empty
/// subtree hashes to zero; a leaf of value v != 0 to keccak256(abi.encode(key, v)), value 0 being
/// absent; an internal node is zero if both children are, else keccak256(left ++ right).
/// @dev A proof of a key is its 256 siblings compressed: `bitmap` bit i is set iff the sibling
/// at height i (0 at the leaves) is not zero, and `siblings` are the non-zero ones from the leaf
/// up. {computeRoot} is iterative (a 256-deep recursion would overflow the EVM stack).
library SparseMerkle {
    /// @notice A key's 256 siblings, compressed.
    struct Proof {
        uint256 bitmap;
        bytes32[] siblings;
    }

    /// @notice No key was given.
    error NoKeys();
    /// @notice Keys, values and proofs are not as many.
    error LengthMismatch(uint256 keys, uint256 values, uint256 proofs);
    /// @notice Key `index` is not above the key before it (keys ascend strictly).
    error UnsortedKeys(uint256 index);
    /// @notice Proof `index` has not as many siblings as its bitmap has bits set.
    error MalformedProof(uint256 index);

    uint256 internal constant HEIGHT = 256;

    /// @notice The hash of a leaf: zero for value 0 (absent), else keccak256(abi.encode(key, value)).
    function leafHash(bytes32 key, bytes32 value) internal pure returns (bytes32 h) {
        if (value == bytes32(0)) return bytes32(0);
        assembly ("memory-safe") {
            mstore(0, key)
            mstore(32, value)
            h := keccak256(0, 64)
        }
    }

    /// @notice The root of the tree in which `keys` hold `values` and every other key what
    /// `proofs` say: from the leaves up, keys whose nodes are siblings merge (the left key's
    /// proof goes on), a key alone at a level takes its sibling from its own proof.
    /// With the values a posted root was made from it gives that root back (a verification);
    /// with new values and the same proofs, the root after them (siblings off the keys' paths
    /// do not change).
    /// @param keys strictly ascending
    /// @param values each key's value (0: absent)
    /// @param proofs each key's proof
    function computeRoot(bytes32[] memory keys, bytes32[] memory values, Proof[] memory proofs)
        internal
        pure
        returns (bytes32 root)
    {
        uint256 n = keys.length;
        if (n == 0) revert NoKeys();
        if (values.length != n || proofs.length != n) revert LengthMismatch(n, values.length, proofs.length);
        // one record of four words a live node: its key (whose path it is on), its hash at the
        // current height, its proof's bitmap, and where that proof's next sibling is
        uint256 table;
        assembly ("memory-safe") {
            table := mload(0x40)
            mstore(0x40, add(table, mul(n, 128)))
        }
        for (uint256 i; i < n; ++i) {
            bytes32 key = keys[i];
            if (i > 0 && uint256(key) <= uint256(keys[i - 1])) revert UnsortedKeys(i);
            uint256 bitmap = proofs[i].bitmap;
            bytes32[] memory siblings = proofs[i].siblings;
            if (_popcount(bitmap) != siblings.length) revert MalformedProof(i);
            bytes32 leaf = leafHash(key, values[i]);
            assembly ("memory-safe") {
                let r := add(table, mul(i, 128))
                mstore(r, key)
                mstore(add(r, 32), leaf)
                mstore(add(r, 64), bitmap)
                mstore(add(r, 96), add(siblings, 32))
            }
        }
        // Keys left to right on a stack of subtrees (each at the height where it meets the key
        // after it): a node climbs alone, taking its own proof's siblings, to where it meets the
        // subtree on the stack's top (merge: the left one's proof goes on) or the next key
        // (push). The same nodes and siblings as level by level, without a pass per level.
        assembly ("memory-safe") {
            // the height at which two different keys' nodes are siblings: their highest differing bit
            function meet(a, b) -> r {
                let x := xor(a, b)
                if gt(x, 0xffffffffffffffffffffffffffffffff) {
                    x := shr(128, x)
                    r := 128
                }
                if gt(x, 0xffffffffffffffff) {
                    x := shr(64, x)
                    r := add(r, 64)
                }
                if gt(x, 0xffffffff) {
                    x := shr(32, x)
                    r := add(r, 32)
                }
                if gt(x, 0xffff) {
                    x := shr(16, x)
                    r := add(r, 16)
                }
                if gt(x, 0xff) {
                    x := shr(8, x)
                    r := add(r, 8)
                }
                if gt(x, 0xf) {
                    x := shr(4, x)
                    r := add(r, 4)
                }
                if gt(x, 0x3) {
                    x := shr(2, x)
                    r := add(r, 2)
                }
                if gt(x, 0x1) { r := add(r, 1) }
            }
            // the node on `key`'s path from height `from` to `to`, with its own proof's siblings
            function climb(key, h, bitmap, next, from, to) -> hash, after {
                for { let x := from } lt(x, to) { x := add(x, 1) } {
                    let sibling := 0
                    if and(shr(x, bitmap), 1) {
                        sibling := mload(next) // within the proof: its bits were counted
                        next := add(next, 32)
                    }
                    if or(h, sibling) {
                        let side := shl(5, and(shr(x, key), 1)) // 0: the node is the left child, 32: the right
                        mstore(side, h)
                        mstore(sub(32, side), sibling)
                        h := keccak256(0, 64)
                    }
                }
                hash := h
                after := next
            }
            let top := table // the stack grows over the records already read
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let r := add(table, mul(i, 128))
                let key := mload(r)
                let h := mload(add(r, 32))
                let bitmap := mload(add(r, 64))
                let next := mload(add(r, 96))
                let right := 256
                if lt(add(i, 1), n) { right := meet(key, mload(add(r, 128))) }
                let height := 0
                for {} 1 {} {
                    let left := 256
                    if gt(top, table) { left := meet(mload(sub(top, 128)), key) }
                    if iszero(lt(left, right)) {
                        h, next := climb(key, h, bitmap, next, height, right)
                        mstore(top, key)
                        mstore(add(top, 32), h)
                        mstore(add(top, 64), bitmap)
                        mstore(add(top, 96), next)
                        top := add(top, 128)
                        break
                    }
                    h, next := climb(key, h, bitmap, next, height, left)
                    top := sub(top, 128)
                    let leftHash := mload(add(top, 32))
                    if or(leftHash, h) {
                        mstore(0, leftHash)
                        mstore(32, h)
                        h := keccak256(0, 64)
                    }
                    key := mload(top)
                    bitmap := mload(add(top, 64))
                    next := add(mload(add(top, 96)), shl(5, and(shr(left, bitmap), 1)))
                    height := add(left, 1)
                }
            }
            root := mload(add(table, 32))
        }
    }

    /// @dev the number of bits set in `x`
    function _popcount(uint256 x) private pure returns (uint256 count) {
        unchecked {
            while (x != 0) {
                x &= x - 1;
                ++count;
            }
        }
    }
}
