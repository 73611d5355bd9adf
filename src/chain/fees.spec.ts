import { gasLimitFor, initialFees, replacementFees, networkFeesOf } from './fees';

describe('replacementFees', () => {
  it.each([
    [
      'bumps both fields by 25% (rounded up)',
      { maxFeePerGas: 100n, maxPriorityFeePerGas: 10n },
      { maxFeePerGas: 50n, maxPriorityFeePerGas: 1n },
      { maxFeePerGas: 125n, maxPriorityFeePerGas: 13n },
    ],
    [
      'follows the network when it rose further',
      { maxFeePerGas: 100n, maxPriorityFeePerGas: 10n },
      { maxFeePerGas: 300n, maxPriorityFeePerGas: 40n },
      { maxFeePerGas: 300n, maxPriorityFeePerGas: 40n },
    ],
    [
      'keeps the cap at least the priority fee',
      { maxFeePerGas: 10n, maxPriorityFeePerGas: 10n },
      { maxFeePerGas: 1n, maxPriorityFeePerGas: 100n },
      { maxFeePerGas: 100n, maxPriorityFeePerGas: 100n },
    ],
    [
      'still rises from zero fees',
      { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n },
      { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n },
      { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n },
    ],
  ])('%s', (_name, previous, network, expected) => {
    expect(replacementFees({ previous, network })).toEqual(expected);
  });

  it('always rises by at least 10% on both fields when fees are non-zero', () => {
    for (const fee of [1n, 7n, 10n, 999n, 10n ** 9n, 123_456_789_012n]) {
      const next = replacementFees({
        previous: { maxFeePerGas: fee, maxPriorityFeePerGas: fee },
        network: { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n },
      });
      expect(next.maxFeePerGas * 10n).toBeGreaterThanOrEqual(fee * 11n);
      expect(next.maxPriorityFeePerGas * 10n).toBeGreaterThanOrEqual(fee * 11n);
    }
  });

  it.each([
    [
      { maxFeePerGas: 5n, maxPriorityFeePerGas: 9n },
      { maxFeePerGas: 9n, maxPriorityFeePerGas: 9n },
    ],
    [
      { maxFeePerGas: 50n, maxPriorityFeePerGas: 9n },
      { maxFeePerGas: 50n, maxPriorityFeePerGas: 9n },
    ],
  ])('initialFees(%p)', (network, expected) => {
    expect(initialFees(network)).toEqual(expected);
  });

  it.each([
    [100_000n, 130_000n],
    [0n, 10_000n],
  ])('gasLimitFor(%p) = %p', (estimate, limit) => {
    expect(gasLimitFor(estimate)).toBe(limit);
  });
});

describe('networkFeesOf', () => {
  it.each([
    [
      'EIP-1559 fee data',
      { maxFeePerGas: 30n, maxPriorityFeePerGas: 2n, gasPrice: 20n },
      { maxFeePerGas: 30n, maxPriorityFeePerGas: 2n },
    ],
    [
      'a legacy chain (gasPrice only)',
      { maxFeePerGas: null, maxPriorityFeePerGas: null, gasPrice: 20n },
      { maxFeePerGas: 20n, maxPriorityFeePerGas: 0n },
    ],
    [
      'nothing reported',
      { maxFeePerGas: null, maxPriorityFeePerGas: null, gasPrice: null },
      { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n },
    ],
  ])('%s', (_name, fee, expected) => {
    expect(networkFeesOf(fee)).toEqual(expected);
  });
});
