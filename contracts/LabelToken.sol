// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title LabelToken
/// @notice The ERC-20 Labelchain pays labelers with on dev and test chains. 18 decimals.
///         Production can point the vault at any other ERC-20 instead.
contract LabelToken is ERC20, Ownable {
    constructor(address initialOwner) ERC20("Label Token", "LABEL") Ownable(initialOwner) {}

    /// @notice Creates `amount` base units for `to`. Owner only (the dev faucet uses it).
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
