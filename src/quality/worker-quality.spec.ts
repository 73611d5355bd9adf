import { assignmentVerdict, BLOCK_CONFIDENCE, workerQuality } from './worker-quality';

describe('assignmentVerdict', () => {
  it.each([
    [2, 2, 0.8, 'ACCEPTED'],
    [1, 2, 0.5, 'ACCEPTED'],
    [1, 2, 0.8, 'REJECTED'],
    [0, 1, 0.01, 'REJECTED'],
    [0, 0, 0.8, 'ACCEPTED'],
    [0, 3, null, 'ACCEPTED'],
  ])('%i of %i correct with bar %p: %s', (goldCorrect, goldTotal, minGoldAccuracy, expected) => {
    expect(assignmentVerdict({ goldCorrect, goldTotal, minGoldAccuracy })).toBe(expected);
  });
});

function blocks(goldCorrect: number, goldSeen: number, minGoldAccuracy: number | null, minGoldAnswers = 5): boolean {
  return workerQuality({ goldCorrect, goldSeen, minGoldAccuracy, minGoldAnswers }).block;
}

describe('workerQuality', () => {
  it('asks for 95% confidence', () => {
    expect(BLOCK_CONFIDENCE).toBe(0.95);
  });

  // P(X <= correct) for X ~ Binomial(seen, bar) in the comments; the worker is blocked under 0.05.
  it.each([
    [2, 5, 0.6, 5, false], // 0.317: two of five is an unlucky streak, not evidence (the point estimate blocked it)
    [1, 5, 0.6, 5, false], // 0.087
    [0, 5, 0.6, 5, true], // 0.010
    [3, 12, 0.6, 5, true], // 0.015
    [4, 12, 0.6, 5, false], // 0.057
    [3, 5, 0.8, 5, false], // 0.263 (blocked by the point estimate)
    [7, 10, 0.8, 5, false], // 0.322 (blocked by the point estimate)
    [0, 5, 0.8, 5, true], // 0.0003
    [4, 5, 0.99, 5, true], // 0.049: one miss in five is already unlikely for a 99% worker
    [4, 5, 0.95, 5, false], // 0.226
    [5, 5, 0.9, 5, false], // flawless is never blocked, even under a high bar
    [50, 50, 0.99, 5, false],
    [0, 4, 0.6, 5, false], // the floor: not enough gold yet, however bad
    [0, 4, 0.6, 1, true], // 0.026, past a floor of 1
    [0, 3, 0.6, 1, false], // 0.064: past the floor, but three misses do not make it 95% sure
    [4, 5, 1, 5, true], // a bar of 1 forgives nothing: one miss proves accuracy under 1
    [19, 20, 1, 5, true],
    [20, 20, 1, 5, false],
    [4, 4, 1, 5, false], // the floor holds under a bar of 1 too
    [3, 4, 1, 5, false],
    [0, 10, 0, 5, false], // a bar of 0 never blocks
    [0, 10, null, 5, false],
  ])('%i of %i, bar %p, floor %i: block %p', (goldCorrect, goldSeen, minGoldAccuracy, minGoldAnswers, block) => {
    expect(blocks(goldCorrect, goldSeen, minGoldAccuracy, minGoldAnswers)).toBe(block);
  });

  const bars = [0.01, 0.3, 0.5, 0.6, 0.75, 0.8, 0.9, 0.95, 0.99, 1];
  const records = Array.from({ length: 50 }, (_, i) => i + 1);

  it('never blocks a perfect record, at any bar and any length', () => {
    const blocked = bars.flatMap((bar) =>
      records.filter((seen) => blocks(seen, seen, bar, 1)).map((seen) => [bar, seen]),
    );
    expect(blocked).toEqual([]);
  });

  it('is monotone: more correct never blocks where fewer correct did not, a higher bar never unblocks', () => {
    const violations: string[] = [];
    for (const seen of records) {
      // blocked[b][k]: whether k of `seen` blocks at bars[b].
      const blocked = bars.map((bar) => Array.from({ length: seen + 1 }, (_, k) => blocks(k, seen, bar, 1)));
      blocked.forEach((row, b) =>
        row.forEach((block, k) => {
          if (k > 0 && block && !row[k - 1]) violations.push(`${k}/${seen} blocks at ${bars[b]}, ${k - 1}/${seen} not`);
          if (b > 0 && blocked[b - 1][k] && !block)
            violations.push(`${k}/${seen} blocks at ${bars[b - 1]}, not ${bars[b]}`);
        }),
      );
    }
    expect(violations).toEqual([]);
  });

  it('blocks every record far enough under the bar once there is evidence', () => {
    // Records at a third of the bar: from 12 gold on, 95% sure.
    expect(records.filter((seen) => seen >= 12 && !blocks(Math.floor(seen / 5), seen, 0.6, 5))).toEqual([]);
  });

  it.each([
    [0, 0, null],
    [1, 1, 2 / 3],
    [3, 4, 4 / 6],
  ])('estimates %i of %i as %p (Beta(1,1) smoothing)', (goldCorrect, goldSeen, expected) => {
    const { estimatedAccuracy } = workerQuality({ goldCorrect, goldSeen, minGoldAccuracy: 0.5, minGoldAnswers: 1 });
    if (expected === null) expect(estimatedAccuracy).toBeNull();
    else expect(estimatedAccuracy).toBeCloseTo(expected, 12);
  });
});
