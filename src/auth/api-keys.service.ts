import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, IsNull } from 'typeorm';
import { badInput, notFound } from '../common/domain-error';
import { ApiKeyEntity } from './api-key.entity';
import { AccountsRepository, type PrincipalFields } from './accounts.repository';

export interface CreatedApiKey {
  id: string;
  key: string;
  prefix: string;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

@Injectable()
export class ApiKeysService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsRepository,
  ) {}

  async create(accountId: string, name: string): Promise<CreatedApiKey> {
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 100) throw badInput('name must be 1 to 100 characters');
    const prefix = randomBytes(4).toString('hex');
    const key = `lc_${prefix}_${randomBytes(24).toString('base64url')}`;
    const row = await this.dataSource
      .getRepository(ApiKeyEntity)
      .save({ accountId, name: trimmed, prefix, keyHash: hashApiKey(key), revokedAt: null });
    return { id: row.id, key, prefix };
  }

  async revoke(accountId: string, id: string): Promise<boolean> {
    const result = await this.dataSource
      .getRepository(ApiKeyEntity)
      .update({ id, accountId, revokedAt: IsNull() }, { revokedAt: new Date() });
    if (!result.affected) {
      const exists = await this.dataSource.getRepository(ApiKeyEntity).existsBy({ id, accountId });
      if (!exists) throw notFound('API key');
    }
    return true;
  }

  // The owner of a live key, or null for unknown and revoked keys alike. One plain query, like the
  // JWT path's: the guard runs it on every request.
  accountForKey(key: string): Promise<PrincipalFields | null> {
    return this.accounts.principalByKeyHash(hashApiKey(key));
  }
}
