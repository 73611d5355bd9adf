import { createSecretKey, type KeyObject } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { DomainError } from '../common/domain-error';
import { isUuid } from '../common/ids';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { AccountsService } from './accounts.service';
import { ApiKeysService } from './api-keys.service';
import { IS_PUBLIC, REQUIRED_ROLES, requestOf, type Principal } from './current-account';
import { hasAnyRole } from './permissions';
import { principalOf } from './principal';
import type { Role } from './role';

const BEARER = /^Bearer\s+(\S+)$/i;
const MAX_API_KEY_LENGTH = 200;

// Global guard: every GraphQL operation and REST route needs a JWT (Authorization: Bearer) or an
// API key (X-API-Key) unless it is marked @Public(); @Roles() then narrows who may call it.
// The account is read on every request (one plain query) so roles and blocks take effect at once,
// even for a token issued before the change.
// Not passport: its strategies live in one process-wide registry, so a second app in the same
// process (tests, a CLI) silently took over the first one's authentication.
@Injectable()
export class AuthGuard implements CanActivate {
  // A KeyObject, not the string: given a string, jsonwebtoken first tries (and fails) to parse it
  // as a PEM public key on every verify, which costs more than the HMAC itself.
  private readonly jwtKey: KeyObject;

  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    private readonly accounts: AccountsService,
    private readonly apiKeys: ApiKeysService,
    @Inject(RUNTIME_CONFIG) config: RuntimeConfig,
  ) {
    this.jwtKey = createSecretKey(Buffer.from(config.jwtSecret, 'utf8'));
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = requestOf(context);
    const principal = (await this.fromToken(request.headers.authorization)) ?? (await this.fromApiKey(request.headers['x-api-key']));
    if (principal === null) throw new DomainError('UNAUTHENTICATED', 'A valid access token or API key is required');
    request.user = principal;
    const required = this.reflector.getAllAndOverride<Role[]>(REQUIRED_ROLES, targets) ?? [];
    if (!hasAnyRole(principal.roles, required)) throw new DomainError('FORBIDDEN', `Requires role ${required.join(' or ')}`);
    return true;
  }

  private async fromToken(header: string | string[] | undefined): Promise<Principal | null> {
    const token = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
    if (token === undefined) return null;
    let payload: { sub?: unknown };
    try {
      payload = await this.jwt.verifyAsync<{ sub?: unknown }>(token, { secret: this.jwtKey as unknown as string, algorithms: ['HS256'] });
    } catch {
      return null; // expired, forged or malformed: the same as no token
    }
    // A malformed id is an unknown account, not a server error.
    if (typeof payload.sub !== 'string' || !isUuid(payload.sub)) return null;
    const account = await this.accounts.principalFields(payload.sub);
    return account ? principalOf(account, 'jwt') : null;
  }

  private async fromApiKey(key: string | string[] | undefined): Promise<Principal | null> {
    if (typeof key !== 'string' || key.length === 0 || key.length > MAX_API_KEY_LENGTH) return null;
    const account = await this.apiKeys.accountForKey(key);
    return account ? principalOf(account, 'api-key') : null;
  }
}
