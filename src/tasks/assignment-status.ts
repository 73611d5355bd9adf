// Pure: registered as a GraphQL enum in assignment.model.ts, so pure modules can use it.
export enum AssignmentStatus {
  ACTIVE = 'ACTIVE',
  SUBMITTED = 'SUBMITTED',
  ACCEPTED = 'ACCEPTED',
  REJECTED = 'REJECTED',
  EXPIRED = 'EXPIRED',
  RELEASED = 'RELEASED',
}
