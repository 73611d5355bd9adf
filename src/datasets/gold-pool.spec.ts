import { goldPool, type GoldPoolCounts } from './gold-pool';

// 1,000 regular items in tasks of 10 with 3 answers each: 100 tasks, 300 assignments.
const fresh: GoldPoolCounts = {
  goldPerTask: 1,
  exposureCap: 6,
  goldItems: 80,
  retired: 0,
  exhausted: 0,
  exposuresUsed: 0,
  exposuresLeft: 480,
  regularItems: 1000,
  itemsPerTask: 10,
  answersPerItem: 3,
};

describe('goldPool', () => {
  it('covers a dataset whose gold is ample, without warnings', () => {
    // 80 gold x 6 exposures = 480 assignments >= 300 x 1.25 = 375; 80 tasks per worker.
    expect(goldPool(fresh)).toMatchObject({
      active: 80,
      capacityPerWorker: 80,
      assignmentsCovered: 480,
      assignmentsNeeded: 300,
      warnings: [],
    });
  });

  it('warns when the exposure cap cannot cover the assignments the dataset needs', () => {
    // 50 gold x 6 = 300 < 375.
    const pool = goldPool({ ...fresh, goldItems: 50, exposuresLeft: 300 });
    expect(pool.warnings).toHaveLength(1);
    expect(pool.warnings[0]).toMatch(/^GOLD_EXPOSURE_LOW: .*about 300 more assignments/);
  });

  it('warns when one worker can take only a few tasks', () => {
    const pool = goldPool({ ...fresh, goldItems: 4, goldPerTask: 1, exposureCap: null, exposuresLeft: null });
    expect(pool.capacityPerWorker).toBe(4);
    expect(pool.assignmentsCovered).toBeNull();
    expect(pool.warnings.map((w) => w.split(':')[0])).toEqual(['GOLD_CAPACITY_LOW']);
  });

  it('counts retired and exhausted gold out of what is active, and exposures already used as spent', () => {
    // 200 assignments already had gold (used 200): 100 more needed of 375, 100 covered.
    const pool = goldPool({
      ...fresh,
      goldItems: 80,
      retired: 5,
      exhausted: 20,
      exposuresUsed: 200,
      exposuresLeft: 100,
    });
    expect(pool).toMatchObject({ active: 55, capacityPerWorker: 75, assignmentsCovered: 100 });
    expect(pool.warnings.map((w) => w.split(':')[0])).toEqual(['GOLD_EXPOSURE_LOW']);
  });

  it('says nothing about gold on a dataset without gold', () => {
    expect(goldPool({ ...fresh, goldPerTask: 0, goldItems: 0, exposuresLeft: 0 })).toMatchObject({
      capacityPerWorker: null,
      assignmentsCovered: null,
      warnings: [],
    });
  });
});
