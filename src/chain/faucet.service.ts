import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Wallet, isAddress } from 'ethers';
import { DataSource } from 'typeorm';
import { badInput, DomainError } from '../common/domain-error';
import { formatTokenAmount } from '../common/money';
import { LOCKS, withSessionLock } from '../database/advisory-locks';
import { ChainService } from './chain.service';
import { decodeContractError } from './contracts';
import { DEV_KEYS } from './dev-chain';
import { gasLimitFor, initialFees, networkFeesOf } from './fees';
import { SignerService } from './signer.service';

/** The most one devFaucet call mints, in whole tokens: enough to fund test datasets, small enough to be a faucet. */
export const FAUCET_MAX_TOKENS = 10_000n;

/** Dev ETH the faucet sends along (enough for thousands of approve/deposit calls), and below which it does. */
export const FAUCET_GAS_AMOUNT = 10n ** 18n;
const FAUCET_GAS_FLOOR = 10n ** 17n;
/** The public dev key that pays the gas money: none of the conventional roles (0 deploys, 1 operates, 2+ are for tests). */
const GAS_KEY = DEV_KEYS[9];

// Mints LabelToken on the dev chain only. The token's owner signs: the operator key (through
// SignerService, so a mint never races a payout for a nonce) or, as `npm start` deploys it, one
// of the public DEV_KEYS (then under its own advisory lock, nonces from the node). A wallet that
// holds less than 0.1 dev ETH also gets 1, so a new wallet can pay the gas of approve and deposit.
@Injectable()
export class FaucetService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly chain: ChainService,
    private readonly signer: SignerService,
  ) {}

  async mint(params: { address: string; amount: bigint }): Promise<string> {
    const minted = await this.mintTokens(params);
    await this.topUpGas(params.address);
    return minted;
  }

  private async mintTokens(params: { address: string; amount: bigint }): Promise<string> {
    const { settings, token } = this.chain.require();
    if (!settings.isDevChain) throw new DomainError('DEV_CHAIN_ONLY', 'devFaucet works only on the local dev chain');
    if (!isAddress(params.address)) throw badInput('address must be a 0x-prefixed 20-byte hex address');
    const max = FAUCET_MAX_TOKENS * 10n ** BigInt(settings.tokenDecimals);
    if (params.amount <= 0n || params.amount > max)
      throw badInput(`amount must be above 0 and at most ${formatTokenAmount(max, settings.tokenDecimals)}`);
    const data = token.interface.encodeFunctionData('mint', [params.address, params.amount]);
    const owner = (await this.read(() => token.owner())).toLowerCase();
    if (owner === this.signer.address) return this.signer.withLock(() => this.mintAsOperator(data));
    const key = DEV_KEYS.find((k) => new Wallet(k).address.toLowerCase() === owner);
    if (key === undefined) throw new DomainError('CHAIN_UNAVAILABLE', 'The faucet has no key that owns the token');
    return withSessionLock(this.dataSource, { namespace: LOCKS.signerNamespace, name: owner }, async () => {
      const wallet = new Wallet(key, this.chain.require().provider);
      const nonce = await this.read(() => wallet.getNonce('pending'));
      const tx = await this.read(() => wallet.sendTransaction({ to: settings.tokenAddress, data, nonce }));
      return tx.hash;
    });
  }

  private async topUpGas(address: string): Promise<void> {
    const { provider } = this.chain.require();
    const payer = new Wallet(GAS_KEY, provider);
    await withSessionLock(
      this.dataSource,
      { namespace: LOCKS.signerNamespace, name: payer.address.toLowerCase() },
      async () => {
        if ((await this.read(() => provider.getBalance(address))) >= FAUCET_GAS_FLOOR) return;
        const nonce = await this.read(() => payer.getNonce('pending'));
        await this.read(() => payer.sendTransaction({ to: address, value: FAUCET_GAS_AMOUNT, nonce }));
      },
    );
  }

  private async mintAsOperator(data: string): Promise<string> {
    const { settings, provider } = this.chain.require();
    const estimate = await this.read(() =>
      provider.estimateGas({ from: this.signer.address, to: settings.tokenAddress, data }),
    );
    const fees = initialFees(networkFeesOf(await this.read(() => provider.getFeeData())));
    const nonce = await this.signer.nextNonce();
    const signed = await this.signer.sign({
      to: settings.tokenAddress,
      data,
      nonce,
      gasLimit: gasLimitFor(estimate),
      ...fees,
    });
    const sent = await this.signer.broadcast(signed.raw);
    if (sent.outcome !== 'accepted' && sent.outcome !== 'already-known')
      throw new DomainError('CHAIN_UNAVAILABLE', `The chain refused the mint (${sent.outcome})`);
    return signed.hash;
  }

  /** Chain errors become CHAIN_UNAVAILABLE with the contract error name when there is one. */
  private async read<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const decoded = decodeContractError(error);
      throw new DomainError(
        'CHAIN_UNAVAILABLE',
        decoded ? `The faucet cannot mint (${decoded.name})` : 'The chain did not answer',
      );
    }
  }
}
