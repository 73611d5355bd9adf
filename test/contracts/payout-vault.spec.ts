import { Interface, ZeroAddress, type TransactionReceipt, type Wallet } from 'ethers';
import {
  OPERATOR_ROLE_ID,
  connectLabelToken,
  connectPayoutVault,
  contractInterface,
  deployContract,
  type LabelTokenContract,
  type PayoutVaultContract,
} from '../../src/chain/contracts';
import { addresses, id, mined, packedArgs, revertOf, useChainFixture } from './chain-fixture';

const TOKEN = 10n ** 18n;
const vaultIface = contractInterface('PayoutVault');
const tokenIface = contractInterface('LabelToken');

function eventsOf(receipt: TransactionReceipt, iface: Interface, name: string) {
  return receipt.logs.flatMap((log) => {
    const parsed = iface.parseLog(log);
    return parsed !== null && parsed.name === name ? [parsed] : [];
  });
}

describe('PayoutVault', () => {
  const fx = useChainFixture();
  const vaultAs = (signer: Wallet): PayoutVaultContract => connectPayoutVault(fx().contracts.vaultAddress, signer);
  const tokenAs = (signer: Wallet): LabelTokenContract => connectLabelToken(fx().contracts.tokenAddress, signer);

  /** Gives the vault `amount` through a real deposit by the requester. */
  async function fundVault(amount: bigint): Promise<void> {
    const { admin, requester, contracts } = fx();
    await mined(tokenAs(admin).mint(requester.address, amount));
    await mined(tokenAs(requester).approve(contracts.vaultAddress, amount));
    await mined(vaultAs(requester).deposit(id('fund'), amount));
  }

  async function balances(who: string[]): Promise<bigint[]> {
    const token = tokenAs(fx().admin);
    return Promise.all(who.map((a) => token.balanceOf(a)));
  }

  describe('deployment', () => {
    it('makes the deployer admin, the dev operator operator, and holds the given token', async () => {
      const { admin, operator, stranger, contracts } = fx();
      const vault = vaultAs(admin);
      expect(await vault.token()).toBe(contracts.tokenAddress);
      expect(await vault.hasRole(await vault.DEFAULT_ADMIN_ROLE(), admin.address)).toBe(true);
      expect(await vault.OPERATOR_ROLE()).toBe(OPERATOR_ROLE_ID);
      expect(await vault.hasRole(OPERATOR_ROLE_ID, operator.address)).toBe(true);
      expect(await vault.hasRole(OPERATOR_ROLE_ID, stranger.address)).toBe(false);
      expect(await vault.paused()).toBe(false);
    });

    it('refuses a token address without code', async () => {
      const { admin, stranger } = fx();
      const err = await revertOf(
        deployContract({ name: 'PayoutVault', signer: admin, constructorArgs: [stranger.address] }),
      );
      expect(err).toEqual({ name: 'TokenNotAContract', args: [stranger.address] });
    });
  });

  describe('deposit', () => {
    it('pulls the tokens from the depositor and emits Deposited with the dataset key', async () => {
      const { admin, requester, contracts } = fx();
      await mined(tokenAs(admin).mint(requester.address, 50n * TOKEN));
      await mined(tokenAs(requester).approve(contracts.vaultAddress, 30n * TOKEN));

      const receipt = await mined(vaultAs(requester).deposit(id('dataset-1'), 30n * TOKEN));

      expect(await balances([requester.address, contracts.vaultAddress])).toEqual([20n * TOKEN, 30n * TOKEN]);
      const [deposited] = eventsOf(receipt, vaultIface, 'Deposited');
      expect(deposited.args.toArray()).toEqual([id('dataset-1'), requester.address, 30n * TOKEN]);
      expect(eventsOf(receipt, vaultIface, 'Deposited')).toHaveLength(1);
    });

    it('reverts without an allowance and moves nothing', async () => {
      const { admin, requester, contracts } = fx();
      await mined(tokenAs(admin).mint(requester.address, 5n * TOKEN));
      const err = await revertOf(vaultAs(requester).deposit(id('dataset-1'), 5n * TOKEN));
      expect(err).toEqual({ name: 'ERC20InsufficientAllowance', args: [contracts.vaultAddress, 0n, 5n * TOKEN] });
      expect(await balances([requester.address, contracts.vaultAddress])).toEqual([5n * TOKEN, 0n]);
    });

    it('reverts on a zero amount', async () => {
      const err = await revertOf(vaultAs(fx().requester).deposit(id('dataset-1'), 0n));
      expect(err.name).toBe('NothingDeposited');
    });

    it('is refused while paused', async () => {
      const { admin, requester, contracts } = fx();
      await mined(tokenAs(admin).mint(requester.address, TOKEN));
      await mined(tokenAs(requester).approve(contracts.vaultAddress, TOKEN));
      await mined(vaultAs(admin).pause());
      expect((await revertOf(vaultAs(requester).deposit(id('d'), TOKEN))).name).toBe('EnforcedPause');
    });
  });

  describe('payBatch', () => {
    it('pays every recipient, flips paid() and emits BatchPaid with the manifest hash, count and total', async () => {
      const { operator, contracts } = fx();
      await fundVault(100n * TOKEN);
      const recipients = addresses(3, 'pay');
      const amounts = [1n * TOKEN, 2n * TOKEN, 3n * TOKEN + 7n];
      const vault = vaultAs(operator);
      expect(await vault.paid(id('batch-1'))).toBe(false);

      const receipt = await mined(vault.payBatch(id('batch-1'), id('manifest-1'), recipients, amounts));

      expect(await balances(recipients)).toEqual(amounts);
      expect(await balances([contracts.vaultAddress])).toEqual([100n * TOKEN - (6n * TOKEN + 7n)]);
      expect(await vault.paid(id('batch-1'))).toBe(true);
      expect(await vault.paid(id('batch-2'))).toBe(false);
      const paidEvents = eventsOf(receipt, vaultIface, 'BatchPaid');
      expect(paidEvents.map((e) => e.args.toArray())).toEqual([[id('batch-1'), id('manifest-1'), 3n, 6n * TOKEN + 7n]]);
      const transfers = eventsOf(receipt, tokenIface, 'Transfer').map((e) => e.args.toArray());
      expect(transfers).toEqual(recipients.map((r, i) => [contracts.vaultAddress, r, amounts[i]]));
    });

    it('pays the same address twice when it appears twice', async () => {
      await fundVault(10n * TOKEN);
      const [r] = addresses(1, 'twice');
      await mined(vaultAs(fx().operator).payBatch(id('b'), id('m'), [r, r], [TOKEN, 2n * TOKEN]));
      expect(await balances([r])).toEqual([3n * TOKEN]);
    });

    it('refuses to pay a batch id twice, with either variant, and moves nothing the second time', async () => {
      await fundVault(10n * TOKEN);
      const vault = vaultAs(fx().operator);
      const [a, b] = addresses(2, 'replay');
      await mined(vault.payBatch(id('batch-r'), id('m'), [a], [TOKEN]));

      expect(await revertOf(vault.payBatch(id('batch-r'), id('m'), [b], [TOKEN]))).toEqual({
        name: 'BatchAlreadyPaid',
        args: [id('batch-r')],
      });
      expect(await revertOf(vault.payBatchPacked(id('batch-r'), id('m'), ...packedArgs([[b, TOKEN]])))).toEqual({
        name: 'BatchAlreadyPaid',
        args: [id('batch-r')],
      });
      expect(await balances([a, b])).toEqual([TOKEN, 0n]);
    });

    it('reverts on different lengths', async () => {
      await fundVault(10n * TOKEN);
      const err = await revertOf(vaultAs(fx().operator).payBatch(id('b'), id('m'), addresses(2, 'len'), [TOKEN]));
      expect(err).toEqual({ name: 'LengthMismatch', args: [2n, 1n] });
    });

    it('reverts on an empty batch', async () => {
      const err = await revertOf(vaultAs(fx().operator).payBatch(id('b'), id('m'), [], []));
      expect(err.name).toBe('EmptyBatch');
    });

    it('reverts on a zero-address recipient, naming its index', async () => {
      await fundVault(10n * TOKEN);
      const [a, b] = addresses(2, 'zero');
      const err = await revertOf(
        vaultAs(fx().operator).payBatch(id('b'), id('m'), [a, ZeroAddress, b], [TOKEN, TOKEN, TOKEN]),
      );
      expect(err).toEqual({ name: 'ZeroRecipient', args: [1n] });
      expect(await balances([a])).toEqual([0n]);
    });

    it('reverts on a zero amount, naming its index', async () => {
      await fundVault(10n * TOKEN);
      const err = await revertOf(
        vaultAs(fx().operator).payBatch(id('b'), id('m'), addresses(3, 'zamt'), [TOKEN, TOKEN, 0n]),
      );
      expect(err).toEqual({ name: 'ZeroAmount', args: [2n] });
    });

    it('reverts on a recipient word with bits above the 160-bit address (malformed calldata)', async () => {
      const { operator, contracts } = fx();
      await fundVault(10n * TOKEN);
      const [a] = addresses(1, 'dirty');
      const data = vaultIface.encodeFunctionData('payBatch', [id('b'), id('m'), [a], [TOKEN]]);
      // Layout: selector, batchId, manifestHash, offset, offset, recipients.length, recipients[0], ...
      const wordStart = 2 + 8 + 64 * 5;
      const dirty = `${data.slice(0, wordStart)}01${data.slice(wordStart + 2)}`;
      const err = await revertOf(operator.call({ to: contracts.vaultAddress, data: dirty }));
      expect(err).toEqual({ name: 'InvalidRecipient', args: [0n] });
    });

    it('bubbles up the token error when the vault holds too little, and pays no one', async () => {
      const { operator, contracts } = fx();
      await fundVault(2n * TOKEN);
      const [a, b] = addresses(2, 'short');
      const err = await revertOf(vaultAs(operator).payBatch(id('b'), id('m'), [a, b], [TOKEN, 2n * TOKEN]));
      expect(err).toEqual({ name: 'ERC20InsufficientBalance', args: [contracts.vaultAddress, TOKEN, 2n * TOKEN] });
      expect(await balances([a, b])).toEqual([0n, 0n]);
      expect(await vaultAs(operator).paid(id('b'))).toBe(false);
    });

    it('is refused to an account without OPERATOR_ROLE, the admin included', async () => {
      const { admin, stranger } = fx();
      await fundVault(10n * TOKEN);
      for (const who of [stranger, admin]) {
        const err = await revertOf(vaultAs(who).payBatch(id('b'), id('m'), addresses(1, 'x'), [TOKEN]));
        expect(err).toEqual({ name: 'AccessControlUnauthorizedAccount', args: [who.address, OPERATOR_ROLE_ID] });
      }
    });

    it('is refused while paused and works again after unpause', async () => {
      const { admin, operator } = fx();
      await fundVault(10n * TOKEN);
      const [a] = addresses(1, 'paused');
      await mined(vaultAs(admin).pause());
      expect(await vaultAs(admin).paused()).toBe(true);

      expect((await revertOf(vaultAs(operator).payBatch(id('b'), id('m'), [a], [TOKEN]))).name).toBe('EnforcedPause');
      expect(
        (await revertOf(vaultAs(operator).payBatchPacked(id('b'), id('m'), ...packedArgs([[a, TOKEN]])))).name,
      ).toBe('EnforcedPause');

      await mined(vaultAs(admin).unpause());
      await mined(vaultAs(operator).payBatch(id('b'), id('m'), [a], [TOKEN]));
      expect(await balances([a])).toEqual([TOKEN]);
    });

    it('lets only the admin pause and unpause', async () => {
      const { admin, operator } = fx();
      const adminRole = await vaultAs(admin).DEFAULT_ADMIN_ROLE();
      expect(await revertOf(vaultAs(operator).pause())).toEqual({
        name: 'AccessControlUnauthorizedAccount',
        args: [operator.address, adminRole],
      });
      await mined(vaultAs(admin).pause());
      expect(await revertOf(vaultAs(operator).unpause())).toEqual({
        name: 'AccessControlUnauthorizedAccount',
        args: [operator.address, adminRole],
      });
    });

    it('follows role changes: a revoked operator is refused, a newly granted one pays', async () => {
      const { admin, operator, stranger } = fx();
      await fundVault(10n * TOKEN);
      await mined(vaultAs(admin).revokeRole(OPERATOR_ROLE_ID, operator.address));
      await mined(vaultAs(admin).grantRole(OPERATOR_ROLE_ID, stranger.address));
      const [a] = addresses(1, 'roles');
      expect((await revertOf(vaultAs(operator).payBatch(id('b'), id('m'), [a], [TOKEN]))).name).toBe(
        'AccessControlUnauthorizedAccount',
      );
      await mined(vaultAs(stranger).payBatch(id('b'), id('m'), [a], [TOKEN]));
      expect(await balances([a])).toEqual([TOKEN]);
    });
  });

  describe('payBatchPacked', () => {
    it('pays every recipient and emits the same BatchPaid as payBatch', async () => {
      const { operator, contracts } = fx();
      const funds = 1n << 100n;
      await fundVault(funds);
      const recipients = addresses(4, 'packed');
      const amounts = [1n, TOKEN, 5n * TOKEN, (1n << 96n) - 1n]; // the last takes all 12 bytes
      const vault = vaultAs(operator);

      const receipt = await mined(
        vault.payBatchPacked(id('p-1'), id('manifest-p'), ...packedArgs(recipients.map((r, i) => [r, amounts[i]]))),
      );

      expect(await balances(recipients)).toEqual(amounts);
      const total = amounts.reduce((a, b) => a + b, 0n);
      expect(await balances([contracts.vaultAddress])).toEqual([funds - total]);
      expect(await vault.paid(id('p-1'))).toBe(true);
      expect(eventsOf(receipt, vaultIface, 'BatchPaid').map((e) => e.args.toArray())).toEqual([
        [id('p-1'), id('manifest-p'), 4n, total],
      ]);
      expect(eventsOf(receipt, tokenIface, 'Transfer')).toHaveLength(4);
    });

    it('scales by the unit: 22-byte records for amounts that share a factor', async () => {
      const { operator } = fx();
      await fundVault(100n * TOKEN);
      const recipients = addresses(3, 'unit');
      const amounts = [TOKEN / 20n, 3n * TOKEN, 997n * (TOKEN / 100n)]; // multiples of 0.01 token
      const [unit, width, packed] = packedArgs(recipients.map((r, i) => [r, amounts[i]]));
      expect({ unit, width, bytes: (packed.length - 2) / 2 }).toEqual({ unit: TOKEN / 100n, width: 2, bytes: 3 * 22 });
      await mined(vaultAs(operator).payBatchPacked(id('p-unit'), id('m'), unit, width, packed));
      expect(await balances(recipients)).toEqual(amounts);
    });

    it('reverts on a zero recipient, a zero amount, an empty batch and a malformed packing', async () => {
      await fundVault(10n * TOKEN);
      const vault = vaultAs(fx().operator);
      const [a] = addresses(1, 'pz');
      const record = (address: string, value: number): string =>
        address.slice(2).toLowerCase() + value.toString(16).padStart(2, '0');
      const zero = '0x' + '0'.repeat(40);
      expect(
        await revertOf(vault.payBatchPacked(id('b'), id('m'), TOKEN, 1, `0x${record(a, 1)}${record(zero, 1)}`)),
      ).toEqual({ name: 'ZeroRecipient', args: [1n] });
      expect(await revertOf(vault.payBatchPacked(id('b'), id('m'), TOKEN, 1, `0x${record(a, 0)}`))).toEqual({
        name: 'ZeroAmount',
        args: [0n],
      });
      expect((await revertOf(vault.payBatchPacked(id('b'), id('m'), TOKEN, 1, '0x'))).name).toBe('EmptyBatch');
      for (const [unit, width, packed] of [
        [TOKEN, 1, `0x${record(a, 1)}00`], // not a whole number of records
        [0n, 1, `0x${record(a, 1)}`], // unit 0
        [1n << 96n, 1, `0x${record(a, 1)}`], // unit too large
        [TOKEN, 0, `0x${a.slice(2)}`], // width 0
        [TOKEN, 13, `0x${a.slice(2)}${'01'.repeat(13)}`], // width > 12
      ] as const) {
        expect((await revertOf(vault.payBatchPacked(id('b'), id('m'), unit, width, packed))).name).toBe(
          'InvalidPacking',
        );
      }
      expect(await vault.paid(id('b'))).toBe(false);
    });

    it('refuses a replay and a non-operator', async () => {
      const { operator, stranger } = fx();
      await fundVault(10n * TOKEN);
      const args = packedArgs([[addresses(1, 'pr')[0], TOKEN]]);
      await mined(vaultAs(operator).payBatchPacked(id('b'), id('m'), ...args));
      expect(await revertOf(vaultAs(operator).payBatchPacked(id('b'), id('m'), ...args))).toEqual({
        name: 'BatchAlreadyPaid',
        args: [id('b')],
      });
      expect(await revertOf(vaultAs(operator).payBatch(id('b'), id('m'), addresses(1, 'pr2'), [TOKEN]))).toEqual({
        name: 'BatchAlreadyPaid',
        args: [id('b')],
      });
      expect((await revertOf(vaultAs(stranger).payBatchPacked(id('b2'), id('m'), ...args))).name).toBe(
        'AccessControlUnauthorizedAccount',
      );
    });
  });

  describe('refund', () => {
    it('sends the amount to the given address once per refund id, with a Refunded event', async () => {
      const { operator, contracts } = fx();
      await fundVault(10n * TOKEN);
      const [owner, other] = addresses(2, 'refund');
      const vault = vaultAs(operator);
      const receipt = await mined(vault.refund(id('r-1'), id('dataset-1'), owner, 3n * TOKEN));
      expect(await balances([owner, contracts.vaultAddress])).toEqual([3n * TOKEN, 7n * TOKEN]);
      expect(await vault.refunded(id('r-1'))).toBe(true);
      expect(eventsOf(receipt, vaultIface, 'Refunded').map((e) => e.args.toArray())).toEqual([
        [id('r-1'), id('dataset-1'), owner, 3n * TOKEN],
      ]);
      expect(await revertOf(vault.refund(id('r-1'), id('dataset-1'), other, TOKEN))).toEqual({
        name: 'RefundAlreadyPaid',
        args: [id('r-1')],
      });
      expect(await balances([owner, other])).toEqual([3n * TOKEN, 0n]);
    });

    it('refuses a non-operator, a zero recipient or amount, more than the vault holds, and while paused', async () => {
      const { operator, stranger, admin } = fx();
      await fundVault(2n * TOKEN);
      const [owner] = addresses(1, 'refund-bad');
      expect((await revertOf(vaultAs(stranger).refund(id('r'), id('d'), owner, TOKEN))).name).toBe(
        'AccessControlUnauthorizedAccount',
      );
      expect(await revertOf(vaultAs(operator).refund(id('r'), id('d'), '0x' + '0'.repeat(40), TOKEN))).toEqual({
        name: 'ZeroRecipient',
        args: [0n],
      });
      expect(await revertOf(vaultAs(operator).refund(id('r'), id('d'), owner, 0n))).toEqual({
        name: 'ZeroAmount',
        args: [0n],
      });
      expect((await revertOf(vaultAs(operator).refund(id('r'), id('d'), owner, 3n * TOKEN))).name).toBe(
        'ERC20InsufficientBalance',
      );
      await mined(vaultAs(admin).pause());
      expect((await revertOf(vaultAs(operator).refund(id('r'), id('d'), owner, TOKEN))).name).toBe('EnforcedPause');
      expect(await vaultAs(operator).refunded(id('r'))).toBe(false);
    });
  });

  describe('failed transactions on the dev chain', () => {
    it('still get a hash and a status-0 receipt (throwOnTransactionFailures is off)', async () => {
      const { stranger, provider, contracts } = fx();
      const data = vaultIface.encodeFunctionData('payBatch', [id('b'), id('m'), addresses(1, 'f'), [TOKEN]]);
      const tx = await stranger.sendTransaction({ to: contracts.vaultAddress, data, gasLimit: 200_000n });
      const receipt = await provider.getTransactionReceipt(tx.hash);
      expect(receipt?.status).toBe(0);
    });
  });
});
