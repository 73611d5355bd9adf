import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '../common/domain-error';
import { IS_PUBLIC, REQUIRED_ROLES, requestOf } from './current-account';
import { hasAnyRole } from './permissions';
import { RequestAuthenticator } from './request-authenticator';
import type { Role } from './role';

// Global guard: every GraphQL operation and REST route needs a JWT or an API key unless it is
// marked @Public(); @Roles() then narrows who may call it.
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: RequestAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = requestOf(context);
    const principal = await this.authenticator.authenticate(request);
    if (!principal) throw new DomainError('UNAUTHENTICATED', 'A valid access token or API key is required');
    request.user = principal;
    const required = this.reflector.getAllAndOverride<Role[]>(REQUIRED_ROLES, targets) ?? [];
    if (!hasAnyRole(principal.roles, required))
      throw new DomainError('FORBIDDEN', `Requires role ${required.join(' or ')}`);
    return true;
  }
}
