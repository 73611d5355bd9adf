import { DataSource } from 'typeorm';
import { typeormOptions } from '../../src/database/typeorm-options';
import { AssignmentStatus } from '../../src/tasks/assignment-status';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

// The database's list of assignment statuses is the code's: myAssignments without a status reads
// one index range per status the code knows, so a status outside that list would vanish from it.
describe('assignments_status_check', () => {
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

  it('allows exactly the statuses of AssignmentStatus', async () => {
    const [{ def }] = (await dataSource.query(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'assignments_status_check'`,
    )) as { def: string }[];
    const allowed = [...def.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]).sort();
    expect(allowed).toEqual(Object.values(AssignmentStatus).sort());
  });
});
