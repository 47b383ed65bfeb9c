// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {RFC9162} from "./RFC9162.sol";

/// @notice The call data after the selector is not 8 + 32 + 32 * n bytes (tree size, root,
/// n proof hashes).
error LedgerAnchor__MalformedCallData(uint256 length);

/// @notice The given tree size is not larger than the latest anchored one.
error LedgerAnchor__SizeNotIncreasing(uint64 previous, uint64 given);

/// @notice The zero root is reserved for "not anchored".
error LedgerAnchor__ZeroRoot();

/// @notice The consistency proof has more than MAX_PROOF_LENGTH hashes.
error LedgerAnchor__ProofTooLong(uint256 length, uint256 maximum);

/// @notice The first anchor has no predecessor, so it takes an empty proof.
error LedgerAnchor__ProofNotEmpty(uint256 length);

/// @notice The proof does not show the new tree extends the latest anchored one.
error LedgerAnchor__InconsistentProof();

/// @title AnchorRules
/// @notice What every anchor of a log must satisfy, apart from where the anchors are kept: its
/// packed call data, and that it extends the latest anchor (RFC 9162 §2.1.4 consistency).
/// @dev Shared by LedgerAnchor and the storage variants measured in contracts/bench/, so that
/// they differ in storage only. The errors are LedgerAnchor's (its ABI lists them).
library AnchorRules {
    /// @notice The longest proof accepted: no valid proof between uint64 sizes has more
    /// hashes (a consistency proof takes one per level of a 64-level tree, plus the root of
    /// the old tree's last subtree when the old size is not a power of two).
    uint256 internal constant MAX_PROOF_LENGTH = 65;

    /// @dev Bytes of call data before the proof: the selector, the tree size, the root.
    uint256 private constant PROOF_OFFSET = 4 + 8 + 32;

    /// @notice The checkpoint and the proof carried by the call data of `anchor()`: after the
    /// 4-byte selector, the tree size (8 bytes, big-endian), the root (32 bytes) and the proof
    /// hashes (32 bytes each), with no ABI head, offsets, lengths or padding.
    /// @dev The packed form is 88 bytes shorter than the ABI encoding of
    /// `(uint64, bytes32, bytes32[])`, whose offset and length words and padded size are
    /// mostly zeros: 940 gas less under Prague's calldata floor (EventOnlyAnchor with the
    /// 10^6 proof, 41,410 then 40,470 gas), 376 at London's 4/16 gas per byte. Reverts with
    /// {LedgerAnchor__MalformedCallData} when the length is not 44 + 32 * n.
    function decode() internal pure returns (uint64 treeSize, bytes32 root, bytes32[] calldata proof) {
        uint256 length = msg.data.length;
        if (length < PROOF_OFFSET || (length - PROOF_OFFSET) % 32 != 0) {
            revert LedgerAnchor__MalformedCallData(length - 4); // dispatch needed 4 bytes
        }
        treeSize = uint64(bytes8(msg.data[4:12]));
        root = bytes32(msg.data[12:PROOF_OFFSET]);
        // Solidity has no view of calldata bytes as a bytes32[] short of copying them to
        // memory; this points one at the hashes in place.
        assembly ("memory-safe") {
            proof.offset := PROOF_OFFSET
            proof.length := shr(5, sub(length, PROOF_OFFSET))
        }
    }

    /// @notice Reverts unless (`treeSize`, `root`) may be anchored after the latest anchor
    /// (`previousSize`, `previousRoot`), `previousSize` 0 meaning none, with `proof`.
    /// @dev In this order: {LedgerAnchor__SizeNotIncreasing} unless treeSize > previousSize,
    /// {LedgerAnchor__ZeroRoot}, {LedgerAnchor__ProofTooLong} beyond MAX_PROOF_LENGTH hashes,
    /// then for the first anchor {LedgerAnchor__ProofNotEmpty} unless the proof is empty, for
    /// any later one {LedgerAnchor__InconsistentProof} unless `proof` is the RFC 9162 §2.1.4
    /// consistency proof from (previousSize, previousRoot) to (treeSize, root).
    function requireExtension(
        uint64 previousSize,
        bytes32 previousRoot,
        uint64 treeSize,
        bytes32 root,
        bytes32[] calldata proof
    ) internal view {
        if (treeSize <= previousSize) {
            revert LedgerAnchor__SizeNotIncreasing(previousSize, treeSize);
        }
        if (root == bytes32(0)) {
            revert LedgerAnchor__ZeroRoot();
        }
        uint256 length = proof.length;
        if (length > MAX_PROOF_LENGTH) {
            revert LedgerAnchor__ProofTooLong(length, MAX_PROOF_LENGTH);
        }
        if (previousSize == 0) {
            if (length != 0) {
                revert LedgerAnchor__ProofNotEmpty(length);
            }
        } else if (!RFC9162.verifyConsistency(previousSize, treeSize, previousRoot, root, proof)) {
            revert LedgerAnchor__InconsistentProof();
        }
    }
}
