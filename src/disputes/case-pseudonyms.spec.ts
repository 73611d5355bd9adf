import { casePseudonyms } from './case-pseudonyms';

const workers = [
  '11111111-1111-4111-8111-111111111111',
  '22222222-2222-4222-8222-222222222222',
  '33333333-3333-4333-8333-333333333333',
];

describe('casePseudonyms', () => {
  it('names every worker once, W1..Wn, and nothing else', () => {
    const names = casePseudonyms({ secret: 's', disputeId: 'd1', workerIds: [...workers, workers[0]] });
    expect([...names.keys()].sort()).toEqual(workers);
    expect([...names.values()].sort()).toEqual(['W1', 'W2', 'W3']);
  });

  it('is stable for a case and not the same order across cases or secrets', () => {
    const order = (disputeId: string, secret = 's') =>
      workers.map((w) => casePseudonyms({ secret, disputeId, workerIds: workers }).get(w)).join();
    expect(order('d1')).toBe(order('d1'));
    const orders = new Set(Array.from({ length: 12 }, (_, i) => order(`d${i}`)));
    expect(orders.size).toBeGreaterThan(1);
    expect(new Set(Array.from({ length: 12 }, (_, i) => order('d1', `secret${i}`))).size).toBeGreaterThan(1);
  });
});
