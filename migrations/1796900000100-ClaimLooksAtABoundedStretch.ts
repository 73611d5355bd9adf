import type { MigrationInterface, QueryRunner } from 'typeorm';
import { editFunctions, reversed, type FunctionEdit } from './support/edit-functions';

// claim_task looked for a task with a free slot and no item the worker was ever shown by walking the
// dataset's claimable tasks from a random point to the end, then from the start to that point:
// for a worker who had been shown an item of every open task it walked all of them to answer NONE,
// on every call. A worker who had claimed and released each task of a dataset once (or done one slot
// of each, as the members of a small crowd do) made each claim read ~3 buffers an open task: 733
// with 200 open tasks, 6,559 with 2,000 (test/tasks/none-cost.e2e.spec.ts), so ~600,000 on a
// dataset of a million items.
//
// Each of the two walks now looks at the next 64 claimable tasks at most (by seq, read lazily: a
// claim that finds one in the first task it looks at reads one buffer more than before). The task
// is locked through the row the walk read (its ctid), not found again by its key: by key, each task
// looked at cost a probe of the primary key through the dead entries other claims' updates leave
// there, and a newcomer's claim on a dataset others worked on read 140-290 buffers instead of
// 119-133 (test/tasks/history-cost.e2e.spec.ts, nine claims, before / after). A task another claim
// changed after this claim's snapshot is rechecked or passed by, depending on the PostgreSQL minor
// version (whether the recheck of a row found by its address compares the address); either way it
// is taken only if it still has a free slot and nothing this worker saw. The stretches are read
// with sorting and hash and merge joins off (the function's comments say why).
//
// When neither stretch has one, the whole walk of before runs — so a worker shown all but a few of
// many open tasks still gets one — unless a whole walk already found nothing for this worker on
// this dataset within the last minute (claim_full_walks; written only when no such task exists at
// all, not when the only ones were held by other claims): then the answer is NONE at once. A worker
// who has seen every open task costs one whole walk a minute, not one a claim; a task opening for
// them meanwhile outside the two stretches is found by the next whole walk.
const CLAIM = 'claim_task(uuid, uuid, timestamp with time zone)';

const SEEN = `NOT EXISTS (SELECT 1 FROM unnest(t.item_ids) AS x(id)
                        WHERE EXISTS (SELECT 1 FROM worker_seen_items s WHERE s.worker_id = p_worker AND s.item_id = x.id OFFSET 0)
                       OFFSET 0)`;

// One of the two walks of claim_task, as the last migration wrote it (`from`) and bounded (`to`).
function stretch(bound: string, indent: string): FunctionEdit {
  const at = (lines: string[]) => lines.map((line) => `${indent}${line}\n`).join('');
  return {
    fn: CLAIM,
    from: at([
      'SELECT t.id FROM tasks t',
      ` WHERE t.dataset_id = p_dataset AND t.open_slots > 0 AND t.seq ${bound}`,
      `   AND ${SEEN}`,
      ' ORDER BY t.seq LIMIT 1',
    ]),
    to: at([
      'SELECT t.id FROM (SELECT c.ctid AS tid, c.seq FROM tasks c',
      `                   WHERE c.dataset_id = p_dataset AND c.open_slots > 0 AND c.seq ${bound}`,
      '                   ORDER BY c.seq LIMIT 64) w',
      '  JOIN tasks t ON t.ctid = w.tid',
      ' WHERE t.open_slots > 0',
      `   AND ${SEEN}`,
      ' ORDER BY w.seq LIMIT 1',
    ]),
    times: 1,
  };
}

