import type { DataSource, QueryRunner } from 'typeorm';
import { until } from '../datasets/dataset-fixtures';

// Forcing an interleaving: a transaction of the test's own holds a row lock that the code under
// test needs at a known step, so that code stops exactly there; the test sees it waiting in
// pg_stat_activity, acts, then lets it go. No sleeps, no hoping.

export interface HeldLock {
  release(): Promise<void>;
}

export async function holdRowLock(
  dataSource: DataSource,
  params: { sql: string; values: unknown[] },
): Promise<HeldLock> {
  const runner: QueryRunner = dataSource.createQueryRunner();
  await runner.connect();
  await runner.startTransaction();
  const rows: unknown[] = await runner.query(params.sql, params.values);
  if (rows.length === 0) throw new Error('holdRowLock: the statement locked no row');
  return {
    release: async () => {
      await runner.commitTransaction();
      await runner.release();
    },
  };
}

/** Waits until `n` sessions of this database are waiting for a lock. */
export async function untilWaitingOnLocks(dataSource: DataSource, n: number): Promise<void> {
  await until(
    async () =>
      (
        await dataSource.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        )
      )[0].n >= n,
  );
}
