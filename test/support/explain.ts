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
  'Relation Name'?: string;
  'Index Name'?: string;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
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
