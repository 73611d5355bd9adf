import { createSecretKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { isUuid } from '../common/ids';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { AccountsService } from './accounts.service';
import { principalOf } from './principal';
import type { Principal } from './current-account';

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(RUNTIME_CONFIG) config: RuntimeConfig,
    private readonly accounts: AccountsService,
  ) {
    // A KeyObject, not the string: given a string, jsonwebtoken first tries (and fails) to parse it
    // as a PEM public key on every verify, which costs more than the HMAC itself.
    super({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), secretOrKey: hmacKey(config.jwtSecret), algorithms: ['HS256'], ignoreExpiration: false });
  }

  // The account is read on every request so roles and blocks take effect at once, even for a
  // token issued before the change.
  async validate(payload: { sub?: string }): Promise<Principal | false> {
    if (typeof payload.sub !== 'string') return false;
    // A malformed id is an unknown account, not a server error.
    if (!isUuid(payload.sub)) return false;
    const account = await this.accounts.principalFields(payload.sub);
    return account ? principalOf(account, 'jwt') : false;
  }
}

// passport-jwt's types only name string | Buffer, but it hands the key to jsonwebtoken untouched,
// which takes a KeyObject as is.
function hmacKey(secret: string): Buffer {
  return createSecretKey(Buffer.from(secret, 'utf8')) as unknown as Buffer;
}
