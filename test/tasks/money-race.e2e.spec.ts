import { Role } from '../../src/auth/role';
import { formatTokenAmount, NO_CHAIN_DECIMALS } from '../../src/common/money';
import { TaskSplitService } from '../../src/tasks/task-split.service';
import { createOpenDataset } from '../support/fixtures';
import { errorCode, gql } from '../support/gql';
import { giveRoles, signIn, type SignedInUser } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { holdRows, holdTableForWrites, lockWaitSeen } from '../support/interleave';
import { invariantViolations } from './invariants';
import { answersFor, claim, publishVerdicts, submit, type AssignmentJson } from './labeler';

/** The dataset's funds next to what they must equal: the price of the work in flight, and of the accepted answers. */
async function moneyOf(
  app: TestApp,
  datasetId: string,
): Promise<{ committed: bigint; spent: bigint; inFlight: bigint; paid: bigint }> {
  const [row] = await app.dataSource.query(
    `SELECT f.committed::text, f.spent::text,
            d.reward_per_answer * (SELECT coalesce(sum(cardinality(a.item_ids)), 0) FROM assignments a WHERE a.dataset_id = d.id AND a.status IN ('ACTIVE', 'SUBMITTED')) AS in_flight,
            d.reward_per_answer * (SELECT count(*) FROM answers a WHERE a.dataset_id = d.id AND a.accepted) AS paid
       FROM datasets d JOIN dataset_funds f USING (id) WHERE d.id = $1`,
    [datasetId],
  );
  return {
    committed: BigInt(row.committed),
    spent: BigInt(row.spent),
    inFlight: BigInt(row.in_flight),
    paid: BigInt(row.paid),
  };
}

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
    const fixture = await createOpenDataset(app.dataSource, {
      items: 100,
      itemsPerTask: 5,
      answersPerItem: 1,
      gold: 20,
      goldPerTask: 1,
    });
    await app.app.get(TaskSplitService).split(fixture.datasetId);
    const owner = await signIn(app);
    await giveRoles(app.dataSource, owner.id, [Role.REQUESTER]);
    await app.dataSource.query('UPDATE datasets SET owner_id = $2 WHERE id = $1', [fixture.datasetId, owner.id]);
    const labelers = await Promise.all(Array.from({ length: 20 }, () => signIn(app)));
    const held = await Promise.all(
      labelers.map(async (user) => ({
        user,
        assignment: (await claim(app, user.token, fixture.datasetId)).assignment!,
      })),
    );
    const submitAll = (group: typeof held) =>
      group.map(({ user, assignment }) => submit(app, user.token, assignment.id, answersFor(assignment, fixture)));
    const statuses = async (group: typeof held): Promise<string[]> =>
      (
        await app.dataSource.query('SELECT status FROM assignments WHERE id = ANY ($1::uuid[])', [
          group.map((h) => h.assignment.id),
        ])
      ).map((r: { status: string }) => r.status);

    // Half the work is accepted before the cancel (its price sits in the stripes); a quarter is
    // submitted before it, and its verdicts race it; the last quarter's submits race it.
    const early = await Promise.all(submitAll(held.slice(0, 10)));
    expect(early.map((s) => s.assignment?.status)).toEqual(Array(10).fill('SUBMITTED'));
    await publishVerdicts(app);
    expect(await statuses(held.slice(0, 10))).toEqual(Array(10).fill('ACCEPTED'));
    const waiting = await Promise.all(submitAll(held.slice(10, 15)));
    expect(waiting.map((s) => s.assignment?.status)).toEqual(Array(5).fill('SUBMITTED'));
    const [cancelled, , ...submitted] = await Promise.all([
      gql(app, {
        query: 'mutation($id: ID!) { cancelDataset(id: $id) { status } }',
        variables: { id: fixture.datasetId },
        token: owner.token,
      }),
      publishVerdicts(app),
      ...submitAll(held.slice(15)),
    ]);
    expect(cancelled.data?.cancelDataset.status).toBe('CANCELLED');
    // Every submit either got in before the cancel or was refused by it; none is lost in between.
    expect(submitted.every((s) => s.assignment?.status === 'SUBMITTED' || errorCode(s) === 'DATASET_NOT_OPEN')).toBe(
      true,
    );
    const gotIn = submitted.filter((s) => s.assignment?.status === 'SUBMITTED').length;

    const money = () => moneyOf(app, fixture.datasetId);
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
    const shown = await gql(app, {
      query: 'query($id: ID!) { dataset(id: $id) { committed spent } }',
      variables: { id: fixture.datasetId },
      token: owner.token,
    });
    expect(shown.data?.dataset).toEqual({
      committed: formatTokenAmount(settled.committed, NO_CHAIN_DECIMALS),
      spent: formatTokenAmount(settled.spent, NO_CHAIN_DECIMALS),
    });
  });
});

