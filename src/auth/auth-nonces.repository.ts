import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { queryRows } from '../database/query-rows';

// Expired nonces removed per nonce issued: enough to keep up with any rate of requests (each
// adds one), bounded so that no request pays for a backlog.
const EXPIRED_SWEEP_LIMIT = 100;

// Sign-in nonces live only while they can still be used: consuming one deletes it, and issuing
// one sweeps a bounded number of expired ones (through the expires_at index), so the table holds
// the nonces of the last SIWE_NONCE_TTL_SECONDS and nothing of the history.
@Injectable()
export class AuthNoncesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async issue(params: { nonce: string; address: string; expiresAt: Date; now: Date }): Promise<void> {
    await this.dataSource.query('INSERT INTO auth_nonces (nonce, address, expires_at) VALUES ($1, $2, $3)', [
      params.nonce,
      params.address,
      params.expiresAt,
    ]);
    await this.dataSource.query(
      `DELETE FROM auth_nonces WHERE nonce IN (
         SELECT nonce FROM auth_nonces WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [params.now, EXPIRED_SWEEP_LIMIT],
    );
  }

  /**
   * Uses the nonce up: one conditional DELETE, so two concurrent sign-ins with the same nonce
   * cannot both succeed. false when it is unknown, used, expired or issued to another address.
   */
  async consume(manager: EntityManager, params: { nonce: string; address: string; now: Date }): Promise<boolean> {
    const rows = await queryRows<{ nonce: string }>(
      manager,
      'DELETE FROM auth_nonces WHERE nonce = $1 AND address = $2 AND expires_at > $3 RETURNING nonce',
      [params.nonce, params.address, params.now],
    );
    return rows.length === 1;
  }
}
