import { Role } from '../../src/auth/role';
import { formatTokenAmount } from '../../src/common/money';
import { TaskSplitService } from '../../src/tasks/task-split.service';
import { createOpenDataset } from '../support/fixtures';
import { errorCode, gql } from '../support/gql';
import { giveRoles, signIn } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { invariantViolations } from './invariants';
import { answersFor, claim, submit } from './labeler';

// Acceptances add to spend stripes without the dataset row lock, so a cancel racing them must read
// funds and in-flight work in one snapshot (DatasetsRepository.commitmentState). Whatever the
// interleaving, afterwards exactly the in-flight work stays committed and no money is lost.
describe('cancelling a dataset while its labelers submit', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ role: 'api', env: { SIGN_IN_RATE_LIMIT: '100000' } });
  });
  afterAll(() => app.close());

  it('keeps committed exactly what in-flight assignments may cost, and spent equal to the earnings', async () => {
    const fixture = await createOpenDataset(app.dataSource, { items: 100, itemsPerTask: 5, answersPerItem: 1, gold: 20, goldPerTask: 1 });
    await app.app.get(TaskSplitService).split(fixture.datasetId);
    const owner = await signIn(app);
    await giveRoles(app.dataSource, owner.id, [Role.REQUESTER]);
    await app.dataSource.query('UPDATE datasets SET owner_id = $2 WHERE id = $1', [fixture.datasetId, owner.id]);
    const labelers = await Promise.all(Array.from({ length: 20 }, () => signIn(app)));
    const held = await Promise.all(labelers.map(async (user) => ({ user, assignment: (await claim(app, user.token, fixture.datasetId)).assignment! })));

    // Half the work is accepted before the cancel (its price sits in the stripes), half races it.
    const early = await Promise.all(held.slice(0, 10).map(({ user, assignment }) => submit(app, user.token, assignment.id, answersFor(assignment, fixture))));
    expect(early.map((s) => s.assignment?.status)).toEqual(Array(10).fill('ACCEPTED'));
    const [cancelled, ...submitted] = await Promise.all([
      gql(app, { query: 'mutation($id: ID!) { cancelDataset(id: $id) { status } }', variables: { id: fixture.datasetId }, token: owner.token }),
      ...held.slice(10).map(({ user, assignment }) => submit(app, user.token, assignment.id, answersFor(assignment, fixture))),
    ]);
    expect(cancelled.data?.cancelDataset.status).toBe('CANCELLED');
    const accepted = 10 + submitted.filter((s) => s.assignment?.status === 'ACCEPTED').length;
    // Every submit either got in before the cancel or was refused by it; none is lost in between.
    expect(submitted.every((s) => s.assignment?.status === 'ACCEPTED' || errorCode(s) === 'DATASET_NOT_OPEN')).toBe(true);

    const [money] = await app.dataSource.query(
      `SELECT f.committed::text, f.spent::text, f.budget::text,
              d.reward_per_answer * (SELECT coalesce(sum(cardinality(a.item_ids)), 0) FROM assignments a WHERE a.dataset_id = d.id AND a.status IN ('ACTIVE', 'SUBMITTED')) AS in_flight,
              d.reward_per_answer * (SELECT count(*) FROM answers a WHERE a.dataset_id = d.id AND a.accepted) AS paid
         FROM datasets d JOIN dataset_funds f USING (id) WHERE d.id = $1`,
      [fixture.datasetId],
    );
    expect(BigInt(money.committed)).toBe(BigInt(money.in_flight));
    expect(BigInt(money.spent)).toBe(BigInt(money.paid));
    expect(BigInt(money.spent)).toBe(fixture.rewardPerAnswer * 6n * BigInt(accepted));
    expect(await invariantViolations(app.dataSource, fixture.datasetId)).toEqual({});
    // What the owner is shown is the same money, spend stripes included.
    const shown = await gql(app, { query: 'query($id: ID!) { dataset(id: $id) { committed spent } }', variables: { id: fixture.datasetId }, token: owner.token });
    expect(shown.data?.dataset).toEqual({ committed: formatTokenAmount(BigInt(money.committed)), spent: formatTokenAmount(BigInt(money.spent)) });
  });
});
