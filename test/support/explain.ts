import type { DataSource } from 'typeorm';

// Statements measured by what PostgreSQL reports of their execution: EXPLAIN (ANALYZE, BUFFERS)
// runs them for real, nested statements of their functions included. Buffers and plan shapes,
// not times: they do not depend on the machine's load.

export interface SqlStatement {
  text: string;
  values: unknown[];
}

/** Runs SQL on one connection (a query runner's or a pg client's), returning the rows. */
export type RunSql = (text: string, values: unknown[]) => Promise<Record<string, unknown>[]>;

export interface PlanNode {
  'Node Type'?: string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Loops'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

/**
 * `work` on one pooled connection of the app (a query runner's), released afterwards; with
 * `rolledBack`, inside a transaction rolled back at the end (for a write whose effects must not stay).
 */
export async function onOneConnection<T>(
  dataSource: DataSource,
  work: (run: RunSql, client: NoticeSource) => Promise<T>,
  options: { rolledBack?: boolean } = {},
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  try {
    const client = (await runner.connect()) as NoticeSource;
    if (options.rolledBack) await runner.startTransaction();
    try {
      return await work((text, values) => runner.query(text, values), client);
    } finally {
      if (options.rolledBack) await runner.rollbackTransaction();
    }
  } finally {
    await runner.release();
  }
}

/** The root of the plan of `statement`, executed. */
export async function executedPlan(run: RunSql, statement: SqlStatement): Promise<PlanNode> {
  const [row] = await run(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${statement.text}`, statement.values);
  return (row['QUERY PLAN'] as { Plan: PlanNode }[])[0].Plan;
}

/** Buffers (shared, hit or read) the plan's execution touched. */
export function buffersOf(plan: PlanNode): number {
  return (plan['Shared Hit Blocks'] ?? 0) + (plan['Shared Read Blocks'] ?? 0);
}

/** Every index the plan reads, of any table (a bitmap index scan names none). */
export function indexesOf(plan: PlanNode): string[] {
  const own = plan['Index Name'] ? [plan['Index Name']] : [];
  return [...own, ...(plan.Plans ?? []).flatMap(indexesOf)];
}

/** Every table the plan reads rows of (a scan by an index names its table too). */
export function relationsOf(plan: PlanNode): string[] {
  const own = plan['Relation Name'] ? [plan['Relation Name']] : [];
  return [...own, ...(plan.Plans ?? []).flatMap(relationsOf)];
}

/** Every node of the plan, the root first. */
export function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

/** A statement a function ran, with its executed plan (auto_explain). */
export interface NestedPlan {
  text: string;
  plan: PlanNode;
}

/** One connection's pg client, as node-pg gives it: notices arrive as events. */
export interface NoticeSource {
  on(event: 'notice', listener: (notice: { message?: string }) => void): unknown;
  removeListener(event: 'notice', listener: (notice: { message?: string }) => void): unknown;
}

// The executed plans of every statement `statement` runs, its functions' nested statements
// included, in the order they ran: auto_explain (loaded for this connection only, which takes a
// superuser, as the tests' role is) sends each plan back as a notice. What EXPLAIN of the outer
// call cannot show: the plan shape a function's statement really got.
export async function nestedPlans(run: RunSql, client: NoticeSource, statement: SqlStatement): Promise<NestedPlan[]> {
  const plans: NestedPlan[] = [];
  const collect = (notice: { message?: string }) => {
    const at = notice.message?.indexOf('plan:\n') ?? -1;
    if (at < 0) return;
    const explained = JSON.parse(notice.message!.slice(at + 'plan:\n'.length)) as {
      'Query Text': string;
      Plan: PlanNode;
    };
    plans.push({ text: explained['Query Text'], plan: explained.Plan });
  };
  client.on('notice', collect);
  try {
    await run("LOAD 'auto_explain'", []);
    for (const setting of [
      'auto_explain.log_min_duration = 0',
      'auto_explain.log_nested_statements = on',
      'auto_explain.log_analyze = on',
      'auto_explain.log_format = json',
      'auto_explain.log_level = notice',
    ])
      await run(`SET ${setting}`, []);
    await run(statement.text, statement.values);
  } finally {
    await run('RESET auto_explain.log_min_duration', []);
    client.removeListener('notice', collect);
  }
  return plans;
}
