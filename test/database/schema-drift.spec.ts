import { DataSource } from 'typeorm';
import { typeormOptions } from '../../src/database/typeorm-options';
import { AssignmentStatus } from '../../src/tasks/assignment-status';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

describe('migrations', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await new DataSource(typeormOptions(db.url)).initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  it('match the entities: generating a migration would produce nothing', async () => {
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('have all been applied to the template', async () => {
    expect(await dataSource.showMigrations()).toBe(false);
  });

  // TypeORM matches checks by name only, so the drift above cannot see this one's list. myAssignments
  // without a status reads one index range per status the code knows: a status outside that list
  // would vanish from it.
  it('allow an assignment exactly the statuses of AssignmentStatus (assignments_status_check)', async () => {
    const [{ def }] = (await dataSource.query(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'assignments_status_check'`,
    )) as { def: string }[];
    const allowed = [...def.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]).sort();
    expect(allowed).toEqual(Object.values(AssignmentStatus).sort());
  });
});
