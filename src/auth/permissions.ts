import { Role } from './role';

// Pure permission predicates: plain data in, a yes or no out.

export function hasAnyRole(roles: readonly Role[], required: readonly Role[]): boolean {
  return required.length === 0 || required.some((r) => roles.includes(r));
}

// ADMIN is exactly ADMIN_ADDRESSES: an address in the list gets it at sign-in, an address taken
// off the list loses it at its next sign-in. Other roles are kept as granted.
export function rolesOnSignIn(params: { existing: Role[] | null; isConfiguredAdmin: boolean }): Role[] {
  const roles = new Set<Role>(params.existing ?? [Role.LABELER]);
  if (params.isConfiguredAdmin) roles.add(Role.ADMIN);
  else roles.delete(Role.ADMIN);
  return [...roles].sort();
}

// grantRole / revokeRole handle REQUESTER, REVIEWER and LABELER. ADMIN comes from ADMIN_ADDRESSES
// only: granted through the API it would outlive its removal from the list, and an admin taken
// off the list could grant it back with a token still valid.
export function canChangeRole(params: { role: Role }): boolean {
  return params.role !== Role.ADMIN;
}
