import { planOverlap, workerSetKeys, type OverlapCandidate, type OverlapPlanInput } from './overlap-plan';

const base: Omit<OverlapPlanInput, 'candidates'> = {
  answersPerItem: 3,
  maxAnswersPerItem: 5,
  targetConfidence: 0.9,
  itemsPerTask: 2,
  goldPerTask: 1,
  rewardPerAnswer: 10n,
  headroom: 1000n,
  whenMoreNeeded: 'top-up',
};
const item = (itemId: string, answers: number, confidence: number, workerKey = 'a'): OverlapCandidate => ({
  itemId,
  answers,
  confidence,
  workerKey,
});

describe('planOverlap', () => {
  it.each<[string, OverlapCandidate, keyof ReturnType<typeof planOverlap>]>([
    ['confident at the minimum', item('x', 3, 0.95), 'done'],
    ['unsure below the ceiling', item('x', 3, 0.6), 'topUps'],
    ['unsure at the ceiling', item('x', 5, 0.6), 'lowAgreement'],
    ['not ready yet', item('x', 2, 0.99), 'waiting'],
  ])('%s', (_name, candidate, bucket) => {
    const plan = planOverlap({ ...base, candidates: [candidate] });
    const ids = bucket === 'topUps' ? plan.topUps.flatMap((t) => t.itemIds) : (plan[bucket] as string[]);
    expect(ids).toEqual(['x']);
  });

  it('asks for exactly one more answer per item and never past the ceiling', () => {
    const plan = planOverlap({ ...base, candidates: [item('a', 3, 0.5), item('b', 4, 0.5)] });
    expect(plan.topUps).toEqual([{ itemIds: ['a', 'b'], answersWanted: [4, 5] }]);
    for (const t of plan.topUps) for (const w of t.answersWanted) expect(w).toBeLessThanOrEqual(base.maxAnswersPerItem);
  });

  it('groups items by the workers who answered them, then cuts tasks of itemsPerTask', () => {
    const plan = planOverlap({
      ...base,
      candidates: [item('a', 3, 0.5, 'k1'), item('b', 3, 0.5, 'k2'), item('c', 3, 0.5, 'k1'), item('d', 3, 0.5, 'k1')],
    });
    expect(plan.topUps.map((t) => t.itemIds)).toEqual([['a', 'c'], ['d'], ['b']]);
  });

  it('funds tasks (items + gold) x reward while the headroom lasts and reports the rest unfunded', () => {
    // Tasks: [a,c] costs (2+1)x10 = 30, [b] costs 20. Headroom 45 funds the first only.
    const plan = planOverlap({
      ...base,
      headroom: 45n,
      candidates: [item('a', 3, 0.5, 'k1'), item('b', 3, 0.5, 'k2'), item('c', 3, 0.5, 'k1')],
    });
    expect(plan.topUps.map((t) => t.itemIds)).toEqual([['a', 'c']]);
    expect(plan.unfunded).toEqual(['b']);
    expect(plan.cost).toBe(30n);
  });

  it.each<[OverlapPlanInput['whenMoreNeeded'], string]>([
    ['wait', 'waiting'],
    ['review', 'unfunded'],
  ])('with whenMoreNeeded=%s puts a NEED_MORE item in %s, never in a task', (whenMoreNeeded, bucket) => {
    const plan = planOverlap({ ...base, whenMoreNeeded, candidates: [item('a', 3, 0.5), item('b', 3, 0.99)] });
    expect(plan.topUps).toEqual([]);
    expect(plan[bucket as 'waiting' | 'unfunded']).toEqual(['a']);
    expect(plan.done).toEqual(['b']);
  });

  it('treats a missing target as fixed overlap', () => {
    expect(planOverlap({ ...base, targetConfidence: null, candidates: [item('a', 3, 0.1)] }).done).toEqual(['a']);
  });

  describe('tied items, without a target', () => {
    const noTarget = { ...base, targetConfidence: null };
    const tied = (itemId: string, answers: number, workerKey = 'a'): OverlapCandidate => ({
      ...item(itemId, answers, 0.5, workerKey),
      tied: true,
    });

    it('buys one more answer for a tied item below the ceiling and labels the untied one', () => {
      const plan = planOverlap({ ...noTarget, candidates: [tied('a', 3), item('b', 3, 0.5)] });
      expect(plan.topUps).toEqual([{ itemIds: ['a'], answersWanted: [4] }]);
      expect(plan.done).toEqual(['b']);
      expect(plan.cost).toBe(20n);
    });

    it('sends a tied item at the ceiling to review', () => {
      const plan = planOverlap({ ...noTarget, candidates: [tied('a', 5), item('b', 5, 0.4)] });
      expect(plan.lowAgreement).toEqual(['a']);
      expect(plan.done).toEqual(['b']);
      expect(plan.topUps).toEqual([]);
    });

    it('sends a tied item to review at fixed overlap (ceiling = answersPerItem)', () => {
      const plan = planOverlap({ ...noTarget, maxAnswersPerItem: 3, headroom: 0n, candidates: [tied('a', 3)] });
      expect(plan).toMatchObject({ lowAgreement: ['a'], done: [], unfunded: [], topUps: [] });
    });

    it('reports a tied item unfunded when the headroom cannot pay for its answer', () => {
      const plan = planOverlap({ ...noTarget, headroom: 19n, candidates: [tied('a', 3)] });
      expect(plan).toMatchObject({ unfunded: ['a'], topUps: [], cost: 0n });
    });
  });

  it('rejects a non-positive itemsPerTask', () => {
    expect(() => planOverlap({ ...base, itemsPerTask: 0, candidates: [] })).toThrow(RangeError);
  });
});

describe('workerSetKeys', () => {
  it('gives equal keys to items answered by the same workers in any order', () => {
    const keys = workerSetKeys({
      itemIndex: Int32Array.from([0, 0, 1, 1, 2, 2]),
      workerIndex: Int32Array.from([3, 1, 1, 3, 1, 2]),
      wanted: new Set([0, 1, 2]),
    });
    expect(keys.get(0)).toBe(keys.get(1));
    expect(keys.get(2)).not.toBe(keys.get(0));
  });

  it('only keys the wanted items', () => {
    expect([
      ...workerSetKeys({
        itemIndex: Int32Array.from([0, 1]),
        workerIndex: Int32Array.from([0, 0]),
        wanted: new Set([1]),
      }).keys(),
    ]).toEqual([1]);
  });
});
