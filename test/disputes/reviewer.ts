import { errorCode, gql, type GqlResponse } from '../support/gql';
import type { TestApp } from '../support/test-app';

// GraphQL calls of the disputes flow as clients make them: labelers appeal, owners flag,
// reviewers claim, read, release, escalate and resolve cases.

export const DISPUTE_FIELDS =
  'id kind status datasetId itemId assignmentId reason createdAt leaseExpiresAt resolvedAt outcome note';
export const CASE_FIELDS = `dispute { ${DISPUTE_FIELDS} } instructions labelSchema items { itemId payload gold referenceLabel confidence retired verdictGiven answers { worker label workerAccuracy appellant counted } }`;

export interface CaseJson {
  dispute: {
    id: string;
    kind: string;
    status: string;
    datasetId: string;
    itemId: string | null;
    assignmentId: string | null;
    outcome: string | null;
  };
  instructions: string | null;
  labelSchema: unknown;
  items: {
    itemId: string;
    payload: unknown;
    gold: boolean;
    referenceLabel: unknown;
    confidence: number | null;
    retired: boolean;
    verdictGiven: string | null;
    answers: { worker: string; label: unknown; workerAccuracy: number | null; appellant: boolean; counted: boolean }[];
  }[];
}

export async function appeal(
  app: TestApp,
  token: string,
  assignmentId: string,
  reason = 'My answers were right',
): Promise<GqlResponse> {
  return gql(app, {
    query: `mutation($a: ID!, $r: String!) { appealAssignment(assignmentId: $a, reason: $r) { ${DISPUTE_FIELDS} } }`,
    variables: { a: assignmentId, r: reason },
    token,
  });
}

export async function flag(
  app: TestApp,
  token: string,
  itemId: string,
  reason = 'This label looks wrong',
): Promise<GqlResponse> {
  return gql(app, {
    query: `mutation($i: ID!, $r: String!) { flagItemResult(itemId: $i, reason: $r) { ${DISPUTE_FIELDS} } }`,
    variables: { i: itemId, r: reason },
    token,
  });
}

export async function claimCase(
  app: TestApp,
  token: string,
  datasetId?: string | null,
): Promise<GqlResponse & { case: CaseJson | null }> {
  const res = await gql(app, {
    query: `mutation($d: ID) { claimDispute(datasetId: $d) { ${CASE_FIELDS} } }`,
    variables: { d: datasetId ?? null },
    token,
  });
  return { ...res, case: res.data?.claimDispute ?? null };
}

export async function readCase(
  app: TestApp,
  token: string,
  id: string,
): Promise<GqlResponse & { case: CaseJson | null }> {
  const res = await gql(app, {
    query: `query($id: ID!) { disputeCase(id: $id) { ${CASE_FIELDS} } }`,
    variables: { id },
    token,
  });
  return { ...res, case: res.data?.disputeCase ?? null };
}

export async function resolve(
  app: TestApp,
  token: string,
  id: string,
  input: Record<string, unknown>,
): Promise<GqlResponse> {
  return gql(app, {
    query: `mutation($id: ID!, $i: ResolveDisputeInput!) { resolveDispute(disputeId: $id, input: $i) { ${DISPUTE_FIELDS} } }`,
    variables: { id, i: { note: 'Decided', ...input } },
    token,
  });
}

export async function releaseCase(app: TestApp, token: string, id: string): Promise<GqlResponse> {
  return gql(app, { query: 'mutation($id: ID!) { releaseDispute(disputeId: $id) }', variables: { id }, token });
}

export async function escalate(app: TestApp, token: string, id: string, note = 'Needs an admin'): Promise<GqlResponse> {
  return gql(app, {
    query: `mutation($id: ID!, $n: String!) { escalateDispute(disputeId: $id, note: $n) { ${DISPUTE_FIELDS} } }`,
    variables: { id, n: note },
    token,
  });
}

export async function listDisputes(
  app: TestApp,
  token: string,
  args: Record<string, unknown> = {},
): Promise<GqlResponse & { nodes: CaseJson['dispute'][] }> {
  const res = await gql(app, {
    query: `query($d: ID, $s: DisputeStatus, $k: DisputeKind) { disputes(datasetId: $d, status: $s, kind: $k, first: 50) { totalCount edges { node { ${DISPUTE_FIELDS} } } } }`,
    variables: { d: null, s: null, k: null, ...args },
    token,
  });
  return { ...res, nodes: res.data?.disputes?.edges.map((e: { node: CaseJson['dispute'] }) => e.node) ?? [] };
}

export async function myDisputes(app: TestApp, token: string): Promise<GqlResponse & { nodes: CaseJson['dispute'][] }> {
  const res = await gql(app, {
    query: `{ myDisputes(first: 50) { totalCount edges { node { ${DISPUTE_FIELDS} } } } }`,
    token,
  });
  return { ...res, nodes: res.data?.myDisputes?.edges.map((e: { node: CaseJson['dispute'] }) => e.node) ?? [] };
}

export function expectCodeOf(res: GqlResponse, code: string): void {
  if (errorCode(res) !== code) throw new Error(`expected ${code}, got ${JSON.stringify(res.errors ?? res.data)}`);
}

// The worker appeals a rejected assignment; a reviewer takes the case and, without upholding the
// appeal itself, retires one of its gold items (the reviewer finds the gold item unfit). Returns
// the id of the gold re-score that change started (run it with GoldRescoreService).
export async function appealRetiringGold(
  app: TestApp,
  params: { workerToken: string; reviewerToken: string; datasetId: string; assignmentId: string; goldItemId: string },
): Promise<string> {
  await appeal(app, params.workerToken, params.assignmentId);
  const held = (await claimCase(app, params.reviewerToken, params.datasetId)).case;
  if (!held) throw new Error('no case to claim');
  const res = await resolve(app, params.reviewerToken, held.dispute.id, {
    uphold: false,
    gold: [{ itemId: params.goldItemId, verdict: 'RETIRE' }],
  });
  if (res.data?.resolveDispute?.outcome !== 'GOLD_CHANGED')
    throw new Error(`the case was not resolved as GOLD_CHANGED: ${JSON.stringify(res.errors ?? res.data)}`);
  const [{ id }] = (await app.dataSource.query('SELECT id FROM gold_rescores WHERE item_id = $1', [
    params.goldItemId,
  ])) as { id: string }[];
  return id;
}
