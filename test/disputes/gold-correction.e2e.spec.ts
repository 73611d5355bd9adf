import { Role } from '../../src/auth/role';
import { GoldRescoreService } from '../../src/disputes/gold-rescore.service';
import { errorCode } from '../support/gql';
import { signInAs, type SignedInUser } from '../support/sign-in';
import { startTestApp, type TestApp } from '../support/test-app';
import { invariantViolations } from '../tasks/invariants';
import { claim } from '../tasks/labeler';
import { appeal, claimCase, myDisputes, resolve } from './reviewer';
import {
  assignmentsOf,
  earningsOf,
  WRONG_GOLD_ENV,
  wrongGoldDataset,
  type AssignmentState,
  type WrongGold,
} from './wrong-gold';

const TOKEN = 10n ** 18n;

// An appeal leads a reviewer to a wrong gold label; correcting it re-scores every worker who
// answered it, pays exactly the assignments that now pass, once each, and unblocks the workers
// that gold alone had blocked.
describe('correcting a gold item', () => {
  let app: TestApp;
  let s: WrongGold;
  let reviewer: SignedInUser;
  let before: AssignmentState[];
  let appealed: AssignmentState;
  const rejectedOf = (rows: AssignmentState[], workers: string[]) =>
    rows
      .filter((a) => a.status === 'REJECTED' && workers.includes(a.worker_id))
      .map((a) => a.id)
      .sort();
  const blocked = async (workerId: string): Promise<{ blocked: boolean; block_reason: string | null }> =>
    (
      await app.dataSource.query(
        'SELECT blocked, block_reason FROM worker_stats WHERE worker_id = $1 AND dataset_id = $2',
        [workerId, s.dataset.id],
      )
    )[0];
  const funds = async (): Promise<{ spent: bigint; committed: bigint; reserve: bigint }> => {
    const [row] = await app.dataSource.query(
      'SELECT f.spent::text, f.committed::text, d.dispute_reserve::text AS reserve FROM dataset_funds f JOIN datasets d USING (id) WHERE f.id = $1',
      [s.dataset.id],
    );
    return { spent: BigInt(row.spent), committed: BigInt(row.committed), reserve: BigInt(row.reserve) };
  };

  beforeAll(async () => {
    app = await startTestApp({ role: 'api', env: WRONG_GOLD_ENV });
    s = await wrongGoldDataset(app, { honest: 6 });
    reviewer = await signInAs(app, [Role.REVIEWER]);
    before = await assignmentsOf(app, s.dataset.id);
  });
  afterAll(() => app.close());

  it('the wrong gold rejected and blocked every honest worker once, and nobody else for it', async () => {
    for (const user of s.honest) {
      const mine = before.filter((a) => a.worker_id === user.id);
      // Exactly the assignment that carried g0 was rejected.
      expect(mine.filter((a) => a.status === 'REJECTED').map((a) => a.gold_item_ids)).toEqual([[s.g0]]);
      expect(await blocked(user.id)).toEqual({ blocked: true, block_reason: 'GOLD_ACCURACY' });
    }
    expect(before.filter((a) => a.worker_id === s.copier.id).every((a) => a.status === 'ACCEPTED')).toBe(true);
    expect(await invariantViolations(app.dataSource, s.dataset.id)).toEqual({});
  });

  it('an upheld appeal with the gold corrected pays the appellant at once and the re-score pays exactly the assignments that now pass, once each', async () => {
    const appellant = s.honest[0];
    appealed = before.find((a) => a.worker_id === appellant.id && a.status === 'REJECTED')!;
    expect((await appeal(app, appellant.token, appealed.id)).errors).toBeUndefined();
    const held = await claimCase(app, reviewer.token);
    expect(held.case!.dispute).toMatchObject({ kind: 'APPEAL', itemId: null, assignmentId: null });
    expect(held.case!.items).toEqual([
      expect.objectContaining({ itemId: s.g0, gold: true, referenceLabel: 'dog', retired: false, verdictGiven: null }),
    ]);
    const answers = held.case!.items[0].answers;
    expect(answers.filter((a) => a.appellant)).toEqual([expect.objectContaining({ label: 'cat' })]);
    const fundsBefore = await funds();

    const decided = await resolve(app, reviewer.token, held.case!.dispute.id, {
      uphold: true,
      gold: [{ itemId: s.g0, verdict: 'CORRECT', label: 'cat' }],
      note: 'The picture shows a cat: the gold label was wrong',
    });
    expect(decided.errors).toBeUndefined();
    expect(decided.data.resolveDispute).toMatchObject({ status: 'RESOLVED', outcome: 'GOLD_CHANGED' });
    expect((await app.dataSource.query('SELECT gold_label, gold_version FROM items WHERE id = $1', [s.g0]))[0]).toEqual(
      { gold_label: 'cat', gold_version: 1 },
    );
    expect((await earningsOf(app, s.dataset.id)).get(appealed.id)).toBe(1);
    // The appellant sees the outcome and the note, never a label.
    const mine = await myDisputes(app, appellant.token);
    expect(mine.errors).toBeUndefined();
    expect(mine.nodes).toEqual([
      expect.objectContaining({
        outcome: 'GOLD_CHANGED',
        note: 'The picture shows a cat: the gold label was wrong',
        assignmentId: appealed.id,
      }),
    ]);

    const [{ id: rescoreId }] = await app.dataSource.query('SELECT id FROM gold_rescores WHERE item_id = $1', [s.g0]);
    const rescores = app.app.get(GoldRescoreService);
    const first = await rescores.run(rescoreId);
    expect(first).toMatchObject({ finished: true, unblocked: s.honest.length });
    const after = await assignmentsOf(app, s.dataset.id);
    const honestIds = s.honest.map((u) => u.id);
    const nowAccepted = after
      .filter((a) => a.status === 'ACCEPTED' && before.find((b) => b.id === a.id)?.status === 'REJECTED')
      .map((a) => a.id)
      .sort();
    // Exactly the honest workers' rejections turned: the careless worker's stay rejected (they
    // now miss g0 as well), and nothing accepted was taken back.
    expect(nowAccepted).toEqual(rejectedOf(before, honestIds));
    expect(rejectedOf(after, [s.careless.id])).toEqual(rejectedOf(before, [s.careless.id]));
    expect(after.filter((a) => a.status === 'ACCEPTED').length).toBe(
      before.filter((a) => a.status === 'ACCEPTED').length + nowAccepted.length,
    );
    const earnings = await earningsOf(app, s.dataset.id);
    for (const a of after) expect([a.id, earnings.get(a.id) ?? 0]).toEqual([a.id, a.status === 'ACCEPTED' ? 1 : 0]);
    // Money: each newly accepted assignment is 2 answers at 0.5, plus the review reward, all out
    // of the dispute reserve or the slot commitment; spent + committed never changes.
    const fundsAfter = await funds();
    expect(fundsAfter.spent - fundsBefore.spent).toBe(BigInt(nowAccepted.length) * TOKEN + TOKEN / 4n);
    expect(fundsAfter.spent + fundsAfter.committed).toBe(fundsBefore.spent + fundsBefore.committed);
    expect(await invariantViolations(app.dataSource, s.dataset.id)).toEqual({});

    // Running it again (or its job twice) finds nothing to do.
    expect(await rescores.run(rescoreId)).toEqual({ workers: 0, accepted: 0, unblocked: 0, finished: false });
    await app.dataSource.query('UPDATE gold_rescores SET finished_at = NULL, cursor = NULL WHERE id = $1', [rescoreId]);
    expect(await rescores.run(rescoreId)).toMatchObject({ accepted: 0, unblocked: 0, finished: true });
    expect(await earningsOf(app, s.dataset.id)).toEqual(earnings);
    expect(await funds()).toEqual(fundsAfter);
    expect(await invariantViolations(app.dataSource, s.dataset.id)).toEqual({});
  });

  it('unblocks the workers that gold alone blocked, who can claim again; the careless worker stays blocked', async () => {
    for (const user of s.honest) expect(await blocked(user.id)).toEqual({ blocked: false, block_reason: null });
    expect(await blocked(s.careless.id)).toMatchObject({ blocked: true });
    expect(errorCode(await claim(app, s.careless.token, s.dataset.id))).toBe('WORKER_BLOCKED_ON_DATASET');
    // An honest worker who still has gold they never saw gets a task; one who saw it all is
    // told so, and no honest worker is refused as blocked.
    const results = await Promise.all(
      s.honest.map(async (user) => ({ user, res: await claim(app, user.token, s.dataset.id) })),
    );
    expect(results.filter((r) => errorCode(r.res) === 'WORKER_BLOCKED_ON_DATASET')).toEqual([]);
    const unseenGold = async (user: SignedInUser): Promise<number> =>
      (
        await app.dataSource.query(
          'SELECT count(*)::int AS n FROM items i WHERE i.dataset_id = $1 AND i.is_gold AND NOT EXISTS (SELECT 1 FROM worker_seen_items s WHERE s.worker_id = $2 AND s.item_id = i.id)',
          [s.dataset.id, user.id],
        )
      )[0].n;
    for (const { user, res } of results) {
      if ((await unseenGold(user)) > 0 || res.assignment) expect(res.assignment).not.toBeNull();
      else expect(res.errors?.[0].extensions?.details).toEqual({ reason: 'NO_GOLD_LEFT' });
    }
    expect(results.some((r) => r.res.assignment)).toBe(true);
  });
});
