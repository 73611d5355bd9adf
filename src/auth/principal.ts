import { DomainError } from '../common/domain-error';
import type { AccountEntity } from './account.entity';
import type { Principal } from './current-account';

export function principalOf(
  account: Pick<AccountEntity, 'id' | 'address' | 'roles' | 'blocked'>,
  via: Principal['via'],
): Principal {
  if (account.blocked) throw new DomainError('ACCOUNT_BLOCKED', 'This account is blocked');
  return { id: account.id, address: account.address, roles: account.roles, via };
}
