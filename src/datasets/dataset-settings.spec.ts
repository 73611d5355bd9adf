import { checkDatasetSettings, type DatasetSettingsInput } from './dataset-settings';

const valid: DatasetSettingsInput = {
  name: 'Cats and dogs',
  labelSchema: { kind: 'SINGLE_CHOICE', classes: ['cat', 'dog'] },
  answersPerItem: 3,
  itemsPerTask: 10,
  rewardPerAnswer: 10n ** 16n,
};

describe('checkDatasetSettings', () => {
  it('fills the defaults', () => {
    expect(checkDatasetSettings(valid)).toEqual({
      ok: true,
      settings: {
        name: 'Cats and dogs',
        instructions: null,
        labelSchema: { kind: 'SINGLE_CHOICE', classes: ['cat', 'dog'] },
        answersPerItem: 3,
        maxAnswersPerItem: 3,
        targetConfidence: null,
        itemsPerTask: 10,
        goldPerTask: 0,
        rewardPerAnswer: 10n ** 16n,
        minGoldAccuracy: null,
        leaseSeconds: 600,
        aggregation: 'IBCC',
        goldExposureCap: 6,
        reviewReward: 0n,
        appealWindowSeconds: 604_800,
        disputeReservePercent: 10,
      },
    });
  });

  it('caps gold exposure at twice maxAnswersPerItem unless told otherwise', () => {
    const withOverlap = checkDatasetSettings({ ...valid, maxAnswersPerItem: 5 });
    const explicit = checkDatasetSettings({ ...valid, goldExposureCap: 4 });
    expect([
      withOverlap.ok && withOverlap.settings.goldExposureCap,
      explicit.ok && explicit.settings.goldExposureCap,
    ]).toEqual([10, 4]);
  });

  it.each<[string, Partial<DatasetSettingsInput>]>([
    [
      'every option set',
      {
        instructions: 'Pick one',
        maxAnswersPerItem: 7,
        targetConfidence: 0.9,
        goldPerTask: 2,
        minGoldAccuracy: 0.7,
        leaseSeconds: 30,
        aggregation: 'MAJORITY_VOTE',
      },
    ],
    [
      'the upper limits',
      {
        name: 'n'.repeat(200),
        answersPerItem: 100,
        maxAnswersPerItem: 100,
        itemsPerTask: 1000,
        goldPerTask: 100,
        leaseSeconds: 86_400,
        targetConfidence: 1,
        minGoldAccuracy: 1,
      },
    ],
    ['zero min gold accuracy', { minGoldAccuracy: 0 }],
    ['multi choice', { labelSchema: { kind: 'MULTI_CHOICE', classes: ['a', 'b', 'c'] } }],
    ['free text', { labelSchema: { kind: 'FREE_TEXT' } }],
    ['free text with null extras', { labelSchema: { kind: 'FREE_TEXT', classes: null, min: null, max: null } }],
    ['rating', { labelSchema: { kind: 'RATING', min: -1.5, max: 1.5 } }],
    ['no appeals and no reserve', { appealWindowSeconds: 0, disputeReservePercent: 0 }],
    ['a review reward with a reserve', { reviewReward: 5n, disputeReservePercent: 1, appealWindowSeconds: 2_592_000 }],
  ])('accepts %s', (_name, override) => {
    expect(checkDatasetSettings({ ...valid, ...override }).ok).toBe(true);
  });

  it.each<[string, string, Partial<DatasetSettingsInput>]>([
    ['empty name', 'name', { name: '' }],
    ['blank name', 'name', { name: '   ' }],
    ['long name', 'name', { name: 'n'.repeat(201) }],
    ['long instructions', 'instructions', { instructions: 'i'.repeat(20_001) }],
    ['unknown kind', 'labelSchema.kind', { labelSchema: { kind: 'RANKING' } }],
    [
      'single choice with one class',
      'labelSchema.classes',
      { labelSchema: { kind: 'SINGLE_CHOICE', classes: ['cat'] } },
    ],
    ['single choice without classes', 'labelSchema.classes', { labelSchema: { kind: 'SINGLE_CHOICE' } }],
    [
      'multi choice with duplicates',
      'labelSchema.classes',
      { labelSchema: { kind: 'MULTI_CHOICE', classes: ['a', 'a'] } },
    ],
    ['blank class', 'labelSchema.classes', { labelSchema: { kind: 'SINGLE_CHOICE', classes: ['a', ' '] } }],
    ['empty class', 'labelSchema.classes', { labelSchema: { kind: 'MULTI_CHOICE', classes: ['', 'b'] } }],
    ['choice with a range', 'labelSchema.min', { labelSchema: { kind: 'SINGLE_CHOICE', classes: ['a', 'b'], min: 1 } }],
    ['free text with classes', 'labelSchema.classes', { labelSchema: { kind: 'FREE_TEXT', classes: ['a', 'b'] } }],
    ['free text with a range', 'labelSchema.min', { labelSchema: { kind: 'FREE_TEXT', max: 3 } }],
    ['rating without min', 'labelSchema.min', { labelSchema: { kind: 'RATING', max: 5 } }],
    ['rating without max', 'labelSchema.max', { labelSchema: { kind: 'RATING', min: 1 } }],
    ['rating min = max', 'labelSchema.max', { labelSchema: { kind: 'RATING', min: 3, max: 3 } }],
    ['zero gold exposure cap', 'goldExposureCap', { goldExposureCap: 0 }],
    ['fractional gold exposure cap', 'goldExposureCap', { goldExposureCap: 2.5 }],
    ['rating min > max', 'labelSchema.max', { labelSchema: { kind: 'RATING', min: 5, max: 1 } }],
    [
      'rating with classes',
      'labelSchema.classes',
      { labelSchema: { kind: 'RATING', min: 1, max: 5, classes: ['a', 'b'] } },
    ],
    ['answersPerItem 0', 'answersPerItem', { answersPerItem: 0 }],
    ['answersPerItem above cap', 'answersPerItem', { answersPerItem: 101 }],
    ['answersPerItem fractional', 'answersPerItem', { answersPerItem: 1.5 }],
    ['maxAnswersPerItem below answersPerItem', 'maxAnswersPerItem', { maxAnswersPerItem: 2 }],
    ['maxAnswersPerItem above cap', 'maxAnswersPerItem', { maxAnswersPerItem: 101 }],
    ['targetConfidence 0', 'targetConfidence', { targetConfidence: 0 }],
    ['targetConfidence above 1', 'targetConfidence', { targetConfidence: 1.01 }],
    ['targetConfidence negative', 'targetConfidence', { targetConfidence: -0.5 }],
    ['itemsPerTask 0', 'itemsPerTask', { itemsPerTask: 0 }],
    ['itemsPerTask above cap', 'itemsPerTask', { itemsPerTask: 1001 }],
    ['goldPerTask negative', 'goldPerTask', { goldPerTask: -1 }],
    ['goldPerTask above cap', 'goldPerTask', { goldPerTask: 101 }],
    ['rewardPerAnswer 0', 'rewardPerAnswer', { rewardPerAnswer: 0n }],
    ['minGoldAccuracy negative', 'minGoldAccuracy', { minGoldAccuracy: -0.1 }],
    ['minGoldAccuracy above 1', 'minGoldAccuracy', { minGoldAccuracy: 1.5 }],
    ['leaseSeconds below 30', 'leaseSeconds', { leaseSeconds: 29 }],
    ['leaseSeconds above a day', 'leaseSeconds', { leaseSeconds: 86_401 }],
    ['unknown aggregation', 'aggregation', { aggregation: 'MEDIAN' }],
    ['negative review reward', 'reviewReward', { reviewReward: -1n }],
    ['appeal window above 30 days', 'appealWindowSeconds', { appealWindowSeconds: 2_592_001 }],
    ['negative appeal window', 'appealWindowSeconds', { appealWindowSeconds: -1 }],
    ['reserve above 100%', 'disputeReservePercent', { disputeReservePercent: 101 }],
    ['fractional reserve', 'disputeReservePercent', { disputeReservePercent: 2.5 }],
    ['a review reward without a reserve', 'disputeReservePercent', { reviewReward: 1n, disputeReservePercent: 0 }],
  ])('refuses %s naming %s', (_name, field, override) => {
    const result = checkDatasetSettings({ ...valid, ...override });
    expect(result).toEqual({ ok: false, field, message: expect.stringContaining(field) });
  });

  it('trims the name and drops blank instructions', () => {
    const result = checkDatasetSettings({ ...valid, name: '  Birds  ', instructions: '  ' });
    expect(result.ok && result.settings.name).toBe('Birds');
    expect(result.ok && result.settings.instructions).toBeNull();
  });
});
