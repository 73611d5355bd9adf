import { CollusionRing, goldNeeded, kindCounts, labelerModel, syntheticCrowd } from './crowd';
import { DEFAULT_MIX } from './options';
import { seededRandom } from './random';
import { realCrowd } from './real-crowd';

describe('the simulated crowd', () => {
  it('splits the labelers by kind with counts that add up', () => {
    for (const workers of [2, 7, 50, 333]) {
      const counts = kindCounts(workers, DEFAULT_MIX);
      expect(counts.reduce((s, [, n]) => s + n, 0)).toBe(workers);
    }
    expect(kindCounts(50, DEFAULT_MIX)).toEqual([
      ['good', 30],
      ['careless', 8],
      ['spammer', 5],
      ['adversarial', 5],
      ['colluding', 2],
    ]);
  });

  it('has enough gold that an average labeler never runs out, nor the exposure cap', () => {
    // 2000 items x 5 answers / 10 per task = 1000 tasks: 6% = 120; 3 x 1000 / 50 = 60; 1000 / 5 + 1 = 201.
    expect(goldNeeded({ items: 2000, workers: 50, goldShare: 0.06, maxAnswersPerItem: 5, itemsPerTask: 10 })).toBe(201);
    expect(goldNeeded({ items: 2000, workers: 50, goldShare: 0.2, maxAnswersPerItem: 5, itemsPerTask: 10 })).toBe(400);
    // 100 items: 50 tasks over 10 labelers = 15 gold (the 6% share would give 6).
    expect(goldNeeded({ items: 100, workers: 10, goldShare: 0.06, maxAnswersPerItem: 5, itemsPerTask: 10 })).toBe(15);
  });

  it('answers by kind: the adversary always the first class, the spammer at random, the good mostly right', () => {
    const random = seededRandom(3);
    const ring = new CollusionRing();
    const classes = ['a', 'b', 'c'];
    const rate = (kind: Parameters<typeof labelerModel>[0]) => {
      const model = labelerModel(kind, 1, random, ring);
      let right = 0;
      for (let i = 0; i < 3000; i++)
        if (model.answer(`r${i}`, classes[i % 3], classes, random) === classes[i % 3]) right++;
      return right / 3000;
    };
    expect(rate('adversarial')).toBeCloseTo(1 / 3, 5);
    expect(rate('good')).toBeGreaterThan(0.8);
    expect(Math.abs(rate('spammer') - 1 / 3)).toBeLessThan(0.05);
  });

  it('lets colluders copy what their ring knows', () => {
    const random = seededRandom(5);
    const ring = new CollusionRing();
    const leader = labelerModel('colluding', 0, random, ring);
    const follower = labelerModel('colluding', 1, random, ring);
    const label = leader.answer('x', 'b', ['a', 'b', 'c'], random);
    for (let i = 0; i < 20; i++) expect(follower.answer('x', 'c', ['a', 'b', 'c'], random)).toBe(label);
  });

  it('makes the same crowd from the same seed, gold hidden among the items', () => {
    const make = () =>
      syntheticCrowd({
        items: 200,
        workers: 10,
        mix: DEFAULT_MIX,
        classes: ['a', 'b'],
        goldShare: 0.1,
        maxAnswersPerItem: 3,
        itemsPerTask: 10,
        random: seededRandom(9),
      });
    const one = make();
    expect(make().items).toEqual(one.items);
    expect(one.items.filter((i) => i.gold)).toHaveLength(21); // 60 tasks / 3 + 1
    expect(one.items.slice(0, 20).every((i) => i.gold)).toBe(false);
    expect(new Set(one.items.map((i) => i.ref)).size).toBe(221);
  });

  it('replays a real worker: its own answer where it gave one, its confusion row elsewhere', () => {
    const truth = new Map([
      ['i1', 'x'],
      ['i2', 'y'],
      ['i3', 'x'],
      ['i4', 'y'],
    ]);
    const answers = [
      { item: 'i1', worker: 'w1', label: 'y' },
      { item: 'i2', worker: 'w1', label: 'y' },
      { item: 'i3', worker: 'w1', label: 'x' },
      { item: 'i4', worker: 'w2', label: 'x' },
    ];
    const crowd = realCrowd({
      data: { answers, truth },
      workers: 5,
      maxItems: 10,
      goldShare: 0.25,
      maxAnswersPerItem: 2,
      itemsPerTask: 2,
      random: seededRandom(1),
    });
    expect(crowd.classes).toEqual(['x', 'y']);
    expect(crowd.labelers).toHaveLength(2);
    const [w1] = crowd.labelers;
    expect(w1.kind).toBe('careless'); // 2 of 3 right
    expect(w1.answer('i1', 'x', crowd.classes, seededRandom(2))).toBe('y');
    expect(crowd.items.filter((i) => i.gold).length).toBeGreaterThanOrEqual(1);
    expect(crowd.items.filter((i) => i.gold).length).toBeLessThanOrEqual(2);
  });
});
