import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { keccak256, toQuantity } from 'ethers';
import { CLOCK, type Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { BootError } from '../config/boot-error';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { anchorBlockFor, chainIdentityMismatch, type ChainIdentity, type ObservedChain } from './chain-identity';
import { ChainIdentityRepository } from './chain-identity.repository';
import { ChainService } from './chain.service';

// How long a successful check is trusted before money-moving work checks again.
const RECHECK_AFTER_MS = 10_000;

// Refuses to run against a chain that is not the one the database was built on. Checked at boot
// (a mismatch stops it with one line) and again, at most every few seconds, before every job that
// moves money (payout building, sending, reconciling, deposit scans): a chain swapped under a
// running service (a restarted node) stops the money instead of being "reorged" into.
@Injectable()
export class ChainIdentityService implements OnModuleInit {
  private readonly logger = new Logger(ChainIdentityService.name);
  private mismatch: string | null = null;
  private verifiedAt = 0;
  private checking: Promise<void> | null = null;

  constructor(
    private readonly chain: ChainService,
    private readonly identities: ChainIdentityRepository,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.chain.available) return;
    try {
      await this.verify();
    } catch (error) {
      if (this.mismatch !== null) throw new BootError(this.mismatch);
      // An RPC that is down at boot is not a mismatch: health/ready reports it, and no money moves
      // until a check succeeds.
      this.logger.warn({ err: error }, 'could not check the chain at boot; money-moving jobs wait until it answers');
    }
  }

  /** Throws unless the chain was recently checked to be the database's. */
  async assertSameChain(): Promise<void> {
    if (this.mismatch === null && this.clock.now().getTime() - this.verifiedAt < RECHECK_AFTER_MS) return;
    try {
      await this.verify();
    } catch (error) {
      if (this.mismatch !== null)
        throw new DomainError(
          'CHAIN_UNAVAILABLE',
          'The chain is not the one this service was built on; no money moves until that is fixed',
        );
      throw error instanceof DomainError ? error : new DomainError('CHAIN_UNAVAILABLE', 'The chain did not answer');
    }
  }

  private verify(): Promise<void> {
    this.checking ??= this.compare().finally(() => (this.checking = null));
    return this.checking;
  }

  private async compare(): Promise<void> {
    if (this.mismatch !== null) throw new Error(this.mismatch);
    let recorded = await this.identities.recorded();
    let reason: string | null;
    if (recorded === null) {
      const first = await this.firstIdentity();
      reason = first.reason;
      if (reason === null) recorded = await this.identities.recordFirst(first.identity);
    }
    reason ??= chainIdentityMismatch(
      recorded as ChainIdentity,
      await this.observe((recorded as ChainIdentity).anchorBlock),
    );
    if (reason !== null) {
      this.mismatch = this.explain(reason);
      this.logger.error(this.mismatch);
      throw new Error(this.mismatch);
    }
    this.verifiedAt = this.clock.now().getTime();
  }

  // A database meeting its first chain anchors on the earliest block it already knows (a payout
  // or deposit recorded before this check existed), which the chain must have; a new database
  // anchors on a block below the head.
  private async firstIdentity(): Promise<{ identity: ChainIdentity; reason: string | null }> {
    const known = await this.identities.oldestKnownBlock();
    const anchorBlock =
      known?.number ??
      anchorBlockFor({
        head: await this.chain.require().provider.getBlockNumber(),
        reorgWindow: this.config.chainReorgWindow,
      });
    const observed = await this.observe(anchorBlock);
    const reason =
      known !== null && observed.anchorHash !== known.hash
        ? `its block ${known.number} is ${observed.anchorHash ?? 'missing'}, but this database saw a payout or deposit in ${known.hash}`
        : null;
    return { identity: { ...observed, anchorBlock, anchorHash: observed.anchorHash ?? '' }, reason };
  }

  private async observe(anchorBlock: number): Promise<ObservedChain> {
    const { provider, settings } = this.chain.require();
    const blockHash = async (n: number): Promise<string | null> =>
      ((await provider.send('eth_getBlockByNumber', [toQuantity(n), false])) as { hash: string } | null)?.hash ?? null;
    const [chainId, genesisHash, anchorHash, tokenCode, vaultCode] = await Promise.all([
      provider.send('eth_chainId', []) as Promise<string>,
      blockHash(0),
      blockHash(anchorBlock),
      provider.getCode(settings.tokenAddress),
      provider.getCode(settings.vaultAddress),
    ]);
    return {
      chainId: Number(chainId),
      genesisHash: genesisHash ?? '',
      anchorHash,
      tokenAddress: settings.tokenAddress.toLowerCase(),
      vaultAddress: settings.vaultAddress.toLowerCase(),
      tokenCodeHash: keccak256(tokenCode),
      vaultCodeHash: keccak256(vaultCode),
    };
  }

  private explain(reason: string): string {
    const { settings } = this.chain.require();
    const where = settings.isDevChain
      ? `the dev chain at ${settings.rpcUrl}`
      : `the chain at ${settings.publicRpcUrl ?? 'CHAIN_RPC_URL'}`;
    const fix = settings.isDevChain
      ? 'keep DATA_DIR whole (its chain/ and pg/ belong together), or delete DATA_DIR to start both over'
      : 'point CHAIN_RPC_URL, CHAIN_ID, TOKEN_ADDRESS and VAULT_ADDRESS at that chain, or use a new database';
    return `${where} is not the one this database was built on (${reason}); no money was moved: ${fix}`;
  }
}
