import { Role } from '../../src/auth/role';
import { TaskSplitService } from '../../src/tasks/task-split.service';
import { createDataset, ndjson, upload } from '../datasets/dataset-fixtures';
import { gql } from '../support/gql';
import { signInAs, type SignedInUser } from '../support/sign-in';
import type { TestApp } from '../support/test-app';

// A dataset built the way an AI team builds one, through the public API: createDataset, an NDJSON
// upload with gold labels, an admin credit, publishDataset; then the split (the worker's job,
// run here in-process so the test decides when). Regular item i has truth `truth(i)`; gold item
// i has gold label `goldLabel(i)`.

export interface PublishedDataset {
  id: string;
  owner: SignedInUser;
  goldIds: Set<string>;
  goldLabelOf: Map<string, string>;
  truthOf: Map<string, string>;
}

export async function publishDataset(
  app: TestApp,
  params: {
    items: number;
    gold: number;
    classes?: string[];
    truth?: (i: number) => string;
    goldLabel?: (i: number) => string;
    input?: Record<string, unknown>;
    credit?: string;
  },
): Promise<PublishedDataset> {
  const classes = params.classes ?? ['cat', 'dog'];
  const truth = params.truth ?? ((i: number) => classes[i % classes.length]);
  const goldLabel = params.goldLabel ?? ((i: number) => classes[(i + 1) % classes.length]);
  const owner = await signInAs(app, [Role.LABELER, Role.REQUESTER]);
  const admin = await signInAs(app, [Role.LABELER, Role.ADMIN]);
  const { id } = await createDataset(app, owner.token, {
    labelSchema: { kind: 'SINGLE_CHOICE', classes },
    ...params.input,
  });
  const rows = [
    ...Array.from({ length: params.items }, (_, i) => ({ externalId: `r${i}`, payload: { text: `regular ${i}` } })),
    ...Array.from({ length: params.gold }, (_, i) => ({
      externalId: `g${i}`,
      payload: { text: `quality ${i}` },
      goldLabel: goldLabel(i),
    })),
  ];
  const uploaded = await upload(app, { id, token: owner.token, body: ndjson(rows) });
  if (uploaded.body.inserted !== rows.length) throw new Error(`upload failed: ${JSON.stringify(uploaded.body)}`);
  await gql(app, {
    query: 'mutation($id: ID!, $amount: TokenAmount!) { creditDatasetBudget(datasetId: $id, amount: $amount) { id } }',
    variables: { id, amount: params.credit ?? '1000000' },
    token: admin.token,
  });
  const published = await gql(app, {
    query: 'mutation($id: ID!) { publishDataset(id: $id) { status } }',
    variables: { id },
    token: owner.token,
  });
  if (published.data?.publishDataset?.status !== 'OPEN')
    throw new Error(`publish failed: ${JSON.stringify(published.errors)}`);
  await app.app.get(TaskSplitService).split(id);
  const items: { id: string; external_id: string; is_gold: boolean }[] = await app.dataSource.query(
    'SELECT id, external_id, is_gold FROM items WHERE dataset_id = $1',
    [id],
  );
  const goldIds = new Set(items.filter((i) => i.is_gold).map((i) => i.id));
  const indexOf = (externalId: string) => Number(externalId.slice(1));
  return {
    id,
    owner,
    goldIds,
    goldLabelOf: new Map(items.filter((i) => i.is_gold).map((i) => [i.id, goldLabel(indexOf(i.external_id))])),
    truthOf: new Map(items.filter((i) => !i.is_gold).map((i) => [i.id, truth(indexOf(i.external_id))])),
  };
}
