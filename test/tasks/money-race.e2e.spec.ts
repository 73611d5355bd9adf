import { Role } from '../../src/auth/role';
import { formatTokenAmount, NO_CHAIN_DECIMALS } from '../../src/common/money';
import { TaskSplitService } from '../../src/tasks/task-split.service';
import { createOpenDataset } from '../support/fixtures';
import { errorCode, gql } from '../support/gql';
import { giveRoles, signIn } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { invariantViolations } from './invariants';
import { answersFor, claim, publishVerdicts, submit } from './labeler';

// Acceptances (published by verdicts) add to spend stripes without the dataset row lock, so a
// cancel racing them must read funds and in-flight work in one snapshot
// (DatasetsRepository.commitmentState). Whatever the interleaving of the cancel with submits and
// verdicts, afterwards exactly the in-flight work (leases and submissions awaiting their verdict)
// stays committed, a submission that got in before the cancel is decided and paid from it, and no
// money is lost.
describe('cancelling a dataset while its labelers submit and their verdicts are published', () => {
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
    const submitAll = (group: typeof held) => group.map(({ user, assignment }) => submit(app, user.token, assignment.id, answersFor(assignment, fixture)));
    const statuses = async (group: typeof held): Promise<string[]> =>
      (await app.dataSource.query('SELECT status FROM assignments WHERE id = ANY ($1::uuid[])', [group.map((h) => h.assignment.id)])).map((r: { status: string }) => r.status);

    // Half the work is accepted before the cancel (its price sits in the stripes); a quarter is
    // submitted before it, and its verdicts race it; the last quarter's submits race it.
    const early = await Promise.all(submitAll(held.slice(0, 10)));
    expect(early.map((s) => s.assignment?.status)).toEqual(Array(10).fill('SUBMITTED'));
    await publishVerdicts(app);
    expect(await statuses(held.slice(0, 10))).toEqual(Array(10).fill('ACCEPTED'));
    const waiting = await Promise.all(submitAll(held.slice(10, 15)));
    expect(waiting.map((s) => s.assignment?.status)).toEqual(Array(5).fill('SUBMITTED'));
    const [cancelled, , ...submitted] = await Promise.all([
      gql(app, { query: 'mutation($id: ID!) { cancelDataset(id: $id) { status } }', variables: { id: fixture.datasetId }, token: owner.token }),
      publishVerdicts(app),
      ...submitAll(held.slice(15)),
    ]);
    expect(cancelled.data?.cancelDataset.status).toBe('CANCELLED');
    // Every submit either got in before the cancel or was refused by it; none is lost in between.
    expect(submitted.every((s) => s.assignment?.status === 'SUBMITTED' || errorCode(s) === 'DATASET_NOT_OPEN')).toBe(true);
    const gotIn = submitted.filter((s) => s.assignment?.status === 'SUBMITTED').length;

    const money = async () => {
      const [row] = await app.dataSource.query(
        `SELECT f.committed::text, f.spent::text,
                d.reward_per_answer * (SELECT coalesce(sum(cardinality(a.item_ids)), 0) FROM assignments a WHERE a.dataset_id = d.id AND a.status IN ('ACTIVE', 'SUBMITTED')) AS in_flight,
                d.reward_per_answer * (SELECT count(*) FROM answers a WHERE a.dataset_id = d.id AND a.accepted) AS paid
           FROM datasets d JOIN dataset_funds f USING (id) WHERE d.id = $1`,
        [fixture.datasetId],
      );
      return { committed: BigInt(row.committed), spent: BigInt(row.spent), inFlight: BigInt(row.in_flight), paid: BigInt(row.paid) };
    };
    const afterRace = await money();
    expect(afterRace.committed).toBe(afterRace.inFlight);
    expect(afterRace.spent).toBe(afterRace.paid);
    expect(await invariantViolations(app.dataSource, fixture.datasetId)).toEqual({});

    // The submissions that got in before the cancel are still decided, and paid from what the
    // cancel kept for them.
    await publishVerdicts(app);
    expect(await statuses(held.slice(10, 15))).toEqual(Array(5).fill('ACCEPTED'));
    const accepted = 15 + gotIn;
    expect((await statuses(held)).filter((s) => s === 'ACCEPTED')).toHaveLength(accepted);
    const settled = await money();
    expect(settled.committed).toBe(settled.inFlight);
    expect(settled.spent).toBe(settled.paid);
    expect(settled.spent).toBe(fixture.rewardPerAnswer * 6n * BigInt(accepted));
    expect(await invariantViolations(app.dataSource, fixture.datasetId)).toEqual({});
    // What the owner is shown is the same money, spend stripes included.
    const shown = await gql(app, { query: 'query($id: ID!) { dataset(id: $id) { committed spent } }', variables: { id: fixture.datasetId }, token: owner.token });
    expect(shown.data?.dataset).toEqual({ committed: formatTokenAmount(settled.committed, NO_CHAIN_DECIMALS), spent: formatTokenAmount(settled.spent, NO_CHAIN_DECIMALS) });
  });
});
