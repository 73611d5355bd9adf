// The order in which the calls of a batch run in their one transaction: by their lock keys (the
// worker first), so that two batches take the same locks in the same order. A stable sort, so
// calls with the same keys (a double-click) run in the order they came.
export function inOrderOf(keys: readonly (readonly string[])[]): number[] {
  return keys.map((_, i) => i).sort((a, b) => compareKeys(keys[a], keys[b]));
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let k = 0; k < Math.min(a.length, b.length); k++) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  return a.length - b.length;
}

// The answers of a batch back in the order of its calls: row n (1-based) answers the n-th call
// run, which is call order[n - 1]. A call without exactly one answer is an error, never a hole.
export function answersInOrder<Row extends { n: number }, Out>(
  order: readonly number[],
  rows: readonly Row[],
  answer: (row: Row) => Out,
): Out[] {
  const outs: Out[] = new Array<Out>(order.length);
  const answered = new Array<boolean>(order.length).fill(false);
  for (const row of rows) {
    const position = Number(row.n) - 1;
    if (!Number.isInteger(position) || position < 0 || position >= order.length || answered[order[position]])
      throw new Error(`a batch of ${order.length} calls answered call ${row.n} unexpectedly`);
    answered[order[position]] = true;
    outs[order[position]] = answer(row);
  }
  if (answered.includes(false)) throw new Error(`a batch of ${order.length} calls answered ${rows.length}`);
  return outs;
}
