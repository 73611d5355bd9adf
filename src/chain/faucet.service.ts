import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Wallet, isAddress } from 'ethers';
import { DataSource } from 'typeorm';
import { badInput, DomainError } from '../common/domain-error';
import { formatTokenAmount, parseTokenAmount } from '../common/money';
import { LOCKS, withSessionLock } from '../database/advisory-locks';
import { ChainService } from './chain.service';
import { decodeContractError } from './contracts';
import { DEV_KEYS } from './dev-chain';
import { gasLimitFor, initialFees, networkFeesOf } from './fees';
import { SignerService } from './signer.service';

/** The most one devFaucet call mints: enough to fund test datasets, small enough to be a faucet. */
export const FAUCET_MAX_AMOUNT = parseTokenAmount('10000');

// Mints LabelToken on the dev chain only. The token's owner signs: the operator key (through
// SignerService, so a mint never races a payout for a nonce) or, as `npm start` deploys it, one
// of the public DEV_KEYS (then under its own advisory lock, nonces from the node).
@Injectable()
export class FaucetService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly chain: ChainService,
    private readonly signer: SignerService,
  ) {}

  async mint(params: { address: string; amount: bigint }): Promise<string> {
    const { settings, token } = this.chain.require();
    if (!settings.isDevChain) throw new DomainError('DEV_CHAIN_ONLY', 'devFaucet works only on the local dev chain');
    if (!isAddress(params.address)) throw badInput('address must be a 0x-prefixed 20-byte hex address');
    if (params.amount <= 0n || params.amount > FAUCET_MAX_AMOUNT) throw badInput(`amount must be above 0 and at most ${formatTokenAmount(FAUCET_MAX_AMOUNT)}`);
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

  private async mintAsOperator(data: string): Promise<string> {
    const { settings, provider } = this.chain.require();
    const estimate = await this.read(() => provider.estimateGas({ from: this.signer.address, to: settings.tokenAddress, data }));
    const fees = initialFees(networkFeesOf(await this.read(() => provider.getFeeData())));
    const nonce = await this.signer.nextNonce();
    const signed = await this.signer.sign({ to: settings.tokenAddress, data, nonce, gasLimit: gasLimitFor(estimate), ...fees });
    const sent = await this.signer.broadcast(signed.raw);
    if (sent.outcome !== 'accepted' && sent.outcome !== 'already-known') throw new DomainError('CHAIN_UNAVAILABLE', `The chain refused the mint (${sent.outcome})`);
    return signed.hash;
  }

  /** Chain errors become CHAIN_UNAVAILABLE with the contract error name when there is one. */
  private async read<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const decoded = decodeContractError(error);
      throw new DomainError('CHAIN_UNAVAILABLE', decoded ? `The faucet cannot mint (${decoded.name})` : 'The chain did not answer');
    }
  }
}
