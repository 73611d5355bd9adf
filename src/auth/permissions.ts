import { Role } from './role';

// Pure permission predicates: plain data in, a yes or no out.

export function hasAnyRole(roles: readonly Role[], required: readonly Role[]): boolean {
  return required.length === 0 || required.some((r) => roles.includes(r));
}

export function rolesOnSignIn(params: { existing: Role[] | null; isConfiguredAdmin: boolean }): Role[] {
  const roles = new Set<Role>(params.existing ?? [Role.LABELER]);
  if (params.isConfiguredAdmin) roles.add(Role.ADMIN);
  return [...roles].sort();
}

export function canChangeRole(params: { actorId: string; targetId: string; role: Role; grant: boolean }): boolean {
  // An admin cannot remove their own ADMIN role: that would lock the last admin out.
  return !(params.actorId === params.targetId && params.role === Role.ADMIN && !params.grant);
}
