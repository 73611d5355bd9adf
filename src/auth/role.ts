import { registerEnumType } from '@nestjs/graphql';

export enum Role {
  LABELER = 'LABELER',
  REQUESTER = 'REQUESTER',
  REVIEWER = 'REVIEWER',
  ADMIN = 'ADMIN',
}

registerEnumType(Role, { name: 'Role' });
