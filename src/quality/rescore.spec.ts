import { rescoreWorker, type DecidedAssignment } from './rescore';

// Worked out by hand: SINGLE_CHOICE, bar 0.6, window 4. Gold answers are written as
// [answer, current gold label]; null gold = retired.
const t = (s: number): Date => new Date(Date.UTC(2026, 10, 28, 0, 0, s));
const a = (
  id: string,
  status: 'ACCEPTED' | 'REJECTED',
  at: number,
  gold: [string, string | null][],
): DecidedAssignment => ({ id, status, verdictAt: t(at), gold: gold.map(([answer, g]) => ({ answer, gold: g })) });

describe('rescoreWorker', () => {
  it('passes a rejected batch whose misses were on a gold label now corrected', () => {
    // Batch 1 (a1): 1/2 → rejected at the time (0.5 < 0.6). The label of the missed item was wrong:
    // corrected to "cat", the worker's answer. Now 2/2 → passes.
    const result = rescoreWorker({
      kind: 'SINGLE_CHOICE',
      window: 4,
      minGoldAccuracy: 0.6,
      knowsGold: false,
      decided: [
        a('a1', 'REJECTED', 1, [
          ['cat', 'cat'],
          ['cat', 'cat'],
        ]),
      ],
    });
    expect(result).toEqual({
      scores: [{ id: 'a1', goldCorrect: 2, goldTotal: 2 }],
      nowPassing: ['a1'],
      recentGold: [true, true],
      goldSeen: 2,
      goldCorrect: 2,
    });
  });

  it('passes nothing of a worker blocked for knowing the gold, and rebuilds the record the same', () => {
    const decided = [
      a('a1', 'REJECTED', 1, [
        ['cat', 'cat'],
        ['cat', 'cat'],
      ]),
    ];
    const result = rescoreWorker({ kind: 'SINGLE_CHOICE', window: 4, minGoldAccuracy: 0.6, knowsGold: true, decided });
    expect(result).toMatchObject({ nowPassing: [], recentGold: [true, true], goldSeen: 2, goldCorrect: 2 });
  });

  it('replays batches in order on the record each had: a later batch is judged with the earlier one in its window', () => {
    // a1 (batch at 1): 0/2 → fails either way. a2 + a3 (batch at 2): 2/2 fresh + window fill of
    // the last 2 of a1 (0/2) = 2/4 = 0.5 < 0.6 → still rejected. a4 (batch at 3): 1/1 fresh + 3
    // from before (a1's last miss, a2/a3's 2 right) = 3/4 = 0.75 → passes.
    const result = rescoreWorker({
      kind: 'SINGLE_CHOICE',
      window: 4,
      minGoldAccuracy: 0.6,
      knowsGold: false,
      decided: [
        a('a1', 'REJECTED', 1, [
          ['dog', 'cat'],
          ['dog', 'cat'],
        ]),
        a('a2', 'REJECTED', 2, [['cat', 'cat']]),
        a('a3', 'REJECTED', 2, [['cat', 'cat']]),
        a('a4', 'REJECTED', 3, [['cat', 'cat']]),
      ],
    });
    expect(result.nowPassing).toEqual(['a4']);
    expect(result.recentGold).toEqual([false, true, true, true]);
    expect([result.goldSeen, result.goldCorrect]).toEqual([5, 3]);
  });

  it('never turns ACCEPTED into anything else, and a retired gold item counts nowhere', () => {
    const result = rescoreWorker({
      kind: 'SINGLE_CHOICE',
      window: 4,
      minGoldAccuracy: 0.6,
      knowsGold: false,
      decided: [
        a('a1', 'ACCEPTED', 1, [
          ['dog', 'cat'],
          ['dog', 'cat'],
        ]),
        a('a2', 'REJECTED', 2, [
          ['dog', null],
          ['cat', 'cat'],
        ]),
      ],
    });
    // a1 would now fail (0/2): it stays ACCEPTED, nothing reports it. a2: the retired item is
    // skipped, 1/1 fresh + a1's two misses = 1/3 < 0.6 → still rejected.
    expect(result.nowPassing).toEqual([]);
    expect(result.scores).toEqual([
      { id: 'a1', goldCorrect: 0, goldTotal: 2 },
      { id: 'a2', goldCorrect: 1, goldTotal: 1 },
    ]);
  });

  it('without a bar every rejected batch passes', () => {
    expect(
      rescoreWorker({
        kind: 'SINGLE_CHOICE',
        window: 4,
        minGoldAccuracy: null,
        knowsGold: false,
        decided: [a('a1', 'REJECTED', 1, [['dog', 'cat']])],
      }).nowPassing,
    ).toEqual(['a1']);
  });
});
