import { createLabelCollector, type CollectorSchema } from './label-collector';
import type { MethodSelection } from './defaults';

type Answer = [item: string, worker: string, value: unknown];

async function run(params: {
  schema: CollectorSchema;
  answers: Answer[];
  gold?: [string, unknown][];
  method?: MethodSelection;
  known?: Record<string, number>;
}) {
  const collector = createLabelCollector(params.schema);
  const accepted = params.answers.map(([i, w, v]) => collector.add(i, w, v));
  const goldAccepted = (params.gold ?? []).map(([i, v]) => collector.addGold(i, v));
  const known = params.known;
  const result = await collector.finish({
    method: params.method ?? 'mv',
    knownAccuracy: known ? (w) => known[w] : undefined,
  });
  const byItem = Object.fromEntries(
    result.itemIds.map((id, i) => [
      id,
      { label: result.labels[i], confidence: result.confidence[i], answers: result.answers[i] },
    ]),
  );
  return { result, byItem, accepted, goldAccepted };
}

const single: CollectorSchema = { kind: 'SINGLE_CHOICE', classes: ['cat', 'dog'] };
const TWO_OF_THREE = 2 ** Math.sqrt(3) / (2 ** Math.sqrt(3) + 1);

describe('createLabelCollector', () => {
  // Confidences by hand (majority vote, calibrated with T = n^-0.5, which turns a vote share of
  // 2/3 among n = 3 answers into 2^sqrt(3) / (2^sqrt(3) + 1)): single choice 2 of 3 agree; multi-choice
  // the product of the per-class majorities r 2/3 (not chosen), g 3/3, b 2/3; rating
  // 1 - 2 * MAD / (max - min) = 1 - 2 * (4/3) / 4 around the median 4; free text 2 of 3 after
  // normalising case and spaces (vote shares of ratings and text are reported as they are).
  it.each<[string, CollectorSchema, Answer[], unknown, number]>([
    [
      'SINGLE_CHOICE',
      single,
      [
        ['x', 'a', 'dog'],
        ['x', 'b', 'dog'],
        ['x', 'c', 'cat'],
      ],
      'dog',
      TWO_OF_THREE,
    ],
    [
      'MULTI_CHOICE',
      { kind: 'MULTI_CHOICE', classes: ['r', 'g', 'b'] },
      [
        ['x', 'a', ['r', 'g']],
        ['x', 'b', ['g']],
        ['x', 'c', ['g', 'b']],
      ],
      ['g'],
      TWO_OF_THREE ** 2,
    ],
    [
      'RATING',
      { kind: 'RATING', min: 1, max: 5 },
      [
        ['x', 'a', 4],
        ['x', 'b', 5],
        ['x', 'c', 1],
      ],
      4,
      1 / 3,
    ],
    [
      'FREE_TEXT',
      { kind: 'FREE_TEXT' },
      [
        ['x', 'a', ' New  York'],
        ['x', 'b', 'new york'],
        ['x', 'c', 'Boston'],
      ],
      'new york',
      2 / 3,
    ],
  ])('aggregates %s into a JSON label per item', async (_kind, schema, answers, label, confidence) => {
    const { byItem } = await run({ schema, answers });
    expect(byItem.x.label).toEqual(label);
    expect(byItem.x.answers).toBe(3);
    expect(byItem.x.confidence).toBeCloseTo(confidence, 12);
  });

  it.each<[string, CollectorSchema, unknown]>([
    ['a class outside the schema', single, 'bird'],
    ['a non-string single choice', single, 1],
    ['a multi choice with a duplicate', { kind: 'MULTI_CHOICE', classes: ['r', 'g'] }, ['r', 'r']],
    ['a multi choice that is not an array', { kind: 'MULTI_CHOICE', classes: ['r', 'g'] }, 'r'],
    ['a rating outside the scale', { kind: 'RATING', min: 1, max: 5 }, 6],
    ['a rating that is not a number', { kind: 'RATING', min: 1, max: 5 }, '3'],
    ['free text that is not a string', { kind: 'FREE_TEXT' }, 3],
  ])('ignores %s', async (_name, schema, value) => {
    const { accepted, result } = await run({ schema, answers: [['x', 'a', value]] });
    expect(accepted).toEqual([false]);
    expect(result.itemIds).toEqual([]);
  });

  it('clamps gold items to their gold label whatever the crowd says', async () => {
    const { byItem, goldAccepted } = await run({
      schema: single,
      method: 'ds',
      answers: [
        ['g', 'a', 'cat'],
        ['g', 'b', 'cat'],
        ['x', 'a', 'cat'],
      ],
      gold: [['g', 'dog']],
    });
    expect(goldAccepted).toEqual([true]);
    expect(byItem.g).toEqual({ label: 'dog', confidence: 1, answers: 2 });
  });

  it('reports a gold item without answers with its gold label and zero answers', async () => {
    expect((await run({ schema: single, answers: [], gold: [['g', 'cat']] })).byItem.g).toEqual({
      label: 'cat',
      confidence: 1,
      answers: 0,
    });
  });

  it('names the method that produced the labels', async () => {
    expect((await run({ schema: single, method: 'ds', answers: [['x', 'a', 'cat']] })).result.method).toBe(
      'DAWID_SKENE',
    );
    expect((await run({ schema: { kind: 'RATING' }, answers: [['x', 'a', 3]] })).result.method).toBe('MEDIAN');
  });

  it('uses known worker accuracies for weighted majority vote, estimating only the unknown', async () => {
    // Two weak workers say cat, one strong worker says dog: the weights decide.
    const answers: Answer[] = [
      ['x', 'weak1', 'cat'],
      ['x', 'weak2', 'cat'],
      ['x', 'strong', 'dog'],
    ];
    const { byItem, result } = await run({
      schema: single,
      method: 'wmv',
      answers,
      known: { weak1: 0.55, weak2: 0.55, strong: 0.99 },
    });
    expect(byItem.x.label).toBe('dog');
    expect(Array.from(result.workerAccuracy!)).toEqual([0.55, 0.55, 0.99]);
  });

  it('names the method AUTO chose, not AUTO', async () => {
    expect((await run({ schema: single, method: 'auto', answers: [['x', 'a', 'cat']] })).result.method).toBe('IBCC');
  });

  // Agreement for every kind, worked out by hand. Two items, two workers each.
  it.each<[string, CollectorSchema, Answer[], number | null, number | null]>([
    // Both items unanimous, different categories: kappa = alpha = 1.
    [
      'SINGLE_CHOICE',
      single,
      [
        ['x', 'a', 'cat'],
        ['x', 'b', 'cat'],
        ['y', 'a', 'dog'],
        ['y', 'b', 'dog'],
      ],
      1,
      1,
    ],
    // Same with texts that agree after normalising ("Paris" = " paris").
    [
      'FREE_TEXT',
      { kind: 'FREE_TEXT' },
      [
        ['x', 'a', 'Paris'],
        ['x', 'b', ' paris'],
        ['y', 'a', 'Rome'],
        ['y', 'b', 'rome'],
      ],
      1,
      1,
    ],
    // Units (item, class) for classes r, g: x-r yes/yes, x-g no/no, y-r no/no, y-g yes/yes: all
    // four units unanimous over two categories (yes, no) -> 1.
    [
      'MULTI_CHOICE',
      { kind: 'MULTI_CHOICE', classes: ['r', 'g'] },
      [
        ['x', 'a', ['r']],
        ['x', 'b', ['r']],
        ['y', 'a', ['g']],
        ['y', 'b', ['g']],
      ],
      1,
      1,
    ],
    // Ratings x: 1, 5 and y: 1, 5. Kappa over the values: P-bar = 0, p(1) = p(5) = 1/2 -> -1.
    // Interval alpha: within-item pairs (1-5)^2 = 16 each, as far apart as any pair can be:
    // D_o = (1/4)(2 * 16 * 2) = 16, D_e = (2 * 4 * 52 - 2 * 12^2) / (4 * 3) = 10.67 -> 1 - 1.5 = -0.5.
    [
      'RATING',
      { kind: 'RATING', min: 1, max: 5 },
      [
        ['x', 'a', 1],
        ['x', 'b', 5],
        ['y', 'a', 1],
        ['y', 'b', 5],
      ],
      -1,
      -0.5,
    ],
  ])('computes agreement for %s', async (_kind, schema, answers, kappa, alpha) => {
    const { result } = await run({ schema, answers });
    expect(result.fleissKappa).toBeCloseTo(kappa!, 12);
    expect(result.krippendorffAlpha).toBeCloseTo(alpha!, 12);
  });

  it('reports no agreement when no item has two answers', async () => {
    const { result } = await run({
      schema: { kind: 'RATING', min: 1, max: 5 },
      answers: [
        ['x', 'a', 1],
        ['y', 'a', 5],
      ],
    });
    expect(result.fleissKappa).toBeNull();
    expect(result.krippendorffAlpha).toBeNull();
  });

  it('keeps the item and worker index of every answer for callers', async () => {
    const { result } = await run({
      schema: single,
      answers: [
        ['x', 'a', 'cat'],
        ['y', 'b', 'dog'],
        ['x', 'b', 'dog'],
      ],
    });
    expect(Array.from(result.itemIndex)).toEqual([0, 1, 0]);
    expect(Array.from(result.workerIndex)).toEqual([0, 1, 1]);
  });
});
