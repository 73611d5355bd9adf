import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { recordAudit } from '../audit/audit';
import { queryRows } from '../database/query-rows';
import { DomainError, forbidden, notFound } from '../common/domain-error';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { AccountEntity } from './account.entity';
import { canChangeRole } from './permissions';
import { PrincipalCache } from './principal-cache';
import type { Role } from './role';

export type PrincipalFields = Pick<AccountEntity, 'id' | 'address' | 'roles' | 'blocked'>;

// What a guard needs of the account behind a token, by primary key: a named (prepared) statement
// on the pool itself, without TypeORM's query runner. It runs on every authenticated request.
const PRINCIPAL_BY_ID = { name: 'principal_by_id', text: 'SELECT id, address, roles::text[] AS roles, blocked FROM accounts WHERE id = $1' };

@Injectable()
export class AccountsService {
  private readonly principals: PrincipalCache<PrincipalFields>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
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
    const pool = (this.dataSource.driver as PostgresDriver).master as Pool;
    const [row] = (await pool.query<PrincipalFields>({ ...PRINCIPAL_BY_ID, values: [id] })).rows;
    if (!row) return null;
    const fields = { id: row.id, address: row.address, roles: row.roles, blocked: row.blocked };
    this.principals.set(id, fields, sentAt);
    return fields;
  }

  async changeRole(params: { actorId: string; accountId: string; role: Role; grant: boolean }): Promise<AccountEntity> {
    if (!canChangeRole({ actorId: params.actorId, targetId: params.accountId, role: params.role, grant: params.grant })) {
      throw forbidden('An admin cannot revoke their own ADMIN role');
    }
    const account = await this.dataSource.transaction(async (manager) => {
      // array_append/array_remove in SQL: no read-modify-write race between two admins.
      const sql = params.grant
        ? `UPDATE accounts SET roles = CASE WHEN $2 = ANY(roles) THEN roles ELSE array_append(roles, $2::account_role) END WHERE id = $1 RETURNING id`
        : `UPDATE accounts SET roles = array_remove(roles, $2::account_role) WHERE id = $1 RETURNING id`;
      if ((await queryRows(manager, sql, [params.accountId, params.role])).length === 0) throw notFound('Account');
      await recordAudit(manager, { actorId: params.actorId, action: params.grant ? 'role.grant' : 'role.revoke', subject: `account:${params.accountId}`, data: { role: params.role } });
      return manager.getRepository(AccountEntity).findOneByOrFail({ id: params.accountId });
    });
    await this.inForceEverywhere(params.accountId);
    return account;
  }

  async setBlocked(params: { actorId: string; accountId: string; blocked: boolean }): Promise<AccountEntity> {
    if (params.actorId === params.accountId) throw new DomainError('FORBIDDEN', 'An admin cannot block themselves');
    const account = await this.dataSource.transaction(async (manager) => {
      const result = await manager.getRepository(AccountEntity).update({ id: params.accountId }, { blocked: params.blocked });
      if (!result.affected) throw notFound('Account');
      await recordAudit(manager, { actorId: params.actorId, action: params.blocked ? 'account.block' : 'account.unblock', subject: `account:${params.accountId}` });
      return manager.getRepository(AccountEntity).findOneByOrFail({ id: params.accountId });
    });
    await this.inForceEverywhere(params.accountId);
    return account;
  }

  // Called after a role or block change has committed: this process forgets the account at once,
  // and waiting out the cache's lifetime makes every other api process do the same before the
  // change is reported done (a blocked account is refused everywhere once the mutation answers).
  private async inForceEverywhere(accountId: string): Promise<void> {
    this.principals.delete(accountId);
    if (this.principals.ttlMs > 0) await delay(this.principals.ttlMs);
  }
}
