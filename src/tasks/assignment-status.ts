import { registerEnumType } from '@nestjs/graphql';

export enum AssignmentStatus {
  ACTIVE = 'ACTIVE',
  SUBMITTED = 'SUBMITTED',
  ACCEPTED = 'ACCEPTED',
  REJECTED = 'REJECTED',
  EXPIRED = 'EXPIRED',
  RELEASED = 'RELEASED',
}

registerEnumType(AssignmentStatus, { name: 'AssignmentStatus' });
