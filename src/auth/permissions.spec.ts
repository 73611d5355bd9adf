import { canChangeRole, hasAnyRole, rolesOnSignIn } from './permissions';
import { Role } from './role';

describe('permissions', () => {
  it.each([
    [[Role.LABELER], [Role.ADMIN], false],
    [[Role.LABELER, Role.ADMIN], [Role.ADMIN], true],
    [[Role.REQUESTER], [Role.REQUESTER, Role.ADMIN], true],
    [[], [], true],
    [[Role.REVIEWER], [Role.LABELER], false],
  ])('hasAnyRole(%p, %p) = %p', (roles, required, expected) => {
    expect(hasAnyRole(roles, required)).toBe(expected);
  });

  it.each([
    [null, false, [Role.LABELER]],
    [null, true, [Role.ADMIN, Role.LABELER]],
    [[Role.REQUESTER], true, [Role.ADMIN, Role.REQUESTER]],
    [[Role.REVIEWER], false, [Role.REVIEWER]],
    [[Role.ADMIN, Role.LABELER, Role.REQUESTER], false, [Role.LABELER, Role.REQUESTER]],
    [[Role.ADMIN, Role.LABELER], true, [Role.ADMIN, Role.LABELER]],
  ])('rolesOnSignIn(existing %p, admin %p) = %p', (existing, isConfiguredAdmin, expected) => {
    expect(rolesOnSignIn({ existing, isConfiguredAdmin })).toEqual(expected);
  });

  it.each([
    [Role.ADMIN, false],
    [Role.REQUESTER, true],
    [Role.REVIEWER, true],
    [Role.LABELER, true],
  ])('canChangeRole(%s) = %p: ADMIN comes from ADMIN_ADDRESSES only', (role, expected) => {
    expect(canChangeRole({ role })).toBe(expected);
  });
});
