import { createSecretKey } from 'node:crypto';
import { ExtractJwt, Strategy, type VerifiedCallback } from 'passport-jwt';
import { isUuid } from '../common/ids';
import type { AccountsService } from './accounts.service';
import type { Principal } from './current-account';
import { principalOf } from './principal';

// Bearer JWT (HS256). The account is looked up on every request (AccountsService keeps it for at
// most PRINCIPAL_CACHE_MS) so roles and blocks apply to tokens issued before the change.
export function createJwtStrategy(params: { secret: string; accounts: AccountsService }): Strategy {
  const options = {
    jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
    secretOrKey: hmacKey(params.secret),
    algorithms: ['HS256' as const],
    ignoreExpiration: false,
  };
  return new Strategy(options, (payload: { sub?: unknown }, done: VerifiedCallback) => {
    principalForSubject(params.accounts, payload.sub).then(
      (principal) => done(null, principal),
      (error: unknown) => done(error, false),
    );
  });
}

async function principalForSubject(accounts: AccountsService, sub: unknown): Promise<Principal | false> {
  // A malformed id is an unknown account, not a server error.
  if (typeof sub !== 'string' || !isUuid(sub)) return false;
  const account = await accounts.principalFields(sub);
  return account ? principalOf(account, 'jwt') : false;
}

// A KeyObject, not the string: given a string, jsonwebtoken first tries (and fails) to parse it as
// a PEM public key on every verify, which costs more than the HMAC itself. passport-jwt's types
// only name string | Buffer, but it hands the key to jsonwebtoken untouched.
function hmacKey(secret: string): Buffer {
  return createSecretKey(Buffer.from(secret, 'utf8')) as unknown as Buffer;
}
