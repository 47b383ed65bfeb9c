// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title RFC9162
/// @notice Verification of Merkle inclusion and consistency proofs as RFC 9162 (Certificate
/// Transparency 2.0) sections 2.1.3.2 and 2.1.4.2 define them, with SHA-256:
/// node = SHA-256(0x01 || left || right), computed by the precompile at address 0x02.
/// @dev Pure algorithms over calldata proofs; they return false for every malformed input and
/// never revert. Sizes are uint64, so no valid inclusion proof is longer than 64 hashes, no
/// consistency proof longer than 65; the loops are bounded by the proof length.
///
/// The loops are written in Yul because they are the whole cost of an anchor beyond its
/// storage and call data: Solidity's bounds-checked `proof[i]`, internal calls and a memory
/// allocation per `sha256(abi.encodePacked(bytes1(0x01), left, right))` cost about 40% more
/// gas per hash. The node hash is written out at each use rather than as a Yul function, and a
/// consistency step that updates both roots writes the shared left half once: 1,570 gas less
/// per anchor with a 14-hash proof, 2,490 with 20 (benchmarks/test_anchor_gas.py, "proof"
/// floor at 10^6 leaves, typical and worst, against the same loops with a Yul function per
/// node hash).
/// Each node hash writes 0x01 || left || right past the free memory pointer (scratch that
/// Solidity does not own) and reads the digest from scratch slot 0x00; the result equals that
/// `sha256(abi.encodePacked(...))` expression bit for bit, which the tests check against an
/// independent Python implementation on thousands of proofs. A failed precompile call (out of
/// gas) makes the proof fail. The uint64 arguments are masked on entry: Solidity leaves the
/// high bits of a narrowed value dirty until it uses it, and assembly sees them.
library RFC9162 {
    /// @dev The low 64 bits: uint64 values seen from assembly.
    uint256 private constant U64 = 0xffffffffffffffff;

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
            let fn := and(index, U64)
            let size := and(treeSize, U64)
            // Scratch: 0x01 || left || right at m.
            let m := mload(0x40)
            mstore8(m, 0x01)
            let left := add(m, 0x01)
            let right := add(m, 0x21)
            // Step 1: the index must be inside the tree.
            let ok := lt(fn, size)
            // Step 2: fn = index, sn = size - 1; step 3: r = the leaf hash.
            let sn := sub(size, 1)
            let r := leafHash
            // Step 4: fold the path, leaf side first.
            let p := proof.offset
            let end := add(p, shl(5, proof.length))
            for {} and(ok, lt(p, end)) { p := add(p, 0x20) } {
                if iszero(sn) {
                    ok := 0
                    break
                }
                let h := calldataload(p)
                switch or(and(fn, 1), eq(fn, sn))
                case 0 {
                    mstore(left, r)
                    mstore(right, h)
                }
                default {
                    mstore(left, h)
                    mstore(right, r)
                    // A right-edge node has no sibling on these levels: climb past them.
                    for {} and(iszero(and(fn, 1)), gt(fn, 0)) {} {
                        fn := shr(1, fn)
                        sn := shr(1, sn)
                    }
                }
                ok := and(ok, staticcall(gas(), 0x02, m, 0x41, 0x00, 0x20))
                r := mload(0x00)
                fn := shr(1, fn)
                sn := shr(1, sn)
            }
            // Step 5: the whole path was used and leads to the root.
            verified := and(ok, and(iszero(sn), eq(r, root)))
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
            let first := and(firstSize, U64)
            let second := and(secondSize, U64)
            // Scratch: 0x01 || left || right at m.
            let m := mload(0x40)
            mstore8(m, 0x01)
            let left := add(m, 0x01)
            let right := add(m, 0x21)
            let p := proof.offset
            let end := add(p, shl(5, proof.length))
            // Step 1: an empty path proves nothing.
            let ok := lt(p, end)
            // Step 2: a first tree whose size is a power of two is a complete subtree of the
            // second one; its root is the implied first element of the path.
            let fr := firstRoot
            if and(first, sub(first, 1)) {
                fr := calldataload(p)
                p := add(p, 0x20)
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
            for {} and(ok, lt(p, end)) { p := add(p, 0x20) } {
                if iszero(sn) {
                    ok := 0
                    break
                }
                let c := calldataload(p)
                switch or(and(fn, 1), eq(fn, sn))
                case 0 {
                    mstore(left, sr)
                    mstore(right, c)
                    ok := and(ok, staticcall(gas(), 0x02, m, 0x41, 0x00, 0x20))
                    sr := mload(0x00)
                }
                default {
                    mstore(left, c)
                    mstore(right, fr)
                    ok := and(ok, staticcall(gas(), 0x02, m, 0x41, 0x00, 0x20))
                    fr := mload(0x00)
                    mstore(right, sr)
                    ok := and(ok, staticcall(gas(), 0x02, m, 0x41, 0x00, 0x20))
                    sr := mload(0x00)
                    for {} and(iszero(and(fn, 1)), gt(fn, 0)) {} {
                        fn := shr(1, fn)
                        sn := shr(1, sn)
                    }
                }
                fn := shr(1, fn)
                sn := shr(1, sn)
            }
            // Step 7: the whole path was used and both roots are the expected ones.
            verified := and(ok, and(iszero(sn), and(eq(fr, firstRoot), eq(sr, secondRoot))))
        }
    }
}
