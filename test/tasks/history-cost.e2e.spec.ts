import { balanceStatement } from '../../src/ledger/ledger.repository';
import { takeEntriesStatement } from '../../src/payouts/batch-build.repository';
import { PayoutStatus } from '../../src/payouts/payout-status';
import { checkSubmission, submissionHash } from '../../src/tasks/answer-validation';
import { claimStatement } from '../../src/tasks/claim.repository';
import { ClaimService } from '../../src/tasks/claim.service';
import { submitStatement } from '../../src/tasks/submission.repository';
import { SubmissionService } from '../../src/tasks/submission.service';
import { pendingSubmissionsStatement } from '../../src/tasks/verdict.repository';
import { VerdictService } from '../../src/tasks/verdict.service';
import { TOKEN } from '../payouts/payout-fixtures';
import { buffersOf, executedPlan, onOneConnection } from '../support/explain';
import { startScenario, type Scenario } from '../payouts/payout-scenario';
import { publishDataset, type PublishedDataset } from '../quality/published-dataset';
import { signIn, type SignedInUser } from '../support/sign-in';
import { invariantViolations } from './invariants';
import { claim, submitAndSettle } from './labeler';

// Invariant 11: what a claim, a submit, a balance read, a verdict's lock of the pending submissions
// and a payout batch's take of an account's earnings cost does not grow with history. A
// veteran with months of work behind her (datasets labeled, verdicts, payouts confirmed on-chain)
// and a newcomer claim, submit and read their balance on the same dataset at the same moment; the
// newcomer also works on a dataset 60 times larger, a third labeled; the buffers each statement
// touches are compared: EXPLAIN (ANALYZE, BUFFERS) of the very statements
// the repositories send (executed, so the measured claims and submits are real ones). Buffers, not
// time: they do not depend on the machine's load. A read of the veteran's history itself is
// measured the same way, to show that her history is large enough to be seen if a hot path read it.

const ROUNDS = 4; // datasets in the veteran's past, each paid in its own payout batch
const PER_ROUND = 600; // assignments of the veteran on each (4 items + 1 gold each)
const SAMPLES = 9; // claim → submit cycles measured per labeler, alternating
// What a statement may touch more for her: index probes on tables that grew (a B-tree one level
// deeper), and for a claim the random draws of task and gold. A read of her history costs several
// times more (checked below).
const MARGIN = { claim: 16, submit: 8, balance: 8, verdictLock: 8, payoutTake: 8 };
// The same statements on the larger dataset also land in busier regions of its indexes (items
// that already hold answers, more page splits): a little more room, still far below a scan.
const LARGER_DATASET_MARGIN = { claim: 24, submit: 16, balance: 8, verdictLock: 8 };

interface Cost {
  claim: number;
  submit: number;
  balance: number;
  verdictLock: number;
}

