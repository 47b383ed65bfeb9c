// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title AccessControl
/// @notice Minimal role-based access control with OpenZeppelin's AccessControl interface
/// (`hasRole`, `getRoleAdmin`, `grantRole`, `revokeRole`, `renounceRole`, the same events and
/// errors), so explorers and tools that know OpenZeppelin read it as such.
/// @dev Every role is administered by DEFAULT_ADMIN_ROLE; there is no role hierarchy, no
/// enumeration and no ERC-165. The deployer names the first admin in the constructor.
abstract contract AccessControl {
    /// @notice The role that grants and revokes every role, itself included.
    bytes32 public constant DEFAULT_ADMIN_ROLE = 0x00;

    /// @dev role => account => member.
    mapping(bytes32 role => mapping(address account => bool)) private _members;

    /// @notice Emitted when `account` was granted `role` by `sender`.
    event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender);

    /// @notice Emitted when `account` lost `role`, revoked by `sender` (or renounced).
    event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender);

    /// @notice `account` lacks `neededRole` for the function it called.
    error AccessControlUnauthorizedAccount(address account, bytes32 neededRole);

    /// @notice `renounceRole` was called for an account other than the caller.
    error AccessControlBadConfirmation();

    /// @notice The zero address cannot hold a role.
    error AccessControlZeroAccount();

    /// @dev Reverts with {AccessControlUnauthorizedAccount} unless the caller has `role`.
    modifier onlyRole(bytes32 role) {
        _checkRole(role, msg.sender);
        _;
    }

    /// @param admin The first holder of DEFAULT_ADMIN_ROLE.
    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Whether `account` holds `role`.
    function hasRole(bytes32 role, address account) public view returns (bool) {
        return _members[role][account];
    }

    /// @notice The role that administers `role`: always DEFAULT_ADMIN_ROLE here.
    function getRoleAdmin(bytes32) public pure returns (bytes32) {
        return DEFAULT_ADMIN_ROLE;
    }

    /// @notice Grants `role` to `account`; a no-op when it already holds it.
    /// @dev Only DEFAULT_ADMIN_ROLE. Emits {RoleGranted} when the membership changed.
    function grantRole(bytes32 role, address account) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _grantRole(role, account);
    }

    /// @notice Revokes `role` from `account`; a no-op when it does not hold it.
    /// @dev Only DEFAULT_ADMIN_ROLE. Emits {RoleRevoked} when the membership changed.
    function revokeRole(bytes32 role, address account) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _revokeRole(role, account);
    }

    /// @notice The caller gives up `role` (a compromised key's last useful act).
    /// @param callerConfirmation Must equal the caller, against renouncing by mistake.
    function renounceRole(bytes32 role, address callerConfirmation) external {
        if (callerConfirmation != msg.sender) {
            revert AccessControlBadConfirmation();
        }
        _revokeRole(role, msg.sender);
    }

    /// @dev Reverts with {AccessControlUnauthorizedAccount} unless `account` has `role`.
    function _checkRole(bytes32 role, address account) internal view {
        if (!_members[role][account]) {
            revert AccessControlUnauthorizedAccount(account, role);
        }
    }

    /// @dev Adds `account` to `role`; emits {RoleGranted} when it was not a member.
    function _grantRole(bytes32 role, address account) internal {
        if (account == address(0)) {
            revert AccessControlZeroAccount();
        }
        if (!_members[role][account]) {
            _members[role][account] = true;
            emit RoleGranted(role, account, msg.sender);
        }
    }

    /// @dev Removes `account` from `role`; emits {RoleRevoked} when it was a member. Every
    /// revocation and renunciation goes through here, so a contract that caches a membership
    /// overrides it to drop the cache.
    function _revokeRole(bytes32 role, address account) internal virtual {
        if (_members[role][account]) {
            _members[role][account] = false;
            emit RoleRevoked(role, account, msg.sender);
        }
    }
}
