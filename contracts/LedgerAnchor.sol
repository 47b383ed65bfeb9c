// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AccessControl} from "./AccessControl.sol";
import {AnchorRules} from "./AnchorRules.sol";
import {RFC9162} from "./RFC9162.sol";

/// @title LedgerAnchor
/// @notice Anchors the checkpoints (tree size, root) of one append-only RFC 9162 Merkle log.
/// Every anchor after the first carries a consistency proof from the previous anchor, checked
/// here with the SHA-256 precompile, so the chain itself refuses any history that is not an
/// extension of what it already holds.
/// @dev Storage per anchor: two new slots, the root and the packed (timestamp, block number,
/// previous size); they are the floor of {rootAt}, whose root and timestamp do not fit in one
/// 32-byte word, and the history fits in the second slot for nothing. Plus the head slot,
/// rewritten by every anchor: the latest size and the last anchorer, whose role is then not
/// read again (contracts/README.md, "Gas").
contract LedgerAnchor is AccessControl {
    /// @notice The role allowed to call {anchor}.
    bytes32 public constant ANCHORER_ROLE = keccak256("ANCHORER_ROLE");

    /// @notice The longest proof accepted: no valid proof between uint64 sizes has more
    /// hashes (a consistency proof takes one per level of a 64-level tree, plus the root of
    /// the old tree's last subtree when the old size is not a power of two).
    uint256 public constant MAX_PROOF_LENGTH = AnchorRules.MAX_PROOF_LENGTH;

    /// @dev Bit 255 of the head is always set, so that the slot is never zero and no anchor
    /// pays the 20,000 gas of creating it (the constructor does).
    uint256 private constant HEAD_SET = 1 << 255;

    /// @dev Where the cached anchorer sits in the head: bits 64 to 223.
    uint256 private constant ANCHORER_SHIFT = 64;

    /// @dev One anchored checkpoint, keyed by its tree size: two slots.
    struct Checkpoint {
        bytes32 root;
        uint64 timestamp;
        uint64 blockNumber;
        uint64 previousSize;
    }

    /// @dev The head: bits 0-63 the latest anchored tree size (0 before the first anchor),
    /// bits 64-223 the account that made the latest anchor while holding ANCHORER_ROLE, or 0
    /// once the role was revoked from it; bit 255 set (HEAD_SET).
    /// Invariant: a non-zero cached account holds ANCHORER_ROLE. The anchor reads the head
    /// anyway, so its caller's role costs no storage read when it is the cached account:
    /// 2,260 gas less per anchor than reading the role each time (measured at 10^6 leaves,
    /// benchmarks/test_anchor_gas.py's cases, both proofs).
    uint256 private _head;

    /// @dev Tree size => anchored checkpoint (zero root when that size was never anchored).
    mapping(uint64 treeSize => Checkpoint) private _checkpoints;

    /// @notice Emitted when the checkpoint (`treeSize`, `root`) was anchored on top of the
    /// anchor of size `previousSize` (0 for the first anchor).
    event Anchored(uint64 indexed treeSize, bytes32 root, uint64 previousSize);

    /// @param admin The first holder of DEFAULT_ADMIN_ROLE, who grants ANCHORER_ROLE.
    constructor(address admin) AccessControl(admin) {
        _head = HEAD_SET;
    }

    /// @notice Anchors the checkpoint carried by the call data: (tree size, root) and the
    /// RFC 9162 §2.1.4 consistency proof from the latest anchored checkpoint to it (empty for
    /// the first anchor).
    /// @dev Only ANCHORER_ROLE. Call data after the selector, packed (AnchorRules.decode):
    /// tree size (8 bytes, big-endian), root (32 bytes), then the proof hashes (32 bytes
    /// each, at most MAX_PROOF_LENGTH). The size must be larger than the latest, the root not
    /// zero (AnchorRules.requireExtension lists the errors in the order they are checked).
    /// Emits {Anchored}.
    function anchor() external {
        uint256 head = _head;
        if (address(uint160(head >> ANCHORER_SHIFT)) != msg.sender) {
            _checkRole(ANCHORER_ROLE, msg.sender);
        }
        (uint64 treeSize, bytes32 root, bytes32[] calldata proof) = AnchorRules.decode();
        uint64 previousSize = uint64(head);
        bytes32 previousRoot = previousSize == 0 ? bytes32(0) : _checkpoints[previousSize].root;
        AnchorRules.requireExtension(previousSize, previousRoot, treeSize, root, proof);

        _head = HEAD_SET | (uint256(uint160(msg.sender)) << ANCHORER_SHIFT) | treeSize;
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
        treeSize = uint64(_head);
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

    /// @dev Also clears the cached anchorer when it is the account losing ANCHORER_ROLE, so a
    /// revoked or renounced key can no longer anchor.
    function _revokeRole(bytes32 role, address account) internal override {
        uint256 head = _head;
        if (role == ANCHORER_ROLE && address(uint160(head >> ANCHORER_SHIFT)) == account) {
            _head = head & ~(uint256(type(uint160).max) << ANCHORER_SHIFT);
        }
        super._revokeRole(role, account);
    }
}
