import type { PoolClient } from 'pg';

// A named prepared statement is planned once and its plan reused by every later call on that
// connection, which saves the planning of a statement sent many times a second. Reused until
// something invalidates it, though: DDL, or the ANALYZE that autovacuum runs as a table grows.
// Without autovacuum (this machine's PostgreSQL runs without), a plan made while a table was
// nearly empty is kept as it grows: a verdict's lock of pending submissions planned that way read
// 1,051 buffers a call under bench:assign instead of ~55 (2026-12-06). So a statement prepared by
// preparedRowsIn lives at most PLAN_LIFETIME_MS on a connection: older, it is dropped (DEALLOCATE)
// and prepared again with the call, from the table sizes of now. Prepared again, a statement is
// planned for its first five calls and then keeps a generic plan (PostgreSQL's default), so a
// verdict statement sent ~60 times a second plans ~2 % of its calls with five seconds, ~10 % with
// one (pg_stat_statements under bench:assign), against every call unprepared. Only that statement:
// the connection's other cached plans (in one process, the claim and submit functions' share the
// pool with the verdicts) are kept. Worth it only for a statement a connection sends many times
// within that span: a release, spread over twenty api connections, was prepared again on nearly
// every call (2,031 plans for 1,931 calls) and is not prepared.
export const PLAN_LIFETIME_MS = 5000;

const preparedAt = new WeakMap<PoolClient, Map<string, number>>();

// `now` in milliseconds of a monotonic clock (a wall clock set back would keep plans for as long).
export async function keepPlanYoung(client: PoolClient, name: string, now: number): Promise<void> {
  const parsed = parsedStatements(client);
  let names = preparedAt.get(client);
  if (!names) preparedAt.set(client, (names = new Map()));
  // Not prepared on this connection yet: node-pg prepares it with this call.
  if (parsed[name] === undefined) return void names.set(name, now);
  const since = names.get(name);
  if (since !== undefined && now - since < PLAN_LIFETIME_MS) return;
  await client.query(`DEALLOCATE ${client.escapeIdentifier(name)}`);
  delete parsed[name];
  names.set(name, now);
}

// node-pg skips the Parse of a name it prepared on the connection before; which names those are
// is its Connection's parsedStatements (pg 8), not part of its typed interface. Without it a
// plan could not be remade, so its absence is an error, not a plan kept for good.
function parsedStatements(client: PoolClient): Record<string, string | undefined> {
  const parsed = (client as unknown as { connection?: { parsedStatements?: Record<string, string | undefined> } })
    .connection?.parsedStatements;
  if (!parsed) throw new Error("pg's Connection no longer has parsedStatements: prepared plans cannot be remade");
  return parsed;
}
