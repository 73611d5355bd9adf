// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title BulkPayoutBaseline (benchmark only, never deployed outside bench/)
/// @notice A payout loop in the style of HUMAN Protocol's escrow `bulkPayOut`, written here
///         from its public description (not copied): trusted-handler check, status check,
///         equal lengths, a recipient cap (< 100), a first loop summing the amounts with
///         checked arithmetic, a balance check, storing the results URL and hash, a second loop
///         taking oracle fees and `safeTransfer`ing each net amount, fee transfers to the two
///         oracles, a status update, and an event carrying both arrays.
///         Used by bench/gas.ts as the baseline PayoutVault is compared with.
contract BulkPayoutBaseline {
    using SafeERC20 for IERC20;

    uint256 private constant BULK_MAX_COUNT = 100;
    uint256 private constant BULK_MAX_VALUE = 1e9 * 1e18;

    enum Status {
        Launched,
        Pending,
        Partial,
        Paid,
        Complete,
        Cancelled
    }

    IERC20 public immutable token;
    address public immutable reputationOracle;
    address public immutable recordingOracle;
    uint8 public immutable reputationOracleFeePercentage;
    uint8 public immutable recordingOracleFeePercentage;

    mapping(address => bool) public areTrustedHandlers;
    Status public status;
    string public finalResultsUrl;
    string public finalResultsHash;
    uint256 public paidOut;

    event BulkTransfer(uint256 indexed txId, address[] recipients, uint256[] amounts, bool isPartial);

    constructor(
        IERC20 token_,
        address reputationOracle_,
        address recordingOracle_,
        uint8 reputationFee,
        uint8 recordingFee
    ) {
        require(uint256(reputationFee) + recordingFee <= 100, "Percentage out of bounds");
        token = token_;
        reputationOracle = reputationOracle_;
        recordingOracle = recordingOracle_;
        reputationOracleFeePercentage = reputationFee;
        recordingOracleFeePercentage = recordingFee;
        areTrustedHandlers[msg.sender] = true;
        status = Status.Pending;
    }

    modifier trusted() {
        require(areTrustedHandlers[msg.sender], "Address calling not trusted");
        _;
    }

    function getBalance() public view returns (uint256) {
        return token.balanceOf(address(this));
    }

    function bulkPayOut(
        address[] memory recipients,
        uint256[] memory amounts,
        string memory url,
        string memory hash,
        uint256 txId
    ) external trusted {
        require(status != Status.Complete && status != Status.Cancelled, "Invalid status");
        require(recipients.length == amounts.length, "Amount of recipients and values don't match");
        require(recipients.length < BULK_MAX_COUNT, "Too many recipients");

        uint256 aggregatedBulkAmount = 0;
        for (uint256 i = 0; i < amounts.length; i++) {
            aggregatedBulkAmount += amounts[i];
        }
        require(aggregatedBulkAmount < BULK_MAX_VALUE, "Bulk value too high");

        uint256 balance = getBalance();
        require(aggregatedBulkAmount <= balance, "Not enough balance");

        finalResultsUrl = url;
        finalResultsHash = hash;

        uint256 reputationOracleFee = 0;
        uint256 recordingOracleFee = 0;
        for (uint256 i = 0; i < recipients.length; i++) {
            require(recipients[i] != address(0), "Zero recipient");
            uint256 amount = amounts[i];
            uint256 repFee = (reputationOracleFeePercentage * amount) / 100;
            uint256 recFee = (recordingOracleFeePercentage * amount) / 100;
            reputationOracleFee += repFee;
            recordingOracleFee += recFee;
            token.safeTransfer(recipients[i], amount - repFee - recFee);
        }
        if (reputationOracleFee > 0) token.safeTransfer(reputationOracle, reputationOracleFee);
        if (recordingOracleFee > 0) token.safeTransfer(recordingOracle, recordingOracleFee);

        paidOut += aggregatedBulkAmount;
        bool isPartial = balance > aggregatedBulkAmount;
        status = isPartial ? Status.Partial : Status.Paid;
        emit BulkTransfer(txId, recipients, amounts, isPartial);
    }
}
