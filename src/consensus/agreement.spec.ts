import {
  fleissKappa,
  fleissKappaFromCounts,
  krippendorffAlpha,
  krippendorffAlphaFromCounts,
  meanConfidence,
} from './agreement';
import { matrixFromTriples } from './answer-matrix';

/** Builds answers from a coders x units table (null = missing). */
function fromCoderTable(rows: (number | null)[][], k: number) {
  const answers: [number, number, number][] = [];
  rows.forEach((row, coder) =>
    row.forEach((v, unit) => {
      if (v !== null) answers.push([unit, coder, v]);
    }),
  );
  return matrixFromTriples({ answers, numClasses: k });
}

// Wikipedia "Fleiss' kappa" worked example: 10 subjects, 14 raters, 5 categories -> 0.210.
const WIKIPEDIA_FLEISS = [
  [0, 0, 0, 0, 14],
  [0, 2, 6, 4, 2],
  [0, 0, 3, 5, 6],
  [0, 3, 9, 2, 0],
  [2, 2, 8, 1, 1],
  [7, 7, 0, 0, 0],
  [3, 2, 6, 3, 0],
  [2, 5, 3, 2, 2],
  [6, 5, 2, 1, 0],
  [0, 2, 2, 3, 7],
];

// Krippendorff (2011) "Computing Krippendorff's Alpha-Reliability": 4 observers, 12 units,
// missing values, nominal alpha = 0.743 (categories 1-5 shifted to 0-4).
const KRIPPENDORFF_NOMINAL: (number | null)[][] = [
  [0, 1, 2, 2, 1, 0, 3, 0, 1, null, null, null],
  [0, 1, 2, 2, 1, 1, 3, 0, 1, 4, null, 2],
  [null, 2, 2, 2, 1, 2, 3, 1, 1, 4, 0, null],
  [0, 1, 2, 2, 1, 3, 3, 0, 1, 4, 0, null],
];
// Same paper: two observers, binary, no missing data -> alpha = 0.095.
const KRIPPENDORFF_BINARY = [
  [0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
  [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
];

describe('fleissKappa', () => {
  it('reproduces the Wikipedia example (0.210)', () => {
    expect(fleissKappaFromCounts({ counts: WIKIPEDIA_FLEISS.flat(), k: 5 })).toBeCloseTo(0.20993, 5);
  });

  it('gives the same value from an answer matrix', () => {
    const answers: [number, number, number][] = [];
    WIKIPEDIA_FLEISS.forEach((row, i) => {
      let w = 0;
      row.forEach((n, c) => {
        for (let x = 0; x < n; x++) answers.push([i, w++, c]);
      });
    });
    expect(fleissKappa(matrixFromTriples({ answers, numClasses: 5 }))).toBeCloseTo(0.20993, 5);
  });

  it.each<[string, number[], number, number | null]>([
    ['perfect agreement on two categories', [3, 0, 0, 3], 2, 1],
    ['one category used for everything (0/0)', [3, 0, 2, 0], 2, null],
    ['no item with two answers', [1, 0, 0, 1], 2, null],
    ['no items at all', [], 2, null],
    // Two items, each split 1-1: P-bar = 0, P_e = 0.5 -> -1.
    ['systematic disagreement', [1, 1, 1, 1], 2, -1],
  ])('%s', (_name, counts, k, expected) => {
    const value = fleissKappaFromCounts({ counts, k });
    if (expected === null) expect(value).toBeNull();
    else expect(value).toBeCloseTo(expected, 12);
  });
});

describe('krippendorffAlpha', () => {
  it.each<[string, (number | null)[][], number, number]>([
    ['nominal, 4 observers with missing values (0.743)', KRIPPENDORFF_NOMINAL, 5, 0.743421],
    ['binary, 2 observers (0.095)', KRIPPENDORFF_BINARY, 2, 0.095238],
  ])("reproduces Krippendorff's example: %s", (_name, table, k, expected) => {
    expect(krippendorffAlpha(fromCoderTable(table, k))).toBeCloseTo(expected, 6);
  });

  it.each<[string, number[], number, number | null]>([
    ['perfect agreement', [2, 0, 0, 3], 2, 1],
    ['a single value throughout', [4, 0, 2, 0], 2, null],
    ['only singly-answered units', [1, 0, 0, 1], 2, null],
    // A unit with one answer is ignored: same as the table without it.
    ['unpairable units do not count', [2, 0, 0, 2, 1, 0], 2, 1],
  ])('%s', (_name, counts, k, expected) => {
    const value = krippendorffAlphaFromCounts({ counts, k });
    if (expected === null) expect(value).toBeNull();
    else expect(value).toBeCloseTo(expected, 12);
  });
});

describe('meanConfidence', () => {
  it('averages over items that have answers only', () => {
    const matrix = matrixFromTriples({
      answers: [
        [0, 0, 0],
        [2, 0, 0],
      ],
      numClasses: 2,
      numItems: 3,
    });
    expect(meanConfidence({ matrix, confidence: Float64Array.from([0.5, 0, 1]) })).toBe(0.75);
    expect(
      meanConfidence({ matrix: matrixFromTriples({ answers: [], numClasses: 2 }), confidence: new Float64Array(0) }),
    ).toBeNull();
  });
});
