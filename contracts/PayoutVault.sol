// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @title PayoutVault
/// @notice Holds requesters' deposits of one ERC-20 and pays labelers in batches.
///
/// Funding: a requester approves the vault and calls `deposit(datasetKey, amount)`; the
/// backend credits the dataset named by `datasetKey` with the amount in the `Deposited` event
/// (the amount the vault actually received, so fee-on-transfer tokens are not over-credited).
///
/// Paying: the operator (backend signer) calls `payBatch` or `payBatchPacked` with a batch id
/// derived deterministically from the off-chain ledger and the hash of the batch manifest.
/// A batch id can be paid once; retrying a sent transaction is therefore always safe.
/// The vault transfers from its own balance to every recipient and emits one `BatchPaid`.
///
/// Roles: the deployer is DEFAULT_ADMIN_ROLE (grants/revokes OPERATOR_ROLE, pauses); the admin
/// is not an operator unless granted. Pausing stops deposits and payouts.
/// Works with any ERC-20, including tokens that return no value from `transfer` (USDT style);
/// a token that returns `false` makes the whole batch revert.
contract PayoutVault is AccessControl, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");

    /// @notice The ERC-20 this vault holds and pays out.
    IERC20 public immutable token;

    /// @notice true once a batch id has been paid.
    mapping(bytes32 batchId => bool) public paid;

    event Deposited(bytes32 indexed datasetKey, address indexed from, uint256 amount);
    event BatchPaid(bytes32 indexed batchId, bytes32 manifestHash, uint256 recipients, uint256 total);

    error TokenNotAContract(address token);
    error BatchAlreadyPaid(bytes32 batchId);
    error LengthMismatch(uint256 recipients, uint256 amounts);
    error EmptyBatch();
    error ZeroRecipient(uint256 index);
    error ZeroAmount(uint256 index);
    error InvalidRecipient(uint256 index);
    error TransferFailed(uint256 index);
    error NothingDeposited();

    constructor(IERC20 token_) {
        if (address(token_).code.length == 0) revert TokenNotAContract(address(token_));
        token = token_;
        _grantRole(DEFAULT_ADMIN_ROLE, msg.sender);
    }

    // ---------------------------------------------------------------- funding

    /// @notice Pulls `amount` of the token from the caller (needs an allowance) into the vault
    ///         for the dataset `datasetKey`. Emits the amount the vault actually received.
    ///         Refused while paused (the pause is the vault's emergency stop) and for 0.
    function deposit(bytes32 datasetKey, uint256 amount) external whenNotPaused nonReentrant {
        IERC20 t = token;
        uint256 before = t.balanceOf(address(this));
        t.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = t.balanceOf(address(this)) - before;
        if (received == 0) revert NothingDeposited();
        emit Deposited(datasetKey, msg.sender, received);
    }

    // ---------------------------------------------------------------- paying

    /// @notice Pays `amounts[i]` to `recipients[i]` from the vault's balance.
    /// @dev Reverts on: a paid batch id, different lengths, an empty batch, a zero recipient,
    ///      a zero amount, a token transfer that reverts (its error is bubbled up) or returns false.
    function payBatch(
        bytes32 batchId,
        bytes32 manifestHash,
        address[] calldata recipients,
        uint256[] calldata amounts
    ) external onlyRole(OPERATOR_ROLE) whenNotPaused {
        uint256 n = recipients.length;
        if (n != amounts.length) revert LengthMismatch(n, amounts.length);
        _markPaid(batchId, n);

        address t = address(token);
        uint256 total;
        assembly ("memory-safe") {
            // Call frame for transfer(address,uint256) built past the free memory pointer
            // (never allocated, reused for every recipient so memory does not grow).
            let frame := mload(0x40)
            mstore(frame, shl(224, 0xa9059cbb))
            let rOff := recipients.offset
            let aOff := amounts.offset
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let to := calldataload(add(rOff, shl(5, i)))
                let amount := calldataload(add(aOff, shl(5, i)))
                if iszero(to) {
                    mstore(0x00, 0xef28bd44) // ZeroRecipient(uint256)
                    mstore(0x20, i)
                    revert(0x1c, 0x24)
                }
                if shr(160, to) {
                    mstore(0x00, 0x8e605c6f) // InvalidRecipient(uint256): dirty address bits
                    mstore(0x20, i)
                    revert(0x1c, 0x24)
                }
                if iszero(amount) {
                    mstore(0x00, 0x9af70448) // ZeroAmount(uint256)
                    mstore(0x20, i)
                    revert(0x1c, 0x24)
                }
                total := add(total, amount)
                if lt(total, amount) {
                    mstore(0x00, 0x4e487b71) // Panic(0x11): arithmetic overflow
                    mstore(0x20, 0x11)
                    revert(0x1c, 0x24)
                }
                mstore(add(frame, 0x04), to)
                mstore(add(frame, 0x24), amount)
                if iszero(call(gas(), t, 0, frame, 0x44, 0x00, 0x20)) {
                    returndatacopy(frame, 0x00, returndatasize())
                    revert(frame, returndatasize())
                }
                // SafeERC20 rule: returned data must be `true`; no data is accepted (the
                // constructor checked that the token has code, and code cannot vanish).
                if returndatasize() {
                    if iszero(and(gt(returndatasize(), 0x1f), eq(mload(0x00), 1))) {
                        mstore(0x00, 0xc39ba1a9) // TransferFailed(uint256)
                        mstore(0x20, i)
                        revert(0x1c, 0x24)
                    }
                }
            }
        }
        emit BatchPaid(batchId, manifestHash, n, total);
    }

    /// @notice Same as `payBatch` with each recipient packed into one 32-byte word:
    ///         `packed[i] = (amount << 160) | uint160(recipient)` — the recipient in the low
    ///         160 bits, the amount in the high 96 bits (so an amount is < 2**96, about
    ///         7.9e10 tokens at 18 decimals). Half the calldata of `payBatch`.
    function payBatchPacked(bytes32 batchId, bytes32 manifestHash, uint256[] calldata packed)
        external
        onlyRole(OPERATOR_ROLE)
        whenNotPaused
    {
        uint256 n = packed.length;
        _markPaid(batchId, n);

        address t = address(token);
        uint256 total;
        assembly ("memory-safe") {
            let frame := mload(0x40)
            mstore(frame, shl(224, 0xa9059cbb))
            let off := packed.offset
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let word := calldataload(add(off, shl(5, i)))
                let to := and(word, 0xffffffffffffffffffffffffffffffffffffffff)
                let amount := shr(160, word)
                if iszero(to) {
                    mstore(0x00, 0xef28bd44) // ZeroRecipient(uint256)
                    mstore(0x20, i)
                    revert(0x1c, 0x24)
                }
                if iszero(amount) {
                    mstore(0x00, 0x9af70448) // ZeroAmount(uint256)
                    mstore(0x20, i)
                    revert(0x1c, 0x24)
                }
                // amount < 2**96 and n < 2**64 (calldata size): the sum cannot overflow.
                total := add(total, amount)
                mstore(add(frame, 0x04), to)
                mstore(add(frame, 0x24), amount)
                if iszero(call(gas(), t, 0, frame, 0x44, 0x00, 0x20)) {
                    returndatacopy(frame, 0x00, returndatasize())
                    revert(frame, returndatasize())
                }
                if returndatasize() {
                    if iszero(and(gt(returndatasize(), 0x1f), eq(mload(0x00), 1))) {
                        mstore(0x00, 0xc39ba1a9) // TransferFailed(uint256)
                        mstore(0x20, i)
                        revert(0x1c, 0x24)
                    }
                }
            }
        }
        emit BatchPaid(batchId, manifestHash, n, total);
    }

    // ---------------------------------------------------------------- admin

    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    // ---------------------------------------------------------------- internals

    function _markPaid(bytes32 batchId, uint256 n) private {
        if (n == 0) revert EmptyBatch();
        if (paid[batchId]) revert BatchAlreadyPaid(batchId);
        // Effects before interactions: a re-entrant call cannot pay this batch again.
        paid[batchId] = true;
    }
}
