import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
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
    super({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), secretOrKey: config.jwtSecret, algorithms: ['HS256'], ignoreExpiration: false });
  }

  // The account is read on every request so roles and blocks take effect at once, even for a
  // token issued before the change.
  async validate(payload: { sub?: string }): Promise<Principal | false> {
    if (typeof payload.sub !== 'string') return false;
    const account = await this.accounts.get(payload.sub).catch(() => null);
    return account ? principalOf(account, 'jwt') : false;
  }
}
