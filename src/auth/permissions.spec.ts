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
  ])('rolesOnSignIn(existing %p, admin %p) = %p', (existing, isConfiguredAdmin, expected) => {
    expect(rolesOnSignIn({ existing, isConfiguredAdmin })).toEqual(expected);
  });

  it('forbids an admin revoking their own ADMIN role, nothing else', () => {
    expect(canChangeRole({ actorId: 'a', targetId: 'a', role: Role.ADMIN, grant: false })).toBe(false);
    expect(canChangeRole({ actorId: 'a', targetId: 'b', role: Role.ADMIN, grant: false })).toBe(true);
    expect(canChangeRole({ actorId: 'a', targetId: 'a', role: Role.REVIEWER, grant: false })).toBe(true);
  });
});