describe('cost does not grow with history (invariant 11)', () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario({ env: { SIGN_IN_RATE_LIMIT: '100000' } });
  });
  afterAll(() => s.close());

  // Room for `assignments` assignments of one labeler (one slot of each task).
  const dataset = (assignments: number): Promise<PublishedDataset> =>
    publishDataset(s.app, {
      items: assignments * 4,
      gold: assignments,
      input: { itemsPerTask: 4, answersPerItem: 2, goldPerTask: 1, rewardPerAnswer: '1' },
    });
  const rightAnswers = (d: PublishedDataset, itemIds: string[]) =>
    itemIds.map((id) => ({ itemId: id, label: d.goldLabelOf.get(id) ?? d.truthOf.get(id) }));

  // One claim → submit cycle through the API, the verdict published at once.
  async function work(d: PublishedDataset, user: SignedInUser): Promise<void> {
    const { assignment } = await claim(s.app, user.token, d.id);
    const answers = rightAnswers(
      d,
      assignment!.items.map((i) => i.id),
    );
    expect((await submitAndSettle(s.app, user.token, assignment!.id, answers)).verdict).toBe('ACCEPTED');
  }

  // A long past made quickly: the services behind claimTask and submitAssignment (no HTTP), and a
  // verdict every ten submissions as the verdict job would publish them.
  async function pastWork(d: PublishedDataset, user: SignedInUser, cycles: number): Promise<void> {
    const claims = s.app.app.get(ClaimService);
    const submissions = s.app.app.get(SubmissionService);
    const verdicts = s.app.app.get(VerdictService);
    for (let n = 1; n <= cycles; n++) {
      const held = await claims.claim({ worker: { id: user.id, roles: ['LABELER'] }, datasetId: d.id });
      const itemIds = (held as unknown as { items: { id: string }[] }).items.map((i) => i.id);
      await submissions.submit({ workerId: user.id, assignmentId: held!.id, answers: rightAnswers(d, itemIds) });
      if (n % 10 === 0 || n === cycles) await verdicts.decide({ workerId: user.id, datasetId: d.id });
    }
  }

  // Buffers (shared, hit or read) a statement touches, nested statements of its functions included.
  // With `rolledBack`, inside a transaction rolled back afterwards: for a write whose effects must
  // not stay (a payout batch's take of earnings without the rest of the batch).
  const buffers = (statement: { text: string; values: unknown[] }, rolledBack = false): Promise<number> =>
    onOneConnection(s.app.dataSource, async (run) => buffersOf(await executedPlan(run, statement)), { rolledBack });

  // A claim and a submit of `user` on `d` by the statements ClaimRepository and SubmissionRepository
  // send, with the answers the api would send; then the balance read of LedgerRepository and the
  // verdict's lock of what waits for it.
  async function measuredCycle(d: PublishedDataset, user: SignedInUser): Promise<Cost> {
    const now = s.clock.now();
    const claimCost = await buffers(claimStatement({ workerId: user.id, datasetId: d.id, now }));
    const [held] = (await s.app.dataSource.query(
      `SELECT id, item_ids FROM assignments WHERE worker_id = $1 AND dataset_id = $2 AND status = 'ACTIVE'`,
      [user.id, d.id],
    )) as { id: string; item_ids: string[] }[];
    const check = checkSubmission({
      itemIds: held.item_ids,
      answers: held.item_ids.map((id) => ({ itemId: id, label: d.goldLabelOf.get(id) ?? d.truthOf.get(id) })),
      schema: { kind: 'SINGLE_CHOICE', classes: ['cat', 'dog'] },
    });
    if (!check.ok) throw new Error(check.message);
    const submitCost = await buffers(
      submitStatement({
        workerId: user.id,
        assignmentId: held.id,
        answers: check.answers,
        hash: submissionHash(check.answers),
        now,
        verdictMinGold: s.app.config.verdictMinGold,
        verdictMaxDelaySeconds: s.app.config.verdictMaxDelaySeconds,
      }),
    );
    const balanceCost = await buffers(balanceStatement(user.id, now));
    // The verdict's lock of the worker's pending submissions there (VerdictRepository.lockBatch).
    const verdictLockCost = await buffers(pendingSubmissionsStatement({ workerId: user.id, datasetId: d.id }));
    return { claim: claimCost, submit: submitCost, balance: balanceCost, verdictLock: verdictLockCost };
  }

  // The cheapest of the samples: a read of history would be in every one of them, while a stray
  // cost (a plan rebuilt after autovacuum, a longer random draw) is in few.
  const least = (xs: number[]) => Math.min(...xs);

  it("a veteran's claim, submit, balance read and verdict lock touch no more buffers than a newcomer's", async () => {
    const veteran = await signIn(s.app);
    // Her past: rounds of work on datasets of their own, each round's earnings paid and confirmed.
    for (let round = 0; round < ROUNDS; round++) {
      const past = await dataset(PER_ROUND);
      await pastWork(past, veteran, PER_ROUND);
      s.clock.advance(s.app.config.payoutHoldSeconds + 1);
      const batches = await s.builder.buildAll();
      await s.chain.fundVault(BigInt(PER_ROUND * 5) * TOKEN);
      for (const batch of batches) expect(await s.sender.drive(batch.id)).toBe(PayoutStatus.CONFIRMED);
    }
    const [{ paid }] = await s.app.dataSource.query(
      `SELECT count(*)::int AS paid FROM payout_items i JOIN payout_batches b ON b.id = i.payout_batch_id
        WHERE i.account_id = $1 AND b.status = 'CONFIRMED'`,
      [veteran.id],
    );
    expect(paid).toBe(ROUNDS);

    const [{ accepted }] = await s.app.dataSource.query(
      `SELECT count(*)::int AS accepted FROM assignments WHERE worker_id = $1 AND status = 'ACCEPTED'`,
      [veteran.id],
    );
    expect(accepted).toBe(ROUNDS * PER_ROUND);

    // A dataset 60 times larger than today's, a third of its answers given by others already.
    const big = await dataset(4800);
    const others = [await signIn(s.app), await signIn(s.app)];
    for (const other of others) await pastWork(big, other, 1600);
    // As autovacuum would have by now: the earnings paid out are gone from the settlement queue's
    // pages, not only from its rows.
    await s.app.dataSource.query('VACUUM');
    // Today's dataset, new to both.
    const today = await dataset(80);
    const newcomer = await signIn(s.app);
    // Two cycles each way before measuring: the same warm plans for both.
    for (let n = 0; n < 2; n++) {
      for (const user of [newcomer, veteran]) await work(today, user);
      await work(big, newcomer);
    }
    const costs: Record<'veteran' | 'newcomer' | 'bigDataset', Cost[]> = { veteran: [], newcomer: [], bigDataset: [] };
    for (let n = 0; n < SAMPLES; n++) {
      costs.veteran.push(await measuredCycle(today, veteran));
      costs.newcomer.push(await measuredCycle(today, newcomer));
      costs.bigDataset.push(await measuredCycle(big, newcomer));
    }

    // The test can see history: reading her assignments costs what her past weighs.
    const historyRead = (user: SignedInUser) =>
      buffers({
        text: 'SELECT count(*), max(submission_hash) FROM assignments WHERE worker_id = $1',
        values: [user.id],
      });
    expect((await historyRead(veteran)) - (await historyRead(newcomer))).toBeGreaterThan(4 * MARGIN.claim);

    // Her history, then the dataset's, against the newcomer on today's small dataset.
    const grown = (['veteran', 'bigDataset'] as const).flatMap((who) =>
      (['claim', 'submit', 'balance', 'verdictLock'] as const)
        .map((part) => ({
          who,
          part,
          newcomer: least(costs.newcomer.map((c) => c[part])),
          cost: least(costs[who].map((c) => c[part])),
        }))
        .filter((c) => c.cost > c.newcomer + (who === 'veteran' ? MARGIN : LARGER_DATASET_MARGIN)[c.part]),
    );
    expect(grown).toEqual([]);

    // A payout batch takes each payable account's matured earnings out of the settlement queue:
    // hers (today's, after four batches paid) against the newcomer's, both matured by now.
    s.clock.advance(s.app.config.payoutHoldSeconds + 1);
    const take = async (user: SignedInUser): Promise<number> => {
      const samples: number[] = [];
      for (let n = 0; n < 3; n++)
        samples.push(await buffers(takeEntriesStatement({ accountIds: [user.id], now: s.clock.now() }), true));
      return least(samples);
    };
    const [{ queued }] = await s.app.dataSource.query(
      `SELECT count(*)::int AS queued FROM ledger_unsettled WHERE account_id = $1`,
      [veteran.id],
    );
    const veteranTake = await take(veteran);
    const newcomerTake = await take(newcomer);
    expect(queued).toBeGreaterThan(0);
    expect(veteranTake).toBeLessThanOrEqual(newcomerTake + MARGIN.payoutTake);
    expect(await invariantViolations(s.app.dataSource, today.id)).toEqual({});
  });
});
