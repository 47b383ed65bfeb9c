// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title RFC9162
/// @notice Verification of Merkle inclusion and consistency proofs as RFC 9162 (Certificate
/// Transparency 2.0) sections 2.1.3.2 and 2.1.4.2 define them, with SHA-256:
/// node = SHA-256(0x01 || left || right), computed by the precompile at address 0x02.
/// @dev Pure algorithms over calldata proofs; they return false for every malformed input and
/// never revert (beyond the ABI decoding of the caller). Sizes are uint64, so no valid
/// inclusion proof is longer than 64 hashes, no consistency proof longer than 65; the loops are
/// bounded by the proof length.
///
/// The loops are written in Yul because they are the whole cost of an anchor beyond its
/// storage: Solidity's bounds-checked `proof[i]`, internal calls and a memory allocation per
/// `sha256(abi.encodePacked(bytes1(0x01), left, right))` cost about 40% more gas per hash.
/// Each node hash writes 0x01 || left || right past the free memory pointer (scratch that
/// Solidity does not own) and reads the digest from scratch slot 0x00; the result equals that
/// `sha256(abi.encodePacked(...))` expression bit for bit, which the tests check against an
/// independent Python implementation on thousands of proofs.
library RFC9162 {
    /// @notice Whether `proof` proves that `leafHash` is leaf `index` of the tree of `treeSize`
    /// leaves whose root is `root` (RFC 9162 §2.1.3.2).
    /// @return verified False when `index >= treeSize`, the proof has the wrong length or any
    /// hash differs.
    function verifyInclusion(
        uint64 index,
        uint64 treeSize,
        bytes32 leafHash,
        bytes32[] calldata proof,
        bytes32 root
    ) internal view returns (bool verified) {
        assembly ("memory-safe") {
            function nodeHash(scratch, left, right) -> digest {
                mstore(add(scratch, 0x01), left)
                mstore(add(scratch, 0x21), right)
                if iszero(staticcall(gas(), 0x02, scratch, 0x41, 0x00, 0x20)) { revert(0x00, 0x00) }
                digest := mload(0x00)
            }

            function verify(scratch, fn, size, r, offset, length, expected) -> ok {
                // Step 1: the index must be inside the tree.
                if iszero(lt(fn, size)) { leave }
                // Step 2: fn = index, sn = size - 1; step 3: r = the leaf hash.
                let sn := sub(size, 1)
                // Step 4: fold the path, leaf side first.
                for { let i := 0 } lt(i, length) { i := add(i, 1) } {
                    if iszero(sn) { leave }
                    let p := calldataload(add(offset, shl(5, i)))
                    switch or(and(fn, 1), eq(fn, sn))
                    case 0 { r := nodeHash(scratch, r, p) }
                    default {
                        r := nodeHash(scratch, p, r)
                        // A right-edge node has no sibling on these levels: climb past them.
                        for {} and(iszero(and(fn, 1)), iszero(iszero(fn))) {} {
                            fn := shr(1, fn)
                            sn := shr(1, sn)
                        }
                    }
                    fn := shr(1, fn)
                    sn := shr(1, sn)
                }
                // Step 5: the whole path was used and leads to the root.
                ok := and(iszero(sn), eq(r, expected))
            }

            let scratch := mload(0x40)
            mstore8(scratch, 0x01)
            verified := verify(scratch, index, treeSize, leafHash, proof.offset, proof.length, root)
        }
    }

    /// @notice Whether `proof` proves that the tree of `firstSize` leaves with root `firstRoot`
    /// is a prefix of the tree of `secondSize` leaves with root `secondRoot`
    /// (RFC 9162 §2.1.4.2).
    /// @dev Requires 0 < firstSize < secondSize (the caller checks it; the equal-size and
    /// empty-tree cases are not consistency proofs that an anchor can use).
    /// @return verified False when the proof has the wrong length or either recomputed root
    /// differs.
    function verifyConsistency(
        uint64 firstSize,
        uint64 secondSize,
        bytes32 firstRoot,
        bytes32 secondRoot,
        bytes32[] calldata proof
    ) internal view returns (bool verified) {
        assembly ("memory-safe") {
            function nodeHash(scratch, left, right) -> digest {
                mstore(add(scratch, 0x01), left)
                mstore(add(scratch, 0x21), right)
                if iszero(staticcall(gas(), 0x02, scratch, 0x41, 0x00, 0x20)) { revert(0x00, 0x00) }
                digest := mload(0x00)
            }

            function verify(scratch, first, second, firstHash, secondHash, offset, length) -> ok {
                // Step 1: an empty path proves nothing.
                if iszero(length) { leave }
                // Step 2: a first tree whose size is a power of two is a complete subtree of
                // the second one; its root is the implied first element of the path.
                let fr := firstHash
                let i := 0
                if and(first, sub(first, 1)) {
                    fr := calldataload(offset)
                    i := 1
                }
                // Steps 3 and 5: fn = first - 1, sn = second - 1, sr = fr.
                let sr := fr
                let fn := sub(first, 1)
                let sn := sub(second, 1)
                // Step 4: skip the levels where the first tree's last node is a right child.
                for {} and(fn, 1) {} {
                    fn := shr(1, fn)
                    sn := shr(1, sn)
                }
                // Step 6: fold the rest of the path into both roots.
                for {} lt(i, length) { i := add(i, 1) } {
                    if iszero(sn) { leave }
                    let c := calldataload(add(offset, shl(5, i)))
                    switch or(and(fn, 1), eq(fn, sn))
                    case 0 { sr := nodeHash(scratch, sr, c) }
                    default {
                        fr := nodeHash(scratch, c, fr)
                        sr := nodeHash(scratch, c, sr)
                        for {} and(iszero(and(fn, 1)), iszero(iszero(fn))) {} {
                            fn := shr(1, fn)
                            sn := shr(1, sn)
                        }
                    }
                    fn := shr(1, fn)
                    sn := shr(1, sn)
                }
                // Step 7: the whole path was used and both roots are the expected ones.
                ok := and(iszero(sn), and(eq(fr, firstHash), eq(sr, secondHash)))
            }

            let scratch := mload(0x40)
            mstore8(scratch, 0x01)
            verified := verify(
                scratch, firstSize, secondSize, firstRoot, secondRoot, proof.offset, proof.length
            )
        }
    }
}
