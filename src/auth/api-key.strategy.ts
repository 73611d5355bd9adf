import { Strategy } from 'passport-custom';
import type { ApiKeysService } from './api-keys.service';
import type { Principal } from './current-account';
import { principalOf } from './principal';

// X-API-Key: read on every request (no cache), so a revoked key stops at once.
export function createApiKeyStrategy(apiKeys: ApiKeysService): InstanceType<typeof Strategy> {
  return new Strategy((request, done) => {
    principalForKey(apiKeys, request.headers['x-api-key']).then(
      (principal) => done(null, principal),
      (error: unknown) => done(error as Error),
    );
  });
}

async function principalForKey(apiKeys: ApiKeysService, key: unknown): Promise<Principal | false> {
  if (typeof key !== 'string' || key.length === 0 || key.length > 200) return false;
  const account = await apiKeys.accountForKey(key);
  return account ? principalOf(account, 'api-key') : false;
}
