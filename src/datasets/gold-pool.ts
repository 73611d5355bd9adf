// How far a dataset's gold goes. Every assignment carries goldPerTask gold items a worker was
// never shown, and each gold item is shown to at most goldExposureCap workers, so gold bounds
// both how many tasks one worker can do (capacityPerWorker) and how many assignments the whole
// dataset can hand out (assignmentsCovered). Pure: counts in, figures and warnings out.

export interface GoldPoolCounts {
  goldPerTask: number;
  exposureCap: number | null;
  goldItems: number;
  retired: number;
  exhausted: number;
  exposuresUsed: number;
  /** Exposures still available over the active gold items (null without a cap). */
  exposuresLeft: number | null;
  regularItems: number;
  itemsPerTask: number;
  answersPerItem: number;
}

export interface GoldPool {
  goldItems: number;
  active: number;
  exhausted: number;
  retired: number;
  exposureCap: number | null;
  exposuresUsed: number;
  exposuresLeft: number | null;
  /** Tasks one worker can take before running out of gold they have not seen. */
  capacityPerWorker: number | null;
  /** Assignments the gold can still cover (null: no cap, unbounded). */
  assignmentsCovered: number | null;
  /** Assignments the dataset needs at least (every slot of every task once). */
  assignmentsNeeded: number;
  warnings: string[];
}

// Room for rejected, released and expired assignments, whose gold was shown all the same.
const NEEDED_MARGIN = 1.25;
// Fewer tasks per worker than this (when the dataset has more) is worth a warning.
const LOW_CAPACITY_PER_WORKER = 10;

export function goldPool(c: GoldPoolCounts): GoldPool {
  const active = c.goldItems - c.retired - c.exhausted;
  const tasks = c.itemsPerTask > 0 ? Math.ceil(c.regularItems / c.itemsPerTask) : 0;
  const assignmentsNeeded = tasks * c.answersPerItem;
  const base = {
    goldItems: c.goldItems,
    active,
    exhausted: c.exhausted,
    retired: c.retired,
    exposureCap: c.exposureCap,
    exposuresUsed: c.exposuresUsed,
    exposuresLeft: c.exposuresLeft,
    assignmentsNeeded,
  };
  if (c.goldPerTask === 0) return { ...base, capacityPerWorker: null, assignmentsCovered: null, warnings: [] };
  const capacityPerWorker = Math.floor((c.goldItems - c.retired) / c.goldPerTask);
  const assignmentsCovered = c.exposuresLeft === null ? null : Math.floor(c.exposuresLeft / c.goldPerTask);
  const warnings: string[] = [];
  if (capacityPerWorker < Math.min(LOW_CAPACITY_PER_WORKER, tasks)) {
    warnings.push(
      `GOLD_CAPACITY_LOW: the gold pool supports only ${capacityPerWorker} tasks per worker (goldPerTask ${c.goldPerTask}, ${c.goldItems - c.retired} gold items); workers who reach it get no more tasks`,
    );
  }
  if (
    assignmentsCovered !== null &&
    assignmentsCovered < Math.ceil(assignmentsNeeded * NEEDED_MARGIN) - c.exposuresUsed / c.goldPerTask
  ) {
    warnings.push(
      `GOLD_EXPOSURE_LOW: the gold can cover about ${assignmentsCovered} more assignments (each gold item shown to at most ${c.exposureCap} workers) but the dataset needs about ${Math.ceil(assignmentsNeeded * NEEDED_MARGIN)}; add gold items or raise goldExposureCap`,
    );
  }
  return { ...base, capacityPerWorker, assignmentsCovered, warnings };
}
