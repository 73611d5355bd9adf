import { Injectable } from '@nestjs/common';
import { isAddress } from 'ethers';
import { badInput, DomainError } from '../common/domain-error';
import { formatTokenAmount, parseTokenAmount } from '../common/money';
import { ChainService } from './chain.service';
import { decodeContractError } from './contracts';
import { initialFees, gasLimitFor } from './fees';
import { SignerService } from './signer.service';

/** The most one devFaucet call mints: enough to fund test datasets, small enough to be a faucet. */
export const FAUCET_MAX_AMOUNT = parseTokenAmount('10000');

// Mints LabelToken on the dev chain (the operator key owns the token there). Refused on any
// other chain. Goes through SignerService so it never races a payout for a nonce.
@Injectable()
export class FaucetService {
  constructor(
    private readonly chain: ChainService,
    private readonly signer: SignerService,
  ) {}

  async mint(params: { address: string; amount: bigint }): Promise<string> {
    const { settings, provider, token } = this.chain.require();
    if (!settings.isDevChain) throw new DomainError('DEV_CHAIN_ONLY', 'devFaucet works only on the local dev chain');
    if (!isAddress(params.address)) throw badInput('address must be a 0x-prefixed 20-byte hex address');
    if (params.amount <= 0n || params.amount > FAUCET_MAX_AMOUNT) throw badInput(`amount must be above 0 and at most ${formatTokenAmount(FAUCET_MAX_AMOUNT)}`);
    const data = token.interface.encodeFunctionData('mint', [params.address, params.amount]);
    return this.signer.withLock(async () => {
      let estimate: bigint;
      try {
        estimate = await provider.estimateGas({ from: this.signer.address, to: settings.tokenAddress, data });
      } catch (error) {
        const decoded = decodeContractError(error);
        if (decoded) throw new DomainError('CHAIN_UNAVAILABLE', `The faucet cannot mint (${decoded.name})`);
        throw new DomainError('CHAIN_UNAVAILABLE', 'The chain did not answer');
      }
      const fees = initialFees(await this.networkFees());
      const nonce = await this.signer.nextNonce();
      const signed = await this.signer.sign({ to: settings.tokenAddress, data, nonce, gasLimit: gasLimitFor(estimate), ...fees });
      const sent = await this.signer.broadcast(signed.raw);
      if (sent.outcome !== 'accepted' && sent.outcome !== 'already-known') throw new DomainError('CHAIN_UNAVAILABLE', `The chain refused the mint (${sent.outcome})`);
      return signed.hash;
    });
  }

  private async networkFees(): Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> {
    const fee = await this.chain.require().provider.getFeeData();
    return { maxFeePerGas: fee.maxFeePerGas ?? fee.gasPrice ?? 0n, maxPriorityFeePerGas: fee.maxPriorityFeePerGas ?? 0n };
  }
}
