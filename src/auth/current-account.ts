import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Role } from './role';

// What the guard attaches to a request once the caller is authenticated and not blocked.
export interface Principal {
  id: string;
  address: string;
  roles: Role[];
  via: 'jwt' | 'api-key';
}

export const IS_PUBLIC = 'labelchain:public';
export const REQUIRED_ROLES = 'labelchain:roles';

export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_ROLES, roles);

export function requestOf(context: ExecutionContext): {
  user?: Principal;
  headers: Record<string, string | string[] | undefined>;
  ip?: string;
} {
  if (context.getType<string>() === 'graphql') return GqlExecutionContext.create(context).getContext().req;
  return context.switchToHttp().getRequest();
}

export const CurrentAccount = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const user = requestOf(context).user;
  if (!user) throw new Error('CurrentAccount used on a route without authentication');
  return user;
});
