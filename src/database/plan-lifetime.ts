import type { PoolClient } from 'pg';

// A named prepared statement is planned once and its plan reused by every later call on that
// connection, which saves the planning of a statement sent many times a second. Reused until
// something invalidates it, though: DDL, or the ANALYZE that autovacuum runs as a table grows.
// Without autovacuum (this machine's PostgreSQL runs without), a plan made while a table was
// nearly empty is kept as it grows: a verdict's lock of pending submissions planned that way read
// 1,051 buffers a call under bench:assign instead of ~55 (2026-12-06). So a connection's cached
// plans live at most PLAN_LIFETIME_MS: before a prepared statement of a transaction runs
// (preparedRowsIn), they are remade (DISCARD PLANS) when older. Made from the table sizes of the
// last second, a plan is as good as one made for each call; a statement sent a hundred times a
// second is planned once a second.
export const PLAN_LIFETIME_MS = 1000;

const plannedAt = new WeakMap<PoolClient, number>();

// `now` in milliseconds of a monotonic clock (a wall clock set back would keep plans for as long).
export async function keepPlansYoung(client: PoolClient, now: number): Promise<void> {
  const since = plannedAt.get(client);
  if (since !== undefined && now - since < PLAN_LIFETIME_MS) return;
  // Also the first time: a pooled connection may hold plans made before this process saw it.
  await client.query('DISCARD PLANS');
  plannedAt.set(client, now);
}
