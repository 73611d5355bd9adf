// Pure: registered as a GraphQL enum in account.model.ts, so pure modules can use it.
export enum Role {
  LABELER = 'LABELER',
  REQUESTER = 'REQUESTER',
  REVIEWER = 'REVIEWER',
  ADMIN = 'ADMIN',
}
