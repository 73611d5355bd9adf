import { errorCode } from '../support/gql';
import { signIn, type SignedInUser } from '../support/sign-in';
import type { TestApp } from '../support/test-app';
import { claim, publishVerdicts, submit } from '../tasks/labeler';
import { publishDataset, type PublishedDataset } from '../quality/published-dataset';

// A dataset whose gold item g0 carries a wrong label, worked on through the public API.
// Regular items are all "cat"; gold g0..g4 are all labelled "dog", but g0 really shows a cat.
// The bar is 1 and one gold answer is enough to block (the app runs with
// QUALITY_MIN_GOLD_ANSWERS=1), so an honest worker is rejected and blocked by the verdict that
// covers g0, and by nothing else.
//  - honest workers answer the truth and work until that happens (their other work is accepted);
//  - the copier answers "dog" to every gold item: all accepted (g0 matched the wrong label);
//  - the careless worker answers "dog" to g0 and "cat" to the others: rejected for every other
//    gold item, right on g0 only by agreeing with the wrong label.

export const WRONG_GOLD_ENV = { SIGN_IN_RATE_LIMIT: '100000', QUALITY_MIN_GOLD_ANSWERS: '1' };

export interface WrongGold {
  dataset: PublishedDataset;
  g0: string;
  honest: SignedInUser[];
  copier: SignedInUser;
  careless: SignedInUser;
}

type Answer = (itemId: string) => string;

export async function wrongGoldDataset(
  app: TestApp,
  params: { honest: number; input?: Record<string, unknown> },
): Promise<WrongGold> {
  const dataset = await publishDataset(app, {
    items: 12,
    gold: 5,
    truth: () => 'cat',
    goldLabel: () => 'dog',
    input: {
      itemsPerTask: 1,
      answersPerItem: 3,
      goldPerTask: 1,
      minGoldAccuracy: 1,
      goldExposureCap: 100,
      reviewReward: '0.25',
      disputeReservePercent: 100,
      ...params.input,
    },
  });
  const [{ id: g0 }] = await app.dataSource.query(`SELECT id FROM items WHERE dataset_id = $1 AND external_id = 'g0'`, [
    dataset.id,
  ]);
  const truth: Answer = (itemId) => (dataset.goldIds.has(itemId) && itemId !== g0 ? 'dog' : 'cat');
  const honest: SignedInUser[] = [];
  for (let i = 0; i < params.honest; i++) {
    const user = await signIn(app);
    await workUntilRefused(app, { user, datasetId: dataset.id, answer: truth });
    honest.push(user);
  }
  const copier = await signIn(app);
  await workUntilRefused(app, {
    user: copier,
    datasetId: dataset.id,
    answer: (itemId) => (dataset.goldIds.has(itemId) ? 'dog' : 'cat'),
  });
  const careless = await signIn(app);
  await workUntilRefused(app, {
    user: careless,
    datasetId: dataset.id,
    answer: (itemId) => (itemId === g0 ? 'dog' : 'cat'),
  });
  return { dataset, g0, honest, copier, careless };
}

// Claims, answers and publishes verdicts until the worker is blocked or runs out of gold.
async function workUntilRefused(
  app: TestApp,
  params: { user: SignedInUser; datasetId: string; answer: Answer },
): Promise<void> {
  for (;;) {
    const res = await claim(app, params.user.token, params.datasetId);
    if (!res.assignment) {
      if (!['WORKER_BLOCKED_ON_DATASET', 'NOTHING_TO_CLAIM'].includes(errorCode(res) ?? ''))
        throw new Error(`unexpected claim answer ${JSON.stringify(res.errors ?? res.data)}`);
      return;
    }
    await submit(
      app,
      params.user.token,
      res.assignment.id,
      res.assignment.items.map((i) => ({ itemId: i.id, label: params.answer(i.id) })),
    );
    await publishVerdicts(app);
  }
}

export interface AssignmentState {
  id: string;
  worker_id: string;
  status: string;
  gold_item_ids: string[];
}

export async function assignmentsOf(app: TestApp, datasetId: string): Promise<AssignmentState[]> {
  return app.dataSource.query(
    `SELECT id, worker_id, status, gold_item_ids FROM assignments WHERE dataset_id = $1 AND status IN ('ACCEPTED', 'REJECTED') ORDER BY id`,
    [datasetId],
  );
}

export async function earningsOf(app: TestApp, datasetId: string): Promise<Map<string, number>> {
  const rows: { assignment_id: string; n: number }[] = await app.dataSource.query(
    `SELECT assignment_id, count(*)::int AS n FROM ledger_entries WHERE dataset_id = $1 AND kind = 'EARNING' GROUP BY assignment_id`,
    [datasetId],
  );
  return new Map(rows.map((r) => [r.assignment_id, r.n]));
}
