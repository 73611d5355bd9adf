import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { isAddress } from 'ethers';
import { DataSource, type EntityManager } from 'typeorm';
import { CLOCK, type Clock } from '../common/clock';
import { badInput, DomainError } from '../common/domain-error';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { AccountEntity } from './account.entity';
import { AccountsService } from './accounts.service';
import { AuthNoncesRepository } from './auth-nonces.repository';
import { rolesOnSignIn } from './permissions';
import { Role } from './role';
import { recordAudit } from '../audit/audit';
import { verifySiwe } from './siwe-check';

export interface SignInResult {
  accessToken: string;
  expiresAt: Date;
  account: AccountEntity;
}

const DEV_CHAIN_ID = 31337;

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly nonces: AuthNoncesRepository,
    private readonly accountsService: AccountsService,
    private readonly jwt: JwtService,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  get expectedChainId(): number {
    return this.config.chain?.chainId ?? this.config.chainId ?? DEV_CHAIN_ID;
  }

  async requestNonce(address: string): Promise<string> {
    if (!isAddress(address)) throw badInput('address must be a 0x-prefixed 20-byte hex address');
    // SIWE nonces are alphanumeric; 96 random bits in hex are plenty and easy to copy.
    const nonce = randomBytes(12).toString('hex');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.config.siweNonceTtlSeconds * 1000);
    await this.nonces.issue({ nonce, address: address.toLowerCase(), expiresAt, now });
    return nonce;
  }

  async signIn(message: string, signature: string): Promise<SignInResult> {
    const now = this.clock.now();
    const verified = verifySiwe({
      message,
      signature,
      domain: this.config.siweDomain,
      chainId: this.expectedChainId,
      now,
    });
    const { account, adminChanged } = await this.dataSource.transaction(async (manager) => {
      const consumed = await this.nonces.consume(manager, { nonce: verified.nonce, address: verified.address, now });
      if (!consumed)
        throw new DomainError('INVALID_NONCE', 'Nonce is unknown, expired, already used or issued to another address');
      return this.upsertAccount(manager, verified.address);
    });
    // ADMIN given or taken by ADMIN_ADDRESSES is a role change like any other: older tokens of the
    // account must see it on every replica (the principal cache) before sign-in answers.
    if (adminChanged) await this.accountsService.inForceEverywhere(account.id);
    if (account.blocked) throw new DomainError('ACCOUNT_BLOCKED', 'This account is blocked');
    const expiresAt = new Date(now.getTime() + this.config.jwtTtlSeconds * 1000);
    const accessToken = await this.jwt.signAsync({ sub: account.id }, { expiresIn: this.config.jwtTtlSeconds });
    return { accessToken, expiresAt, account };
  }

  private async upsertAccount(
    manager: EntityManager,
    address: string,
  ): Promise<{ account: AccountEntity; adminChanged: boolean }> {
    const accounts = manager.getRepository(AccountEntity);
    await accounts.createQueryBuilder().insert().values({ address }).orIgnore().execute();
    const account = await accounts.findOneByOrFail({ address });
    const roles = rolesOnSignIn({
      existing: account.roles,
      isConfiguredAdmin: this.config.adminAddresses.includes(address),
    });
    let adminChanged = false;
    if (roles.length !== account.roles.length) {
      await accounts.update({ id: account.id }, { roles });
      const adminNow = roles.includes(Role.ADMIN);
      adminChanged = adminNow !== account.roles.includes(Role.ADMIN);
      if (adminChanged) {
        await recordAudit(manager, {
          actorId: null,
          action: adminNow ? 'role.grant' : 'role.revoke',
          subject: `account:${account.id}`,
          data: { role: Role.ADMIN, reason: 'ADMIN_ADDRESSES at sign-in' },
        });
      }
      account.roles = roles;
    }
    return { account, adminChanged };
  }
}
