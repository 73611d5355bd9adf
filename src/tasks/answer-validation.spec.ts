import { MAX_FREE_TEXT_LENGTH, type LabelSchemaShape } from '../datasets/item-validation';
import { checkSubmission, normaliseLabel, submissionHash } from './answer-validation';

const single: LabelSchemaShape = { kind: 'SINGLE_CHOICE', classes: ['cat', 'dog'] };
const multi: LabelSchemaShape = { kind: 'MULTI_CHOICE', classes: ['red', 'green', 'blue'] };
const text: LabelSchemaShape = { kind: 'FREE_TEXT' };
const rating: LabelSchemaShape = { kind: 'RATING', min: 1, max: 5 };

describe('normaliseLabel', () => {
  it.each([
    [single, 'cat', 'cat'],
    [multi, ['blue', 'red'], ['red', 'blue']],
    [multi, [], []],
    [text, '  New York ', '  New York '],
    [rating, 1, 1],
    [rating, 4.5, 4.5],
    [rating, 5, 5],
  ])('accepts %p label %p as %p', (schema, label, value) => {
    expect(normaliseLabel(schema, label)).toEqual({ value });
  });

  it.each([
    [single, 'bird'],
    [single, ['cat']],
    [single, 1],
    [single, null],
    [multi, 'red'],
    [multi, ['red', 'red']],
    [multi, ['red', 'purple']],
    [multi, [1]],
    [text, ''],
    [text, '   '],
    [text, 12],
    [text, 'x'.repeat(MAX_FREE_TEXT_LENGTH + 1)],
    [rating, 0],
    [rating, 5.01],
    [rating, '3'],
    [rating, Number.NaN],
    [{ kind: 'SOMETHING_ELSE' } as unknown as LabelSchemaShape, 'x'],
  ])('refuses for %p the label %p', (schema, label) => {
    expect(typeof normaliseLabel(schema, label)).toBe('string');
  });
});

describe('checkSubmission', () => {
  const itemIds = ['a', 'b', 'c'];
  const answers = (ids: string[]) => ids.map((itemId) => ({ itemId, label: 'cat' }));

  it('accepts one answer per item in any order', () => {
    const result = checkSubmission({ itemIds, answers: answers(['c', 'a', 'b']), schema: single });
    expect(result).toEqual({
      ok: true,
      answers: [
        { itemId: 'c', value: 'cat' },
        { itemId: 'a', value: 'cat' },
        { itemId: 'b', value: 'cat' },
      ],
    });
  });

  it.each([
    ['a missing item', ['a', 'b']],
    ['a foreign item', ['a', 'b', 'z']],
    ['a duplicated item', ['a', 'b', 'b']],
    ['a duplicate besides all items', ['a', 'b', 'c', 'a']],
    ['nothing', []],
  ])('refuses %s with INVALID_ANSWERS and a message naming no item', (_name, ids) => {
    const result = checkSubmission({ itemIds, answers: answers(ids), schema: single });
    expect(result).toMatchObject({ ok: false, code: 'INVALID_ANSWERS' });
    if (!result.ok) for (const id of [...itemIds, 'z']) expect(result.message).not.toContain(`"${id}"`);
  });

  it('refuses a bad label with INVALID_LABEL', () => {
    const result = checkSubmission({
      itemIds,
      answers: [
        { itemId: 'a', label: 'cat' },
        { itemId: 'b', label: 'bird' },
        { itemId: 'c', label: 'dog' },
      ],
      schema: single,
    });
    expect(result).toMatchObject({ ok: false, code: 'INVALID_LABEL' });
  });
});

describe('submissionHash', () => {
  it('ignores answer order and multi-choice order, and sees any other change', () => {
    const one = checkSubmission({
      itemIds: ['a', 'b'],
      answers: [
        { itemId: 'a', label: ['red', 'blue'] },
        { itemId: 'b', label: [] },
      ],
      schema: multi,
    });
    const same = checkSubmission({
      itemIds: ['a', 'b'],
      answers: [
        { itemId: 'b', label: [] },
        { itemId: 'a', label: ['blue', 'red'] },
      ],
      schema: multi,
    });
    const other = checkSubmission({
      itemIds: ['a', 'b'],
      answers: [
        { itemId: 'a', label: ['red'] },
        { itemId: 'b', label: [] },
      ],
      schema: multi,
    });
    if (!one.ok || !same.ok || !other.ok) throw new Error('expected valid submissions');
    expect(submissionHash(one.answers)).toMatch(/^[0-9a-f]{64}$/);
    expect(submissionHash(same.answers)).toBe(submissionHash(one.answers));
    expect(submissionHash(other.answers)).not.toBe(submissionHash(one.answers));
  });
});
