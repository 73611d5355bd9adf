import type { MigrationInterface, QueryRunner } from 'typeorm';

// Claims, and apart from them submits, that reach an api process in one turn of its event loop go
// to PostgreSQL together (CallBatcher): one statement, one transaction, one commit. Each call runs
// as it would alone, in turn; a later call sees what an earlier one wrote (a double-click in one
// batch gets the lease the first click took). The api orders the calls by worker (then dataset or
// assignment), so two batches take their workers' advisory locks and rows in one order.
//
// A lone claim_task cannot be part of a lock cycle: it does its blocking writes (ending an expired
// lease of its own: its task's slot, its stats) before it picks a task with SKIP LOCKED, and after
// that waits only for gold. In a batch, an earlier call's task and gold stay locked while a later
// call, for another worker, may wait for a task or stats row someone else holds (an expired lease's
// give-back, a verdict, the reaper), and that someone may wait for what the batch holds. A claim
// batch therefore waits for a lock at most CLAIM_BATCH_LOCK_TIMEOUT: past it the batch fails (55P03,
// nothing of it kept) and the api runs each of its claims alone, where no cycle is possible.
//
// A submit on time locks only its own worker's rows (the assignment, the answers' keys,
// worker_stats), and the api sends a late submit, which gives a task's slot back, alone. A batch of
// them still holds several workers' stats rows at once, which a consensus run also does, in the
// order workers were first seen (a review reproduced that deadlock): so a submit batch too waits
// for a lock at most SUBMIT_BATCH_LOCK_TIMEOUT, longer, as most of its waits are for a verdict to
// finish (bench:assign with 50 ms while a million items were split: a dozen submit batches failed
// in 10 s behind verdicts, each then run again alone).
//
// The setting ends with the batch's transaction; lone calls keep the server's (none by default).
const CLAIM_BATCH_LOCK_TIMEOUT = '50ms';
const SUBMIT_BATCH_LOCK_TIMEOUT = '200ms';

// A function that runs `each` once per element of its arrays, in turn, in the caller's one
// transaction, with a lock bound for the rest of that transaction.
function inTurn(f: { signature: string; returns: string; lockTimeout: string; each: string }): string {
  return `
CREATE FUNCTION ${f.signature}
  RETURNS TABLE (n int, ${f.returns})
  LANGUAGE plpgsql
AS $function$
BEGIN
  -- Until the end of this transaction, which is the batch's own (see the migration).
  PERFORM set_config('lock_timeout', '${f.lockTimeout}', true);
  FOR i IN 1 .. coalesce(cardinality(p_workers), 0) LOOP
    n := i;
    ${f.each};
    RETURN NEXT;
  END LOOP;
END
$function$`;
}

export class ClaimsAndSubmitsInBatches1797100000000 implements MigrationInterface {
  name = 'ClaimsAndSubmitsInBatches1797100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      inTurn({
        signature: 'claim_tasks(p_workers uuid[], p_datasets uuid[], p_nows timestamptz[])',
        returns: 'claim jsonb',
        lockTimeout: CLAIM_BATCH_LOCK_TIMEOUT,
        each: 'claim := claim_task(p_workers[i], p_datasets[i], p_nows[i])',
      }),
    );
    await queryRunner.query(
      inTurn({
        signature: `submit_assignments(p_workers uuid[], p_assignments uuid[], p_answers jsonb[], p_hashes text[],
                                   p_nows timestamptz[], p_min_gold integer, p_max_delay_seconds integer)`,
        returns: 'result jsonb',
        lockTimeout: SUBMIT_BATCH_LOCK_TIMEOUT,
        each: `result := submit_assignment(p_workers[i], p_assignments[i], p_answers[i], p_hashes[i], p_nows[i],
                                p_min_gold, p_max_delay_seconds)`,
      }),
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'DROP FUNCTION submit_assignments(uuid[], uuid[], jsonb[], text[], timestamptz[], integer, integer)',
    );
    await queryRunner.query('DROP FUNCTION claim_tasks(uuid[], uuid[], timestamptz[])');
  }
}
