import type { TestApp } from './test-app';

export interface GqlResponse {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any;
  errors?: { message: string; extensions?: { code?: string; [k: string]: unknown } }[];
}

export async function gql(
  app: TestApp,
  params: { query: string; variables?: Record<string, unknown>; token?: string; apiKey?: string },
): Promise<GqlResponse> {
  let req = app.http.post('/graphql').set('content-type', 'application/json');
  if (params.token) req = req.set('authorization', `Bearer ${params.token}`);
  if (params.apiKey) req = req.set('x-api-key', params.apiKey);
  const res = await req.send({ query: params.query, variables: params.variables ?? {} });
  return { status: res.status, data: res.body?.data ?? null, errors: res.body?.errors };
}

export function errorCode(res: GqlResponse): string | undefined {
  return res.errors?.[0]?.extensions?.code;
}
