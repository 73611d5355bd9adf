import { claimStatement } from '../../src/tasks/claim.repository';
import { ClaimService } from '../../src/tasks/claim.service';
import { buffersOf, executedPlan, nestedPlans, onOneConnection, type NestedPlan } from '../support/explain';
import type { TestApp } from '../support/test-app';

// What one claim costs and answers, by the very statement ClaimRepository sends: EXPLAIN (ANALYZE,
// BUFFERS) runs it for real (nested statements of claim_task included), then the same statement
// again says what it answers. `seed` seeds PostgreSQL's random() on that connection first, so the
// claim's random starting point is the same relative point on any dataset.
export function claimCost(
  app: TestApp,
  params: { workerId: string; datasetId: string; now?: Date; seed?: number },
): Promise<{ outcome: string; buffers: number }> {
  const statement = claimStatement({
    workerId: params.workerId,
    datasetId: params.datasetId,
    now: params.now ?? new Date(),
  });
  return onOneConnection(app.dataSource, async (run) => {
    if (params.seed !== undefined) await run('SELECT setseed($1)', [params.seed]);
    const buffers = buffersOf(await executedPlan(run, statement));
    const [{ claim }] = await run(statement.text, statement.values);
    return { outcome: (claim as { outcome: string }).outcome, buffers };
  });
}

// The executed plan of every statement one claim runs inside claim_task (the claim is made for
// real), from the same seeded starting point as claimCost.
export function claimPlans(
  app: TestApp,
  params: { workerId: string; datasetId: string; seed: number },
): Promise<NestedPlan[]> {
  return onOneConnection(app.dataSource, async (run, client) => {
    await run('SELECT setseed($1)', [params.seed]);
    return nestedPlans(
      run,
      client,
      claimStatement({ workerId: params.workerId, datasetId: params.datasetId, now: new Date() }),
    );
  });
}

// Claims and gives back until a claim answers nothing (null, or a refusal `stopsOn` accepts);
// how many leases that took. Each lease shows its items to the worker for good.
export async function claimAndReleaseUntilNothing(
  app: TestApp,
  params: { workerId: string; datasetId: string; stopsOn?: (error: { details?: { reason?: string } }) => boolean },
): Promise<number> {
  const claims = app.app.get(ClaimService);
  for (let n = 0; ; n++) {
    const held = await claims
      .claim({ worker: { id: params.workerId, roles: ['LABELER'] }, datasetId: params.datasetId })
      .catch((error: { details?: { reason?: string } }) => {
        if (params.stopsOn?.(error)) return null;
        throw error;
      });
    if (held === null) return n;
    await claims.release({ workerId: params.workerId, assignmentId: held.id });
  }
}
