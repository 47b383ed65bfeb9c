// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AnchorRules} from "../AnchorRules.sol";

/// @title EventOnlyAnchor
/// @notice Benchmark floor: the cheapest possible "anchor", an event and nothing else.
/// @dev Takes LedgerAnchor's packed call data and emits its event; no access check, no
/// storage, no proof check. With a proof as call data it is the calldata floor: on Prague
/// rules it pays EIP-7623's 10/40 gas per zero/non-zero byte, since it executes almost nothing.
contract EventOnlyAnchor {
    /// @notice Emitted for every call, like LedgerAnchor's event.
    event Anchored(uint64 indexed treeSize, bytes32 root, uint64 previousSize);

    /// @notice Emits {Anchored} with the tree size and root of the call data; ignores the rest.
    function anchor() external {
        emit Anchored(uint64(bytes8(msg.data[4:12])), bytes32(msg.data[12:44]), 0);
    }
}

/// @title ProofFloorAnchor
/// @notice Benchmark floor: LedgerAnchor's call data and checks against a previous checkpoint
/// fixed at deployment (in the code, so read for free), then `newSlots` (0, 1 or 2) new storage
/// slots and the event. 0: the cost of checking the proof; 1: the one-slot floor (the root);
/// 2: the floor of LedgerAnchor.rootAt, which needs the root and a timestamp per tree size.
/// @dev No access check and no state read: what LedgerAnchor pays on top of this is its head
/// (latest size and role) and the previous root it reads, nothing else.
contract ProofFloorAnchor {
    /// @dev The tree size of the checkpoint every call extends.
    uint64 private immutable _previousSize;

    /// @dev The root of that checkpoint.
    bytes32 private immutable _previousRoot;

    /// @dev How many new slots each call writes.
    uint256 private immutable _newSlots;

    /// @dev Tree size => root (written when newSlots >= 1).
    mapping(uint64 treeSize => bytes32 root) private _roots;

    /// @dev Tree size => block timestamp (written when newSlots == 2).
    mapping(uint64 treeSize => uint256 timestamp) private _timestamps;

    /// @notice Emitted for every call, like LedgerAnchor's event.
    event Anchored(uint64 indexed treeSize, bytes32 root, uint64 previousSize);

    /// @param previousSize The tree size every call's proof starts from; not 0.
    /// @param previousRoot The root of that tree.
    /// @param newSlots How many new storage slots each call writes: 0, 1 or 2.
    constructor(uint64 previousSize, bytes32 previousRoot, uint256 newSlots) {
        _previousSize = previousSize;
        _previousRoot = previousRoot;
        _newSlots = newSlots;
    }

    /// @notice Checks the packed checkpoint and proof as LedgerAnchor.anchor does (same
    /// errors), writes the new slots and emits {Anchored}.
    function anchor() external {
        (uint64 treeSize, bytes32 root, bytes32[] calldata proof) = AnchorRules.decode();
        AnchorRules.requireExtension(_previousSize, _previousRoot, treeSize, root, proof);
        if (_newSlots > 0) {
            _roots[treeSize] = root;
        }
        if (_newSlots > 1) {
            _timestamps[treeSize] = block.timestamp;
        }
        emit Anchored(treeSize, root, _previousSize);
    }
}
