import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard as PassportAuthGuard } from '@nestjs/passport';
import { DomainError } from '../common/domain-error';
import { IS_PUBLIC, REQUIRED_ROLES, requestOf, type Principal } from './current-account';
import { hasAnyRole } from './permissions';
import type { Role } from './role';

// Global guard: every GraphQL operation and REST route needs a JWT or an API key unless it is
// marked @Public(); @Roles() then narrows who may call it.
@Injectable()
export class AuthGuard extends PassportAuthGuard(['jwt', 'api-key']) {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override getRequest(context: ExecutionContext): unknown {
    return requestOf(context);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    await super.canActivate(context);
    const principal = requestOf(context).user as Principal;
    const required = this.reflector.getAllAndOverride<Role[]>(REQUIRED_ROLES, targets) ?? [];
    if (!hasAnyRole(principal.roles, required)) throw new DomainError('FORBIDDEN', `Requires role ${required.join(' or ')}`);
    return true;
  }

  override handleRequest<T>(error: unknown, user: T): T {
    if (error) throw error;
    if (!user) throw new DomainError('UNAUTHENTICATED', 'A valid access token or API key is required');
    return user;
  }
}
