// Fisher–Yates over a copy. The uniform integer source is passed in (crypto.randomInt in the
// service) so an item's position in an assignment says nothing about whether it is gold, and
// tests can drive it deterministically.
export type RandomInt = (maxExclusive: number) => number;

export function shuffle<T>(items: readonly T[], randomInt: RandomInt): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    if (!Number.isInteger(j) || j < 0 || j > i) throw new RangeError(`randomInt(${i + 1}) returned ${j}`);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
