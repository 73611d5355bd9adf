import { BaseContract, type Wallet } from 'ethers';
import {
  OPERATOR_ROLE_ID,
  connectPayoutVault,
  contractInterface,
  deployContract,
  type ContractName,
  type PayoutVaultContract,
} from '../../src/chain/contracts';
import { addresses, id, mined, packedArgs, revertOf, useChainFixture } from './chain-fixture';

// PayoutVault must work with any ERC-20, not only LabelToken.
type TestToken = BaseContract & {
  mint(to: string, amount: bigint): Promise<import('ethers').ContractTransactionResponse>;
  approve(spender: string, amount: bigint): Promise<import('ethers').ContractTransactionResponse>;
  balanceOf(who: string): Promise<bigint>;
  decimals(): Promise<bigint>;
  setFailTransfers(fail: boolean): Promise<import('ethers').ContractTransactionResponse>;
};

describe('PayoutVault with other ERC-20s', () => {
  const fx = useChainFixture();

  async function vaultFor(
    name: ContractName,
  ): Promise<{ token: (w: Wallet) => TestToken; vault: (w: Wallet) => PayoutVaultContract; vaultAddress: string }> {
    const { admin, operator } = fx();
    const tokenAddress = (await deployContract({ name, signer: admin })).address;
    const vaultAddress = (await deployContract({ name: 'PayoutVault', signer: admin, constructorArgs: [tokenAddress] }))
      .address;
    await mined(connectPayoutVault(vaultAddress, admin).grantRole(OPERATOR_ROLE_ID, operator.address));
    return {
      token: (w) => new BaseContract(tokenAddress, contractInterface(name), w) as TestToken,
      vault: (w) => connectPayoutVault(vaultAddress, w),
      vaultAddress,
    };
  }

  it('takes deposits of and pays out a USDT-style token whose transfers return nothing (6 decimals)', async () => {
    const { requester, operator } = fx();
    const { token, vault, vaultAddress } = await vaultFor('NoReturnToken');
    expect(await token(requester).decimals()).toBe(6n);
    await mined(token(requester).mint(requester.address, 1_000_000_000n));
    await mined(token(requester).approve(vaultAddress, 600_000_000n));

    await mined(vault(requester).deposit(id('d'), 600_000_000n));
    const recipients = addresses(3, 'usdt');
    await mined(vault(operator).payBatch(id('b1'), id('m'), recipients.slice(0, 2), [1_500_000n, 2_500_000n]));
    await mined(vault(operator).payBatchPacked(id('b2'), id('m'), ...packedArgs([[recipients[2], 7n]])));

    const t = token(requester);
    expect(await Promise.all([...recipients, vaultAddress, requester.address].map((a) => t.balanceOf(a)))).toEqual([
      1_500_000n,
      2_500_000n,
      7n,
      600_000_000n - 4_000_007n,
      400_000_000n,
    ]);
  });

  it('reverts the whole batch when the token answers false, naming the recipient index', async () => {
    const { requester, operator } = fx();
    const { token, vault, vaultAddress } = await vaultFor('FalseReturnToken');
    await mined(token(requester).mint(vaultAddress, 100n));
    await mined(token(requester).setFailTransfers(true));
    const recipients = addresses(2, 'false');

    expect(await revertOf(vault(operator).payBatch(id('b'), id('m'), recipients, [1n, 2n]))).toEqual({
      name: 'TransferFailed',
      args: [0n],
    });
    expect(
      await revertOf(vault(operator).payBatchPacked(id('b'), id('m'), ...packedArgs([[recipients[0], 1n]]))),
    ).toEqual({
      name: 'TransferFailed',
      args: [0n],
    });
    expect(await vault(operator).paid(id('b'))).toBe(false);

    await mined(token(requester).setFailTransfers(false));
    await mined(vault(operator).payBatch(id('b'), id('m'), recipients, [1n, 2n]));
    expect(await token(requester).balanceOf(recipients[1])).toBe(2n);
  });

  it('emits the amount that actually arrived for a fee-on-transfer token', async () => {
    const { requester } = fx();
    const { token, vault, vaultAddress } = await vaultFor('FeeOnTransferToken');
    await mined(token(requester).mint(requester.address, 1000n));
    await mined(token(requester).approve(vaultAddress, 1000n));

    const receipt = await mined(vault(requester).deposit(id('fee'), 1000n));

    const iface = contractInterface('PayoutVault');
    const events = receipt.logs.map((l) => iface.parseLog(l)).filter((e) => e?.name === 'Deposited');
    expect(events.map((e) => e!.args.toArray())).toEqual([[id('fee'), requester.address, 990n]]);
    expect(await token(requester).balanceOf(vaultAddress)).toBe(990n);
  });
});
