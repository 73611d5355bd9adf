import type { QueryRunner } from 'typeorm';

// Editing a SQL function in place, for migrations that change a few lines of a long body: the body
// as the last migration wrote it is read back (PostgreSQL keeps it verbatim), the fragments
// replaced in order, and the result created once, so no half-edited body is ever compiled. A body
// that does not hold a fragment exactly as often as expected stops the migration.
//
// Migrations that import this file ran with these bytes: it is sealed like them
// (scripts/seal-migrations.js) and never changes. HotPathFlatCost and FewerStatementsPerCycle hold
// copies of their own, from before it existed.
export interface FunctionEdit {
  /** The function's signature, as regprocedure reads it. */
  fn: string;
  from: string;
  to: string;
  times: number;
}

export async function editFunctions(queryRunner: QueryRunner, edits: readonly FunctionEdit[]): Promise<void> {
  for (const fn of new Set(edits.map((e) => e.fn))) {
    const [{ def }] = (await queryRunner.query('SELECT pg_get_functiondef($1::regprocedure) AS def', [fn])) as {
      def: string;
    }[];
    let body = def;
    for (const e of edits.filter((x) => x.fn === fn)) {
      const parts = body.split(e.from);
      if (parts.length - 1 !== e.times)
        throw new Error(`${fn}: expected ${e.times} × ${JSON.stringify(e.from.slice(0, 80))}, found ${parts.length - 1}`);
      body = parts.join(e.to);
    }
    await queryRunner.query(body);
  }
}

/** The edits that undo `edits`, for a migration's down(). */
export function reversed(edits: readonly FunctionEdit[]): FunctionEdit[] {
  return [...edits].reverse().map((e) => ({ ...e, from: e.to, to: e.from }));
}
