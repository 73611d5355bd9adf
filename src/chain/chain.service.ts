import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Wallet, type JsonRpcProvider } from 'ethers';
import { DomainError } from '../common/domain-error';
import { RUNTIME_CONFIG, type ChainSettings, type RuntimeConfig } from '../config/runtime-config';
import { connectLabelToken, connectPayoutVault, type LabelTokenContract, type PayoutVaultContract } from './contracts';
import { createChainProvider } from './chain-provider';

export interface ChainConnection {
  settings: ChainSettings;
  provider: JsonRpcProvider;
  /** The operator key (PAYOUT_SIGNER_KEY). Only SignerService signs with it: nonces live there. */
  wallet: Wallet;
  vault: PayoutVaultContract;
  token: LabelTokenContract;
}

export interface TokenInfo {
  decimals: number;
  symbol: string;
}

// The one ethers provider and operator wallet of the process, built from config.chain.
// When the service runs without a chain every chain feature answers CHAIN_UNAVAILABLE.
@Injectable()
export class ChainService implements OnModuleDestroy {
  private readonly logger = new Logger(ChainService.name);
  private readonly connection: ChainConnection | null;
  private symbolPromise: Promise<string> | null = null;

  constructor(@Inject(RUNTIME_CONFIG) config: RuntimeConfig) {
    const settings = config.chain;
    if (settings === null) {
      this.connection = null;
      return;
    }
    const provider = createChainProvider(settings.rpcUrl, settings.chainId);
    this.connection = {
      settings,
      provider,
      wallet: new Wallet(settings.signerKey, provider),
      vault: connectPayoutVault(settings.vaultAddress, provider),
      token: connectLabelToken(settings.tokenAddress, provider),
    };
  }

  get available(): boolean {
    return this.connection !== null;
  }

  require(): ChainConnection {
    if (this.connection === null) throw new DomainError('CHAIN_UNAVAILABLE', 'No chain is configured for this service');
    return this.connection;
  }

  /**
   * decimals (read when the chain was connected at boot: the scale of every TokenAmount) and
   * symbol (read from the token once; a failed read is retried next time).
   */
  async tokenInfo(): Promise<TokenInfo> {
    const { token, settings } = this.require();
    this.symbolPromise ??= token.symbol().catch((error: unknown) => {
      this.symbolPromise = null;
      this.logger.warn({ err: error }, 'reading the token symbol failed');
      throw new DomainError('CHAIN_UNAVAILABLE', 'The chain did not answer');
    });
    return { decimals: settings.tokenDecimals, symbol: await this.symbolPromise };
  }

  onModuleDestroy(): void {
    this.connection?.provider.destroy();
  }
}