const EDITS: FunctionEdit[] = [
  {
    fn: CLAIM,
    from: '  commit_mode text;\n',
    to: '  commit_mode text;\n  sort_setting text;\n  hashjoin_setting text;\n  mergejoin_setting text;\n',
    times: 1,
  },
  {
    fn: CLAIM,
    from: `
  -- No assignment without gold on a dataset with gold`,
    to: `
  PERFORM set_config('enable_sort', sort_setting, true), set_config('enable_hashjoin', hashjoin_setting, true),
          set_config('enable_mergejoin', mergejoin_setting, true);
  IF task.id IS NULL THEN RETURN jsonb_build_object('outcome', 'NONE'); END IF;
  -- No assignment without gold on a dataset with gold`,
    times: 1,
  },
  {
    fn: CLAIM,
    from: `  -- the dataset found the range; SKIP LOCKED lets concurrent claims pass each other.
`,
    to: `  -- the dataset found the range; SKIP LOCKED lets concurrent claims pass each other. Each of the two
  -- walks looks at 64 claimable tasks at most; all of them only when both found nothing (below).
`,
    times: 1,
  },
  {
    fn: CLAIM,
    from: `  pivot := lo + floor(random() * (hi - lo + 1))::bigint;
`,
    to: `  pivot := lo + floor(random() * (hi - lo + 1))::bigint;
  -- The walks read the claimable tasks in seq order from the index, as far as they need: never all
  -- gathered and sorted first, which a plan made with the statistics of a quiet moment did (3,515
  -- tasks read to take one). With sorting off, the index's order is the only one on offer; with
  -- hash and merge joins off, each task of the stretch is fetched by its row address, never by a
  -- scan of the whole table joined to the stretch. Back on before the gold and the lease (every path
  -- from here goes through that point): a sort that has no other way would be costed as disabled
  -- and compiled by the JIT, tens of milliseconds a claim.
  sort_setting := current_setting('enable_sort');
  hashjoin_setting := current_setting('enable_hashjoin');
  mergejoin_setting := current_setting('enable_mergejoin');
  PERFORM set_config('enable_sort', 'off', true), set_config('enable_hashjoin', 'off', true),
          set_config('enable_mergejoin', 'off', true);
`,
    times: 1,
  },
  // The walk from the pivot (indented by four) and the one from the start (by six).
  stretch('>= pivot', '    '),
  stretch('< pivot', '      '),
  {
    fn: CLAIM,
    from: `    RETURNING t.id, t.item_ids INTO task;
    IF NOT FOUND THEN RETURN jsonb_build_object('outcome', 'NONE'); END IF;
  END IF;
`,
    to: `    RETURNING t.id, t.item_ids INTO task;
  END IF;
  IF NOT FOUND THEN
    -- Nothing new for this worker in either stretch: every claimable task, unless a walk of them all
    -- found nothing for this worker within the last minute (migration ClaimLooksAtABoundedStretch).
    -- With nothing found, task holds nulls: the answer is NONE once the settings are back (below).
    IF NOT EXISTS (SELECT 1 FROM claim_full_walks w
                    WHERE w.worker_id = p_worker AND w.dataset_id = p_dataset
                      AND w.found_nothing_at > p_now - interval '1 minute' AND w.found_nothing_at <= p_now) THEN
      WITH picked AS (
        SELECT t.id FROM tasks t
         WHERE t.dataset_id = p_dataset AND t.open_slots > 0
           AND ${SEEN}
         ORDER BY t.seq LIMIT 1
         FOR UPDATE OF t SKIP LOCKED)
      UPDATE tasks t SET open_slots = t.open_slots - 1 FROM picked WHERE t.id = picked.id
      RETURNING t.id, t.item_ids INTO task;
      -- Written down only when no such task exists at all, not when the only ones were held by
      -- other claims for a moment (SKIP LOCKED passed them by): those are the next claim's to find.
      IF NOT FOUND THEN
        IF NOT EXISTS (SELECT 1 FROM tasks t
                        WHERE t.dataset_id = p_dataset AND t.open_slots > 0 AND ${SEEN}) THEN
          INSERT INTO claim_full_walks (worker_id, dataset_id, found_nothing_at) VALUES (p_worker, p_dataset, p_now)
            ON CONFLICT (worker_id, dataset_id) DO UPDATE SET found_nothing_at = EXCLUDED.found_nothing_at;
        END IF;
      END IF;
    END IF;
  END IF;
`,
    times: 1,
  },
];

export class ClaimLooksAtABoundedStretch1796900000100 implements MigrationInterface {
  name = 'ClaimLooksAtABoundedStretch1796900000100';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "claim_full_walks" ("worker_id" uuid NOT NULL, "dataset_id" uuid NOT NULL, "found_nothing_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_43bfd90c58b1ee958f23ddab6b3" PRIMARY KEY ("worker_id", "dataset_id"))`,
    );
    await editFunctions(queryRunner, EDITS);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await editFunctions(queryRunner, reversed(EDITS));
    await queryRunner.query(`DROP TABLE "claim_full_walks"`);
  }
}
