// FREE_TEXT answers are grouped by exact match after normalisation (Unicode NFC, trim, lower-case,
// collapse runs of whitespace to one space), so "  New York" and "new  york" agree. The winner is
// the most frequent normalised text; ties go to the lowest text by UTF-16 code units (locale-free,
// deterministic). Confidence = the winner's share of the item's answers.

export interface FreeTextInput {
  numItems: number;
  itemIndex: Int32Array;
  texts: readonly string[];
  /** Optional gold text per item index; gold items get it (normalised) with confidence 1. */
  gold?: ReadonlyMap<number, string>;
}

export interface FreeTextResult {
  /** Normalised winning text, or null for items without answers or gold. */
  readonly labels: (string | null)[];
  readonly confidence: Float64Array;
}

export function normaliseText(text: string): string {
  return text.normalize('NFC').trim().toLowerCase().replace(/\s+/g, ' ');
}

export function aggregateFreeText(input: FreeTextInput): FreeTextResult {
  const { numItems, itemIndex, texts } = input;
  if (texts.length !== itemIndex.length) throw new RangeError('texts must have one entry per answer');
  const tallies: (Map<string, number> | undefined)[] = new Array(numItems);
  const totals = new Int32Array(numItems);
  for (let a = 0; a < itemIndex.length; a++) {
    const i = itemIndex[a];
    if (i < 0 || i >= numItems) throw new RangeError(`answer ${a} has an item out of range`);
    const tally = (tallies[i] ??= new Map());
    const key = normaliseText(texts[a]);
    tally.set(key, (tally.get(key) ?? 0) + 1);
    totals[i]++;
  }
  const labels: (string | null)[] = new Array(numItems).fill(null);
  const confidence = new Float64Array(numItems);
  for (let i = 0; i < numItems; i++) {
    const goldText = input.gold?.get(i);
    if (goldText !== undefined) {
      labels[i] = normaliseText(goldText);
      confidence[i] = 1;
      continue;
    }
    const tally = tallies[i];
    if (tally === undefined) continue;
    let best: string | null = null,
      bestCount = 0;
    for (const [text, count] of tally) {
      if (count > bestCount || (count === bestCount && best !== null && text < best)) {
        best = text;
        bestCount = count;
      }
    }
    labels[i] = best;
    confidence[i] = bestCount / totals[i];
  }
  return { labels, confidence };
}
