import type { DataSource, EntityManager } from 'typeorm';

// PostgreSQL advisory locks used by the chain and payout code, in one place so keys never
// collide. Two-int form: (namespace, key). 7302 is taken by the ledger balance guard trigger.
export const LOCKS = {
  /** Only one payout batch builder at a time (transaction-scoped). */
  buildBatches: [7301, 1] as const,
  /** Only one deposit scan at a time (transaction-scoped, try-lock: others skip). */
  depositScan: [7301, 2] as const,
  /** Namespace of the per-signer send lock: (7303, hashtext(address)). */
  signerNamespace: 7303,
};

export async function xactLock(manager: EntityManager, key: readonly [number, number]): Promise<void> {
  await manager.query('SELECT pg_advisory_xact_lock($1, $2)', [key[0], key[1]]);
}

export async function tryXactLock(manager: EntityManager, key: readonly [number, number]): Promise<boolean> {
  const [row] = (await manager.query('SELECT pg_try_advisory_xact_lock($1, $2) AS ok', [key[0], key[1]])) as { ok: boolean }[];
  return row.ok;
}

/**
 * Runs `work` holding a session-level advisory lock on a dedicated connection. The work may
 * commit several transactions of its own while the lock is held (e.g. store a signed
 * transaction, then broadcast it). If the process dies, PostgreSQL drops the connection and
 * with it the lock, so a crash never leaves the lock held.
 */
export async function withSessionLock<T>(dataSource: DataSource, lock: { namespace: number; name: string }, work: () => Promise<T>): Promise<T> {
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
