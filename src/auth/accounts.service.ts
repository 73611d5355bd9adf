import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { recordAudit } from '../audit/audit';
import { DomainError, forbidden, notFound } from '../common/domain-error';
import { AccountEntity } from './account.entity';
import { AccountsRepository, type PrincipalFields } from './accounts.repository';
import { canChangeRole } from './permissions';
import type { Role } from './role';

@Injectable()
export class AccountsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsRepository,
  ) {}

  async get(id: string): Promise<AccountEntity> {
    const account = await this.dataSource.getRepository(AccountEntity).findOneBy({ id });
    if (!account) throw notFound('Account');
    return account;
  }

  // What the guard needs of the account behind a token: see AccountsRepository.principalFields.
  principalFields(id: string): Promise<PrincipalFields | null> {
    return this.accounts.principalFields(id);
  }

  async changeRole(params: { actorId: string; accountId: string; role: Role; grant: boolean }): Promise<AccountEntity> {
    if (!canChangeRole({ role: params.role })) throw forbidden('ADMIN is given and taken by ADMIN_ADDRESSES at sign-in, not by grantRole or revokeRole');
    return this.dataSource.transaction(async (manager) => {
      if (!(await this.accounts.changeRole(manager, params))) throw notFound('Account');
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
