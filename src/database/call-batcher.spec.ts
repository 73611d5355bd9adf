import { CallBatcher, throttled } from './call-batcher';

// A batcher whose turns are run by the test: `turn()` sends what was gathered, as setImmediate
// would at the end of a turn of the event loop.
function harness(options: { maxBatch: number; failMany?: (inputs: number[]) => boolean; badInput?: number }) {
  const batches: number[][] = [];
  const alone: number[] = [];
  let flush: (() => void) | null = null;
  const answer = (input: number): string => {
    if (input === options.badInput) throw new Error(`bad ${input}`);
    return `answer ${input}`;
  };
  const batcher = new CallBatcher<number, string>({
    maxBatch: options.maxBatch,
    schedule: (f) => {
      if (flush) throw new Error('scheduled twice in one turn');
      flush = f;
    },
    many: async (inputs) => {
      batches.push(inputs);
      if (options.failMany?.(inputs)) throw new Error('the batch failed');
      return inputs.map(answer);
    },
    one: async (input) => {
      alone.push(input);
      return answer(input);
    },
  });
  const turn = (): void => {
    const f = flush;
    flush = null;
    f?.();
  };
  return { batcher, batches, alone, turn };
}

const settled = (p: Promise<string>): Promise<string> =>
  p.then(
    (v) => v,
    (e: Error) => `rejected: ${e.message}`,
  );

describe(CallBatcher.name, () => {
  it('sends the calls of one turn together and gives each its own answer', async () => {
    const h = harness({ maxBatch: 16 });
    const calls = [1, 2, 3].map((n) => h.batcher.call(n));
    h.turn();
    expect(await Promise.all(calls)).toEqual(['answer 1', 'answer 2', 'answer 3']);
    expect(h.batches).toEqual([[1, 2, 3]]);
    expect(h.alone).toEqual([]);
  });

  it('sends a lone call alone, and calls of the next turn in a batch of their own', async () => {
    const h = harness({ maxBatch: 16 });
    const first = h.batcher.call(1);
    h.turn();
    expect(await first).toBe('answer 1');
    const next = [2, 3].map((n) => h.batcher.call(n));
    h.turn();
    expect(await Promise.all(next)).toEqual(['answer 2', 'answer 3']);
    expect(h.alone).toEqual([1]);
    expect(h.batches).toEqual([[2, 3]]);
  });

  it.each([
    [
      5,
      2,
      [
        [1, 2],
        [3, 4],
      ],
      [5],
    ],
    [4, 4, [[1, 2, 3, 4]], []],
    [3, 1, [], [1, 2, 3]],
  ])('splits %i calls into batches of at most %i', async (count, maxBatch, batches, alone) => {
    const h = harness({ maxBatch });
    const inputs = Array.from({ length: count }, (_, i) => i + 1);
    const calls = inputs.map((n) => h.batcher.call(n));
    h.turn();
    expect(await Promise.all(calls)).toEqual(inputs.map((n) => `answer ${n}`));
    expect(h.batches).toEqual(batches);
    expect(h.alone).toEqual(alone);
  });

  it("runs each call of a failed batch alone, so one call's error is its own", async () => {
    const h = harness({ maxBatch: 16, failMany: (inputs) => inputs.includes(2), badInput: 2 });
    const calls = [1, 2, 3].map((n) => settled(h.batcher.call(n)));
    h.turn();
    expect(await Promise.all(calls)).toEqual(['answer 1', 'rejected: bad 2', 'answer 3']);
    expect(h.alone.sort()).toEqual([1, 2, 3]);
  });

  it.each([
    ['fewer answers', (inputs: number[]) => inputs.slice(1)],
    ['a hole', (inputs: number[]) => Object.assign(new Array<number>(inputs.length), { 0: inputs[0] })],
    ['an undefined answer', (inputs: number[]) => inputs.map((n, i) => (i === 1 ? (undefined as never) : n))],
  ])('runs the calls alone when a batch answers with %s, and says the batch failed', async (_, answers) => {
    const failures: number[] = [];
    const batcher = new CallBatcher<number, number>({
      maxBatch: 16,
      schedule: (f) => queueMicrotask(f),
      many: async (inputs) => answers(inputs),
      one: async (input) => -input,
      onBatchError: (_error, calls) => failures.push(calls),
    });
    expect(await Promise.all([1, 2].map((n) => batcher.call(n)))).toEqual([-1, -2]);
    expect(failures).toEqual([2]);
  });

  it('runs the calls of a failed batch alone even when telling of the failure throws', async () => {
    const batcher = new CallBatcher<number, number>({
      maxBatch: 16,
      schedule: (f) => queueMicrotask(f),
      many: () => {
        throw new Error('thrown before any promise');
      },
      one: async (input) => -input,
      onBatchError: () => {
        throw new Error('the logger failed');
      },
    });
    expect(await Promise.all([1, 2].map((n) => batcher.call(n)))).toEqual([-1, -2]);
  });

  it.each([0, -1, 1.5])('refuses a maxBatch of %p', (maxBatch) => {
    expect(() => new CallBatcher({ maxBatch, many: async () => [], one: async () => 0 })).toThrow(/maxBatch/);
  });
});

describe(throttled.name, () => {
  it('reports the first event at once, then at most once an interval with the count since', () => {
    let time = 0;
    const reports: [number, unknown][] = [];
    const report = throttled(
      (count, last) => reports.push([count, last]),
      10_000,
      () => time,
    );
    report('a');
    time = 4_000;
    report('b');
    report('c');
    time = 10_000;
    report('d');
    time = 19_999;
    report('e');
    expect(reports).toEqual([
      [1, 'a'],
      [3, 'd'],
    ]);
  });
});
