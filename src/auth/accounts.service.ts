import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { recordAudit } from '../audit/audit';
import { queryRows } from '../database/query-rows';
import { DomainError, forbidden, notFound } from '../common/domain-error';
import { AccountEntity } from './account.entity';
import { canChangeRole } from './permissions';
import type { Role } from './role';

@Injectable()
export class AccountsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async get(id: string): Promise<AccountEntity> {
    const account = await this.dataSource.getRepository(AccountEntity).findOneBy({ id });
    if (!account) throw notFound('Account');
    return account;
  }

  // What a guard needs of the account behind a token, by primary key, without the ORM's query
  // building: it runs on every authenticated request. Null for an unknown id.
  async principalFields(id: string): Promise<Pick<AccountEntity, 'id' | 'address' | 'roles' | 'blocked'> | null> {
    const rows: { id: string; address: string; roles: string | Role[]; blocked: boolean }[] = await this.dataSource.query('SELECT id, address, roles::text[] AS roles, blocked FROM accounts WHERE id = $1', [id]);
    const row = rows[0];
    return row ? { id: row.id, address: row.address, roles: row.roles as Role[], blocked: row.blocked } : null;
  }

  async changeRole(params: { actorId: string; accountId: string; role: Role; grant: boolean }): Promise<AccountEntity> {
    if (!canChangeRole({ role: params.role })) throw forbidden('ADMIN is given and taken by ADMIN_ADDRESSES at sign-in, not by grantRole or revokeRole');
    return this.dataSource.transaction(async (manager) => {
      // array_append/array_remove in SQL: no read-modify-write race between two admins.
      const sql = params.grant
        ? `UPDATE accounts SET roles = CASE WHEN $2 = ANY(roles) THEN roles ELSE array_append(roles, $2::account_role) END WHERE id = $1 RETURNING id`
        : `UPDATE accounts SET roles = array_remove(roles, $2::account_role) WHERE id = $1 RETURNING id`;
      if ((await queryRows(manager, sql, [params.accountId, params.role])).length === 0) throw notFound('Account');
      await recordAudit(manager, { actorId: params.actorId, action: params.grant ? 'role.grant' : 'role.revoke', subject: `account:${params.accountId}`, data: { role: params.role } });
      return manager.getRepository(AccountEntity).findOneByOrFail({ id: params.accountId });
    });
  }

  async setBlocked(params: { actorId: string; accountId: string; blocked: boolean }): Promise<AccountEntity> {
    if (params.actorId === params.accountId) throw new DomainError('FORBIDDEN', 'An admin cannot block themselves');
    return this.dataSource.transaction(async (manager) => {
      const result = await manager.getRepository(AccountEntity).update({ id: params.accountId }, { blocked: params.blocked });
      if (!result.affected) throw notFound('Account');
      await recordAudit(manager, { actorId: params.actorId, action: params.blocked ? 'account.block' : 'account.unblock', subject: `account:${params.accountId}` });
      return manager.getRepository(AccountEntity).findOneByOrFail({ id: params.accountId });
    });
  }
}
