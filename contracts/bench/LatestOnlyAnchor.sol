// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AccessControl} from "../AccessControl.sol";
import {AnchorRules} from "../AnchorRules.sol";

/// @title LatestOnlyAnchor
/// @notice The measured alternative to LedgerAnchor with the history in events only: the same
/// role, call data, checks and event, but the contract keeps only its latest checkpoint, so
/// {rootAt} answers for the latest tree size alone and older roots are found in the
/// `Anchored` logs. Never deployed for real: benchmarks/test_anchor_gas.py measures it.
/// @dev Two slots, both rewritten by every anchor and none created: the latest root, and the
/// head (latest size, block timestamp, last anchorer, cached as in LedgerAnchor). The
/// timestamp is kept as uint32 seconds (until 2106) to leave the cache its 160 bits.
contract LatestOnlyAnchor is AccessControl {
    /// @notice The role allowed to call {anchor}.
    bytes32 public constant ANCHORER_ROLE = keccak256("ANCHORER_ROLE");

    /// @dev Head bits 0-63: latest size; 64-95: its block timestamp; 96-255: cached anchorer.
    uint256 private constant TIMESTAMP_SHIFT = 64;
    uint256 private constant ANCHORER_SHIFT = 96;

    /// @dev Latest size, its timestamp and the cached anchorer (a holder of ANCHORER_ROLE).
    uint256 private _head;

    /// @dev The root of the latest anchor.
    bytes32 private _latestRoot;

    /// @notice Emitted when the checkpoint (`treeSize`, `root`) was anchored on top of the
    /// anchor of size `previousSize` (0 for the first anchor).
    event Anchored(uint64 indexed treeSize, bytes32 root, uint64 previousSize);

    /// @param admin The first holder of DEFAULT_ADMIN_ROLE, who grants ANCHORER_ROLE.
    constructor(address admin) AccessControl(admin) {}

    /// @notice Anchors the packed checkpoint of the call data, as LedgerAnchor.anchor does.
    function anchor() external {
        uint256 head = _head;
        if (address(uint160(head >> ANCHORER_SHIFT)) != msg.sender) {
            _checkRole(ANCHORER_ROLE, msg.sender);
        }
        (uint64 treeSize, bytes32 root, bytes32[] calldata proof) = AnchorRules.decode();
        uint64 previousSize = uint64(head);
        AnchorRules.requireExtension(previousSize, _latestRoot, treeSize, root, proof);

        _head = (uint256(uint160(msg.sender)) << ANCHORER_SHIFT)
            | (uint256(uint32(block.timestamp)) << TIMESTAMP_SHIFT) | treeSize;
        _latestRoot = root;
        emit Anchored(treeSize, root, previousSize);
    }

    /// @notice The latest anchored checkpoint; (0, 0) before the first anchor.
    function latest() external view returns (uint64 treeSize, bytes32 root) {
        return (uint64(_head), _latestRoot);
    }

    /// @notice The root and block timestamp of the anchor of `treeSize` if it is the latest;
    /// (0, 0) for any other size, anchored earlier or never (read the `Anchored` logs).
    function rootAt(uint64 treeSize) external view returns (bytes32 root, uint64 timestamp) {
        uint256 head = _head;
        if (treeSize == 0 || treeSize != uint64(head)) {
            return (bytes32(0), 0);
        }
        return (_latestRoot, uint64(uint32(head >> TIMESTAMP_SHIFT)));
    }

    /// @dev Clears the cached anchorer when it loses ANCHORER_ROLE, as LedgerAnchor does.
    function _revokeRole(bytes32 role, address account) internal override {
        uint256 head = _head;
        if (role == ANCHORER_ROLE && address(uint160(head >> ANCHORER_SHIFT)) == account) {
            _head = head & ~(uint256(type(uint160).max) << ANCHORER_SHIFT);
        }
        super._revokeRole(role, account);
    }
}
