import { Inject, Injectable } from '@nestjs/common';
import { Passport } from 'passport';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { AccountsService } from './accounts.service';
import { createApiKeyStrategy } from './api-key.strategy';
import { ApiKeysService } from './api-keys.service';
import type { Principal } from './current-account';
import { createJwtStrategy } from './jwt.strategy';

// Passport with the JWT and API-key strategies, one instance per app: the global `passport`
// object would let the last app created in a process (tests run several) authenticate requests
// for all of them against its own database and cache.
@Injectable()
export class RequestAuthenticator {
  private readonly passport = new Passport();

  constructor(@Inject(RUNTIME_CONFIG) config: RuntimeConfig, accounts: AccountsService, apiKeys: ApiKeysService) {
    this.passport.use('jwt', createJwtStrategy({ secret: config.jwtSecret, accounts }));
    this.passport.use('api-key', createApiKeyStrategy(apiKeys));
  }

  /** The caller's principal, null without valid credentials; DomainErrors (a blocked account) are thrown. */
  authenticate(request: unknown): Promise<Principal | null> {
    return new Promise((resolve, reject) => {
      const middleware = this.passport.authenticate(
        ['jwt', 'api-key'],
        { session: false },
        (error: unknown, principal: Principal | false) => (error ? reject(error) : resolve(principal || null)),
      );
      middleware(request, {}, reject);
    });
  }
}
