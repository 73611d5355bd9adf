import { createLabelCollector } from './label-collector';
import type { MethodSelection } from './defaults';
import { tiedItems } from './ties';

type Answer = [item: string, worker: string, value: unknown];

async function tiedByItem(params: {
  kind?: 'SINGLE_CHOICE' | 'MULTI_CHOICE' | 'FREE_TEXT' | 'RATING';
  answers: Answer[];
  gold?: [string, unknown][];
  method?: MethodSelection;
}): Promise<Record<string, number>> {
  const kind = params.kind ?? 'SINGLE_CHOICE';
  const collector = createLabelCollector(
    kind === 'RATING' ? { kind, min: 1, max: 5 } : kind === 'FREE_TEXT' ? { kind } : { kind, classes: ['cat', 'dog'] },
  );
  for (const [i, w, v] of params.answers) expect(collector.add(i, w, v)).toBe(true);
  for (const [i, v] of params.gold ?? []) expect(collector.addGold(i, v)).toBe(true);
  const result = await collector.finish({ method: params.method ?? 'mv' });
  return Object.fromEntries(result.itemIds.map((id, i) => [id, result.tied[i]]));
}

describe('tiedItems', () => {
  it.each<[string, number[], number]>([
    ['an even split', [0.5, 0.5, 0], 1],
    ['a three-way split', [1 / 3, 1 / 3, 1 / 3], 1],
    ['equal within float rounding', [0.5 + 1e-12, 0.5 - 1e-12, 0], 1],
    ['a clear winner', [0.6, 0.4, 0], 0],
    ['a tie between the two less likely classes only', [0.5, 0.25, 0.25], 0],
    ['a near tie beyond the tolerance', [0.5 + 1e-6, 0.5 - 1e-6, 0], 0],
  ])('%s → %p', (_name, row, tied) => {
    expect(tiedItems({ posteriors: Float64Array.from(row), numClasses: 3, answers: Int32Array.of(2) })[0]).toBe(tied);
  });

  it('never ties an item without answers, nor anything with a single class', () => {
    expect(tiedItems({ posteriors: new Float64Array(2), numClasses: 2, answers: Int32Array.of(0) })[0]).toBe(0);
    expect(tiedItems({ posteriors: Float64Array.of(1), numClasses: 1, answers: Int32Array.of(2) })[0]).toBe(0);
  });

  it('rejects posteriors of the wrong size', () => {
    expect(() => tiedItems({ posteriors: new Float64Array(3), numClasses: 2, answers: Int32Array.of(1) })).toThrow(
      RangeError,
    );
  });
});

describe('CollectedResults.tied', () => {
  it('single choice, majority vote: two answers that disagree tie, a 2-1 split and agreement do not', async () => {
    expect(
      await tiedByItem({
        answers: [
          ['split', 'a', 'cat'],
          ['split', 'b', 'dog'],
          ['two-one', 'a', 'cat'],
          ['two-one', 'b', 'dog'],
          ['two-one', 'c', 'dog'],
          ['agreed', 'a', 'dog'],
          ['agreed', 'b', 'dog'],
        ],
      }),
    ).toEqual({ split: 1, 'two-one': 0, agreed: 0 });
  });

  it('a gold item is clamped to its label, never tied, however its answers split', async () => {
    expect(
      await tiedByItem({
        answers: [
          ['g', 'a', 'cat'],
          ['g', 'b', 'dog'],
        ],
        gold: [['g', 'dog']],
      }),
    ).toEqual({ g: 0 });
  });

  it.each<[string, 'MULTI_CHOICE' | 'FREE_TEXT' | 'RATING', unknown, unknown]>([
    ['MULTI_CHOICE', 'MULTI_CHOICE', ['cat'], ['dog']],
    ['FREE_TEXT', 'FREE_TEXT', 'a cat', 'a dog'],
    ['RATING', 'RATING', 1, 5],
  ])('%s never reports a tie, even for an even split', async (_name, kind, first, second) => {
    expect(
      await tiedByItem({
        kind,
        answers: [
          ['x', 'a', first],
          ['x', 'b', second],
        ],
      }),
    ).toEqual({ x: 0 });
  });
});