// The same race with each interleaving forced rather than hoped for: the test holds a lock one
// party needs at a known statement, waits until that party is seen waiting for it, runs the other
// party, then lets the first go on. Four labelers hold one task each: one accepted before the
// cancel, one submitted and awaiting its verdict, two with live leases.
describe('cancelling a dataset: every interleaving, forced', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ role: 'api', env: { SIGN_IN_RATE_LIMIT: '100000' } });
  });
  afterAll(() => app.close());

  async function scene() {
    const fixture = await createOpenDataset(app.dataSource, {
      items: 20,
      itemsPerTask: 5,
      answersPerItem: 1,
      gold: 8,
      goldPerTask: 1,
    });
    await app.app.get(TaskSplitService).split(fixture.datasetId);
    const owner = await signIn(app);
    await giveRoles(app.dataSource, owner.id, [Role.REQUESTER]);
    await app.dataSource.query('UPDATE datasets SET owner_id = $2 WHERE id = $1', [fixture.datasetId, owner.id]);
    const held: { user: SignedInUser; assignment: AssignmentJson }[] = [];
    for (let i = 0; i < 4; i++) {
      const user = await signIn(app);
      held.push({ user, assignment: (await claim(app, user.token, fixture.datasetId)).assignment! });
    }
    const send = (h: (typeof held)[number]) =>
      submit(app, h.user.token, h.assignment.id, answersFor(h.assignment, fixture));
    await send(held[0]);
    await publishVerdicts(app);
    await send(held[1]);
    const cancel = () =>
      gql(app, {
        query: 'mutation($id: ID!) { cancelDataset(id: $id) { status } }',
        variables: { id: fixture.datasetId },
        token: owner.token,
      });
    const money = () => moneyOf(app, fixture.datasetId);
    // Whatever the order: exactly the in-flight work stays committed, spent is what was paid, the
    // invariants hold, and once every verdict is out that is still true.
    const expectNoMoneyLost = async (): Promise<void> => {
      for (let pass = 0; pass < 2; pass++) {
        const m = await money();
        expect({ committed: m.committed, spent: m.spent }).toEqual({ committed: m.inFlight, spent: m.paid });
        expect(await invariantViolations(app.dataSource, fixture.datasetId)).toEqual({});
        await publishVerdicts(app);
      }
      const [{ status }] = await app.dataSource.query('SELECT status FROM datasets WHERE id = $1', [fixture.datasetId]);
      expect(status).toBe('CANCELLED');
    };
    return { fixture, held, send, cancel, expectNoMoneyLost, url: app.config.databaseUrl };
  }

  it('a verdict that accepted and wrote its spend before the cancel read, and commits after the cancel committed', async () => {
    const s = await scene();
    // A verdict's writes are one statement; the worker's balance is written last, by the ledger's
    // statement trigger, after the counting and the spend. Held there, the verdict has accepted
    // and written its spend (items, tasks and stripes locked) but not committed while the cancel
    // runs. pg_stat_activity shows the verdict's statement (its first 1 kB), not the trigger's.
    const balanceLock = await holdTableForWrites(s.url, 'ledger_balances');
    const verdicts = publishVerdicts(app);
    await lockWaitSeen(s.url, `%SET status = 'ACCEPTED'%`);
    expect((await s.cancel()).data?.cancelDataset.status).toBe('CANCELLED');
    await balanceLock.release();
    expect(await verdicts).toBe(1);
    await s.expectNoMoneyLost();
  });

  it("a verdict that commits between the cancel's read of the funds and its commit", async () => {
    const s = await scene();
    const auditLock = await holdTableForWrites(s.url, 'audit_events');
    const cancelled = s.cancel();
    await lockWaitSeen(s.url, '%audit_events%');
    expect(await publishVerdicts(app)).toBe(1);
    await auditLock.release();
    expect((await cancelled).data?.cancelDataset.status).toBe('CANCELLED');
    await s.expectNoMoneyLost();
  });

  it('a submit while the cancel is between its read of the funds and its commit', async () => {
    const s = await scene();
    const auditLock = await holdTableForWrites(s.url, 'audit_events');
    const cancelled = s.cancel();
    await lockWaitSeen(s.url, '%audit_events%');
    const submitted = await s.send(s.held[2]);
    await auditLock.release();
    expect((await cancelled).data?.cancelDataset.status).toBe('CANCELLED');
    expect(submitted.assignment?.status).toBe('SUBMITTED'); // it got in before the cancel committed
    await s.expectNoMoneyLost();
  });

  it('a submit held at its assignment while the cancel commits: refused, nothing lost', async () => {
    const s = await scene();
    const rowLock = await holdRows(s.url, 'SELECT id FROM assignments WHERE id = $1', [s.held[2].assignment.id]);
    const submitted = s.send(s.held[2]);
    await lockWaitSeen(s.url, '%assignment%');
    expect((await s.cancel()).data?.cancelDataset.status).toBe('CANCELLED');
    await rowLock.release();
    expect(errorCode(await submitted)).toBe('DATASET_NOT_OPEN');
    await s.expectNoMoneyLost();
  });
});
