import { decideVerdict, verdictDue } from './verdict-rule';

describe('decideVerdict', () => {
  it.each([
    // pending gold (correct/total per assignment), recent record, bar, window -> verdict, window correct/total
    ['no bar accepts whatever the record', [{ goldCorrect: 0, goldTotal: 3 }], [], null, 20, 'ACCEPTED', 0, 3],
    ['no gold in the window accepts', [{ goldCorrect: 0, goldTotal: 0 }], [], 0.9, 20, 'ACCEPTED', 0, 0],
    // 2 of 3 pending right: 0.667 < 0.8
    [
      'rejects the whole batch under the bar',
      [
        { goldCorrect: 1, goldTotal: 1 },
        { goldCorrect: 0, goldTotal: 1 },
        { goldCorrect: 1, goldTotal: 1 },
      ],
      [],
      0.8,
      20,
      'REJECTED',
      2,
      3,
    ],
    // the same batch with 7 earlier right answers: 9 of 10 = 0.9 >= 0.8
    [
      'lets an earlier good record carry a batch',
      [
        { goldCorrect: 1, goldTotal: 1 },
        { goldCorrect: 0, goldTotal: 1 },
        { goldCorrect: 1, goldTotal: 1 },
      ],
      [true, true, true, true, true, true, true],
      0.8,
      10,
      'ACCEPTED',
      9,
      10,
    ],
    // window 4: only the 1 newest of the record fills it (false) -> 2 of 4 = 0.5 < 0.6
    [
      'reads only the newest answers of the record',
      [{ goldCorrect: 2, goldTotal: 3 }],
      [true, true, true, false],
      0.6,
      4,
      'REJECTED',
      2,
      4,
    ],
  ] as const)('%s', (_name, pending, recent, bar, window, verdict, correct, total) => {
    const decision = decideVerdict({
      pending: [...pending],
      recentGold: [...recent],
      minGoldAccuracy: bar,
      window,
      knowsGold: false,
    });
    expect([decision.verdict, decision.windowCorrect, decision.windowTotal]).toEqual([verdict, correct, total]);
  });

  it('keeps the newest `window` answers as the record, the batch last', () => {
    const decision = decideVerdict({
      pending: [{ goldCorrect: 1, goldTotal: 2 }],
      recentGold: [false, false, true],
      minGoldAccuracy: 0.5,
      window: 4,
      knowsGold: false,
    });
    expect(decision.recentGold).toEqual([false, true, true, false]);
  });
});

describe('verdictDue', () => {
  const now = new Date('2026-12-04T12:00:00Z');
  const base = {
    pendingGold: 1,
    minGold: 3,
    oldestSubmittedAt: new Date(now.getTime() - 59_000),
    now,
    maxDelaySeconds: 60,
    goldPerTask: 1,
    minGoldAccuracy: 0.8,
  };
  it.each([
    ['one gold answer, young', {}, false],
    ['enough gold answers', { pendingGold: 3 }, true],
    ['waited the whole delay', { oldestSubmittedAt: new Date(now.getTime() - 60_000) }, true],
    ['no delay at all', { maxDelaySeconds: 0, oldestSubmittedAt: now }, true],
    ['a dataset without gold', { goldPerTask: 0 }, true],
    ['a dataset without a bar', { minGoldAccuracy: null }, true],
  ] as const)('%s -> %s', (_name, override, due) => {
    expect(verdictDue({ ...base, ...override })).toBe(due);
  });

  it('rejects whatever its gold the batch of a worker blocked for knowing the gold, and still keeps the record', () => {
    const params = { pending: [{ goldCorrect: 2, goldTotal: 2 }], recentGold: [true], minGoldAccuracy: 0.5, window: 4 };
    expect(decideVerdict({ ...params, knowsGold: false }).verdict).toBe('ACCEPTED');
    expect(decideVerdict({ ...params, knowsGold: true })).toEqual({
      verdict: 'REJECTED',
      recentGold: [true, true, true],
      windowCorrect: 3,
      windowTotal: 3,
    });
  });
});
