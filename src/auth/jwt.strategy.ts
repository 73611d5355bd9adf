import { createSecretKey } from 'node:crypto';
import type { Request } from 'express';
import { ExtractJwt, Strategy, type VerifiedCallback } from 'passport-jwt';
import { isUuid } from '../common/ids';
import type { AccountsService } from './accounts.service';
import type { Principal } from './current-account';
import { principalOf } from './principal';
import { VerifiedTokenCache, type VerifiedClaims } from './verified-token-cache';

// Bearer JWT (HS256). The account is looked up on every request (AccountsService keeps it for at
// most PRINCIPAL_CACHE_MS) so roles and blocks apply to tokens issued before the change. A token
// whose signature verified once is not verified again while it is valid (VerifiedTokenCache).
export function createJwtStrategy(params: { secret: string; accounts: AccountsService }): Strategy {
  const fromRequest = ExtractJwt.fromAuthHeaderAsBearerToken();
  const verified = new VerifiedTokenCache();
  const options = {
    jwtFromRequest: fromRequest,
    secretOrKey: hmacKey(params.secret),
    algorithms: ['HS256' as const],
    ignoreExpiration: false,
    passReqToCallback: true as const,
  };
  // Reached only after jsonwebtoken verified the token's signature and time claims.
  const onVerified = (request: Request, payload: VerifiedClaims, done: VerifiedCallback): void => {
    const token = fromRequest(request);
    if (token) verified.remember(token, payload);
    settle(principalForSubject(params.accounts, payload.sub), done);
  };

  class KnownTokenJwtStrategy extends Strategy {
    override authenticate(request: Request, authOptions?: object): void {
      const token = fromRequest(request);
      const payload = token ? verified.get(token, Date.now()) : undefined;
      if (payload === undefined) return super.authenticate(request, authOptions);
      // What passport-jwt does with the verify callback's answer.
      settle(principalForSubject(params.accounts, payload.sub), (error, principal) => {
        if (error) this.error(error as Error);
        else if (!principal) this.fail(undefined as unknown as number);
        else this.success(principal);
      });
    }
  }
  return new KnownTokenJwtStrategy(options, onVerified);
}

function settle(principal: Promise<Principal | false>, done: VerifiedCallback): void {
  principal.then(
    (found) => done(null, found),
    (error: unknown) => done(error, false),
  );
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
