import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { queryRows } from '../database/query-rows';
import type { AccountEntity } from './account.entity';
import type { Role } from './role';

export type PrincipalFields = Pick<AccountEntity, 'id' | 'address' | 'roles' | 'blocked'>;

// A named (prepared) statement on the pool itself, without TypeORM's query runner: the guard runs
// it on every authenticated request whose account is not in the principal cache.
const PRINCIPAL_BY_ID = {
  name: 'principal_by_id',
  text: 'SELECT id, address, roles::text[] AS roles, blocked FROM accounts WHERE id = $1',
};

// The account reads the auth guard makes on every request (one plain query each, without the
// ORM's query building; AccountsService caches the principal for PRINCIPAL_CACHE_MS) and the role
// changes, as single statements.
@Injectable()
export class AccountsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** By primary key; null for an unknown id. */
  async principalFields(id: string): Promise<PrincipalFields | null> {
    const pool = (this.dataSource.driver as PostgresDriver).master as Pool;
    const [row] = (await pool.query<PrincipalFields>({ ...PRINCIPAL_BY_ID, values: [id] })).rows;
    return row ? { id: row.id, address: row.address, roles: row.roles, blocked: row.blocked } : null;
  }

  /** The owner of a live API key by the key's hash; null for unknown and revoked keys alike. */
  async principalByKeyHash(keyHash: string): Promise<PrincipalFields | null> {
    const [row] = await queryRows<PrincipalFields>(
      this.dataSource.manager,
      `SELECT a.id, a.address, a.roles::text[] AS roles, a.blocked
         FROM api_keys k JOIN accounts a ON a.id = k.account_id
        WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
      [keyHash],
    );
    return row ?? null;
  }

  /**
   * Adds or removes one role in one statement (array_append / array_remove in SQL: no
   * read-modify-write race between two admins). false for an unknown account.
   */
  async changeRole(
    manager: EntityManager,
    params: { accountId: string; role: Role; grant: boolean },
  ): Promise<boolean> {
    const sql = params.grant
      ? `UPDATE accounts SET roles = CASE WHEN $2 = ANY(roles) THEN roles ELSE array_append(roles, $2::account_role) END WHERE id = $1 RETURNING id`
      : `UPDATE accounts SET roles = array_remove(roles, $2::account_role) WHERE id = $1 RETURNING id`;
    return (await queryRows(manager, sql, [params.accountId, params.role])).length > 0;
  }
}
