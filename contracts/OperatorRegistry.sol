// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AccessControl} from "./AccessControl.sol";

/// @title OperatorRegistry
/// @notice The public key directory of the telecom operators allowed to sign submissions: an
/// address is registered once, with the operator's name and licence number, and can later be
/// revoked, never reactivated (a rotated or compromised key is replaced by a new address).
/// @dev An address is active from `registeredAt` until `revokedAt` (block timestamps), so a
/// verifier can also ask whether a key was active when a record was signed.
contract OperatorRegistry is AccessControl {
    /// @notice The role allowed to register and revoke operators.
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");

    /// @notice Longest accepted name or licence, in bytes of UTF-8.
    uint256 public constant MAX_TEXT_LENGTH = 256;

    /// @dev One registered operator address.
    struct Operator {
        string name;
        string licence;
        uint64 registeredAt;
        uint64 revokedAt;
        bool active;
    }

    /// @dev Operator address => its registration (empty when never registered).
    mapping(address operator => Operator) private _operators;

    /// @dev Every address ever registered, in registration order.
    address[] private _addresses;

    /// @notice Emitted when `operator` was registered as `name` holding licence `licence`.
    event OperatorRegistered(address indexed operator, string name, string licence);

    /// @notice Emitted when `operator` was revoked.
    event OperatorRevoked(address indexed operator);

    /// @notice The zero address cannot be an operator.
    error OperatorRegistry__ZeroAddress();

    /// @notice `operator` was registered before (addresses are never reused).
    error OperatorRegistry__AlreadyRegistered(address operator);

    /// @notice `operator` is not an active operator.
    error OperatorRegistry__NotActive(address operator);

    /// @notice The name or licence is empty or longer than MAX_TEXT_LENGTH bytes.
    error OperatorRegistry__InvalidText(uint256 length);

    /// @notice No operator at `index` in the enumeration.
    error OperatorRegistry__IndexOutOfRange(uint256 index, uint256 count);

    /// @param admin The first holder of DEFAULT_ADMIN_ROLE, who grants REGISTRAR_ROLE.
    constructor(address admin) AccessControl(admin) {}

    /// @notice Registers `operator` as an active operator.
    /// @dev Only REGISTRAR_ROLE. Emits {OperatorRegistered}.
    /// @param operator The address whose EIP-712 signatures the ledger accepts.
    /// @param name The operator's name (e.g. "VNPT Thừa Thiên Huế").
    /// @param licence The operator's telecom licence number.
    function register(address operator, string calldata name, string calldata licence)
        external
        onlyRole(REGISTRAR_ROLE)
    {
        if (operator == address(0)) {
            revert OperatorRegistry__ZeroAddress();
        }
        if (_operators[operator].registeredAt != 0) {
            revert OperatorRegistry__AlreadyRegistered(operator);
        }
        _checkText(bytes(name).length);
        _checkText(bytes(licence).length);

        _operators[operator] = Operator({
            name: name,
            licence: licence,
            registeredAt: uint64(block.timestamp),
            revokedAt: 0,
            active: true
        });
        _addresses.push(operator);
        emit OperatorRegistered(operator, name, licence);
    }

    /// @notice Revokes `operator`: its signatures are no longer accepted.
    /// @dev Only REGISTRAR_ROLE. Emits {OperatorRevoked}.
    function revoke(address operator) external onlyRole(REGISTRAR_ROLE) {
        Operator storage entry = _operators[operator];
        if (!entry.active) {
            revert OperatorRegistry__NotActive(operator);
        }
        entry.active = false;
        entry.revokedAt = uint64(block.timestamp);
        emit OperatorRevoked(operator);
    }

    /// @notice Whether `operator` is registered and not revoked.
    function isActive(address operator) external view returns (bool) {
        return _operators[operator].active;
    }

    /// @notice The registration of `operator`; all empty or zero when never registered.
    /// @return name The operator's name.
    /// @return licence The operator's licence number.
    /// @return active Whether the address is registered and not revoked.
    /// @return registeredAt Block timestamp of the registration.
    /// @return revokedAt Block timestamp of the revocation; 0 while active.
    function operatorOf(address operator)
        external
        view
        returns (string memory name, string memory licence, bool active, uint64 registeredAt, uint64 revokedAt)
    {
        Operator storage entry = _operators[operator];
        return (entry.name, entry.licence, entry.active, entry.registeredAt, entry.revokedAt);
    }

    /// @notice How many addresses were ever registered (active or revoked).
    function operatorCount() external view returns (uint256) {
        return _addresses.length;
    }

    /// @notice The `index`-th registered address, in registration order.
    function operatorAt(uint256 index) external view returns (address) {
        uint256 count = _addresses.length;
        if (index >= count) {
            revert OperatorRegistry__IndexOutOfRange(index, count);
        }
        return _addresses[index];
    }

    /// @dev Reverts with {OperatorRegistry__InvalidText} unless 0 < length <= MAX_TEXT_LENGTH.
    function _checkText(uint256 length) private pure {
        if (length == 0 || length > MAX_TEXT_LENGTH) {
            revert OperatorRegistry__InvalidText(length);
        }
    }
}
