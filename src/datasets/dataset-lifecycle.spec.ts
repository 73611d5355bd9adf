import {
  acceptsItems,
  DATASET_TRANSITIONS,
  decideTransition,
  isPubliclyVisible,
  type DatasetAction,
  type DatasetState,
  completionDue,
  consensusDecides,
} from './dataset-lifecycle';

const STATES: DatasetState[] = ['DRAFT', 'OPEN', 'PAUSED', 'COMPLETED', 'CANCELLED'];

// The full table: every action from every state. '-' means refused.
const TABLE: [DatasetAction, Record<DatasetState, DatasetState | '-'>][] = [
  ['publish', { DRAFT: 'OPEN', OPEN: '-', PAUSED: '-', COMPLETED: '-', CANCELLED: '-' }],
  ['pause', { DRAFT: '-', OPEN: 'PAUSED', PAUSED: '-', COMPLETED: '-', CANCELLED: '-' }],
  ['resume', { DRAFT: '-', OPEN: '-', PAUSED: 'OPEN', COMPLETED: '-', CANCELLED: '-' }],
  ['cancel', { DRAFT: 'CANCELLED', OPEN: 'CANCELLED', PAUSED: 'CANCELLED', COMPLETED: '-', CANCELLED: '-' }],
  ['complete', { DRAFT: '-', OPEN: 'COMPLETED', PAUSED: 'COMPLETED', COMPLETED: '-', CANCELLED: '-' }],
];

const CASES = TABLE.flatMap(([action, row]) => STATES.map((from) => [action, from, row[from]] as const));

describe('dataset lifecycle', () => {
  it.each(CASES)('%s from %s -> %s', (action, from, expected) => {
    const decision = decideTransition(action, from);
    if (expected === '-') {
      expect(decision.ok).toBe(false);
      expect(decision).toEqual({ ok: false, message: expect.stringContaining(from) });
    } else {
      expect(decision).toEqual({ ok: true, to: expected });
    }
  });

  it('has a row for every action and no exit from the final states', () => {
    expect(Object.keys(DATASET_TRANSITIONS).sort()).toEqual(TABLE.map(([a]) => a).sort());
    for (const rule of Object.values(DATASET_TRANSITIONS)) {
      expect(rule.from).not.toContain('COMPLETED');
      expect(rule.from).not.toContain('CANCELLED');
    }
  });

  it.each(STATES.map((s) => [s, s === 'DRAFT', s === 'OPEN' || s === 'PAUSED'] as const))(
    '%s: accepts items %p, publicly visible %p',
    (state, accepts, visible) => {
      expect(acceptsItems(state)).toBe(accepts);
      expect(isPubliclyVisible(state)).toBe(visible);
    },
  );
});

describe('completionDue: the one completion decision', () => {
  const base = {
    status: 'OPEN' as const,
    regularItems: 10,
    settledRegularItems: 10,
    consensusDecides: false,
    openDisputes: false,
    askedBy: 'verdict' as const,
  };

  it.each<[string, Partial<Parameters<typeof completionDue>[0]>, boolean]>([
    ['every regular item settled, asked after the last accepting verdict', {}, true],
    ['every regular item settled while PAUSED', { status: 'PAUSED' }, true],
    ['one regular item still open', { settledRegularItems: 9 }, false],
    ['a dataset with only gold items', { regularItems: 0, settledRegularItems: 0 }, false],
    ['a DRAFT dataset', { status: 'DRAFT' }, false],
    ['an already COMPLETED dataset', { status: 'COMPLETED' }, false],
    ['a CANCELLED dataset', { status: 'CANCELLED' }, false],
    [
      'dynamic overlap or a target confidence, asked after a verdict (consensus may still top an item up)',
      { consensusDecides: true },
      false,
    ],
    [
      'dynamic overlap or a target confidence, asked by consensus after it decided',
      { consensusDecides: true, askedBy: 'consensus' },
      true,
    ],
    [
      'dynamic overlap or a target confidence, asked after a dispute decision',
      { consensusDecides: true, askedBy: 'review' },
      true,
    ],
    ['a dispute still open', { openDisputes: true, askedBy: 'consensus' }, false],
    ['a dispute still open, asked after a verdict', { openDisputes: true }, false],
  ])('%s → %p', (_name, change, due) => {
    expect(completionDue({ ...base, ...change })).toBe(due);
  });
});

describe('consensusDecides: who may say items are settled', () => {
  const fixed = { answersPerItem: 3, maxAnswersPerItem: 3, targetConfidence: null };

  it.each<[string, Parameters<typeof consensusDecides>[0], boolean]>([
    ['single choice at fixed overlap (a tied item goes to review)', { ...fixed, labelKind: 'SINGLE_CHOICE' }, true],
    ['free text at fixed overlap (never tied)', { ...fixed, labelKind: 'FREE_TEXT' }, false],
    ['multi-choice at fixed overlap', { ...fixed, labelKind: 'MULTI_CHOICE' }, false],
    ['rating at fixed overlap', { ...fixed, labelKind: 'RATING' }, false],
    ['rating with dynamic overlap', { ...fixed, maxAnswersPerItem: 5, labelKind: 'RATING' }, true],
    ['rating with a target confidence', { ...fixed, targetConfidence: 0.9, labelKind: 'RATING' }, true],
  ])('%s → %p', (_name, dataset, decides) => {
    expect(consensusDecides(dataset)).toBe(decides);
  });
});
