import { GraphQLSchemaHost } from '@nestjs/graphql';
import { printSchema } from 'graphql';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../support/test-app';

// schema.gql is the committed public contract. Regenerate with `npm run schema:update` and
// review the diff: fields may be added, never renamed or removed.
const SCHEMA_FILE = join(__dirname, '..', '..', 'schema.gql');

describe('schema.gql', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('matches the schema the code generates', () => {
    const printed = printSchema(app.app.get(GraphQLSchemaHost).schema) + '\n';
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(SCHEMA_FILE, printed);
    expect(existsSync(SCHEMA_FILE)).toBe(true);
    expect(printed).toBe(readFileSync(SCHEMA_FILE, 'utf8'));
  });
});
