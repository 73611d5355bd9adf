// Fee arithmetic for replacing a stuck transaction. Pure, bigint wei.
// Nodes accept a replacement (same nonce) only when both fee fields rise by at least 10%;
// 25% clears that with margin and the network's current fees are a floor.

export interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

// What a node's eth fee data says to pay now; a pre-London chain only reports gasPrice.
export function networkFeesOf(fee: {
  maxFeePerGas: bigint | null;
  maxPriorityFeePerGas: bigint | null;
  gasPrice: bigint | null;
}): Fees {
  return { maxFeePerGas: fee.maxFeePerGas ?? fee.gasPrice ?? 0n, maxPriorityFeePerGas: fee.maxPriorityFeePerGas ?? 0n };
}

const BUMP_NUMERATOR = 125n;
const BUMP_DENOMINATOR = 100n;

const bump = (value: bigint): bigint => (value * BUMP_NUMERATOR + BUMP_DENOMINATOR - 1n) / BUMP_DENOMINATOR;
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);

export function replacementFees(params: { previous: Fees; network: Fees }): Fees {
  const maxPriorityFeePerGas = max(bump(params.previous.maxPriorityFeePerGas), params.network.maxPriorityFeePerGas);
  const maxFeePerGas = max(max(bump(params.previous.maxFeePerGas), params.network.maxFeePerGas), maxPriorityFeePerGas);
  return { maxFeePerGas, maxPriorityFeePerGas };
}

/** Fees for a first send: the network's suggestion, with the priority fee never above the cap. */
export function initialFees(network: Fees): Fees {
  return {
    maxFeePerGas: max(network.maxFeePerGas, network.maxPriorityFeePerGas),
    maxPriorityFeePerGas: network.maxPriorityFeePerGas,
  };
}

/** Gas limit from an estimate: +20% so a slightly different state at inclusion still fits. */
export function gasLimitFor(estimate: bigint): bigint {
  return (estimate * 120n) / 100n + 10_000n;
}
