import type { MigrationInterface, QueryRunner } from 'typeorm';
import { editFunctions, reversed, type FunctionEdit } from './support/edit-functions';

// claim_task's two bounded stretches (migration ClaimLooksAtABoundedStretch) fetched every task
// they looked at a second time, by the row address the stretch read, and only then asked whether
// the worker had seen one of its items. The stretch now asks that of the row it already read, and
// fetches again (to lock it) only a task with nothing seen: a claim of a worker who has seen many
// of a dataset's open tasks, or all of them (the NONE that a stretch answers within the minute),
// reads one tuple fewer per task passed by. The locked task is still rechecked for a free slot
// (read committed: the recheck reads its newest version); its items never change, and a second
// claim of the same worker on the dataset waits for this one at the function's advisory lock and
// then finds this one's lease, as before (the seen items' primary key stays the backstop).
//
// Measured (EXPLAIN (ANALYZE, BUFFERS) of the claim statement; before / after): a NONE answered by
// the two stretches, 551-552 / 419-422 buffers with 200 or 2,000 open tasks, the second fetch of
// each of the 64 tasks of a stretch gone (test/tasks/none-cost.e2e.spec.ts asserts it on the
// stretches' plans); the first stretch of a claim that finds a task at once, 31.1 / 30.8 buffers on
// average over the 27 claims of test/tasks/history-cost.e2e.spec.ts (auto_explain).
const CLAIM = 'claim_task(uuid, uuid, timestamp with time zone)';

const SEEN = (row: string) => `NOT EXISTS (SELECT 1 FROM unnest(${row}.item_ids) AS x(id)
                        WHERE EXISTS (SELECT 1 FROM worker_seen_items s WHERE s.worker_id = p_worker AND s.item_id = x.id OFFSET 0)
                       OFFSET 0)`;

// One of the two stretches, as ClaimLooksAtABoundedStretch wrote it (`from`) and now (`to`).
function stretch(bound: string, indent: string): FunctionEdit {
  const at = (lines: string[]) => lines.map((line) => `${indent}${line}\n`).join('');
  return {
    fn: CLAIM,
    from: at([
      'SELECT t.id FROM (SELECT c.ctid AS tid, c.seq FROM tasks c',
      `                   WHERE c.dataset_id = p_dataset AND c.open_slots > 0 AND c.seq ${bound}`,
      '                   ORDER BY c.seq LIMIT 64) w',
      '  JOIN tasks t ON t.ctid = w.tid',
      ' WHERE t.open_slots > 0',
      `   AND ${SEEN('t')}`,
      ' ORDER BY w.seq LIMIT 1',
    ]),
    to: at([
      'SELECT t.id FROM (SELECT c.ctid AS tid, c.seq,',
      `                         ${SEEN('c')} AS fresh`,
      '                    FROM tasks c',
      `                   WHERE c.dataset_id = p_dataset AND c.open_slots > 0 AND c.seq ${bound}`,
      '                   ORDER BY c.seq LIMIT 64) w',
      '  JOIN tasks t ON t.ctid = w.tid',
      ' WHERE w.fresh AND t.open_slots > 0',
      ' ORDER BY w.seq LIMIT 1',
    ]),
    times: 1,
  };
}

const EDITS: FunctionEdit[] = [stretch('>= pivot', '    '), stretch('< pivot', '      ')];

export class StretchChecksSeenBeforeFetching1797000000100 implements MigrationInterface {
  name = 'StretchChecksSeenBeforeFetching1797000000100';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await editFunctions(queryRunner, EDITS);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await editFunctions(queryRunner, reversed(EDITS));
  }
}
