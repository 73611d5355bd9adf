import type http from 'node:http';
import { rawRequest } from '../support/raw-request';
import type { TestApp } from '../support/test-app';
import { gql, type GqlResponse } from '../support/gql';

export const DATASET_FIELDS =
  'id ownerId name status labelSchema answersPerItem maxAnswersPerItem itemsPerTask goldPerTask rewardPerAnswer leaseSeconds aggregation targetConfidence minGoldAccuracy';
export const FUNDING_FIELDS = 'budget committed spent depositKey';

export const CREATE = `mutation($input: CreateDatasetInput!) { createDataset(input: $input) { ${DATASET_FIELDS} ${FUNDING_FIELDS} } }`;

export function datasetInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Cats and dogs',
    labelSchema: { kind: 'SINGLE_CHOICE', classes: ['cat', 'dog'] },
    answersPerItem: 2,
    itemsPerTask: 2,
    rewardPerAnswer: '0.5',
    ...overrides,
  };
}

export async function createDataset(
  app: TestApp,
  token: string,
  overrides: Record<string, unknown> = {},
): Promise<{ id: string; depositKey: string }> {
  const res = await gql(app, { query: CREATE, variables: { input: datasetInput(overrides) }, token });
  if (!res.data?.createDataset) throw new Error(`createDataset failed: ${JSON.stringify(res.errors)}`);
  return res.data.createDataset;
}

export function mutate(
  app: TestApp,
  params: { op: string; id: string; token: string; fields?: string },
): Promise<GqlResponse> {
  return gql(app, {
    query: `mutation($id: ID!) { ${params.op}(id: $id) { ${params.fields ?? 'id status'} } }`,
    variables: { id: params.id },
    token: params.token,
  });
}

export function ndjson(items: unknown[]): string {
  return items.map((i) => JSON.stringify(i)).join('\n') + '\n';
}

export function itemsOf(
  count: number,
  prefix = 'item',
): { externalId: string; payload: { text: string; n: number } }[] {
  return Array.from({ length: count }, (_, n) => ({
    externalId: `${prefix}-${n}`,
    payload: { text: `text number ${n}`, n },
  }));
}

export function upload(app: TestApp, params: { id: string; token: string; body: string | Buffer; type?: string }) {
  return app.http
    .post(`/datasets/${params.id}/items`)
    .set('authorization', `Bearer ${params.token}`)
    .set('content-type', params.type ?? 'application/x-ndjson')
    .send(params.body);
}

export async function itemCount(app: TestApp, datasetId: string): Promise<number> {
  const [{ n }] = await app.dataSource.query('SELECT count(*)::int AS n FROM items WHERE dataset_id = $1', [datasetId]);
  return n;
}

export async function datasetRow(
  app: TestApp,
  id: string,
): Promise<{
  status: string;
  budget: string;
  committed: string;
  spent: string;
  item_count: number;
  gold_item_count: number;
}> {
  const [row] = await app.dataSource.query(
    'SELECT d.status, f.budget::text, f.committed::text, f.spent::text, d.item_count, d.gold_item_count FROM datasets d JOIN dataset_funds f USING (id) WHERE d.id = $1',
    [id],
  );
  return row;
}

/** Streams `chunks` as a chunked request body (no content-length), for tests that stop midway. */
export function streamingUpload(
  app: TestApp,
  params: { id: string; token: string; type?: string },
): { req: http.ClientRequest; response: Promise<{ status: number; body: string }> } {
  return rawRequest(app, {
    method: 'POST',
    path: `/datasets/${params.id}/items`,
    headers: {
      authorization: `Bearer ${params.token}`,
      'content-type': params.type ?? 'application/x-ndjson',
      'transfer-encoding': 'chunked',
    },
  });
}

/** Polls a condition (no fixed sleeps): resolves once it holds, fails after `timeoutMs`. */
export async function until(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
