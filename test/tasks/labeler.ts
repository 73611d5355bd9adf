import type { Clock } from '../../src/common/clock';
import { VerdictService } from '../../src/tasks/verdict.service';
import type { DatasetFixture } from '../support/fixtures';
import { errorCode, gql, type GqlResponse } from '../support/gql';
import type { TestApp } from '../support/test-app';

// GraphQL calls a labeler client makes, and answer builders that know the fixture's gold.

export interface AssignmentJson {
  id: string;
  datasetId: string;
  status: string;
  expiresAt: string;
  items: { id: string; payload: unknown }[];
}

const FIELDS = 'id datasetId status expiresAt items { id payload }';

export async function claim(
  app: TestApp,
  token: string,
  datasetId?: string | null,
): Promise<GqlResponse & { assignment: AssignmentJson | null }> {
  const res = await gql(app, {
    query: `mutation($d: ID) { claimTask(datasetId: $d) { ${FIELDS} } }`,
    variables: { d: datasetId ?? null },
    token,
  });
  return { ...res, assignment: res.data?.claimTask ?? null };
}

export async function submit(
  app: TestApp,
  token: string,
  assignmentId: string,
  answers: { itemId: string; label: unknown }[],
): Promise<GqlResponse & { assignment: AssignmentJson | null }> {
  const res = await gql(app, {
    query: `mutation($a: ID!, $x: [AnswerInput!]!) { submitAssignment(assignmentId: $a, answers: $x) { ${FIELDS} } }`,
    variables: { a: assignmentId, x: answers },
    token,
  });
  return { ...res, assignment: res.data?.submitAssignment ?? null };
}

// Hands in an assignment and claims the next in one request, as a "submit and next" client does:
// GraphQL runs a document's mutations one after the other, so the claim starts once the submit is
// done, and not at all if the submit fails.
export async function submitAndNext(
  app: TestApp,
  token: string,
  assignmentId: string,
  answers: { itemId: string; label: unknown }[],
  datasetId: string,
): Promise<GqlResponse & { submitted: AssignmentJson | null; next: AssignmentJson | null }> {
  const res = await gql(app, {
    query: `mutation($a: ID!, $x: [AnswerInput!]!, $d: ID) {
      submitAssignment(assignmentId: $a, answers: $x) { ${FIELDS} }
      claimTask(datasetId: $d) { ${FIELDS} }
    }`,
    variables: { a: assignmentId, x: answers, d: datasetId },
    token,
  });
  return { ...res, submitted: res.data?.submitAssignment ?? null, next: res.data?.claimTask ?? null };
}

// Publishes every verdict that is due now, as the verdict jobs would: the one a submit requests
// for every worker with pending work, then the periodic scan for overdue batches (idempotent: a
// verdict job running at the same time decides nothing twice). Returns the batches decided.
export async function publishVerdicts(app: TestApp): Promise<number> {
  const verdicts = app.app.get(VerdictService);
  const pending: { worker_id: string; dataset_id: string }[] = await app.dataSource.query(
    "SELECT DISTINCT worker_id, dataset_id FROM assignments WHERE status = 'SUBMITTED'",
  );
  let decided = 0;
  for (const key of pending)
    if (await verdicts.decide({ workerId: key.worker_id, datasetId: key.dataset_id })) decided++;
  return decided + (await verdicts.publishOverdue());
}

// Submits and publishes the verdict right away (on the default test config every submission is
// due at once); answers the assignment's status after its verdict (`verdict`).
export async function submitAndSettle(
  app: TestApp,
  token: string,
  assignmentId: string,
  answers: { itemId: string; label: unknown }[],
): Promise<GqlResponse & { assignment: AssignmentJson | null; verdict: string | null }> {
  const res = await submit(app, token, assignmentId, answers);
  if (!res.assignment) return { ...res, verdict: null };
  await publishVerdicts(app);
  const [row] = (await app.dataSource.query('SELECT status FROM assignments WHERE id = $1', [assignmentId])) as {
    status: string;
  }[];
  return { ...res, verdict: row.status };
}

export async function release(app: TestApp, token: string, assignmentId: string): Promise<GqlResponse> {
  return gql(app, {
    query: 'mutation($a: ID!) { releaseAssignment(assignmentId: $a) }',
    variables: { a: assignmentId },
    token,
  });
}

// A labeler who answers regular items with `regular` and gold items correctly (or not).
export function answersFor(
  assignment: AssignmentJson,
  fixture: DatasetFixture,
  options: { goldCorrect?: boolean; regular?: unknown; wrongGold?: unknown } = {},
): { itemId: string; label: unknown }[] {
  return assignment.items.map((item) => {
    if (!fixture.goldLabels.has(item.id)) return { itemId: item.id, label: options.regular ?? 'dog' };
    return {
      itemId: item.id,
      label: options.goldCorrect === false ? (options.wrongGold ?? 'bird') : fixture.goldLabels.get(item.id),
    };
  });
}

export function expectCode(res: GqlResponse, code: string): void {
  if (errorCode(res) !== code) throw new Error(`expected ${code}, got ${JSON.stringify(res.errors ?? res.data)}`);
}

// A clock the test moves by hand; it starts at the real time so JWTs and SIWE stay valid.
export class FakeClock implements Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}
