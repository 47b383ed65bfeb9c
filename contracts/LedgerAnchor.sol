// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AccessControl} from "./AccessControl.sol";
import {RFC9162} from "./RFC9162.sol";

/// @title LedgerAnchor
/// @notice Anchors the checkpoints (tree size, root) of one append-only RFC 9162 Merkle log.
/// Every anchor after the first carries a consistency proof from the previous anchor, checked
/// here with the SHA-256 precompile, so the chain itself refuses any history that is not an
/// extension of what it already holds.
/// @dev Storage per anchor: one slot for the root and one packed slot (timestamp, block
/// number, previous size); plus the latest size, overwritten each time.
contract LedgerAnchor is AccessControl {
    /// @notice The role allowed to call {anchor}.
    bytes32 public constant ANCHORER_ROLE = keccak256("ANCHORER_ROLE");

    /// @notice The longest proof accepted: no valid proof between uint64 sizes has more
    /// hashes (a consistency proof takes one per level of a 64-level tree, plus the root of
    /// the old tree's last subtree when the old size is not a power of two).
    uint256 public constant MAX_PROOF_LENGTH = 65;

    /// @dev One anchored checkpoint, keyed by its tree size.
    struct Checkpoint {
        bytes32 root;
        uint64 timestamp;
        uint64 blockNumber;
        uint64 previousSize;
    }

    /// @dev Tree size of the latest anchor; 0 before the first.
    uint64 private _latestSize;

    /// @dev Tree size => anchored checkpoint (zero root when that size was never anchored).
    mapping(uint64 treeSize => Checkpoint) private _checkpoints;

    /// @notice Emitted when the checkpoint (`treeSize`, `root`) was anchored on top of the
    /// anchor of size `previousSize` (0 for the first anchor).
    event Anchored(uint64 indexed treeSize, bytes32 root, uint64 previousSize);

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

    /// @param admin The first holder of DEFAULT_ADMIN_ROLE, who grants ANCHORER_ROLE.
    constructor(address admin) AccessControl(admin) {}

    /// @notice Anchors the checkpoint (`treeSize`, `root`).
    /// @dev Only ANCHORER_ROLE. After the first anchor, `consistencyProof` is the RFC 9162
    /// §2.1.4 proof from the latest anchored (size, root) to (`treeSize`, `root`); the first
    /// anchor takes an empty proof. Emits {Anchored}.
    /// @param treeSize Number of leaves of the log at this checkpoint; larger than the latest.
    /// @param root The RFC 9162 root hash of those leaves; never zero.
    /// @param consistencyProof Node hashes, at most MAX_PROOF_LENGTH of them.
    function anchor(uint64 treeSize, bytes32 root, bytes32[] calldata consistencyProof)
        external
        onlyRole(ANCHORER_ROLE)
    {
        uint64 previousSize = _latestSize;
        if (treeSize <= previousSize) {
            revert LedgerAnchor__SizeNotIncreasing(previousSize, treeSize);
        }
        if (root == bytes32(0)) {
            revert LedgerAnchor__ZeroRoot();
        }
        uint256 length = consistencyProof.length;
        if (length > MAX_PROOF_LENGTH) {
            revert LedgerAnchor__ProofTooLong(length, MAX_PROOF_LENGTH);
        }
        if (previousSize == 0) {
            if (length != 0) {
                revert LedgerAnchor__ProofNotEmpty(length);
            }
        } else if (
            !RFC9162.verifyConsistency(
                previousSize, treeSize, _checkpoints[previousSize].root, root, consistencyProof
            )
        ) {
            revert LedgerAnchor__InconsistentProof();
        }

        _latestSize = treeSize;
        _checkpoints[treeSize] = Checkpoint({
            root: root,
            timestamp: uint64(block.timestamp),
            blockNumber: uint64(block.number),
            previousSize: previousSize
        });
        emit Anchored(treeSize, root, previousSize);
    }

    /// @notice The latest anchored checkpoint; (0, 0) before the first anchor.
    function latest() external view returns (uint64 treeSize, bytes32 root) {
        treeSize = _latestSize;
        root = _checkpoints[treeSize].root;
    }

    /// @notice The root anchored for `treeSize` and the timestamp of its block; (0, 0) when
    /// that size was never anchored.
    function rootAt(uint64 treeSize) external view returns (bytes32 root, uint64 timestamp) {
        Checkpoint storage checkpoint = _checkpoints[treeSize];
        return (checkpoint.root, checkpoint.timestamp);
    }

    /// @notice Everything stored for the anchor of `treeSize`: its root, block timestamp and
    /// number, and the size anchored before it (0 for the first). All zero when not anchored.
    /// @dev Walking `previousSize` from {latest} lists every anchor without reading logs, and
    /// `blockNumber` finds the anchoring transaction with a one-block log query.
    function anchorAt(uint64 treeSize)
        external
        view
        returns (bytes32 root, uint64 timestamp, uint64 blockNumber, uint64 previousSize)
    {
        Checkpoint storage checkpoint = _checkpoints[treeSize];
        return (checkpoint.root, checkpoint.timestamp, checkpoint.blockNumber, checkpoint.previousSize);
    }

    /// @notice Whether `proof` is an RFC 9162 §2.1.3 inclusion proof of leaf `index`, with leaf
    /// hash `leafHash`, in the tree of `treeSize` leaves whose root is anchored here.
    /// @return False, never a revert, when `treeSize` was not anchored, `index >= treeSize`, the
    /// proof is longer than MAX_PROOF_LENGTH or it does not verify.
    function verifyInclusion(uint64 treeSize, uint64 index, bytes32 leafHash, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        bytes32 root = _checkpoints[treeSize].root;
        if (root == bytes32(0) || proof.length > MAX_PROOF_LENGTH) {
            return false;
        }
        return RFC9162.verifyInclusion(index, treeSize, leafHash, proof, root);
    }
}
