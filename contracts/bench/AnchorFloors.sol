// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title EventOnlyAnchor
/// @notice Benchmark floor: the cheapest possible "anchor", an event and nothing else.
/// @dev Same signature and event as LedgerAnchor.anchor, no access check, no storage, no proof.
contract EventOnlyAnchor {
    /// @notice Emitted for every call, like LedgerAnchor's event.
    event Anchored(uint64 indexed treeSize, bytes32 root, uint64 previousSize);

    /// @notice Emits {Anchored}; ignores the proof.
    function anchor(uint64 treeSize, bytes32 root, bytes32[] calldata) external {
        emit Anchored(treeSize, root, 0);
    }
}

/// @title MappingWriteAnchor
/// @notice Benchmark floor: an anchor that stores the root in a fresh mapping slot and emits.
/// @dev Same signature and event as LedgerAnchor.anchor, no access check, no proof.
contract MappingWriteAnchor {
    /// @dev Tree size => root.
    mapping(uint64 treeSize => bytes32 root) private _roots;

    /// @notice Emitted for every call, like LedgerAnchor's event.
    event Anchored(uint64 indexed treeSize, bytes32 root, uint64 previousSize);

    /// @notice Stores `root` under `treeSize` and emits {Anchored}; ignores the proof.
    function anchor(uint64 treeSize, bytes32 root, bytes32[] calldata) external {
        _roots[treeSize] = root;
        emit Anchored(treeSize, root, 0);
    }
}
