import type { DataSource, EntityManager } from 'typeorm';

// Every PostgreSQL advisory lock of the service, in one registry, so keys never collide and a
// reader finds who serialises what. No other file calls pg_advisory_* (advisory-locks.spec.ts
// checks src/ and the SQL functions of migrations/).
//
// PostgreSQL keeps two key spaces that never meet: one bigint, or a pair of ints.
//  - bigint: the migration lock (a fixed key) and the per-dataset consensus lock (a 64-bit hash
//    of 'consensus:<id>': a clash with the fixed key has odds of 2^-64).
//  - int pairs: fixed pairs (7301, n) for one-at-a-time jobs, namespaces (7302, 7303) with a
//    32-bit hash, claim_task's (hashtext(worker), hashtext(dataset)) and the dispute claims'
//    (hashtext('dispute-claim'), hashtext(reviewer)). A claim meets one of
//    the fixed namespaces only when hashtext(worker id) is 7301..7303 (odds 3 in 2^32 per
//    worker), and then just waits for that lock's short transaction: no correctness is at stake.
// The values are those the running service has always used: changing one would let an old and a
// new process skip each other's lock during a rolling deploy.

/** Fixed keys, taken from TypeScript. */
export const LOCKS = {
  /** Migrations at boot: two processes booting at once migrate once (session lock, own connection). */
  migrations: 7_301_554_221,
  /** Only one payout batch builder at a time (transaction-scoped). */
  buildBatches: [7301, 1] as const,
  /** Only one deposit scan at a time (transaction-scoped, try-lock: others skip). */
  depositScan: [7301, 2] as const,
  /** Per signer address: (7303, hashtext(address)); nonces are handed out under it (session lock). */
  signerNamespace: 7303,
  /** Per dataset: hashtextextended('consensus:' || id, 0); every aggregation of one dataset and reviewers' resolutions (transaction-scoped). */
  consensusPrefix: 'consensus:',
  /** Per reviewer: (hashtext('dispute-claim'), hashtext(reviewer id)); one dispute claim of a reviewer at a time (transaction-scoped). */
  disputeClaimName: 'dispute-claim',
};

/**
 * Keys taken inside SQL functions, defined by hand in migrations: the exact expression each one
 * locks on. advisory-locks.spec.ts fails on an advisory lock in a migration that is not listed.
 */
export const SQL_LOCKS = [
  {
    expression: 'pg_advisory_xact_lock(7302, hashtext(d.account_id::text))',
    where:
      'ledger balance guard trigger (migrations/1795899670367-LedgerPayoutsChain.ts): debits of one account never race below zero',
  },
  {
    expression: 'pg_advisory_xact_lock(hashtext(p_worker::text), hashtext(p_dataset::text))',
    where:
      'claim_task (defined in migrations/*-QualityIntegrity.ts, edited in place since): one worker claims on one dataset at a time',
  },
] as const;

export async function xactLock(manager: EntityManager, key: readonly [number, number]): Promise<void> {
  await manager.query('SELECT pg_advisory_xact_lock($1, $2)', [key[0], key[1]]);
}

export async function tryXactLock(manager: EntityManager, key: readonly [number, number]): Promise<boolean> {
  const [row] = (await manager.query('SELECT pg_try_advisory_xact_lock($1, $2) AS ok', [key[0], key[1]])) as {
    ok: boolean;
  }[];
  return row.ok;
}

/**
 * The per-dataset lock every aggregation run holds for its whole transaction. A reviewer's
 * resolution takes the same lock, so a final label is written either before a run starts (the
 * run then sees the item RESOLVED and its REVIEW result and leaves both alone) or after it
 * committed, never in the middle of one. Released at commit/rollback.
 */
export async function lockDatasetConsensus(manager: EntityManager, datasetId: string): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1 || $2::text, 0))`, [
    LOCKS.consensusPrefix,
    datasetId,
  ]);
}

/** One dispute claim of one reviewer at a time; claims of different reviewers never wait on each other. */
export async function lockReviewerClaims(manager: EntityManager, reviewerId: string): Promise<void> {
  await manager.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2::text))', [
    LOCKS.disputeClaimName,
    reviewerId,
  ]);
}

/** Waits for the migration lock on a connection of its own (closing it releases the lock). */
export async function lockMigrations(connection: {
  query(sql: string, params: unknown[]): Promise<unknown>;
}): Promise<void> {
  await connection.query('SELECT pg_advisory_lock($1)', [LOCKS.migrations]);
}

/**
 * Runs `work` holding a session-level advisory lock on a dedicated connection. The work may
 * commit several transactions of its own while the lock is held (e.g. store a signed
 * transaction, then broadcast it). If the process dies, PostgreSQL drops the connection and
 * with it the lock, so a crash never leaves the lock held.
 */
export async function withSessionLock<T>(
  dataSource: DataSource,
  lock: { namespace: number; name: string },
  work: () => Promise<T>,
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1, hashtext($2))', [lock.namespace, lock.name]);
    try {
      return await work();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1, hashtext($2))', [lock.namespace, lock.name]);
    }
  } finally {
    await runner.release();
  }
}
