import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { recordAudit } from '../audit/audit';
import { DomainError, forbidden, notFound } from '../common/domain-error';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { AccountEntity } from './account.entity';
import { AccountsRepository, type PrincipalFields } from './accounts.repository';
import { canChangeRole } from './permissions';
import { PrincipalCache } from './principal-cache';
import type { Role } from './role';

@Injectable()
export class AccountsService {
  private readonly principals: PrincipalCache<PrincipalFields>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsRepository,
    @Inject(RUNTIME_CONFIG) config: RuntimeConfig,
  ) {
    this.principals = new PrincipalCache({ ttlMs: config.principalCacheMs, now: () => performance.now() });
  }

  async get(id: string): Promise<AccountEntity> {
    const account = await this.dataSource.getRepository(AccountEntity).findOneBy({ id });
    if (!account) throw notFound('Account');
    return account;
  }

  /** The account behind a token, at most PRINCIPAL_CACHE_MS old (see PrincipalCache); null for an unknown id. */
  async principalFields(id: string): Promise<PrincipalFields | null> {
    const cached = this.principals.get(id);
    if (cached) return cached;
    const sentAt = performance.now();
    const fields = await this.accounts.principalFields(id);
    if (!fields) return null;
    this.principals.set(id, fields, sentAt);
    return fields;
  }

  async changeRole(params: { actorId: string; accountId: string; role: Role; grant: boolean }): Promise<AccountEntity> {
    if (!canChangeRole({ role: params.role }))
      throw forbidden('ADMIN is given and taken by ADMIN_ADDRESSES at sign-in, not by grantRole or revokeRole');
    const account = await this.dataSource.transaction(async (manager) => {
      if (!(await this.accounts.changeRole(manager, params))) throw notFound('Account');
      await recordAudit(manager, {
        actorId: params.actorId,
        action: params.grant ? 'role.grant' : 'role.revoke',
        subject: `account:${params.accountId}`,
        data: { role: params.role },
      });
      return manager.getRepository(AccountEntity).findOneByOrFail({ id: params.accountId });
    });
    await this.inForceEverywhere(params.accountId);
    return account;
  }

  async setBlocked(params: { actorId: string; accountId: string; blocked: boolean }): Promise<AccountEntity> {
    if (params.actorId === params.accountId) throw new DomainError('FORBIDDEN', 'An admin cannot block themselves');
    const account = await this.dataSource.transaction(async (manager) => {
      const result = await manager
        .getRepository(AccountEntity)
        .update({ id: params.accountId }, { blocked: params.blocked });
      if (!result.affected) throw notFound('Account');
      await recordAudit(manager, {
        actorId: params.actorId,
        action: params.blocked ? 'account.block' : 'account.unblock',
        subject: `account:${params.accountId}`,
      });
      return manager.getRepository(AccountEntity).findOneByOrFail({ id: params.accountId });
    });
    await this.inForceEverywhere(params.accountId);
    return account;
  }

  // Called after a role or block change has committed: this process forgets the account at once,
  // and waiting out the cache's lifetime makes every other api process do the same before the
  // change is reported done (a blocked account is refused everywhere once the mutation answers).
  // Also called by sign-in when ADMIN_ADDRESSES gave or took ADMIN.
  async inForceEverywhere(accountId: string): Promise<void> {
    this.principals.delete(accountId);
    if (this.principals.ttlMs > 0) await delay(this.principals.ttlMs);
  }
}
