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
/// Refunding: the operator calls `refund(refundId, datasetKey, to, amount)`; a refund id can be
/// used once, like a batch id.
///
/// Roles: the deployer is DEFAULT_ADMIN_ROLE (grants/revokes OPERATOR_ROLE, pauses); the admin
/// is not an operator unless granted. Pausing stops deposits, payouts and refunds.
/// Works with any ERC-20, including tokens that return no value from `transfer` (USDT style);
/// a token that returns `false` makes the whole batch revert.
contract PayoutVault is AccessControl, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");

    /// @notice The ERC-20 this vault holds and pays out.
    IERC20 public immutable token;

    /// @notice true once a batch id has been paid.
    mapping(bytes32 batchId => bool) public paid;

    /// @notice true once a refund id has been used.
    mapping(bytes32 refundId => bool) public refunded;

    event Deposited(bytes32 indexed datasetKey, address indexed from, uint256 amount);
    event BatchPaid(bytes32 indexed batchId, bytes32 manifestHash, uint256 recipients, uint256 total);
    event Refunded(bytes32 indexed refundId, bytes32 indexed datasetKey, address to, uint256 amount);

    error TokenNotAContract(address token);
    error BatchAlreadyPaid(bytes32 batchId);
    error LengthMismatch(uint256 recipients, uint256 amounts);
    error EmptyBatch();
    error ZeroRecipient(uint256 index);
    error ZeroAmount(uint256 index);
    error InvalidRecipient(uint256 index);
    error TransferFailed(uint256 index);
    error NothingDeposited();
    error RefundAlreadyPaid(bytes32 refundId);
    error InvalidPacking(uint256 unit, uint256 width);

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

    /// @notice Same as `payBatch` with the recipients packed into `packed`, one record after the
    ///         other: a 20-byte address, then the amount divided by `unit` as a big-endian
    ///         integer of `width` bytes (1..12). Amount = value × unit. With `unit` the common
    ///         factor of the amounts (e.g. 10**16 for multiples of 0.01 of an 18-decimal token)
    ///         a record is 22 bytes instead of 64 (`payBatch`): calldata is the part of the
    ///         per-recipient cost the vault controls. Works with any ERC-20, as `payBatch`.
    /// @dev Reverts on: a paid batch id, an empty batch, `packed` not a whole number of records,
    ///      `unit` 0 or ≥ 2**96, `width` outside 1..12, a zero recipient or amount, a transfer
    ///      that reverts (its error is bubbled up) or returns anything but nothing or `true`.
    function payBatchPacked(bytes32 batchId, bytes32 manifestHash, uint256 unit, uint256 width, bytes calldata packed)
        external
        onlyRole(OPERATOR_ROLE)
        whenNotPaused
    {
        if (width == 0 || width > 12) revert InvalidPacking(unit, width);
        if (unit == 0 || unit >> 96 != 0) revert InvalidPacking(unit, width);
        uint256 stride = 20 + width;
        uint256 n = packed.length / stride;
        if (n * stride != packed.length) revert InvalidPacking(unit, width);
        _markPaid(batchId, n);

        address t = address(token);
        uint256 total;
        assembly ("memory-safe") {
            // The call frame of transfer(address,uint256) is built at constant offsets in scratch
            // space (0x10..0x54): selector 0x10..0x14, `to` word 0x14..0x34, amount 0x34..0x54. The
            // amount borrows the high bytes of the free memory pointer (0x40..0x54, always zero
            // for a pointer below 2**96) and the returned word lands in the zero slot (0x60); both
            // are zeroed again after the loop. Constants instead of a frame pointer keep the
            // loop's stack small, and the selector is written once.
            mstore(0x00, 0xa9059cbb000000000000000000000000)
            // value = the `width` bytes after the address: shift the address out, then down.
            let down := sub(256, shl(3, width))
            let start := packed.offset
            let end := add(start, packed.length)
            // value < 2**96, unit < 2**96, n < 2**64 (calldata size): no sum can overflow.
            for { let p := start } lt(p, end) { p := add(p, stride) } {
                let word := calldataload(p)
                let to := shr(96, word)
                let value := shr(down, shl(160, word))
                // to < 2**160 and value < 2**96: the product is zero exactly when one of them is.
                if iszero(mul(to, value)) {
                    mstore(0x00, 0x9af70448) // ZeroAmount(uint256)
                    if iszero(to) { mstore(0x00, 0xef28bd44) } // ZeroRecipient(uint256)
                    mstore(0x20, div(sub(p, start), stride))
                    revert(0x1c, 0x24)
                }
                let amount := mul(value, unit)
                total := add(total, amount)
                mstore(0x14, to)
                mstore(0x34, amount)
                let ok := call(gas(), t, 0, 0x10, 0x44, 0x60, 0x20)
                // SafeERC20's rule, fast path first: the call returned `true`. Else only
                // "succeeded and returned nothing" passes (the constructor checked that the token
                // has code, and code cannot vanish). A stale `1` at 0x60 can only let through a
                // call that succeeded without data, which passes anyway.
                if iszero(and(eq(mload(0x60), 1), ok)) {
                    if iszero(lt(returndatasize(), ok)) {
                        if iszero(ok) {
                            // Reverting: memory can be overwritten freely.
                            returndatacopy(0x00, 0x00, returndatasize())
                            revert(0x00, returndatasize())
                        }
                        mstore(0x00, 0xc39ba1a9) // TransferFailed(uint256)
                        mstore(0x20, div(sub(p, start), stride))
                        revert(0x1c, 0x24)
                    }
                }
            }
            mstore(0x34, 0) // the free memory pointer's high bytes, zero again
            mstore(0x60, 0) // the zero slot, zero again
        }
        emit BatchPaid(batchId, manifestHash, n, total);
    }

    // ---------------------------------------------------------------- refunds

    /// @notice Sends `amount` of the vault's tokens to `to` (a dataset's unspent budget going back
    ///         to its owner). `refundId` is derived by the backend from its refund record and can
    ///         be used once: re-sending a refund transaction is always safe.
    function refund(bytes32 refundId, bytes32 datasetKey, address to, uint256 amount)
        external
        onlyRole(OPERATOR_ROLE)
        whenNotPaused
        nonReentrant
    {
        if (refunded[refundId]) revert RefundAlreadyPaid(refundId);
        if (to == address(0)) revert ZeroRecipient(0);
        if (amount == 0) revert ZeroAmount(0);
        // Effects before interactions: a re-entrant call cannot use this refund id again.
        refunded[refundId] = true;
        token.safeTransfer(to, amount);
        emit Refunded(refundId, datasetKey, to, amount);
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
